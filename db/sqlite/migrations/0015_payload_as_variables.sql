-- Issue 17 (BPMN): a definition whose start payload's fields become process
-- variables, as Camunda's and Flowable's start variables are (imported models).
ALTER TABLE workflow ADD COLUMN payload_as_variables INTEGER NOT NULL DEFAULT 0;
