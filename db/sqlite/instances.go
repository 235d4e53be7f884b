package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"flowcraft/engine"
)

const instanceColumns = `uid, COALESCE(p_uid, 0), COALESCE(p_node_uid, 0), workflow_id, workflow_version, name, engine, status,
	executor, trigger_app, trigger_data, workflow_output, error, start_at, end_at, cost, create_at, update_at, rev, detail`

func scanInstance(r rowScanner) (*engine.Instance, error) {
	var in engine.Instance
	var trigger, output, detail string
	if err := r.Scan(&in.ID, &in.ParentID, &in.ParentNodeID, &in.ProcessID, &in.Version, &in.Name, &in.Engine, &in.Status,
		&in.Executor, &in.TriggerApp, &trigger, &output, &in.Error, &in.StartAt, &in.EndAt, &in.Cost, &in.CreateAt,
		&in.UpdateAt, &in.Rev, &detail); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(trigger), &in.Trigger); err != nil {
		return nil, fmt.Errorf("instance %d trigger: %w", in.ID, err)
	}
	if err := json.Unmarshal([]byte(output), &in.Output); err != nil {
		return nil, fmt.Errorf("instance %d output: %w", in.ID, err)
	}
	var d instanceDetail
	if err := json.Unmarshal([]byte(detail), &d); err != nil {
		return nil, fmt.Errorf("instance %d detail: %w", in.ID, err)
	}
	in.Reply = d.Reply
	return &in, nil
}

const nodeColumns = `uid, workflow_inst_uid, task_inst_id, name, template, "index", attempt, status, input, output, error, logs,
	start_at, end_at, cost, create_at, update_at, rev, detail`

func scanNode(r rowScanner) (*engine.NodeRun, error) {
	var n engine.NodeRun
	var input, output, logs, detail string
	if err := r.Scan(&n.ID, &n.InstanceID, &n.TaskID, &n.Name, &n.Template, &n.Index, &n.Attempt, &n.Status, &input, &output,
		&n.Error, &logs, &n.StartAt, &n.EndAt, &n.Cost, &n.CreateAt, &n.UpdateAt, &n.Rev, &detail); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(input), &n.Input); err != nil {
		return nil, fmt.Errorf("runtime %d input: %w", n.ID, err)
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

// GetInstance implements engine.RuntimeStore.
func (d *Store) GetInstance(ctx context.Context, id engine.ID) (*engine.Instance, error) {
	in, err := scanInstance(d.read.QueryRowContext(ctx, `SELECT `+instanceColumns+` FROM workflow_inst WHERE uid = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, engine.Errorf(engine.ErrNotFound, "instance %d not found", id)
	}
	return in, err
}

// LoadInstance implements engine.RuntimeStore.
func (d *Store) LoadInstance(ctx context.Context, id engine.ID) (*engine.Instance, []*engine.NodeRun, map[string]any, error) {
	in, err := d.GetInstance(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	nodes, err := d.ListNodeRuns(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	vars, err := d.Variables(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	return in, nodes, vars, nil
}

// ListNodeRuns returns the runtimes of an instance in creation order.
func (d *Store) ListNodeRuns(ctx context.Context, id engine.ID) ([]*engine.NodeRun, error) {
	rows, err := d.read.QueryContext(ctx, `SELECT `+nodeColumns+` FROM node_inst WHERE workflow_inst_uid = ? ORDER BY uid`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*engine.NodeRun
	for rows.Next() {
		n, err := scanNode(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Variables returns the process variables of an instance.
func (d *Store) Variables(ctx context.Context, id engine.ID) (map[string]any, error) {
	rows, err := d.read.QueryContext(ctx, `SELECT name, value FROM variable WHERE workflow_inst_uid = ?`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	vars := map[string]any{}
	for rows.Next() {
		var name, value string
		if err := rows.Scan(&name, &value); err != nil {
			return nil, err
		}
		var v any
		if err := json.Unmarshal([]byte(value), &v); err != nil {
			return nil, fmt.Errorf("variable %s: %w", name, err)
		}
		vars[name] = v
	}
	return vars, rows.Err()
}

var instanceSorts = map[string]string{"startAt": "start_at", "endAt": "end_at", "status": "status", "cost": "cost", "id": "uid"}

// ListInstances implements engine.RuntimeStore.
func (d *Store) ListInstances(ctx context.Context, f engine.InstanceFilter) ([]*engine.Instance, int, error) {
	var where []string
	var args []any
	add := func(cond string, v any) { where, args = append(where, cond), append(args, v) }
	if f.ProcessID != "" {
		add("workflow_id = ?", f.ProcessID)
	}
	if f.Status != "" {
		add("status = ?", f.Status)
	}
	if f.Executor != "" {
		add("executor = ?", f.Executor)
	}
	if f.StartedAfter > 0 {
		add("start_at >= ?", f.StartedAfter)
	}
	if f.StartedBefore > 0 {
		add("start_at < ?", f.StartedBefore)
	}
	if f.ParentID != 0 {
		add("p_uid = ?", f.ParentID)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	if f.Sort == "" {
		// Snowflake ids grow with the start time, and the primary key sorts for free.
		f.Sort, f.Desc = "id", true
	}
	order, err := orderBy(f.Page, instanceSorts, "start_at")
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := d.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM workflow_inst`+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := d.read.QueryContext(ctx, `SELECT `+instanceColumns+` FROM workflow_inst`+cond+order+`, uid DESC LIMIT ? OFFSET ?`,
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	list := []*engine.Instance{}
	for rows.Next() {
		in, err := scanInstance(rows)
		if err != nil {
			return nil, 0, err
		}
		list = append(list, in)
	}
	return list, total, rows.Err()
}

// InstancesToResume implements engine.RuntimeStore: every instance that is pending or
// running, with its crash count. Waiting instances wake up through their jobs (timers,
// subprocess watchdogs) or human tasks; suspended ones wait for resume.
func (d *Store) InstancesToResume(ctx context.Context) ([]engine.Resumable, error) {
	rows, err := d.read.QueryContext(ctx, `SELECT uid, crash_count FROM workflow_inst WHERE status IN ('pending','running') ORDER BY uid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []engine.Resumable
	for rows.Next() {
		var r engine.Resumable
		if err := rows.Scan(&r.ID, &r.Crashes); err != nil {
			return nil, err
		}
		list = append(list, r)
	}
	return list, rows.Err()
}

// MarkResumed implements engine.RuntimeStore. It leaves rev alone: the count is not
// part of the instance the engine holds, and every step commit resets it.
func (d *Store) MarkResumed(ctx context.Context, id engine.ID) error {
	_, err := d.write.ExecContext(ctx, `UPDATE workflow_inst SET crash_count = crash_count + 1 WHERE uid = ?`, id)
	return err
}

// ChildInstance implements engine.RuntimeStore.
func (d *Store) ChildInstance(ctx context.Context, parentNode engine.ID) (*engine.Instance, error) {
	in, err := scanInstance(d.read.QueryRowContext(ctx, `SELECT `+instanceColumns+` FROM workflow_inst WHERE p_node_uid = ? ORDER BY uid DESC LIMIT 1`, parentNode))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, engine.ErrNotFound
	}
	return in, err
}

// DeleteInstance implements engine.RuntimeStore: the instance, its runtimes, human
// tasks, jobs and variables (by cascade), and its child instances.
func (d *Store) DeleteInstance(ctx context.Context, id engine.ID) error {
	return d.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM workflow_inst WHERE uid = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return engine.Errorf(engine.ErrNotFound, "instance %d not found", id)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM idempotency_key WHERE workflow_inst_uid = ?`, id)
		return err
	})
}

// IdempotentInstance implements engine.RuntimeStore.
func (d *Store) IdempotentInstance(ctx context.Context, k engine.IdemKey, since int64) (engine.ID, bool, error) {
	var id engine.ID
	err := d.read.QueryRowContext(ctx, `SELECT workflow_inst_uid FROM idempotency_key WHERE scope = ? AND key = ? AND create_at >= ?`,
		k.Scope, k.Key, since).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return id, err == nil, err
}

// SetVariables writes variables of an instance outside a step (the variables API).
func (d *Store) SetVariables(ctx context.Context, id engine.ID, vars map[string]any, now int64) error {
	return d.tx(ctx, func(tx *sql.Tx) error {
		for name, v := range vars {
			val, err := jsonText(v)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO variable (workflow_inst_uid, name, value, update_at) VALUES (?,?,?,?)
				ON CONFLICT (workflow_inst_uid, name) DO UPDATE SET value=excluded.value, update_at=excluded.update_at, rev=rev+1`,
				id, name, val, now); err != nil {
				return err
			}
		}
		return nil
	})
}

const jobColumns = `id, kind, COALESCE(workflow_inst_uid, 0), COALESCE(node_inst_uid, 0), task_id, status, due_at, attempts,
	max_attempts, lock_owner, lock_expiry, error, create_at`

func scanJob(r rowScanner) (*engine.Job, error) {
	var j engine.Job
	err := r.Scan(&j.ID, &j.Kind, &j.InstanceID, &j.NodeID, &j.TaskID, &j.Status, &j.DueAt, &j.Attempts, &j.MaxAttempts,
		&j.LockOwner, &j.LockExpiry, &j.Error, &j.CreateAt)
	return &j, err
}

// ClaimJobs implements engine.RuntimeStore: due pending jobs whose lease is free or
// expired are leased to owner, in one transaction, so two flowcraft processes never
// run the same job at the same time.
func (d *Store) ClaimJobs(ctx context.Context, owner string, now, leaseUntil int64, limit int) ([]*engine.Job, error) {
	var jobs []*engine.Job
	err := d.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE job SET lock_owner = ?, lock_expiry = ?, attempts = attempts + 1, update_at = ?
			WHERE id IN (SELECT id FROM job WHERE status = 'pending' AND due_at <= ? AND lock_expiry <= ? ORDER BY due_at LIMIT ?)
			RETURNING `+jobColumns, owner, leaseUntil, now, now, now, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			j, err := scanJob(rows)
			if err != nil {
				return err
			}
			jobs = append(jobs, j)
		}
		return rows.Err()
	})
	return jobs, err
}

// ReleaseJobs implements engine.RuntimeStore.
func (d *Store) ReleaseJobs(ctx context.Context, owner string) error {
	_, err := d.write.ExecContext(ctx, `UPDATE job SET lock_owner = '', lock_expiry = 0 WHERE lock_owner = ?`, owner)
	return err
}

// RetryJobLater implements engine.RuntimeStore.
func (d *Store) RetryJobLater(ctx context.Context, id engine.ID, owner string, dueAt int64, errMsg string) error {
	_, err := d.write.ExecContext(ctx, `UPDATE job SET lock_owner = '', lock_expiry = 0, due_at = ?, error = ?,
		status = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'pending' END WHERE id = ? AND lock_owner = ?`,
		dueAt, errMsg, id, owner)
	return err
}

var jobSorts = map[string]string{"dueAt": "due_at", "createAt": "create_at", "id": "id"}

// ListJobs implements engine.RuntimeStore.
func (d *Store) ListJobs(ctx context.Context, status string, page engine.Page) ([]*engine.Job, int, error) {
	cond, args := "", []any{}
	if status != "" {
		cond, args = " WHERE status = ?", append(args, status)
	}
	order, err := orderBy(page, jobSorts, "due_at")
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := d.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM job`+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := d.read.QueryContext(ctx, `SELECT `+jobColumns+` FROM job`+cond+order+` LIMIT ? OFFSET ?`, append(args, page.Limit, page.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	list := []*engine.Job{}
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, 0, err
		}
		list = append(list, j)
	}
	return list, total, rows.Err()
}

// ReviveJob implements engine.RuntimeStore.
func (d *Store) ReviveJob(ctx context.Context, id engine.ID, now int64) error {
	res, err := d.write.ExecContext(ctx, `UPDATE job SET status = 'pending', attempts = 0, due_at = ?, lock_owner = '', lock_expiry = 0,
		error = '' WHERE id = ? AND status = 'dead'`, now, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return engine.Errorf(engine.ErrConflict, "job %d is not dead (only dead jobs can be retried) or does not exist", id)
	}
	return nil
}
