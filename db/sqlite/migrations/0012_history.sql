-- Issue 16 (seed 003's history): the history resources query every instance and human
-- task, ended or not, mostly ended ones.
-- startedBy (and every user's own view: the instances they started), newest first.
CREATE INDEX workflow_inst_executor ON workflow_inst(executor, uid);
-- finishedAfter/finishedBefore: the ended instances by their end (a query names
-- "end_at_ms > 0" to use it; the status makes it cover their count).
CREATE INDEX workflow_inst_end ON workflow_inst(end_at_ms, status) WHERE end_at_ms > 0;
-- Historic tasks by assignee, open or ended (the inbox's index holds the open ones).
CREATE INDEX task_inst_assignee_all ON task_inst(assignee, id) WHERE assignee <> '';
