package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"flowcraft/engine"
)

// nodeColumns are the columns a runtime is read from. Column input holds the data
// that reached the runtime (NodeRun.Incoming), column task its resolved parameters
// (NodeRun.Input, the seed's runtime "input"; NULL until it runs).
const nodeColumns = `uid, workflow_uid, node_id, name, template, "index", attempt, status, input, output, error, logs,
	start_at_ms, end_at_ms, cost, create_at, update_at, rev, detail, task`

func scanNode(r rowScanner) (*engine.NodeRun, error) {
	var n engine.NodeRun
	var input, output, logs, detail string
	var task sql.NullString
	if err := r.Scan(&n.ID, &n.InstanceID, &n.TaskID, &n.Name, &n.Template, &n.Index, &n.Attempt, &n.Status, &input, &output,
		&n.Error, &logs, &n.StartAt, &n.EndAt, &n.Cost, &n.CreateAt, &n.UpdateAt, &n.Rev, &detail, &task); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(input), &n.Incoming); err != nil {
		return nil, fmt.Errorf("runtime %d input: %w", n.ID, err)
	}
	if task.Valid && task.String != "null" {
		if err := json.Unmarshal([]byte(task.String), &n.Input); err != nil {
			return nil, fmt.Errorf("runtime %d task: %w", n.ID, err)
		}
	}
	if err := json.Unmarshal([]byte(output), &n.Output); err != nil {
		return nil, fmt.Errorf("runtime %d output: %w", n.ID, err)
	}
	if logs != "[]" && logs != "" {
		if err := json.Unmarshal([]byte(logs), &n.Logs); err != nil {
			return nil, fmt.Errorf("runtime %d logs: %w", n.ID, err)
		}
	}
	if detail != "{}" && detail != "" {
		n.Detail = &engine.NodeDetail{}
		if err := json.Unmarshal([]byte(detail), n.Detail); err != nil {
			return nil, fmt.Errorf("runtime %d detail: %w", n.ID, err)
		}
	}
	return &n, nil
}

// nodeRuns returns the runtimes of an instance in creation order.
func (d *Store) nodeRuns(ctx context.Context, id engine.ID) ([]*engine.NodeRun, error) {
	rows, err := d.readQuery(ctx, `SELECT `+nodeColumns+` FROM node_inst WHERE workflow_uid = ? ORDER BY uid`, id)
	if err != nil {
		return nil, fmt.Errorf("list runtimes: %w", err)
	}
	defer rows.Close()
	var list []*engine.NodeRun
	for rows.Next() {
		n, err := scanNode(rows)
		if err != nil {
			return nil, fmt.Errorf("list runtimes: %w", err)
		}
		list = append(list, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list runtimes: %w", err)
	}
	return list, nil
}

// The runtimes' writer.

// maxNodeRows is the most runtime rows one INSERT statement writes: a fast instance's
// rows go in one statement, which costs far less than one statement per row.
const maxNodeRows = 8

// nodeInsertColumns are the columns of a new runtime: flowcraft's, then the seed's
// start_at/end_at text, execute_ip, trigger_token and trigger_data (the trigger
// task's runtime only), "desc" (the task's description, from the definition) and
// task (the resolved parameters, NULL until the runtime runs). execution_uid (the
// branch) stays NULL: the engine does not hand it to the store.
const nodeInsertColumns = `(id, uid, workflow_uid, node_id, name, template, "index", attempt, status, input, output, error, logs,
	start_at_ms, end_at_ms, cost, create_at, update_at, rev, detail, start_at, end_at, execute_ip, trigger_token, trigger_data, "desc", task)`

// Positions in a runtime's row (nodeRow) that the writer fills in (writeRuntimes).
const (
	nodeRowInstance     = 2
	nodeRowTaskID       = 3
	nodeRowTriggerToken = 22
	nodeRowTriggerData  = 23
	nodeRowDesc         = 24
	nodeRowLen          = 26
)

// insertNodesSQL is an INSERT of k runtime rows.
func insertNodesSQL(k int) string {
	// id repeats uid (migration 0007); rev starts at 1.
	row := "(" + strings.Repeat("?,", 18) + "1," + strings.TrimSuffix(strings.Repeat("?,", nodeRowLen-18), ",") + ")"
	return "INSERT INTO node_inst " + nodeInsertColumns + " VALUES " + strings.TrimSuffix(strings.Repeat(row+",", k), ",")
}

// runtimeSQL are the runtimes' statements: one update, and inserts of 1 to maxNodeRows rows.
func runtimeSQL() map[string]string {
	m := map[string]string{
		"updateNode": `UPDATE node_inst SET status=?, input=?, output=?, error=?, logs=?, start_at_ms=?, end_at_ms=?, start_at=?, end_at=?,
			cost=?, update_at=?, detail=?, "index"=?, attempt=?, execute_ip=?, task=?, rev=rev+1 WHERE uid=? AND rev=?`,
	}
	for k := 1; k <= maxNodeRows; k++ {
		m["insertNodes"+strconv.Itoa(k)] = insertNodesSQL(k)
	}
	return m
}

// writeRuntimes inserts the new runtimes of a step (rows, encoded beforehand, or
// encoded now when nil) and updates the others with a rev check. An approval runtime
// that stops waiting closes its human tasks.
func writeRuntimes(tx *stepTx, s *engine.Step, rows [][]any, tr *triggerRun) error {
	nodes := s.Nodes
	if rows == nil {
		var err error
		if rows, err = tx.d.encodeNewNodes(nodes); err != nil {
			return err
		}
	}
	if len(rows) > 0 && s.Instance != nil {
		def, err := tx.d.procs.get(tx, s.Instance.ProcessID, s.Instance.Version)
		if err != nil {
			return fmt.Errorf("insert runtimes: %w", err)
		}
		for _, row := range rows {
			task, _ := row[nodeRowTaskID].(string)
			row[nodeRowDesc] = def.descs[task]
			if tr != nil && row[nodeRowInstance] == tr.instance && task == tr.taskID {
				row[nodeRowTriggerToken], row[nodeRowTriggerData] = nullText(tr.token), tr.data
			}
		}
	}
	if err := insertNodes(tx, rows); err != nil {
		return err
	}
	for _, n := range nodes {
		if n.Rev != 0 {
			if err := updateNode(tx, n); err != nil {
				return err
			}
		}
		// A human task is open only while its approval runtime waits.
		if n.Template == "approval" && n.Status != engine.StatusWaiting {
			if err := closeApprovalTasks(tx, n); err != nil {
				return err
			}
		}
		// An external job is open only while its runtime waits.
		if n.Template == "external-task" && n.Status != engine.StatusWaiting && n.Rev != 0 {
			if err := closeExternalJobs(tx, n); err != nil {
				return err
			}
		}
	}
	return nil
}

// encodeNewNodes encodes the column values of the new runtimes (Rev 0) of a step.
func (d *Store) encodeNewNodes(nodes []*engine.NodeRun) ([][]any, error) {
	var rows [][]any
	cache := jsonCache{}
	for _, n := range nodes {
		if n.Rev != 0 {
			continue
		}
		row, err := d.nodeRow(n, cache)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// insertNodes writes encoded runtime rows, up to maxNodeRows per statement.
func insertNodes(tx *stepTx, rows [][]any) error {
	args := make([]any, 0, maxNodeRows*nodeRowLen)
	k := 0
	flush := func() error {
		if k == 0 {
			return nil
		}
		_, err := tx.exec("insertNodes"+strconv.Itoa(k), args...)
		args, k = args[:0], 0
		if err != nil {
			return fmt.Errorf("insert runtimes: %w", err)
		}
		return nil
	}
	for _, row := range rows {
		args = append(args, row...)
		if k++; k == maxNodeRows {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// nodeRow is the column values of a new runtime, in nodeInsertColumns order (rev
// aside): id repeats uid (migration 0007).
func (d *Store) nodeRow(n *engine.NodeRun, cache jsonCache) ([]any, error) {
	input, err := cache.text(n.Incoming)
	if err != nil {
		return nil, fmt.Errorf("task %s input: %w", n.TaskID, err)
	}
	output, err := cache.text(n.Output)
	if err != nil {
		return nil, fmt.Errorf("task %s output: %w", n.TaskID, err)
	}
	task, err := paramsText(n)
	if err != nil {
		return nil, fmt.Errorf("task %s parameters: %w", n.TaskID, err)
	}
	logs, detail := "[]", "{}"
	if len(n.Logs) > 0 {
		if logs, err = jsonText(n.Logs); err != nil {
			return nil, fmt.Errorf("task %s logs: %w", n.TaskID, err)
		}
	}
	if n.Detail != nil {
		if detail, err = jsonText(n.Detail); err != nil {
			return nil, fmt.Errorf("task %s detail: %w", n.TaskID, err)
		}
	}
	var uid any = n.ID // boxed once for id and uid
	return []any{uid, uid, n.InstanceID, n.TaskID, n.Name, n.Template, n.Index, n.Attempt, n.Status, input, output, n.Error, logs,
		n.StartAt, n.EndAt, n.Cost, n.CreateAt, n.UpdateAt, detail, d.times.text(n.StartAt), d.times.text(n.EndAt),
		d.node, nil, nil, "", task}, nil
}

// updateNode writes a runtime with a rev check.
func updateNode(tx *stepTx, n *engine.NodeRun) error {
	input, err := jsonText(n.Incoming)
	if err != nil {
		return fmt.Errorf("task %s input: %w", n.TaskID, err)
	}
	output, err := jsonText(n.Output)
	if err != nil {
		return fmt.Errorf("task %s output: %w", n.TaskID, err)
	}
	task, err := paramsText(n)
	if err != nil {
		return fmt.Errorf("task %s parameters: %w", n.TaskID, err)
	}
	logs := "[]"
	if len(n.Logs) > 0 {
		if logs, err = jsonText(n.Logs); err != nil {
			return fmt.Errorf("task %s logs: %w", n.TaskID, err)
		}
	}
	detail := "{}"
	if n.Detail != nil {
		if detail, err = jsonText(n.Detail); err != nil {
			return fmt.Errorf("task %s detail: %w", n.TaskID, err)
		}
	}
	res, err := tx.exec("updateNode", n.Status, input, output, n.Error, logs, n.StartAt, n.EndAt, tx.times.text(n.StartAt),
		tx.times.text(n.EndAt), n.Cost, n.UpdateAt, detail, n.Index, n.Attempt, tx.d.node, task, n.ID, n.Rev)
	if err != nil {
		return fmt.Errorf("update runtime of %s: %w", n.TaskID, err)
	}
	if c, _ := res.RowsAffected(); c != 1 {
		return engine.Errorf(engine.ErrConflict, "runtime %d of %s was changed concurrently", n.ID, n.TaskID)
	}
	return nil
}

// paramsText is the value of column task: the JSON of a runtime's resolved
// parameters; NULL (nil) while it has none, and when they are the definition's
// own, unresolved (NodeRun.InputIsDefinition: the engine gives them back from the
// definition version the instance runs, so the fast path does not write a
// script's code once per runtime).
func paramsText(n *engine.NodeRun) (any, error) {
	params := n.Input
	switch {
	case n.InputIsDefinition:
		return nil, nil
	case params == nil:
		return nil, nil
	case len(params) == 0:
		return noParams, nil // a gateway's: boxed once
	}
	return paramsJSON(params)
}

// noParams is the task column of a runtime whose task has no parameters.
var noParams any = "{}"

// nullText is s, or NULL when empty.
func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}
