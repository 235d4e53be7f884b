-- Engine bookkeeping kept with runtimes and instances (join arrivals, loop sizes,
-- the reply an end task set for a waiting webhook). JSON objects.
ALTER TABLE node_inst ADD COLUMN detail TEXT NOT NULL DEFAULT '{}';
ALTER TABLE workflow_inst ADD COLUMN detail TEXT NOT NULL DEFAULT '{}';
-- Unfinished instances are looked up at every start.
CREATE INDEX workflow_inst_unfinished ON workflow_inst(status) WHERE status IN ('pending','running','waiting','suspended');
CREATE INDEX workflow_inst_parent_node ON workflow_inst(p_node_uid) WHERE p_node_uid IS NOT NULL;
