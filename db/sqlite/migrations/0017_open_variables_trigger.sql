-- The trigger of 0014 again, with its status tests written as comparisons: SQLite
-- builds a temporary b-tree for an IN list of more than two constants at every run
-- of a statement, and the WHEN clause of this trigger runs at every update of an
-- instance's status (a step's commit). Same meaning, NULL included.
DROP TRIGGER variable_open_follows_instance;

CREATE TRIGGER variable_open_follows_instance AFTER UPDATE OF status ON workflow_inst
WHEN (new.status = 'pending' OR new.status = 'running' OR new.status = 'waiting' OR new.status = 'suspended')
  <> (old.status = 'pending' OR old.status = 'running' OR old.status = 'waiting' OR old.status = 'suspended')
BEGIN
    UPDATE variable SET open = (new.status = 'pending' OR new.status = 'running' OR new.status = 'waiting' OR new.status = 'suspended')
    WHERE workflow_inst_uid = new.uid;
END;
