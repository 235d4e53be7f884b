-- flowcraft:rebuild
-- The seed's tables with every seed column under the seed's name and meaning (seed 000,
-- DESIGN §5); flowcraft's own columns beside them. SQLite cannot change a primary key
-- or a column's type in place, so workflow, workflow_version, workflow_inst, node_inst
-- and cron_fire are rebuilt (create new, copy, drop old, rename) with foreign keys off
-- (the runner sees the first line); PRAGMA foreign_key_check must be clean before the
-- commit. Tables that only refer to the rebuilt ones (task_inst, job, variable) keep
-- their rows: their REFERENCES name the tables and columns that exist again afterwards.
--
-- workflow:      id becomes an INTEGER key; the public "proc-" id moves to proc_id.
--                creator → "user"; start/end_task_inst_id → start/end_app_inst_id.
-- workflow_inst: uid is the snowflake (the public instance id) and stays the primary
--                key that every other table refers to; id, the seed's integer row id,
--                holds the same number (flowcraft's ids are snowflakes: unique and
--                increasing; a second, sequential key would cost every instance an
--                index). workflow_id = workflow.id. "user" = the definition's creator;
--                start/end_app_inst_id = its trigger/end tasks; start_at/end_at are
--                'YYYY-MM-DD HH:MM:SS' text in the server's time zone (filled by the
--                runner for existing rows), the unix milliseconds flowcraft computes
--                with stay in start_at_ms/end_at_ms. tasks is NULL: the instance runs
--                the saved version (workflow_id, workflow_version); it holds the
--                definition only for an ad-hoc run of an unsaved definition.
-- node_inst:     uid is the snowflake and the primary key, id the same number (as in
--                workflow_inst); workflow_inst_uid → workflow_uid, task_inst_id →
--                node_id; "desc" = the task's description; new execution_uid,
--                trigger_token, trigger_data, task (the resolved parameters),
--                execute_ip; start_at/end_at as in workflow_inst.
-- workflow_version, cron_fire: workflow_id follows workflow.id (INTEGER).
-- create_at/update_at stay unix milliseconds (the seed's "timestamp").

CREATE TABLE new_workflow (
    id                  INTEGER PRIMARY KEY,
    proc_id             TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    "user"              TEXT NOT NULL DEFAULT '',
    enabled             INTEGER NOT NULL DEFAULT 1,
    "desc"              TEXT NOT NULL DEFAULT '',
    trigger_app         TEXT NOT NULL DEFAULT '',
    trigger_token       TEXT NOT NULL DEFAULT '',
    start_app_inst_id   TEXT NOT NULL DEFAULT '',
    end_app_inst_id     TEXT NOT NULL DEFAULT '',
    engine              TEXT NOT NULL DEFAULT 'standard',
    tasks               TEXT NOT NULL DEFAULT '[]',
    create_at           INTEGER NOT NULL,
    update_at           INTEGER NOT NULL,
    -- flowcraft's own
    status              TEXT NOT NULL DEFAULT '',
    executor            TEXT NOT NULL DEFAULT '',
    timeout             INTEGER NOT NULL DEFAULT 0,
    input_data_schema   TEXT NOT NULL DEFAULT '{}',
    output_data_schema  TEXT NOT NULL DEFAULT '{}',
    error               TEXT NOT NULL DEFAULT '',
    extension           TEXT NOT NULL DEFAULT '{}',
    metadata            TEXT NOT NULL DEFAULT '{}',
    version             INTEGER NOT NULL DEFAULT 1
);
-- The old table's rowids become the integer ids: stable, in creation order.
INSERT INTO new_workflow (id, proc_id, name, "user", enabled, "desc", trigger_app, trigger_token, start_app_inst_id,
    end_app_inst_id, engine, tasks, create_at, update_at, status, executor, timeout, input_data_schema,
    output_data_schema, error, extension, metadata, version)
SELECT rowid, id, name, creator, enabled, "desc", trigger_app, trigger_token, start_task_inst_id,
    end_task_inst_id, engine, tasks, create_at, update_at, status, executor, timeout, input_data_schema,
    output_data_schema, error, extension, metadata, version
FROM workflow ORDER BY rowid;

CREATE TABLE new_workflow_version (
    workflow_id  INTEGER NOT NULL REFERENCES workflow(id) ON DELETE CASCADE,
    version      INTEGER NOT NULL,
    definition   TEXT NOT NULL,
    replaced_by  TEXT NOT NULL DEFAULT '',
    create_at    INTEGER NOT NULL,
    PRIMARY KEY (workflow_id, version)
) WITHOUT ROWID;
INSERT INTO new_workflow_version (workflow_id, version, definition, replaced_by, create_at)
SELECT w.id, v.version, v.definition, v.replaced_by, v.create_at
FROM workflow_version v JOIN new_workflow w ON w.proc_id = v.workflow_id;

CREATE TABLE new_workflow_inst (
    id                 INTEGER NOT NULL,
    uid                INTEGER PRIMARY KEY,
    p_uid              INTEGER REFERENCES workflow_inst(uid) ON DELETE CASCADE,
    workflow_id        INTEGER NOT NULL REFERENCES workflow(id) ON DELETE CASCADE,
    name               TEXT NOT NULL DEFAULT '',
    "user"             TEXT NOT NULL DEFAULT '',
    executor           TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL,
    trigger_data       TEXT NOT NULL DEFAULT 'null',
    trigger_app        TEXT NOT NULL DEFAULT '',
    start_at           TEXT,
    end_at             TEXT,
    start_app_inst_id  TEXT NOT NULL DEFAULT '',
    end_app_inst_id    TEXT NOT NULL DEFAULT '',
    engine             TEXT NOT NULL DEFAULT 'standard',
    tasks              TEXT,
    workflow_output    TEXT NOT NULL DEFAULT 'null',
    cost               INTEGER NOT NULL DEFAULT 0,
    create_at          INTEGER NOT NULL,
    update_at          INTEGER NOT NULL,
    -- flowcraft's own
    p_node_uid         INTEGER,
    workflow_version   INTEGER NOT NULL,
    error              TEXT NOT NULL DEFAULT '',
    start_at_ms        INTEGER NOT NULL DEFAULT 0,
    end_at_ms          INTEGER NOT NULL DEFAULT 0,
    rev                INTEGER NOT NULL DEFAULT 1,
    detail             TEXT NOT NULL DEFAULT '{}',
    crash_count        INTEGER NOT NULL DEFAULT 0
);
-- start/end_app_inst_id: the trigger and end tasks of the version the instance runs
-- (the head, or the copy in workflow_version).
INSERT INTO new_workflow_inst (id, uid, p_uid, workflow_id, name, "user", executor, status, trigger_data, trigger_app,
    start_app_inst_id, end_app_inst_id, engine, tasks, workflow_output, cost, create_at, update_at,
    p_node_uid, workflow_version, error, start_at_ms, end_at_ms, rev, detail, crash_count)
SELECT i.uid, i.uid, i.p_uid, w.id, i.name, w."user", i.executor, i.status, i.trigger_data, i.trigger_app,
    COALESCE(CASE WHEN w.version = i.workflow_version THEN w.start_app_inst_id
        ELSE (SELECT json_extract(v.definition, '$.startTaskInstId') FROM new_workflow_version v
              WHERE v.workflow_id = w.id AND v.version = i.workflow_version) END, ''),
    COALESCE(CASE WHEN w.version = i.workflow_version THEN w.end_app_inst_id
        ELSE (SELECT json_extract(v.definition, '$.endTaskInstId') FROM new_workflow_version v
              WHERE v.workflow_id = w.id AND v.version = i.workflow_version) END, ''),
    i.engine, NULL, i.workflow_output, i.cost, i.create_at, i.update_at,
    i.p_node_uid, i.workflow_version, i.error, i.start_at, i.end_at, i.rev, i.detail, i.crash_count
FROM workflow_inst i JOIN new_workflow w ON w.proc_id = i.workflow_id
ORDER BY i.uid;

CREATE TABLE new_node_inst (
    id             INTEGER NOT NULL,
    uid            INTEGER PRIMARY KEY,
    workflow_uid   INTEGER NOT NULL REFERENCES workflow_inst(uid) ON DELETE CASCADE,
    execution_uid  TEXT,
    "index"        INTEGER NOT NULL DEFAULT 0,
    node_id        TEXT NOT NULL,
    name           TEXT NOT NULL DEFAULT '',
    "desc"         TEXT NOT NULL DEFAULT '',
    template       TEXT NOT NULL DEFAULT '',
    trigger_token  TEXT,
    trigger_data   TEXT,
    task           TEXT,
    status         TEXT NOT NULL,
    execute_ip     TEXT,
    start_at       TEXT,
    end_at         TEXT,
    cost           INTEGER NOT NULL DEFAULT 0,
    create_at      INTEGER NOT NULL,
    update_at      INTEGER NOT NULL,
    -- flowcraft's own
    attempt        INTEGER NOT NULL DEFAULT 0,
    input          TEXT NOT NULL DEFAULT 'null',
    output         TEXT NOT NULL DEFAULT 'null',
    error          TEXT NOT NULL DEFAULT '',
    logs           TEXT NOT NULL DEFAULT '[]',
    start_at_ms    INTEGER NOT NULL DEFAULT 0,
    end_at_ms      INTEGER NOT NULL DEFAULT 0,
    rev            INTEGER NOT NULL DEFAULT 1,
    detail         TEXT NOT NULL DEFAULT '{}'
);
-- The descriptions of the tasks of every stored version, for node_inst."desc".
CREATE TEMP TABLE task_desc (workflow_id INTEGER, version INTEGER, task_id TEXT, description TEXT,
    PRIMARY KEY (workflow_id, version, task_id)) WITHOUT ROWID;
INSERT OR IGNORE INTO task_desc
SELECT w.id, w.version, json_extract(t.value, '$.instId'), json_extract(t.value, '$.description')
FROM new_workflow w, json_each(w.tasks) t
WHERE json_valid(w.tasks) AND json_extract(t.value, '$.instId') IS NOT NULL;
INSERT OR IGNORE INTO task_desc
SELECT v.workflow_id, v.version, json_extract(t.value, '$.instId'), json_extract(t.value, '$.description')
FROM new_workflow_version v, json_each(v.definition, '$.tasks') t
WHERE json_valid(v.definition) AND json_extract(t.value, '$.instId') IS NOT NULL;

-- A runtime's "desc" is its task's description in the version its instance runs.
-- The trigger task's runtime gets the webhook token of the definition and the
-- trigger data of its instance.
INSERT INTO new_node_inst (id, uid, workflow_uid, "index", node_id, name, "desc", template, trigger_token, trigger_data,
    status, cost, create_at, update_at, attempt, input, output, error, logs, start_at_ms, end_at_ms, rev, detail)
SELECT n.uid, n.uid, n.workflow_inst_uid, n."index", n.task_inst_id, n.name,
    COALESCE(NULLIF(n."desc", ''), (SELECT td.description FROM task_desc td WHERE td.workflow_id = i.workflow_id
        AND td.version = i.workflow_version AND td.task_id = n.task_inst_id), ''),
    n.template,
    CASE WHEN n.task_inst_id = i.start_app_inst_id THEN NULLIF(w.trigger_token, '') END,
    CASE WHEN n.task_inst_id = i.start_app_inst_id THEN i.trigger_data END,
    n.status, n.cost, n.create_at, n.update_at, n.attempt, n.input, n.output, n.error, n.logs, n.start_at, n.end_at,
    n.rev, n.detail
FROM node_inst n
LEFT JOIN new_workflow_inst i ON i.uid = n.workflow_inst_uid
LEFT JOIN new_workflow w ON w.id = i.workflow_id
ORDER BY n.uid;

CREATE TABLE new_cron_fire (
    workflow_id   INTEGER NOT NULL REFERENCES workflow(id) ON DELETE CASCADE,
    slot_at       INTEGER NOT NULL,
    instance_uid  INTEGER,
    status        TEXT NOT NULL DEFAULT 'claimed',
    error         TEXT NOT NULL DEFAULT '',
    owner         TEXT NOT NULL DEFAULT '',
    create_at     INTEGER NOT NULL,
    PRIMARY KEY (workflow_id, slot_at)
) WITHOUT ROWID;
INSERT INTO new_cron_fire (workflow_id, slot_at, instance_uid, status, error, owner, create_at)
SELECT w.id, c.slot_at, c.instance_uid, c.status, c.error, c.owner, c.create_at
FROM cron_fire c JOIN new_workflow w ON w.proc_id = c.workflow_id;

DROP TABLE temp.task_desc;
DROP TABLE cron_fire;
DROP TABLE node_inst;
DROP TABLE workflow_inst;
DROP TABLE workflow_version;
DROP TABLE workflow;
ALTER TABLE new_workflow RENAME TO workflow;
ALTER TABLE new_workflow_version RENAME TO workflow_version;
ALTER TABLE new_workflow_inst RENAME TO workflow_inst;
ALTER TABLE new_node_inst RENAME TO node_inst;
ALTER TABLE new_cron_fire RENAME TO cron_fire;

-- The indexes of the old tables, on the new columns.
CREATE UNIQUE INDEX workflow_trigger_token ON workflow(trigger_token) WHERE trigger_token <> '';
CREATE INDEX workflow_name ON workflow(name);
CREATE INDEX workflow_user ON workflow("user");
CREATE INDEX workflow_update_at ON workflow(update_at);

CREATE INDEX workflow_inst_workflow ON workflow_inst(workflow_id, start_at_ms);
CREATE INDEX workflow_inst_status ON workflow_inst(status, start_at_ms);
CREATE INDEX workflow_inst_parent ON workflow_inst(p_uid) WHERE p_uid IS NOT NULL;
CREATE INDEX workflow_inst_unfinished ON workflow_inst(status) WHERE status IN ('pending','running','waiting','suspended');
CREATE INDEX workflow_inst_parent_node ON workflow_inst(p_node_uid) WHERE p_node_uid IS NOT NULL;
CREATE INDEX workflow_inst_trigger_unfinished ON workflow_inst(workflow_id, trigger_app)
    WHERE status IN ('pending','running','waiting','suspended');

-- Runtimes are read per instance in uid order (the rowid, appended to every index entry).
CREATE INDEX node_inst_instance ON node_inst(workflow_uid);

CREATE INDEX cron_fire_create ON cron_fire(create_at);
