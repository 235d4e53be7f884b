-- flowcraft schema, version 1.
-- Times are unix milliseconds (INTEGER). JSON documents are TEXT.
-- Rows two writers may race on carry `rev` (optimistic locking).

-- Process definitions: the seed's columns.
CREATE TABLE workflow (
    id                  TEXT PRIMARY KEY,
    name                TEXT NOT NULL,
    "desc"              TEXT NOT NULL DEFAULT '',
    start_task_inst_id  TEXT NOT NULL DEFAULT '',
    end_task_inst_id    TEXT NOT NULL DEFAULT '',
    engine              TEXT NOT NULL DEFAULT 'standard',
    status              TEXT NOT NULL DEFAULT '',
    enabled             INTEGER NOT NULL DEFAULT 1,
    creator             TEXT NOT NULL DEFAULT '',
    executor            TEXT NOT NULL DEFAULT '',
    timeout             INTEGER NOT NULL DEFAULT 0,
    input_data_schema   TEXT NOT NULL DEFAULT '{}',
    output_data_schema  TEXT NOT NULL DEFAULT '{}',
    error               TEXT NOT NULL DEFAULT '',
    extension           TEXT NOT NULL DEFAULT '{}',
    metadata            TEXT NOT NULL DEFAULT '{}',
    version             INTEGER NOT NULL DEFAULT 1,
    trigger_app         TEXT NOT NULL DEFAULT '',
    trigger_token       TEXT NOT NULL DEFAULT '',
    tasks               TEXT NOT NULL DEFAULT '[]',
    create_at           INTEGER NOT NULL,
    update_at           INTEGER NOT NULL
);
CREATE UNIQUE INDEX workflow_trigger_token ON workflow(trigger_token) WHERE trigger_token <> '';
CREATE INDEX workflow_name ON workflow(name);
CREATE INDEX workflow_creator ON workflow(creator);
CREATE INDEX workflow_update_at ON workflow(update_at);

-- Earlier versions of a definition, written when one is replaced.
CREATE TABLE workflow_version (
    workflow_id  TEXT NOT NULL REFERENCES workflow(id) ON DELETE CASCADE,
    version      INTEGER NOT NULL,
    definition   TEXT NOT NULL,
    replaced_by  TEXT NOT NULL DEFAULT '',
    create_at    INTEGER NOT NULL,
    PRIMARY KEY (workflow_id, version)
) WITHOUT ROWID;

-- Process instances. uid and p_uid are snowflake ids.
CREATE TABLE workflow_inst (
    uid               INTEGER PRIMARY KEY,
    p_uid             INTEGER REFERENCES workflow_inst(uid) ON DELETE CASCADE,
    p_node_uid        INTEGER,
    workflow_id       TEXT NOT NULL REFERENCES workflow(id) ON DELETE CASCADE,
    workflow_version  INTEGER NOT NULL,
    name              TEXT NOT NULL DEFAULT '',
    engine            TEXT NOT NULL DEFAULT 'standard',
    status            TEXT NOT NULL,
    executor          TEXT NOT NULL DEFAULT '',
    trigger_app       TEXT NOT NULL DEFAULT '',
    trigger_data      TEXT NOT NULL DEFAULT 'null',
    workflow_output   TEXT NOT NULL DEFAULT 'null',
    error             TEXT NOT NULL DEFAULT '',
    start_at          INTEGER NOT NULL DEFAULT 0,
    end_at            INTEGER NOT NULL DEFAULT 0,
    cost              INTEGER NOT NULL DEFAULT 0,
    create_at         INTEGER NOT NULL,
    update_at         INTEGER NOT NULL,
    rev               INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX workflow_inst_workflow ON workflow_inst(workflow_id, start_at);
CREATE INDEX workflow_inst_status ON workflow_inst(status, start_at);
CREATE INDEX workflow_inst_parent ON workflow_inst(p_uid) WHERE p_uid IS NOT NULL;
CREATE INDEX workflow_inst_start ON workflow_inst(start_at);

-- Node runtimes: one row per run of a task (loop iteration or retry: "index", attempt).
CREATE TABLE node_inst (
    uid                INTEGER PRIMARY KEY,
    workflow_inst_uid  INTEGER NOT NULL REFERENCES workflow_inst(uid) ON DELETE CASCADE,
    task_inst_id       TEXT NOT NULL,
    name               TEXT NOT NULL DEFAULT '',
    template           TEXT NOT NULL DEFAULT '',
    "index"            INTEGER NOT NULL DEFAULT 0,
    attempt            INTEGER NOT NULL DEFAULT 0,
    status             TEXT NOT NULL,
    "desc"             TEXT NOT NULL DEFAULT '',
    input              TEXT NOT NULL DEFAULT 'null',
    output             TEXT NOT NULL DEFAULT 'null',
    error              TEXT NOT NULL DEFAULT '',
    logs               TEXT NOT NULL DEFAULT '[]',
    start_at           INTEGER NOT NULL DEFAULT 0,
    end_at             INTEGER NOT NULL DEFAULT 0,
    cost               INTEGER NOT NULL DEFAULT 0,
    create_at          INTEGER NOT NULL,
    update_at          INTEGER NOT NULL,
    rev                INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX node_inst_workflow_inst ON node_inst(workflow_inst_uid, task_inst_id, "index", attempt);

-- Human tasks (approvals) and who may act on them.
CREATE TABLE task_inst (
    id                 INTEGER PRIMARY KEY,
    node_inst_uid      INTEGER NOT NULL REFERENCES node_inst(uid) ON DELETE CASCADE,
    workflow_inst_uid  INTEGER NOT NULL REFERENCES workflow_inst(uid) ON DELETE CASCADE,
    workflow_id        TEXT NOT NULL,
    task_id            TEXT NOT NULL,
    name               TEXT NOT NULL DEFAULT '',
    content            TEXT NOT NULL DEFAULT '',
    form               TEXT NOT NULL DEFAULT '[]',
    outcomes           TEXT NOT NULL DEFAULT '[]',
    assignee           TEXT NOT NULL DEFAULT '',
    owner              TEXT NOT NULL DEFAULT '',
    delegation         TEXT NOT NULL DEFAULT '',
    "user"             TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL,
    priority           INTEGER NOT NULL DEFAULT 50,
    due_at             INTEGER NOT NULL DEFAULT 0,
    outcome            TEXT NOT NULL DEFAULT '',
    comment            TEXT NOT NULL DEFAULT '',
    result             TEXT NOT NULL DEFAULT 'null',
    create_at          INTEGER NOT NULL,
    claim_at           INTEGER NOT NULL DEFAULT 0,
    end_at             INTEGER NOT NULL DEFAULT 0,
    rev                INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX task_inst_assignee ON task_inst(assignee, status, create_at);
CREATE INDEX task_inst_workflow_inst ON task_inst(workflow_inst_uid);
CREATE INDEX task_inst_node ON task_inst(node_inst_uid);

CREATE TABLE identity_link (
    task_inst_id  INTEGER NOT NULL REFERENCES task_inst(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL DEFAULT 'candidate',
    user_id       TEXT NOT NULL DEFAULT '',
    group_id      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (task_inst_id, kind, user_id, group_id)
) WITHOUT ROWID;
CREATE INDEX identity_link_user ON identity_link(user_id, task_inst_id) WHERE user_id <> '';
CREATE INDEX identity_link_group ON identity_link(group_id, task_inst_id) WHERE group_id <> '';

-- Identity.
CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL DEFAULT '',
    email          TEXT NOT NULL DEFAULT '',
    role           TEXT NOT NULL DEFAULT 'user',
    password_hash  TEXT NOT NULL,
    disabled       INTEGER NOT NULL DEFAULT 0,
    create_at      INTEGER NOT NULL,
    update_at      INTEGER NOT NULL,
    rev            INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE groups (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL DEFAULT '',
    create_at  INTEGER NOT NULL
);

CREATE TABLE membership (
    group_id  TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    user_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
) WITHOUT ROWID;
CREATE INDEX membership_user ON membership(user_id);

CREATE TABLE api_token (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    prefix        TEXT NOT NULL,
    secret_hash   TEXT NOT NULL UNIQUE,
    create_at     INTEGER NOT NULL,
    last_used_at  INTEGER NOT NULL DEFAULT 0,
    expires_at    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX api_token_user ON api_token(user_id);

CREATE TABLE session (
    secret_hash  TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf         TEXT NOT NULL,
    create_at    INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX session_expires ON session(expires_at);

-- Timers, retries and continuations, run by the job executor.
CREATE TABLE job (
    id                 INTEGER PRIMARY KEY,
    kind               TEXT NOT NULL,
    workflow_inst_uid  INTEGER REFERENCES workflow_inst(uid) ON DELETE CASCADE,
    node_inst_uid      INTEGER,
    task_id            TEXT NOT NULL DEFAULT '',
    payload            TEXT NOT NULL DEFAULT '{}',
    status             TEXT NOT NULL DEFAULT 'pending',
    due_at             INTEGER NOT NULL,
    attempts           INTEGER NOT NULL DEFAULT 0,
    max_attempts       INTEGER NOT NULL DEFAULT 3,
    lock_owner         TEXT NOT NULL DEFAULT '',
    lock_expiry        INTEGER NOT NULL DEFAULT 0,
    error              TEXT NOT NULL DEFAULT '',
    create_at          INTEGER NOT NULL,
    update_at          INTEGER NOT NULL,
    rev                INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX job_due ON job(status, due_at);
CREATE INDEX job_workflow_inst ON job(workflow_inst_uid);

-- Process variables (vars), one row per name.
CREATE TABLE variable (
    workflow_inst_uid  INTEGER NOT NULL REFERENCES workflow_inst(uid) ON DELETE CASCADE,
    name               TEXT NOT NULL,
    value              TEXT NOT NULL DEFAULT 'null',
    update_at          INTEGER NOT NULL,
    rev                INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (workflow_inst_uid, name)
) WITHOUT ROWID;

-- Idempotency-Key of starts: repeats within the window return the first instance.
CREATE TABLE idempotency_key (
    scope              TEXT NOT NULL,
    key                TEXT NOT NULL,
    workflow_inst_uid  INTEGER NOT NULL,
    create_at          INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_key_create ON idempotency_key(create_at);

-- Who changed what.
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    actor        TEXT NOT NULL DEFAULT '',
    action       TEXT NOT NULL,
    object_type  TEXT NOT NULL,
    object_id    TEXT NOT NULL,
    detail       TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_object ON audit_log(object_type, object_id, at);
CREATE INDEX audit_log_at ON audit_log(at);
