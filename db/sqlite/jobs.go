package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"flowcraft/engine"
)

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
	if err != nil {
		return nil, fmt.Errorf("claim jobs for %s: %w", owner, err)
	}
	return jobs, nil
}

// ReleaseJobs implements engine.RuntimeStore.
func (d *Store) ReleaseJobs(ctx context.Context, owner string) error {
	if _, err := d.write.ExecContext(ctx, `UPDATE job SET lock_owner = '', lock_expiry = 0 WHERE lock_owner = ?`, owner); err != nil {
		return fmt.Errorf("release the jobs of %s: %w", owner, err)
	}
	return nil
}

// RetryJobLater implements engine.RuntimeStore.
func (d *Store) RetryJobLater(ctx context.Context, id engine.ID, owner string, dueAt int64, errMsg string) error {
	_, err := d.write.ExecContext(ctx, `UPDATE job SET lock_owner = '', lock_expiry = 0, due_at = ?, error = ?,
		status = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'pending' END WHERE id = ? AND lock_owner = ?`,
		dueAt, errMsg, id, owner)
	if err != nil {
		return fmt.Errorf("retry job %d later: %w", id, err)
	}
	return nil
}

var jobSorts = sorting{fields: map[string]string{"dueAt": "due_at", "createAt": "create_at", "id": "id"}, byDefault: "dueAt"}

// ListJobs implements engine.RuntimeStore.
func (d *Store) ListJobs(ctx context.Context, status string, page engine.Page) ([]*engine.Job, int, error) {
	q := listQuery{op: "list jobs", columns: jobColumns, from: `job`, order: jobSorts}
	if status != "" {
		q.from, q.args = `job WHERE status = ?`, []any{status}
	}
	return listPage(ctx, d.read, q, page, func(r *sql.Rows) (*engine.Job, error) { return scanJob(r) })
}

// ReviveJob implements engine.RuntimeStore.
func (d *Store) ReviveJob(ctx context.Context, id engine.ID, now int64) error {
	res, err := d.write.ExecContext(ctx, `UPDATE job SET status = 'pending', attempts = 0, due_at = ?, lock_owner = '', lock_expiry = 0,
		error = '' WHERE id = ? AND status = 'dead'`, now, id)
	if err != nil {
		return fmt.Errorf("revive job %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("revive job %d: %w", id,
			engine.Errorf(engine.ErrConflict, "job %d is not dead (only dead jobs can be retried) or does not exist", id))
	}
	return nil
}

// The jobs' writer.

var jobSQL = map[string]string{
	"dropJobs":  `DELETE FROM job WHERE workflow_inst_uid=?`,
	"deleteJob": `DELETE FROM job WHERE id=?`,
	"insertJob": `INSERT INTO job (id, kind, workflow_inst_uid, node_inst_uid, task_id, status, due_at, max_attempts, create_at, update_at) VALUES (?,?,?,?,?,'pending',?,?,?,?)`,
}

// writeJobs drops the jobs of an ended instance, deletes the jobs a step finished
// and inserts its new ones.
func writeJobs(tx *stepTx, s *engine.Step) error {
	if s.DropJobs && s.Instance != nil {
		if _, err := tx.exec("dropJobs", s.Instance.ID); err != nil {
			return fmt.Errorf("drop jobs: %w", err)
		}
	}
	for _, id := range s.DoneJobs {
		if _, err := tx.exec("deleteJob", id); err != nil {
			return fmt.Errorf("delete job %d: %w", id, err)
		}
	}
	for _, j := range s.Jobs {
		if _, err := tx.exec("insertJob", j.ID, j.Kind, j.InstanceID, nullID(j.NodeID), j.TaskID, j.DueAt, max(j.MaxAttempts, 1), j.CreateAt, j.CreateAt); err != nil {
			return fmt.Errorf("insert job: %w", err)
		}
	}
	return nil
}
