-- The partial indexes on an instance's status again, with their status tests written
-- as comparisons joined by OR instead of IN lists: SQLite builds a temporary b-tree
-- for an IN list of more than two constants each time it evaluates one, and every
-- write of an instance's status evaluates the WHERE of each partial index twice (old
-- and new row): six b-trees per step that changes a status. Same meaning, NULL
-- included. The queries that use these indexes name the same expressions
-- (db/sqlite/statuses.go), which is how SQLite sees that an index applies.
--
-- workflow_inst_unfinished (status) goes: workflow_inst_status (status, start_at_ms)
-- finds the unfinished instances as well (one range per status), and every status
-- change of a running instance (running, waiting, running, done: three per external
-- task) rewrote an entry of both.
DROP INDEX workflow_inst_unfinished;

DROP INDEX workflow_inst_trigger_unfinished;
CREATE INDEX workflow_inst_trigger_unfinished ON workflow_inst(workflow_id, trigger_app)
    WHERE (status = 'pending' OR status = 'running' OR status = 'waiting' OR status = 'suspended');

DROP INDEX workflow_inst_ended;
CREATE INDEX workflow_inst_ended ON workflow_inst(workflow_id, end_at_ms)
    WHERE (status = 'done' OR status = 'failed' OR status = 'canceled' OR status = 'timeout');
