package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"flowcraft/engine"
)

// The jobs' management queries (engine.JobAdminStore): the job table by Flowable's
// job kinds, each job with its instance's definition.

// jobQueueExpr computes a job's queue; ?1 is now (unix ms).
const jobQueueExpr = `CASE WHEN job.status = 'dead' THEN 'dead'
	WHEN COALESCE(wi.status, '') = 'suspended' THEN 'suspended'
	WHEN job.due_at > ?1 THEN 'timer' ELSE 'executable' END`

const jobAdminColumns = `job.id, job.kind, COALESCE(job.workflow_inst_uid, 0), COALESCE(job.node_inst_uid, 0), job.task_id, job.status,
	job.due_at, job.attempts, job.max_attempts, job.lock_owner, job.lock_expiry, job.error, job.create_at, ` + jobQueueExpr + `,
	COALESCE((SELECT proc_id FROM workflow WHERE workflow.id = wi.workflow_id), ''), COALESCE(wi.workflow_version, 0)`

const jobAdminFrom = `job LEFT JOIN workflow_inst wi ON wi.uid = job.workflow_inst_uid`

func scanJobAdmin(r rowScanner) (*engine.Job, error) {
	var j engine.Job
	err := r.Scan(&j.ID, &j.Kind, &j.InstanceID, &j.NodeID, &j.TaskID, &j.Status, &j.DueAt, &j.Attempts, &j.MaxAttempts,
		&j.LockOwner, &j.LockExpiry, &j.Error, &j.CreateAt, &j.Queue, &j.ProcessID, &j.Version)
	return &j, err
}

var jobAdminSorts = sorting{fields: map[string]string{"id": "job.id", "dueAt": "job.due_at", "createAt": "job.create_at",
	"retries": "(job.max_attempts - job.attempts)", "instanceId": "job.workflow_inst_uid"}, byDefault: "id", then: "job.id"}

// QueryJobs implements engine.JobAdminStore.
func (d *Store) QueryJobs(ctx context.Context, f engine.JobFilter) ([]*engine.Job, int, error) {
	// ?1 (now) is named first in the WHERE too, so that the plain placeholders after
	// it take 2, 3, ... in the count query (which has no columns) as in the page's.
	where := []string{"?1 = ?1"}
	args := []any{f.Now}
	add := func(cond string, a ...any) {
		where = append(where, cond)
		args = append(args, a...)
	}
	switch f.Queue {
	case engine.JobQueueDead:
		add("job.status = 'dead'")
	case engine.JobQueueSuspended:
		add("job.status = 'pending' AND wi.status = 'suspended'")
	case engine.JobQueueTimer:
		add("job.status = 'pending' AND COALESCE(wi.status, '') <> 'suspended' AND job.due_at > ?1")
	case engine.JobQueueExecutable:
		add("job.status = 'pending' AND COALESCE(wi.status, '') <> 'suspended' AND job.due_at <= ?1")
	}
	if f.Status != "" {
		add("job.status = ?", f.Status)
	}
	if f.ID != 0 {
		add("job.id = ?", f.ID)
	}
	if f.InstanceID != 0 {
		add("job.workflow_inst_uid = ?", f.InstanceID)
	}
	if f.NodeID != 0 {
		add("job.node_inst_uid = ?", f.NodeID)
	}
	if f.ProcessID != "" {
		add("wi.workflow_id = "+procKey, f.ProcessID)
		if f.Version != 0 {
			add("wi.workflow_version = ?", f.Version)
		}
	}
	if f.TaskID != "" {
		add("job.task_id = ?", f.TaskID)
	}
	if f.TimersOnly {
		add("job.kind IN (?, ?, ?)", engine.JobTimer, engine.JobTaskTimeout, engine.JobProcessTimeout)
	}
	if f.MessagesOnly {
		add("job.kind IN (?, ?)", engine.JobRetry, engine.JobContinue)
	}
	if f.WithException {
		add("job.error <> ''")
	}
	if f.ExceptionMessage != "" {
		add("job.error = ?", f.ExceptionMessage)
	}
	if f.DueBefore != 0 {
		add("job.due_at < ?", f.DueBefore)
	}
	if f.DueAfter != 0 {
		add("job.due_at > ?", f.DueAfter)
	}
	if f.Locked {
		add("job.lock_owner <> '' AND job.lock_expiry > ?1")
	}
	if f.Unlocked {
		add("(job.lock_owner = '' OR job.lock_expiry <= ?1)")
	}
	q := listQuery{op: "query jobs", columns: jobAdminColumns, from: jobAdminFrom + " WHERE " + strings.Join(where, " AND "),
		args: args, order: jobAdminSorts}
	return listPage(ctx, d.read, q, f.Page, func(r *sql.Rows) (*engine.Job, error) { return scanJobAdmin(r) })
}

// GetJob implements engine.JobAdminStore.
func (d *Store) GetJob(ctx context.Context, id engine.ID, now int64) (*engine.Job, error) {
	j, err := scanJobAdmin(d.read.QueryRowContext(ctx, `SELECT `+jobAdminColumns+` FROM `+jobAdminFrom+` WHERE job.id = ?2`, now, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, engine.Coded(engine.ErrNotFound, engine.CodeJobNotFound, engine.Params{"id": id.String()}, "job %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get job %d: %w", id, err)
	}
	return j, nil
}

// DeleteJob implements engine.JobAdminStore.
func (d *Store) DeleteJob(ctx context.Context, id engine.ID) error {
	res, err := d.write.ExecContext(ctx, `DELETE FROM job WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete job %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return engine.Coded(engine.ErrNotFound, engine.CodeJobNotFound, engine.Params{"id": id.String()}, "job %d not found", id)
	}
	return nil
}

// DueJobNow implements engine.JobAdminStore.
func (d *Store) DueJobNow(ctx context.Context, id engine.ID, now int64) error {
	res, err := d.write.ExecContext(ctx, `UPDATE job SET due_at = MIN(due_at, ?), update_at = ? WHERE id = ? AND status = 'pending'
		AND (lock_owner = '' OR lock_expiry <= ?)`, now, now, id, now)
	if err != nil {
		return fmt.Errorf("make job %d due: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	var status string
	err = d.write.QueryRowContext(ctx, `SELECT status FROM job WHERE id = ?`, id).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && status != "pending") {
		return engine.Coded(engine.ErrNotFound, engine.CodeJobNotFound, engine.Params{"id": id.String()}, "job %d not found", id)
	}
	if err != nil {
		return fmt.Errorf("make job %d due: %w", id, err)
	}
	return engine.Coded(engine.ErrConflict, engine.CodeJobLocked, engine.Params{"id": id.String()}, "job %d is running now", id)
}
