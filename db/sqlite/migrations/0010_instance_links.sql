-- Issue 15 (seed 003's case instance identity links): users involved in an instance
-- by hand (POST …/case-instances/{id}/identitylinks), one row a user and link type.
-- The starter and the users of the instance's human tasks are involved without a row
-- (workflow_inst.executor, task_inst.assignee and "user"). Rows go with their instance.

CREATE TABLE instance_link (
    workflow_inst_uid  INTEGER NOT NULL REFERENCES workflow_inst(uid) ON DELETE CASCADE,
    user_id            TEXT NOT NULL,
    kind               TEXT NOT NULL,
    create_at          INTEGER NOT NULL,
    PRIMARY KEY (workflow_inst_uid, user_id, kind)
) WITHOUT ROWID;
-- involvedUser: the instances a user was linked to.
CREATE INDEX instance_link_user ON instance_link(user_id, workflow_inst_uid);
