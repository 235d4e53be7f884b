-- The variables of the instances that have not ended, indexed apart: seed 003's
-- runtime case-instance query (variable conditions among the unfinished instances)
-- counts its matches from these indexes instead of checking every unfinished
-- instance. variable.open is 1 while the instance is pending, running, waiting or
-- suspended (the partial index workflow_inst_unfinished's statuses): the writer sets
-- it from the instance's status, and a trigger follows the instance's status when it
-- ends (or, retried, runs again).
ALTER TABLE variable ADD COLUMN open INTEGER NOT NULL DEFAULT 0;

UPDATE variable SET open = 1 WHERE workflow_inst_uid IN
    (SELECT uid FROM workflow_inst WHERE status IN ('pending','running','waiting','suspended'));

CREATE INDEX variable_open_num ON variable(name, type, num) WHERE open = 1;
CREATE INDEX variable_open_text ON variable(name, text COLLATE NOCASE) WHERE open = 1;

CREATE TRIGGER variable_open_follows_instance AFTER UPDATE OF status ON workflow_inst
WHEN (new.status IN ('pending','running','waiting','suspended')) <> (old.status IN ('pending','running','waiting','suspended'))
BEGIN
    UPDATE variable SET open = (new.status IN ('pending','running','waiting','suspended')) WHERE workflow_inst_uid = new.uid;
END;
