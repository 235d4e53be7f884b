package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"flowcraft/engine"
)

// External jobs (table external_job, migration 0016): engine.ExternalStore. New jobs
// and the jobs a step ends are written with the step (writeExternalJobs, before the
// runtimes); an external-task runtime that stops waiting cancels its jobs that have
// not ended (closeExternalJobs). Fetch locks jobs in one write transaction of its own.

var _ engine.ExternalStore = (*Store)(nil)

// externalColumns are read from `external_job j JOIN workflow_inst i`.
const externalColumns = `j.id, j.node_inst_uid, j.workflow_inst_uid, j.workflow_id, j.workflow_version, j.task_id, j.topic,
	j.priority, j.state, j.worker_id, j.lock_expiry, j.retries, j.error_message, j.error_details, j.error_code,
	j.business_key, j.tenant_id, j.variables, j.create_at, j.locked_at, j.end_at, j.rev, j.task_retries,
	(i.status = 'suspended')`

// externalReturning are externalColumns of a row of external_job alone (the jobs a
// fetch locks belong to instances that are not suspended).
var externalReturning = strings.ReplaceAll(strings.TrimSuffix(externalColumns, "(i.status = 'suspended')"), "j.", "") + "0"

const externalFrom = `external_job j JOIN workflow_inst i ON i.uid = j.workflow_inst_uid`

func msTime(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

func timeMs(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func scanExternal(r rowScanner) (*engine.ExternalJob, error) {
	var j engine.ExternalJob
	var lock, created, locked, ended int64
	var retries sql.NullInt64
	var vars sql.NullString
	if err := r.Scan(&j.ID, &j.NodeID, &j.InstanceID, &j.ProcessID, &j.ProcessVersion, &j.TaskID, &j.Topic, &j.Priority,
		&j.State, &j.WorkerID, &lock, &retries, &j.ErrorMessage, &j.ErrorDetails, &j.ErrorCode, &j.BusinessKey,
		&j.TenantID, &vars, &created, &locked, &ended, &j.Rev, &j.TaskRetries, &j.Suspended); err != nil {
		return nil, err
	}
	j.LockExpiresAt, j.CreatedAt, j.LockedAt, j.EndedAt = msTime(lock), msTime(created), msTime(locked), msTime(ended)
	if retries.Valid {
		n := int(retries.Int64)
		j.Retries = &n
	}
	if vars.Valid {
		if err := json.Unmarshal([]byte(vars.String), &j.TaskVariables); err != nil {
			return nil, fmt.Errorf("external job %d variables: %w", j.ID, err)
		}
	}
	return &j, nil
}

func nullRetries(r *int) any {
	if r == nil {
		return nil
	}
	return int64(*r)
}

// LockExternalJobs implements engine.ExternalStore.
func (d *Store) LockExternalJobs(ctx context.Context, req engine.FetchRequest, now int64) ([]*engine.ExternalJob, error) {
	var where []string
	var args []any
	lockCase := "CASE topic"
	var lockArgs []any
	for _, t := range req.Topics {
		lockCase += " WHEN ? THEN ?"
		lockArgs = append(lockArgs, t.Topic, now+max(t.LockDuration.Milliseconds(), 1))
		cond := "j.topic = ?"
		args = append(args, t.Topic)
		if len(t.ProcessIDs) > 0 {
			cond += " AND j.workflow_id IN (" + placeholders(len(t.ProcessIDs)) + ")"
			for _, p := range t.ProcessIDs {
				args = append(args, p)
			}
		}
		if t.BusinessKey != "" {
			cond += " AND j.business_key = ?"
			args = append(args, t.BusinessKey)
		}
		if len(t.TenantIDs) > 0 || t.WithoutTenant {
			var ors []string
			if len(t.TenantIDs) > 0 {
				ors = append(ors, "j.tenant_id IN ("+placeholders(len(t.TenantIDs))+")")
				for _, p := range t.TenantIDs {
					args = append(args, p)
				}
			}
			if t.WithoutTenant {
				ors = append(ors, "j.tenant_id = ''")
			}
			cond += " AND (" + strings.Join(ors, " OR ") + ")"
		}
		where = append(where, "("+cond+")")
	}
	lockCase += " END"
	order := "j.create_at, j.id"
	if req.UsePriority {
		order = "j.priority DESC, j.create_at, j.id"
	}
	fetchable := `SELECT j.id FROM ` + externalFrom + ` WHERE j.state IN ('open', 'locked') AND j.lock_expiry <= ?
			AND i.status <> 'suspended' AND (` + strings.Join(where, " OR ") + `)`
	// One fetch at a time, from the probe to the commit: the writer takes one
	// transaction at a time anyway, and workers woken together would otherwise each
	// see the same jobs on a reader and then, all but one, lock nothing in a write
	// transaction of their own. Waiting here, a fetch finds the jobs that arrived
	// meanwhile and locks them together.
	d.ext.fetching.Lock()
	defer d.ext.fetching.Unlock()
	// Most fetches of idle workers find nothing: learn that on a reader, without
	// taking the writer (a job committed after this read wakes the long poll).
	var one int
	probe := append([]any{now}, args...)
	if err := d.readRow(ctx, fetchable+` LIMIT 1`, probe...).Scan(&one); errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("fetch external tasks for %s: %w", req.WorkerID, err)
	}
	// The limit is written into the text, not bound: SQLite re-prepares (parses and
	// plans anew) a statement at every run whose LIMIT is a bound parameter. A
	// deployment uses a few maxTasks values, each a statement of the cache.
	q := `UPDATE external_job SET state = 'locked', worker_id = ?, lock_expiry = ` + lockCase + `, locked_at = ?, rev = rev + 1
		WHERE id IN (` + fetchable + ` ORDER BY ` + order + ` LIMIT ` + strconv.Itoa(req.MaxTasks) + `)
		RETURNING ` + externalReturning
	all := append([]any{req.WorkerID}, lockArgs...)
	all = append(all, now, now)
	all = append(all, args...)
	var jobs []*engine.ExternalJob
	prepared := d.extLock(ctx, q)
	err := d.tx(ctx, func(tx *sql.Tx) error {
		var rows *sql.Rows
		var err error
		if prepared != nil {
			rows, err = tx.StmtContext(ctx, prepared).QueryContext(ctx, all...)
		} else {
			rows, err = tx.QueryContext(ctx, q, all...)
		}
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			j, err := scanExternal(rows)
			if err != nil {
				return err
			}
			jobs = append(jobs, j)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("fetch external tasks for %s: %w", req.WorkerID, err)
	}
	return jobs, nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// extStmts are the statements of external jobs, prepared on first use: a worker's
// every call reads its job, and a fetch's statement depends on its topics and
// filters (a few shapes per deployment; at most maxLockStmts are kept).
type extStmts struct {
	// fetching is held by a fetch from its probe to its commit (LockExternalJobs).
	fetching sync.Mutex
	mu       sync.Mutex
	lock     map[string]*sql.Stmt
	// read are the readers' statements of readRow and readQuery.
	read map[string]*sql.Stmt
}

// readStmt returns the readers' prepared statement of a fixed query (nil if it
// cannot be prepared: the caller then runs it unprepared). Compiling a query costs
// about as much as running a small one; the hot reads of a step (an instance, its
// runtimes, its variables) are prepared once.
func (d *Store) readStmt(ctx context.Context, q string) *sql.Stmt {
	d.ext.mu.Lock()
	defer d.ext.mu.Unlock()
	if st := d.ext.read[q]; st != nil {
		return st
	}
	if len(d.ext.read) >= maxReadStmts {
		return nil
	}
	st, err := d.read.PrepareContext(ctx, q)
	if err != nil {
		return nil
	}
	if d.ext.read == nil {
		d.ext.read = map[string]*sql.Stmt{}
	}
	d.ext.read[q] = st
	return st
}

// readRow runs a fixed one-row query on the readers, prepared.
func (d *Store) readRow(ctx context.Context, q string, args ...any) *sql.Row {
	if st := d.readStmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return d.read.QueryRowContext(ctx, q, args...)
}

// readQuery runs a fixed query on the readers, prepared.
func (d *Store) readQuery(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := d.readStmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return d.read.QueryContext(ctx, q, args...)
}

const (
	maxLockStmts = 64
	maxReadStmts = 256
)

// extLock returns the writer's prepared statement of a fetch query (nil when the
// cache is full: the query then runs unprepared).
func (d *Store) extLock(ctx context.Context, q string) *sql.Stmt {
	d.ext.mu.Lock()
	defer d.ext.mu.Unlock()
	if st := d.ext.lock[q]; st != nil {
		return st
	}
	if len(d.ext.lock) >= maxLockStmts {
		return nil
	}
	st, err := d.write.PrepareContext(ctx, q)
	if err != nil {
		return nil
	}
	if d.ext.lock == nil {
		d.ext.lock = map[string]*sql.Stmt{}
	}
	d.ext.lock[q] = st
	return st
}

// GetExternalJob implements engine.ExternalStore.
func (d *Store) GetExternalJob(ctx context.Context, id engine.ID) (*engine.ExternalJob, error) {
	j, err := scanExternal(d.readRow(ctx, `SELECT `+externalColumns+` FROM `+externalFrom+` WHERE j.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, engine.Errorf(engine.ErrNotFound, "external task %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read external task %d: %w", id, err)
	}
	return j, nil
}

var externalSorts = sorting{fields: map[string]string{
	"id": "j.id", "createdAt": "j.create_at", "lockExpiresAt": "j.lock_expiry", "priority": "j.priority",
	"topic": "j.topic", "processInstanceId": "j.workflow_inst_uid", "processId": "j.workflow_id", "tenantId": "j.tenant_id",
	"taskId": "j.task_id", "workerId": "j.worker_id", "retries": "j.retries",
}, byDefault: "createdAt", then: "j.id"}

// ListExternalJobs implements engine.ExternalStore.
func (d *Store) ListExternalJobs(ctx context.Context, f engine.ExternalFilter) ([]*engine.ExternalJob, int, error) {
	now := time.Now().UnixMilli()
	var conds []string
	var args []any
	add := func(cond string, a ...any) {
		conds = append(conds, cond)
		args = append(args, a...)
	}
	states := f.States
	if len(states) == 0 {
		states = []string{engine.ExternalOpen, engine.ExternalLocked, engine.ExternalIncident}
	}
	ph := []string{}
	for _, s := range states {
		ph = append(ph, "?")
		args = append(args, s)
	}
	conds = append(conds, "j.state IN ("+strings.Join(ph, ",")+")")
	if f.ID != 0 {
		add("j.id = ?", f.ID)
	}
	if f.Topic != "" {
		add("j.topic = ?", f.Topic)
	}
	if f.WorkerID != "" {
		add("j.worker_id = ?", f.WorkerID)
	}
	if f.Locked != nil {
		if *f.Locked {
			add("(j.state = 'locked' AND j.lock_expiry > ?)", now)
		} else {
			add("NOT (j.state = 'locked' AND j.lock_expiry > ?)", now)
		}
	}
	if f.NotLocked != nil {
		if *f.NotLocked {
			add("NOT (j.state = 'locked' AND j.lock_expiry > ?)", now)
		} else {
			add("(j.state = 'locked' AND j.lock_expiry > ?)", now)
		}
	}
	if f.WithRetries != nil {
		if *f.WithRetries {
			add("(j.retries IS NULL OR j.retries > 0)")
		} else {
			add("j.retries = 0")
		}
	}
	if f.NoRetries != nil {
		if *f.NoRetries {
			add("j.retries = 0")
		} else {
			add("(j.retries IS NULL OR j.retries > 0)")
		}
	}
	if f.InstanceID != 0 {
		add("j.workflow_inst_uid = ?", f.InstanceID)
	}
	if f.ProcessID != "" {
		add("j.workflow_id = ?", f.ProcessID)
	}
	if f.TaskID != "" {
		add("j.task_id = ?", f.TaskID)
	}
	// Lists of any length are one JSON parameter each (no limit on placeholders).
	for _, l := range []struct {
		col  string
		list any
		n    int
	}{{"j.tenant_id", f.TenantIDs, len(f.TenantIDs)}, {"j.id", int64s(f.IDs), len(f.IDs)},
		{"j.workflow_inst_uid", int64s(f.InstanceIDs), len(f.InstanceIDs)}, {"j.task_id", f.TaskIDs, len(f.TaskIDs)}} {
		if l.n == 0 {
			continue
		}
		b, err := json.Marshal(l.list)
		if err != nil {
			return nil, 0, fmt.Errorf("list external tasks: %w", err)
		}
		add(l.col+" IN (SELECT value FROM json_each(?))", string(b))
	}
	if f.NodeID != 0 {
		add("j.node_inst_uid = ?", f.NodeID)
	}
	if f.Version != 0 {
		add("j.workflow_version = ?", f.Version)
	}
	if f.TenantLike != "" {
		add(`j.tenant_id LIKE ? ESCAPE '\'`, likeFilter(f.TenantLike))
	}
	// lock_expiry is in ms: after t is > floor(t), before t is < ceil(t).
	if t := f.LockExpiresAfter; t != nil {
		add("(j.lock_expiry <> 0 AND j.lock_expiry > ?)", t.UnixMilli())
	}
	if t := f.LockExpiresBefore; t != nil {
		ms := t.UnixMilli()
		if time.UnixMilli(ms).Before(*t) {
			ms++
		}
		add("(j.lock_expiry <> 0 AND j.lock_expiry < ?)", ms)
	}
	if f.Suspended != nil {
		if *f.Suspended {
			add("i.status = 'suspended'")
		} else {
			add("i.status <> 'suspended'")
		}
	}
	if f.PriorityMin != nil {
		add("j.priority >= ?", *f.PriorityMin)
	}
	if f.PriorityMax != nil {
		add("j.priority <= ?", *f.PriorityMax)
	}
	if f.WithError {
		add("j.error_message <> ''")
	}
	if f.ErrorMessage != nil {
		add("j.error_message = ?", *f.ErrorMessage)
	}
	q := listQuery{op: "list external tasks", columns: externalColumns, from: externalFrom + " WHERE " + strings.Join(conds, " AND "),
		args: args, order: externalSorts}
	return listPage(ctx, d.read, q, f.Page, func(r *sql.Rows) (*engine.ExternalJob, error) { return scanExternal(r) })
}

// int64s are ids as numbers (engine.ID marshals as a JSON string).
func int64s(ids []engine.ID) []int64 {
	out := make([]int64, len(ids))
	for i, id := range ids {
		out[i] = int64(id)
	}
	return out
}

// UpdateExternalJob implements engine.ExternalStore.
func (d *Store) UpdateExternalJob(ctx context.Context, j *engine.ExternalJob) error {
	res, err := d.write.ExecContext(ctx, externalSQL["updateExternal"], externalUpdateArgs(j)...)
	if err != nil {
		return fmt.Errorf("update external task %d: %w", j.ID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return engine.Errorf(engine.ErrConflict, "external task %d was changed by someone else at the same moment", j.ID)
	}
	j.Rev++
	return nil
}

// NextExternalExpiry implements engine.ExternalStore.
func (d *Store) NextExternalExpiry(ctx context.Context, after int64) (int64, error) {
	var next sql.NullInt64
	err := d.read.QueryRowContext(ctx, `SELECT MIN(lock_expiry) FROM external_job
		WHERE state IN ('open', 'locked') AND lock_expiry > 0 AND lock_expiry > ?`, after).Scan(&next)
	if err != nil {
		return 0, fmt.Errorf("next external task lock expiry: %w", err)
	}
	return next.Int64, nil
}

// ExternalScopes implements engine.ExternalStore: two queries whatever the number of
// instances.
func (d *Store) ExternalScopes(ctx context.Context, instances []engine.ID) (map[engine.ID]*engine.ExternalScope, error) {
	out := make(map[engine.ID]*engine.ExternalScope, len(instances))
	for chunk := range slices.Chunk(instances, 500) {
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		in := placeholders(len(chunk))
		rows, err := d.readQuery(ctx, `SELECT uid, trigger_data FROM workflow_inst WHERE uid IN (`+in+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("read the trigger data of instances: %w", err)
		}
		for rows.Next() {
			var id engine.ID
			var data string
			if err := rows.Scan(&id, &data); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read the trigger data of instances: %w", err)
			}
			sc := &engine.ExternalScope{Vars: map[string]*engine.Variable{}}
			if err := json.Unmarshal([]byte(data), &sc.Trigger); err != nil {
				rows.Close()
				return nil, fmt.Errorf("instance %d trigger data: %w", id, err)
			}
			out[id] = sc
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read the trigger data of instances: %w", err)
		}
		rows, err = d.readQuery(ctx, `SELECT workflow_inst_uid, name, type, value, COALESCE(content_type, ''), COALESCE(length(data), 0)
			FROM variable WHERE workflow_inst_uid IN (`+in+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("read the variables of instances: %w", err)
		}
		for rows.Next() {
			var id engine.ID
			var name, typ, value, contentType string
			var size int64
			if err := rows.Scan(&id, &name, &typ, &value, &contentType, &size); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read the variables of instances: %w", err)
			}
			v, err := engine.DecodeVariable(name, typ, []byte(value), contentType, size)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("read the variables of instances: %w", err)
			}
			if sc := out[id]; sc != nil {
				sc.Vars[name] = v
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read the variables of instances: %w", err)
		}
	}
	return out, nil
}

// NodeInputs implements engine.ExternalStore.
func (d *Store) NodeInputs(ctx context.Context, nodes []engine.ID) (map[engine.ID]any, error) {
	out := make(map[engine.ID]any, len(nodes))
	for chunk := range slices.Chunk(nodes, 500) {
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		type in struct {
			id   engine.ID
			data any
		}
		list, err := queryAll(ctx, d.read, "read the input of runtimes", `SELECT uid, input FROM node_inst WHERE uid IN (`+placeholders(len(chunk))+`)`, args,
			func(r *sql.Rows) (in, error) {
				var x in
				var text string
				if err := r.Scan(&x.id, &text); err != nil {
					return x, err
				}
				return x, json.Unmarshal([]byte(text), &x.data)
			})
		if err != nil {
			return nil, err
		}
		for _, x := range list {
			out[x.id] = x.data
		}
	}
	return out, nil
}

// The external jobs' writer.

var externalSQL = map[string]string{
	"insertExternal": `INSERT INTO external_job (id, node_inst_uid, workflow_inst_uid, workflow_id, workflow_version, task_id, topic,
		priority, state, worker_id, lock_expiry, retries, error_message, error_details, error_code, business_key, tenant_id,
		variables, create_at, locked_at, end_at, task_retries) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
	"updateExternal": `UPDATE external_job SET state=?, worker_id=?, lock_expiry=?, retries=?, error_message=?, error_details=?,
		error_code=?, locked_at=?, end_at=?, rev=rev+1 WHERE id=? AND rev=?`,
	"closeExternal": `UPDATE external_job SET state='canceled', end_at=?, rev=rev+1 WHERE node_inst_uid=? AND (state = 'open' OR state = 'locked' OR state = 'incident')`,
}

func externalUpdateArgs(j *engine.ExternalJob) []any {
	return []any{j.State, j.WorkerID, timeMs(j.LockExpiresAt), nullRetries(j.Retries), j.ErrorMessage, j.ErrorDetails,
		j.ErrorCode, timeMs(j.LockedAt), timeMs(j.EndedAt), j.ID, j.Rev}
}

// writeExternalJobs inserts the new external jobs of a step and updates the others
// with a rev check.
func writeExternalJobs(tx *stepTx, jobs []*engine.ExternalJob) error {
	for _, j := range jobs {
		if j.Rev != 0 {
			res, err := tx.exec("updateExternal", externalUpdateArgs(j)...)
			if err != nil {
				return fmt.Errorf("update external task %d: %w", j.ID, err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return engine.Errorf(engine.ErrConflict, "external task %d was changed by someone else at the same moment", j.ID)
			}
			continue
		}
		var vars any
		if j.TaskVariables != nil {
			b, err := json.Marshal(j.TaskVariables)
			if err != nil {
				return fmt.Errorf("external task %d variables: %w", j.ID, err)
			}
			vars = string(b)
		}
		if _, err := tx.exec("insertExternal", j.ID, j.NodeID, j.InstanceID, j.ProcessID, j.ProcessVersion, j.TaskID, j.Topic,
			j.Priority, j.State, j.WorkerID, timeMs(j.LockExpiresAt), nullRetries(j.Retries), j.ErrorMessage, j.ErrorDetails,
			j.ErrorCode, j.BusinessKey, j.TenantID, vars, timeMs(j.CreatedAt), timeMs(j.LockedAt), timeMs(j.EndedAt), j.TaskRetries); err != nil {
			return fmt.Errorf("insert external task: %w", err)
		}
	}
	return nil
}

// closeExternalJobs cancels the jobs of an external-task runtime that stopped
// waiting and have not ended.
func closeExternalJobs(tx *stepTx, n *engine.NodeRun) error {
	if _, err := tx.exec("closeExternal", n.UpdateAt, n.ID); err != nil {
		return fmt.Errorf("close the external tasks of runtime %d: %w", n.ID, err)
	}
	return nil
}
