-- Crash-loop quarantine (engine.Runtime.Start): how many starts in a row an instance
-- ran a step after a restart that never committed, because the process died in it.
-- Raised before the first step after a restart, set back to 0 by every step commit.
ALTER TABLE workflow_inst ADD COLUMN crash_count INTEGER NOT NULL DEFAULT 0;
