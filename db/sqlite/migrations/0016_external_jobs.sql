-- External jobs (DESIGN §10): the durable job an `external-task` runtime waits on
-- while workers in any language fetch, lock and complete it (Camunda's external
-- tasks, Flowable's external worker jobs). A job is inserted in the same transaction
-- as the step that makes its runtime wait, and ended in the step that ends it.
--
-- state: open (fetchable once lock_expiry has passed), locked (worker_id holds it
-- until lock_expiry; past it, it is fetchable again), incident (retries ran out; an
-- admin's new retries open it again), done or canceled (kept as history).
-- lock_expiry: unix ms; for a locked job when its lock ends, for an open job the
-- time before which it may not be fetched (a failure's retryTimeout), 0 for none.
-- retries: NULL until a worker first reports a failure (Camunda's null).
-- variables: the task's `variables` parameter as it was resolved (a JSON object),
-- NULL when the task does not set it. task_retries: the task's `retries` parameter,
-- which a failure without a retries count counts down from.
CREATE TABLE external_job (
    id                INTEGER PRIMARY KEY,
    node_inst_uid     INTEGER NOT NULL,
    workflow_inst_uid INTEGER NOT NULL REFERENCES workflow_inst(uid) ON DELETE CASCADE,
    workflow_id       TEXT NOT NULL,
    workflow_version  INTEGER NOT NULL,
    task_id           TEXT NOT NULL,
    topic             TEXT NOT NULL,
    priority          INTEGER NOT NULL DEFAULT 0,
    state             TEXT NOT NULL DEFAULT 'open',
    worker_id         TEXT NOT NULL DEFAULT '',
    lock_expiry       INTEGER NOT NULL DEFAULT 0,
    retries           INTEGER,
    error_message     TEXT NOT NULL DEFAULT '',
    error_details     TEXT NOT NULL DEFAULT '',
    error_code        TEXT NOT NULL DEFAULT '',
    business_key      TEXT NOT NULL DEFAULT '',
    tenant_id         TEXT NOT NULL DEFAULT '',
    variables         TEXT,
    task_retries      INTEGER NOT NULL DEFAULT 3,
    create_at         INTEGER NOT NULL,
    locked_at         INTEGER NOT NULL DEFAULT 0,
    end_at            INTEGER NOT NULL DEFAULT 0,
    rev               INTEGER NOT NULL DEFAULT 1
);
-- Fetch: the fetchable jobs of a topic, by priority then age.
CREATE INDEX external_job_fetch ON external_job(topic, priority DESC, create_at, id) WHERE state IN ('open', 'locked');
-- The next lock or retry timeout (the long-polling timer).
CREATE INDEX external_job_expiry ON external_job(lock_expiry) WHERE state IN ('open', 'locked') AND lock_expiry > 0;
CREATE INDEX external_job_node ON external_job(node_inst_uid);
CREATE INDEX external_job_instance ON external_job(workflow_inst_uid);
CREATE INDEX external_job_list ON external_job(state, create_at);
CREATE INDEX external_job_worker ON external_job(worker_id, state) WHERE worker_id <> '';
