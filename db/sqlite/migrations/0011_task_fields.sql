-- Issue 16 (seed 003's tasks): what Flowable's task resource keeps beside the
-- approval's own fields (priority, due_at, owner, delegation exist since 0001): its
-- category, form key, parent task, tenant (the instance's when it is created), and
-- its task-local variables (typed as instance variables, a JSON list written with
-- the task, so that a variable change is one rev-checked update of the row).
ALTER TABLE task_inst ADD COLUMN category TEXT NOT NULL DEFAULT '';
ALTER TABLE task_inst ADD COLUMN form_key TEXT NOT NULL DEFAULT '';
ALTER TABLE task_inst ADD COLUMN parent_task_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE task_inst ADD COLUMN tenant_id TEXT NOT NULL DEFAULT '';
ALTER TABLE task_inst ADD COLUMN local_vars TEXT NOT NULL DEFAULT '[]';
-- Seed 003's task lists read open tasks only: by id (an admin's list, and the scan
-- of any filter without an index of its own), by priority (minimum/maximumPriority,
-- sort=priority) and by owner (involvement).
CREATE INDEX task_inst_open ON task_inst(id) WHERE status = 'open';
CREATE INDEX task_inst_open_priority ON task_inst(priority, id) WHERE status = 'open';
CREATE INDEX task_inst_open_owner ON task_inst(owner, id) WHERE status = 'open' AND owner <> '';
