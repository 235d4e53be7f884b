-- Human tasks: what happened to each (claim, delegate, resolve, complete), who
-- completed it, the candidate groups and users as written, and the inbox indexes.
ALTER TABLE task_inst ADD COLUMN history TEXT NOT NULL DEFAULT '[]';
ALTER TABLE task_inst ADD COLUMN process_name TEXT NOT NULL DEFAULT '';
ALTER TABLE task_inst ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;

-- The inbox: open tasks by assignee, newest first (identity_link serves candidates).
DROP INDEX IF EXISTS task_inst_assignee;
CREATE INDEX task_inst_open_assignee ON task_inst(assignee, create_at) WHERE status = 'open';
-- Done list (已办): tasks a user completed, newest first.
CREATE INDEX task_inst_done_user ON task_inst("user", end_at) WHERE status = 'done';
-- Candidates as written (identity_link rows exist only while a task is open, so the
-- inbox lookup stays proportional to open tasks).
ALTER TABLE task_inst ADD COLUMN candidates TEXT NOT NULL DEFAULT '{}';
