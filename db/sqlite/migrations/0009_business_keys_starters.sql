-- Issue 15 (seed 003's case instances and case definitions), the core fields:
--
-- workflow_inst.business_key: the instance's business key (seed 003 businessKey), ""
--     for none; set at start, looked up exactly or with LIKE. The index is partial:
--     most instances (webhooks, schedules, the fast engine) have none and pay nothing
--     for it; lookups add "business_key <> ''" so that SQLite may use it.
-- workflow_inst.tenant_id, workflow.tenant_id: seed 003's tenantId, "" by default.
-- workflow.category: seed 003's case definition category, "" by default (earlier
--     versions keep theirs in workflow_version.definition, as every other field).
-- workflow_starter: candidate starters of a process (seed 003's case definition
--     identity links of type candidate): one user or one group a row. A process
--     without rows may be started by every signed-in user; with rows, by the users
--     listed and the members of the groups listed (DESIGN §6).

ALTER TABLE workflow_inst ADD COLUMN business_key TEXT NOT NULL DEFAULT '';
ALTER TABLE workflow_inst ADD COLUMN tenant_id TEXT NOT NULL DEFAULT '';
CREATE INDEX workflow_inst_business_key ON workflow_inst(business_key) WHERE business_key <> '';

ALTER TABLE workflow ADD COLUMN tenant_id TEXT NOT NULL DEFAULT '';
ALTER TABLE workflow ADD COLUMN category TEXT NOT NULL DEFAULT '';

CREATE TABLE workflow_starter (
    workflow_id  INTEGER NOT NULL REFERENCES workflow(id) ON DELETE CASCADE,
    user_id      TEXT NOT NULL DEFAULT '',
    group_id     TEXT NOT NULL DEFAULT '',
    CHECK ((user_id = '') <> (group_id = '')),
    PRIMARY KEY (workflow_id, user_id, group_id)
) WITHOUT ROWID;
