-- Issue 16 (retention): a definition's history time-to-live in days (0 = kept for
-- ever; BPMN camunda:historyTimeToLive maps to it), and the index the cleanup job
-- walks: the ended instances of one definition by end time.
ALTER TABLE workflow ADD COLUMN history_ttl_days INTEGER NOT NULL DEFAULT 0;
CREATE INDEX workflow_inst_ended ON workflow_inst(workflow_id, end_at_ms)
    WHERE status IN ('done', 'failed', 'canceled', 'timeout');
