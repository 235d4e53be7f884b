-- Typed process variables (seed 003: string, short, integer, long, double, boolean,
-- date, json, binary; null for a null value written without a type).
-- value keeps the JSON text scripts see (engine.Variable.StoredJSON: integers with
-- every digit, a date as RFC 3339 UTC text, a binary variable as its descriptor).
-- Queries compare typed columns, each with an index that answers a condition alone
-- (the variable's instance is the primary key's first column, in every entry):
--   num   numbers (short, integer, long as INTEGER, double as REAL), a date as unix
--         milliseconds, a boolean as 0/1; NULL otherwise. No declared type, so that
--         SQLite keeps integers and reals as they are and compares them as numbers.
--         Indexed by (name, type, num): a condition names the types it compares with.
--   text  a string's text; NULL otherwise. Indexed by (name, text) folding ASCII case
--         (NOCASE), for equalsIgnoreCase and prefix matches; exact comparisons filter
--         the index's candidates.
-- data and content_type hold a binary variable's content.
-- Existing rows get the type their JSON value implies, as a write without a type
-- would (engine.InferVarType).
ALTER TABLE variable ADD COLUMN type TEXT NOT NULL DEFAULT 'json';
ALTER TABLE variable ADD COLUMN num;
ALTER TABLE variable ADD COLUMN text TEXT;
ALTER TABLE variable ADD COLUMN data BLOB;
ALTER TABLE variable ADD COLUMN content_type TEXT;

UPDATE variable SET
    type = CASE json_type(value)
        WHEN 'text' THEN 'string'
        WHEN 'integer' THEN CASE WHEN json_extract(value, '$') BETWEEN -2147483648 AND 2147483647 THEN 'integer' ELSE 'long' END
        WHEN 'real' THEN 'double'
        WHEN 'true' THEN 'boolean'
        WHEN 'false' THEN 'boolean'
        WHEN 'null' THEN 'null'
        ELSE 'json' END,
    num = CASE json_type(value)
        WHEN 'integer' THEN json_extract(value, '$')
        WHEN 'real' THEN json_extract(value, '$')
        WHEN 'true' THEN 1
        WHEN 'false' THEN 0 END,
    text = CASE json_type(value) WHEN 'text' THEN json_extract(value, '$') END;

CREATE INDEX variable_num ON variable(name, type, num) WHERE num IS NOT NULL;
CREATE INDEX variable_text ON variable(name, text COLLATE NOCASE) WHERE text IS NOT NULL;

-- How many variables hold each value, kept by the triggers below: the total of a
-- list by one condition is a sum over these rows (one per distinct value), not a
-- count of every matching variable (900,000 index entries for "days > 3" of a
-- million instances). A value's row goes when its count reaches 0. Dates, of many
-- distinct values, are counted per hour: variable_num_stat.num is then the hour
-- (unix milliseconds / 3,600,000, truncated), and a date condition adds the count
-- of its boundary hour from the variable_num index.
CREATE TABLE variable_num_stat (
    name  TEXT NOT NULL,
    type  TEXT NOT NULL,
    num   NOT NULL,
    n     INTEGER NOT NULL,
    PRIMARY KEY (name, type, num)
) WITHOUT ROWID;
CREATE TABLE variable_text_stat (
    name  TEXT NOT NULL,
    text  TEXT NOT NULL,
    n     INTEGER NOT NULL,
    PRIMARY KEY (name, text)
) WITHOUT ROWID;
CREATE INDEX variable_text_stat_nocase ON variable_text_stat(name, text COLLATE NOCASE);

INSERT INTO variable_num_stat (name, type, num, n)
    SELECT name, type, CASE WHEN type = 'date' THEN num / 3600000 ELSE num END, COUNT(*) FROM variable
    WHERE num IS NOT NULL GROUP BY 1, 2, 3;
INSERT INTO variable_text_stat (name, text, n)
    SELECT name, text, COUNT(*) FROM variable WHERE text IS NOT NULL GROUP BY name, text;

CREATE TRIGGER variable_stat_insert AFTER INSERT ON variable BEGIN
    INSERT INTO variable_num_stat (name, type, num, n) SELECT NEW.name, NEW.type,
        CASE WHEN NEW.type = 'date' THEN NEW.num / 3600000 ELSE NEW.num END, 1 WHERE NEW.num IS NOT NULL
        ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO variable_text_stat (name, text, n) SELECT NEW.name, NEW.text, 1 WHERE NEW.text IS NOT NULL
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER variable_stat_delete AFTER DELETE ON variable BEGIN
    UPDATE variable_num_stat SET n = n - 1 WHERE OLD.num IS NOT NULL AND name = OLD.name AND type = OLD.type
        AND num = CASE WHEN OLD.type = 'date' THEN OLD.num / 3600000 ELSE OLD.num END;
    DELETE FROM variable_num_stat WHERE OLD.num IS NOT NULL AND name = OLD.name AND type = OLD.type
        AND num = CASE WHEN OLD.type = 'date' THEN OLD.num / 3600000 ELSE OLD.num END AND n <= 0;
    UPDATE variable_text_stat SET n = n - 1 WHERE OLD.text IS NOT NULL AND name = OLD.name AND text = OLD.text;
    DELETE FROM variable_text_stat WHERE OLD.text IS NOT NULL AND name = OLD.name AND text = OLD.text AND n <= 0;
END;

CREATE TRIGGER variable_stat_update AFTER UPDATE OF type, num, text ON variable
WHEN OLD.type IS NOT NEW.type OR OLD.num IS NOT NEW.num OR OLD.text IS NOT NEW.text BEGIN
    UPDATE variable_num_stat SET n = n - 1 WHERE OLD.num IS NOT NULL AND name = OLD.name AND type = OLD.type
        AND num = CASE WHEN OLD.type = 'date' THEN OLD.num / 3600000 ELSE OLD.num END;
    DELETE FROM variable_num_stat WHERE OLD.num IS NOT NULL AND name = OLD.name AND type = OLD.type
        AND num = CASE WHEN OLD.type = 'date' THEN OLD.num / 3600000 ELSE OLD.num END AND n <= 0;
    UPDATE variable_text_stat SET n = n - 1 WHERE OLD.text IS NOT NULL AND name = OLD.name AND text = OLD.text;
    DELETE FROM variable_text_stat WHERE OLD.text IS NOT NULL AND name = OLD.name AND text = OLD.text AND n <= 0;
    INSERT INTO variable_num_stat (name, type, num, n) SELECT NEW.name, NEW.type,
        CASE WHEN NEW.type = 'date' THEN NEW.num / 3600000 ELSE NEW.num END, 1 WHERE NEW.num IS NOT NULL
        ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO variable_text_stat (name, text, n) SELECT NEW.name, NEW.text, 1 WHERE NEW.text IS NOT NULL
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
