-- Cron slots: one row per (process, scheduled time) that a scheduler claimed. The
-- primary key makes a slot fire at most once, across restarts and across flowcraft
-- processes sharing the database: a scheduler inserts the row (in its own
-- transaction) before starting the instance, and a unique violation means another
-- one already fired it. status: claimed (being started), started, skipped (overlap),
-- failed (the start was refused; error says why).
CREATE TABLE cron_fire (
    workflow_id   TEXT NOT NULL REFERENCES workflow(id) ON DELETE CASCADE,
    slot_at       INTEGER NOT NULL,
    instance_uid  INTEGER,
    status        TEXT NOT NULL DEFAULT 'claimed',
    error         TEXT NOT NULL DEFAULT '',
    owner         TEXT NOT NULL DEFAULT '',
    create_at     INTEGER NOT NULL,
    PRIMARY KEY (workflow_id, slot_at)
) WITHOUT ROWID;
CREATE INDEX cron_fire_create ON cron_fire(create_at);
-- The overlap check: unfinished instances of a process by how they were started.
CREATE INDEX workflow_inst_trigger_unfinished ON workflow_inst(workflow_id, trigger_app)
    WHERE status IN ('pending','running','waiting','suspended');
