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
