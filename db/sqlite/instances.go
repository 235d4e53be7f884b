package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"flowcraft/engine"
)

// instanceColumns read an instance (the table unaliased: the process id is a
// correlated subquery on workflow).
const instanceColumns = `uid, COALESCE(p_uid, 0), COALESCE(p_node_uid, 0),
	(SELECT proc_id FROM workflow WHERE workflow.id = workflow_inst.workflow_id), workflow_version, name, engine, status,
	executor, trigger_app, trigger_data, workflow_output, error, start_at_ms, end_at_ms, cost, create_at, update_at, rev, detail,
	business_key, tenant_id`

// procKey is the integer key of the process whose public id is the next argument.
const procKey = `(SELECT id FROM workflow WHERE proc_id = ?)`

type instanceDetail struct {
	Reply     *engine.Reply `json:"reply,omitempty"`
	ErrorCode string        `json:"errorCode,omitempty"`
}

func scanInstance(r rowScanner) (*engine.Instance, error) {
	var in engine.Instance
	var trigger, output, detail string
	if err := r.Scan(&in.ID, &in.ParentID, &in.ParentNodeID, &in.ProcessID, &in.Version, &in.Name, &in.Engine, &in.Status,
		&in.Executor, &in.TriggerApp, &trigger, &output, &in.Error, &in.StartAt, &in.EndAt, &in.Cost, &in.CreateAt,
		&in.UpdateAt, &in.Rev, &detail, &in.BusinessKey, &in.TenantID); err != nil {
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
	in.Reply, in.ErrorCode = d.Reply, d.ErrorCode
	return &in, nil
}

// GetInstance implements engine.RuntimeStore.
func (d *Store) GetInstance(ctx context.Context, id engine.ID) (*engine.Instance, error) {
	in, err := scanInstance(d.readRow(ctx, `SELECT `+instanceColumns+` FROM workflow_inst WHERE uid = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = engine.Errorf(engine.ErrNotFound, "instance %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get instance %d: %w", id, err)
	}
	return in, nil
}

// LoadInstance implements engine.RuntimeStore.
func (d *Store) LoadInstance(ctx context.Context, id engine.ID) (*engine.Instance, []*engine.NodeRun, map[string]*engine.Variable, error) {
	in, err := d.GetInstance(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	nodes, err := d.nodeRuns(ctx, id)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("load instance %d: %w", id, err)
	}
	vars, err := d.variables(ctx, id)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("load instance %d: %w", id, err)
	}
	return in, nodes, vars, nil
}

var instanceSorts = sorting{
	fields:    map[string]string{"startAt": "start_at_ms", "endAt": "end_at_ms", "status": "status", "cost": "cost", "id": "uid", "tenantId": "tenant_id"},
	byDefault: "id", defaultDesc: true, // snowflake ids grow with the start time, and the primary key sorts for free
	then: "uid DESC",
}

// ListInstances implements engine.RuntimeStore.
func (d *Store) ListInstances(ctx context.Context, f engine.InstanceFilter) ([]*engine.Instance, int, error) {
	if (f.Finished || f.EndedAfter > 0 || f.EndedBefore > 0) && !f.Unfinished {
		// The ended instances are most of the table: their total is every match less
		// the unfinished ones (a partial index's few), both of which the store counts
		// cheaply (the end's bounds from their index), where checking each match's
		// status walks them all. The page then reads the rows in its order.
		all := f
		all.Finished, all.Page = false, engine.Page{Sort: f.Sort, Desc: f.Desc}
		_, n, err := d.listInstances(ctx, all, nil)
		if err != nil {
			return nil, 0, err
		}
		all.Unfinished = true
		_, unfinished, err := d.listInstances(ctx, all, nil)
		if err != nil {
			return nil, 0, err
		}
		total := max(n-unfinished, 0)
		f.Finished = true
		return d.listInstances(ctx, f, &total)
	}
	return d.listInstances(ctx, f, nil)
}

// listInstances is ListInstances; known, when not nil, is the total (not counted).
func (d *Store) listInstances(ctx context.Context, f engine.InstanceFilter, known *int) ([]*engine.Instance, int, error) {
	var conds []string
	var args []any
	add := func(cond string, v any) { conds, args = append(conds, cond), append(args, v) }
	if f.ProcessID != "" {
		add("workflow_id = "+procKey, f.ProcessID)
	}
	if f.Status != "" {
		add("status = ?", f.Status)
	}
	if f.Executor != "" {
		add("executor = ?", f.Executor)
	}
	if f.StartedAfter > 0 {
		add("start_at_ms >= ?", f.StartedAfter)
	}
	if f.StartedBefore > 0 {
		add("start_at_ms < ?", f.StartedBefore)
	}
	if f.ParentID != 0 {
		add("p_uid = ?", f.ParentID)
	}
	// "business_key <> ''" lets SQLite use the partial index workflow_inst_business_key.
	if f.BusinessKey != "" {
		add("business_key = ? AND business_key <> ''", f.BusinessKey)
	}
	if f.BusinessKeyLike != "" {
		add(`business_key LIKE ? ESCAPE '\' AND business_key <> ''`, likeFilter(f.BusinessKeyLike))
	}
	if f.TenantID != "" {
		add("tenant_id = ?", f.TenantID)
	}
	if f.TenantIDLike != "" {
		add(`tenant_id LIKE ? ESCAPE '\'`, likeFilter(f.TenantIDLike))
	}
	if f.WithoutTenantID {
		conds = append(conds, "tenant_id = ''")
	}
	if f.ID != 0 {
		add("uid = ?", f.ID)
	}
	if f.Version != 0 {
		add("workflow_version = ?", f.Version)
	}
	// Answered from workflow_inst_status (statuses.go). With variable
	// conditions, the open variables (migration 0014) stand for it in counting.
	if f.Unfinished && len(f.Variables) == 0 {
		conds = append(conds, unfinishedCond)
	}
	if f.Finished {
		// "+status": most instances have ended, so the status index would only cost the
		// page a sort of them all; the rows are read in the page's order instead.
		conds = append(conds, "+status IN ('done','failed','canceled','timeout')")
	}
	// Counting, "end_at_ms > 0" lets SQLite use the partial index workflow_inst_end;
	// reading a page (the total known), "+end_at_ms" keeps it from the index, whose
	// range it would have to sort.
	after, before := "end_at_ms >= ? AND end_at_ms > 0", "end_at_ms < ? AND end_at_ms > 0"
	if known != nil {
		after, before = "+end_at_ms >= ?", "+end_at_ms < ? AND +end_at_ms > 0"
	}
	if f.EndedAfter > 0 {
		add(after, f.EndedAfter)
	}
	if f.EndedBefore > 0 {
		add(before, f.EndedBefore)
	}
	if u := f.InvolvedUser; u != "" {
		conds = append(conds, `(executor = ? OR uid IN (SELECT workflow_inst_uid FROM instance_link WHERE user_id = ?)
			OR uid IN (SELECT workflow_inst_uid FROM task_inst WHERE assignee = ?)
			OR uid IN (SELECT workflow_inst_uid FROM task_inst WHERE "user" = ? AND status = 'done'))`)
		args = append(args, u, u, u, u)
	}
	if len(f.Variables) > 0 {
		return d.listInstancesByVariables(ctx, f, conds, args, known)
	}
	return listPage(ctx, d.read, listQuery{op: "list instances", columns: instanceColumns, from: `workflow_inst` + where(conds),
		args: args, order: instanceSorts, known: known}, f.Page, func(r *sql.Rows) (*engine.Instance, error) { return scanInstance(r) })
}

// InstancesToResume implements engine.RuntimeStore: every instance that is pending or
// running, with its crash count. Waiting instances wake up through their jobs (timers,
// subprocess watchdogs) or human tasks; suspended ones wait for resume.
func (d *Store) InstancesToResume(ctx context.Context) ([]engine.Resumable, error) {
	return queryAll(ctx, d.read, "list instances to resume",
		`SELECT uid, crash_count FROM workflow_inst WHERE status IN ('pending','running') ORDER BY uid`, nil,
		func(r *sql.Rows) (engine.Resumable, error) {
			var res engine.Resumable
			err := r.Scan(&res.ID, &res.Crashes)
			return res, err
		})
}

// MarkResumed implements engine.RuntimeStore. It leaves rev alone: the count is not
// part of the instance the engine holds, and every step commit resets it.
func (d *Store) MarkResumed(ctx context.Context, id engine.ID) error {
	if _, err := d.write.ExecContext(ctx, `UPDATE workflow_inst SET crash_count = crash_count + 1 WHERE uid = ?`, id); err != nil {
		return fmt.Errorf("mark instance %d resumed: %w", id, err)
	}
	return nil
}

// ChildInstance implements engine.RuntimeStore.
func (d *Store) ChildInstance(ctx context.Context, parentNode engine.ID) (*engine.Instance, error) {
	in, err := scanInstance(d.read.QueryRowContext(ctx, `SELECT `+instanceColumns+` FROM workflow_inst WHERE p_node_uid = ? ORDER BY uid DESC LIMIT 1`, parentNode))
	if errors.Is(err, sql.ErrNoRows) {
		err = engine.Errorf(engine.ErrNotFound, "runtime %d started no instance", parentNode)
	}
	if err != nil {
		return nil, fmt.Errorf("child instance of runtime %d: %w", parentNode, err)
	}
	return in, nil
}

// DeleteInstance implements engine.RuntimeStore: the instance, its runtimes, human
// tasks, jobs and variables (by cascade), and its child instances.
func (d *Store) DeleteInstance(ctx context.Context, id engine.ID) error {
	err := d.tx(ctx, func(tx *sql.Tx) error {
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
	if err != nil {
		return fmt.Errorf("delete instance %d: %w", id, err)
	}
	return nil
}

// The instance's writer.

var instanceSQL = map[string]string{
	"insertInst": `INSERT INTO workflow_inst (id, uid, p_uid, p_node_uid, workflow_version, name, engine, status, executor,
		trigger_app, trigger_data, workflow_output, error, start_at_ms, end_at_ms, start_at, end_at, cost, create_at,
		update_at, rev, detail, workflow_id, "user", start_app_inst_id, end_app_inst_id, business_key, tenant_id)
		VALUES (?1,?1,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
	"updateInst": `UPDATE workflow_inst SET status=?, workflow_output=?, error=?, end_at_ms=?, end_at=?, cost=?, update_at=?, detail=?, crash_count=0, rev=rev+1 WHERE uid=? AND rev=?`,
	// updateInstKept is updateInst for a step that leaves status and end time as the
	// row has them (it matches no row otherwise): not naming those columns spares
	// rewriting the entries of the indexes on them and the status trigger of
	// variable.open, most of the cost of updateInst.
	"updateInstKept": `UPDATE workflow_inst SET workflow_output=?, error=?, cost=?, update_at=?, detail=?, crash_count=0, rev=rev+1
		WHERE uid=? AND rev=? AND status=? AND end_at_ms=? AND end_at IS ?`,
}

// triggerRun is what a new instance hands its trigger task's runtime: the seed's
// node_inst.trigger_token and trigger_data.
type triggerRun struct {
	instance engine.ID
	taskID   string // the trigger task (workflow_inst.start_app_inst_id)
	token    string // the definition's webhook token, "" for none
	data     string // the trigger data as JSON text
}

// writeInstance inserts the instance of a new step (and returns what its trigger
// runtime records) or updates it with a rev check.
func writeInstance(tx *stepTx, s *engine.Step) (*triggerRun, error) {
	in := s.Instance
	if in == nil {
		return nil, nil
	}
	output, err := jsonText(in.Output)
	if err != nil {
		return nil, fmt.Errorf("instance output: %w", err)
	}
	detail, err := jsonText(instanceDetail{Reply: in.Reply, ErrorCode: in.ErrorCode})
	if err != nil {
		return nil, fmt.Errorf("instance reply: %w", err)
	}
	if s.New {
		trigger, err := jsonText(in.Trigger)
		if err != nil {
			return nil, fmt.Errorf("instance trigger: %w", err)
		}
		// The seed's columns come from the definition (procs.go): workflow_id, "user",
		// start/end_app_inst_id. tasks stays NULL: the instance runs a saved version.
		def, err := tx.d.procs.get(tx, in.ProcessID, in.Version)
		if err != nil {
			return nil, fmt.Errorf("insert instance: %w", err)
		}
		if _, err := tx.exec("insertInst", in.ID, nullID(in.ParentID), nullID(in.ParentNodeID), in.Version, in.Name, in.Engine,
			in.Status, in.Executor, in.TriggerApp, trigger, output, in.Error, in.StartAt, in.EndAt, tx.times.text(in.StartAt),
			tx.times.text(in.EndAt), in.Cost, in.CreateAt, in.UpdateAt, in.Rev+1, detail, def.id, def.user, def.start, def.end,
			in.BusinessKey, in.TenantID); err != nil {
			return nil, fmt.Errorf("insert instance: %w", err)
		}
		tx.d.kept.set(in.ID, instStatus{in.Status, in.EndAt})
		return &triggerRun{instance: in.ID, taskID: def.start, token: def.token, data: trigger}, nil
	}
	endAt := tx.times.text(in.EndAt)
	now := instStatus{in.Status, in.EndAt}
	// Most steps keep the instance's status and end time: unless the instance was last
	// written with others, try the statement that does not rewrite them. It changes no
	// row when they differ (or the rev is stale), and then updateInst writes them (or
	// reports the conflict); a wrong guess costs a lookup, never a wrong row.
	if prev, known := tx.d.kept.get(in.ID); !known || prev == now {
		res, err := tx.exec("updateInstKept", output, in.Error, in.Cost, in.UpdateAt, detail, in.ID, in.Rev, in.Status, in.EndAt, endAt)
		if err != nil {
			return nil, fmt.Errorf("update instance: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil, nil
		}
	}
	res, err := tx.exec("updateInst", in.Status, output, in.Error, in.EndAt, endAt, in.Cost, in.UpdateAt, detail, in.ID, in.Rev)
	if err != nil {
		return nil, fmt.Errorf("update instance: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, engine.Errorf(engine.ErrConflict, "instance %d was changed concurrently", in.ID)
	}
	tx.d.kept.set(in.ID, now)
	return nil, nil
}

// instStatus is what updateInstKept leaves as it is.
type instStatus struct {
	status string
	endAt  int64
}

// keptStatus remembers the status and end time each unfinished instance was last
// written with by updateInst or insertInst, so that a step changing them goes to
// updateInst at once instead of trying updateInstKept first. Only a guess: a write
// rolled back, or one by another statement, makes it stale, which costs a statement
// and nothing else. Bounded: forgotten when it grows past maxKeptStatus entries.
type keptStatus struct {
	mu sync.Mutex
	m  map[engine.ID]instStatus
}

const maxKeptStatus = 1 << 16

func (k *keptStatus) get(id engine.ID) (instStatus, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	s, ok := k.m[id]
	return s, ok
}

func (k *keptStatus) set(id engine.ID, s instStatus) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if engine.Ended(s.status) {
		delete(k.m, id)
		return
	}
	if k.m == nil || len(k.m) >= maxKeptStatus {
		k.m = make(map[engine.ID]instStatus)
	}
	k.m[id] = s
}
