-- Leaner indexes on the hottest tables (every instance writes them).
-- Runtimes are read per instance in uid order: (workflow_inst_uid) is enough, since
-- SQLite appends the rowid (uid) to every index entry.
DROP INDEX IF EXISTS node_inst_workflow_inst;
CREATE INDEX node_inst_instance ON node_inst(workflow_inst_uid);
-- Instance ids are snowflakes, ordered by start time: unfiltered lists sort by uid.
DROP INDEX IF EXISTS workflow_inst_start;
