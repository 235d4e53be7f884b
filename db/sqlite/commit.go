package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"strconv"
	"strings"
	"unsafe"

	"flowcraft/engine"
)

// Group commit. Engine steps from many instances arrive at CommitStep concurrently;
// one goroutine writes them in batches: one transaction per batch, one SAVEPOINT per
// step, so a step that fails (a stale rev) rolls back alone while the others commit.
// Every step is durable (committed) before CommitStep returns, exactly as with one
// transaction per step, but the fixed cost of a commit is shared.

const maxBatch = 32

type commitReq struct {
	step *engine.Step
	// rows are the new runtimes' column values, encoded by the caller (see
	// CommitStepAsync) so the single writer goroutine only runs SQL.
	rows [][]any
	done chan error
	// then, for asynchronous commits, is called with the outcome instead of done.
	then func(error)
}

func (r commitReq) finish(err error) {
	if r.then != nil {
		r.then(err)
		return
	}
	r.done <- err
}

// startCommitter launches the batching writer. stopCommitter ends it.
func (d *Store) startCommitter() {
	d.commits = make(chan commitReq, 4*maxBatch)
	d.committerDone = make(chan struct{})
	go d.committer()
}

func (d *Store) stopCommitter() {
	d.closeOnce.Do(func() {
		// After this no request can enter the queue, so the committer's final drain
		// writes everything that was ever accepted.
		d.queueMu.Lock()
		d.queueClosed = true
		d.queueMu.Unlock()
		close(d.closing)
		<-d.committerDone
	})
}

// enqueue puts a request on the queue unless the database is closing. It blocks while
// the queue is full (back-pressure) or until ctx ends.
func (d *Store) enqueue(ctx context.Context, req commitReq) error {
	d.queueMu.RLock()
	defer d.queueMu.RUnlock()
	if d.queueClosed {
		return errors.New("database is closed")
	}
	select {
	case d.commits <- req:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// CommitStepAsync implements engine.RuntimeStore: it queues the step and returns; then
// (if not nil) learns the outcome. When the queue is full it blocks (back-pressure).
// Steps queued before Close are written by Close.
func (d *Store) CommitStepAsync(ctx context.Context, s *engine.Step, then func(error)) error {
	if then == nil {
		then = func(error) {}
	}
	rows, err := encodeNewNodes(s.Nodes)
	if err != nil {
		return err
	}
	return d.enqueue(ctx, commitReq{step: s, then: then, rows: rows})
}

// CommitStep implements engine.RuntimeStore.
func (d *Store) CommitStep(ctx context.Context, s *engine.Step) error {
	req := commitReq{step: s, done: make(chan error, 1)}
	if err := d.enqueue(ctx, req); err != nil {
		return err
	}
	// Once queued, the step is written whatever happens to ctx: the caller must learn
	// whether it committed.
	return <-req.done
}

func (d *Store) committer() {
	defer close(d.committerDone)
	batch := make([]commitReq, 0, maxBatch)
	for {
		select {
		case req := <-d.commits:
			batch = append(batch[:0], req)
		case <-d.closing:
			// Write what was queued before closing, then stop.
			for {
				batch = d.fill(batch[:0])
				if len(batch) == 0 {
					return
				}
				d.writeBatch(batch)
			}
		}
		d.writeBatch(d.fill(batch))
	}
}

// fill adds queued requests to batch without waiting, up to maxBatch.
func (d *Store) fill(batch []commitReq) []commitReq {
	for len(batch) < maxBatch {
		select {
		case req := <-d.commits:
			batch = append(batch, req)
		default:
			return batch
		}
	}
	return batch
}

// stepSQL are the statements of a step, prepared once on the writer connection:
// compiling SQL is most of the cost of a small step.
var stepSQL = map[string]string{
	"savepoint":   `SAVEPOINT step`,
	"rollbackTo":  `ROLLBACK TO step`,
	"release":     `RELEASE step`,
	"insertInst":  `INSERT INTO workflow_inst (uid, p_uid, p_node_uid, workflow_id, workflow_version, name, engine, status, executor, trigger_app, trigger_data, workflow_output, error, start_at, end_at, cost, create_at, update_at, rev, detail) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
	"updateInst":  `UPDATE workflow_inst SET status=?, workflow_output=?, error=?, end_at=?, cost=?, update_at=?, detail=?, crash_count=0, rev=rev+1 WHERE uid=? AND rev=?`,
	"insertNode":  `INSERT INTO node_inst (uid, workflow_inst_uid, task_inst_id, name, template, "index", attempt, status, input, output, error, logs, start_at, end_at, cost, create_at, update_at, rev, detail) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1,?)`,
	"updateNode":  `UPDATE node_inst SET status=?, input=?, output=?, error=?, logs=?, start_at=?, end_at=?, cost=?, update_at=?, detail=?, "index"=?, attempt=?, rev=rev+1 WHERE uid=? AND rev=?`,
	"upsertVar":   `INSERT INTO variable (workflow_inst_uid, name, value, update_at) VALUES (?,?,?,?) ON CONFLICT (workflow_inst_uid, name) DO UPDATE SET value=excluded.value, update_at=excluded.update_at, rev=rev+1`,
	"deleteVar":   `DELETE FROM variable WHERE workflow_inst_uid=? AND name=?`,
	"dropJobs":    `DELETE FROM job WHERE workflow_inst_uid=?`,
	"deleteJob":   `DELETE FROM job WHERE id=?`,
	"insertJob":   `INSERT INTO job (id, kind, workflow_inst_uid, node_inst_uid, task_id, status, due_at, max_attempts, create_at, update_at) VALUES (?,?,?,?,?,'pending',?,?,?,?)`,
	"upsertIdem":  `INSERT INTO idempotency_key (scope, key, workflow_inst_uid, create_at) VALUES (?,?,?,?) ON CONFLICT (scope, key) DO UPDATE SET workflow_inst_uid=excluded.workflow_inst_uid, create_at=excluded.create_at WHERE idempotency_key.create_at < ?`,
	"idemOwner":   `SELECT workflow_inst_uid FROM idempotency_key WHERE scope=? AND key=?`,
	"insertTask":  `INSERT INTO task_inst (id, node_inst_uid, workflow_inst_uid, workflow_id, process_name, task_id, name, content, form, outcomes, assignee, owner, delegation, "user", status, priority, due_at, outcome, comment, result, history, seq, candidates, create_at, claim_at, end_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
	"updateTask":  `UPDATE task_inst SET assignee=?, owner=?, delegation=?, "user"=?, status=?, outcome=?, comment=?, result=?, history=?, claim_at=?, end_at=?, rev=rev+1 WHERE id=? AND rev=?`,
	"insertLink":  `INSERT OR IGNORE INTO identity_link (task_inst_id, kind, user_id, group_id) VALUES (?, 'candidate', ?, ?)`,
	"deleteLinks": `DELETE FROM identity_link WHERE task_inst_id=?`,
	"closeTasks":  `UPDATE task_inst SET status='canceled', end_at=?, rev=rev+1 WHERE node_inst_uid=? AND status='open'`,
	"closeLinks":  `DELETE FROM identity_link WHERE task_inst_id IN (SELECT id FROM task_inst WHERE node_inst_uid=?)`,
}

// maxNodeRows is the most runtime rows one INSERT statement writes: a fast instance's
// rows go in one statement, which costs far less than one statement per row.
const maxNodeRows = 8

const nodeInsertColumns = `(uid, workflow_inst_uid, task_inst_id, name, template, "index", attempt, status, input, output, error, logs, start_at, end_at, cost, create_at, update_at, rev, detail)`

// insertNodesSQL is an INSERT of k runtime rows.
func insertNodesSQL(k int) string {
	row := "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1,?)"
	return "INSERT INTO node_inst " + nodeInsertColumns + " VALUES " + strings.TrimSuffix(strings.Repeat(row+",", k), ",")
}

// prepareSteps prepares stepSQL on the writer (after migrations created the tables).
func (d *Store) prepareSteps(ctx context.Context) error {
	d.stmts = make(map[string]*sql.Stmt, len(stepSQL)+maxNodeRows)
	all := maps.Clone(stepSQL)
	for k := 1; k <= maxNodeRows; k++ {
		all["insertNodes"+strconv.Itoa(k)] = insertNodesSQL(k)
	}
	for name, q := range all {
		st, err := d.write.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("prepare %s: %w", name, err)
		}
		d.stmts[name] = st
	}
	return nil
}

// stepTx is a write transaction with the prepared step statements bound to it.
type stepTx struct {
	ctx   context.Context
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	bound map[string]*sql.Stmt
}

func (t *stepTx) stmt(name string) *sql.Stmt {
	st := t.bound[name]
	if st == nil {
		prepared, ok := t.stmts[name]
		if !ok {
			panic("db: no prepared statement " + name) // a programming error, caught by every test
		}
		st = t.tx.StmtContext(t.ctx, prepared)
		t.bound[name] = st
	}
	return st
}

func (t *stepTx) exec(name string, args ...any) (sql.Result, error) {
	return t.stmt(name).ExecContext(t.ctx, args...)
}

func (t *stepTx) queryRow(name string, args ...any) *sql.Row {
	return t.stmt(name).QueryRowContext(t.ctx, args...)
}

func (d *Store) writeBatch(batch []commitReq) {
	// Optimistically write the batch plainly; only if one of its steps fails (a stale
	// rev, say) write it again with a SAVEPOINT around each step, so that step alone fails.
	errs, err := d.tryBatch(batch, len(batch) == 1)
	if errors.Is(err, errStepFailed) {
		errs, err = d.tryBatch(batch, true)
	}
	for i, req := range batch {
		e := errs[i]
		if err != nil {
			e = fmt.Errorf("commit step: %w", err)
		}
		// Asynchronous steps (fast instances) are never written again, and their
		// structs are read by the engine meanwhile: their revs stay as they are.
		if e == nil && req.then == nil {
			bumpRevs(req.step)
		}
		req.finish(e)
	}
}

var errStepFailed = errors.New("a step of the batch failed")

// tryBatch writes a batch in one transaction. isolated wraps each step in a SAVEPOINT
// (errs then holds each step's error); otherwise the first failing step aborts it all
// with errStepFailed.
func (d *Store) tryBatch(batch []commitReq, isolated bool) ([]error, error) {
	ctx := context.Background()
	errs := make([]error, len(batch))
	err := d.tx(ctx, func(tx *sql.Tx) error {
		t := &stepTx{ctx: ctx, tx: tx, stmts: d.stmts, bound: map[string]*sql.Stmt{}}
		if len(batch) == 1 {
			return applyStep(t, batch[0].step, batch[0].rows)
		}
		for i, req := range batch {
			if !isolated {
				if err := applyStep(t, req.step, req.rows); err != nil {
					return errStepFailed
				}
				continue
			}
			if _, err := t.exec("savepoint"); err != nil {
				return err
			}
			if errs[i] = applyStep(t, req.step, req.rows); errs[i] != nil {
				if _, err := t.exec("rollbackTo"); err != nil {
					return err
				}
			}
			if _, err := t.exec("release"); err != nil {
				return err
			}
		}
		return nil
	})
	if len(batch) == 1 && err != nil && !isCommitError(err) {
		errs[0], err = err, nil // the step's own error
	}
	return errs, err
}

// isCommitError tells a failed COMMIT or BEGIN (which fails every step) from a step's error.
func isCommitError(err error) bool {
	return strings.HasPrefix(err.Error(), "commit: ") || strings.HasPrefix(err.Error(), "begin: ")
}

// bumpRevs advances the in-memory revs after a successful commit, so the next step's
// rev checks match the rows.
func bumpRevs(s *engine.Step) {
	if s.Instance != nil {
		s.Instance.Rev++
	}
	for _, n := range s.Nodes {
		n.Rev++
	}
	for _, t := range s.HumanTasks {
		t.Rev++
	}
}

func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// applyStep writes a step. rows, when not nil, are the new runtimes already encoded.
func applyStep(tx *stepTx, s *engine.Step, rows [][]any) error {
	if in := s.Instance; in != nil {
		trigger, err := jsonText(in.Trigger)
		if err != nil {
			return fmt.Errorf("instance trigger: %w", err)
		}
		output, err := jsonText(in.Output)
		if err != nil {
			return fmt.Errorf("instance output: %w", err)
		}
		detail, err := jsonText(instanceDetail{Reply: in.Reply})
		if err != nil {
			return err
		}
		if s.New {
			_, err = tx.exec("insertInst", in.ID, nullID(in.ParentID), nullID(in.ParentNodeID), in.ProcessID, in.Version, in.Name, in.Engine, in.Status,
				in.Executor, in.TriggerApp, trigger, output, in.Error, in.StartAt, in.EndAt, in.Cost, in.CreateAt, in.UpdateAt,
				in.Rev+1, detail)
			if err != nil {
				return fmt.Errorf("insert instance: %w", err)
			}
		} else {
			res, err := tx.exec("updateInst", in.Status, output, in.Error, in.EndAt, in.Cost, in.UpdateAt, detail, in.ID, in.Rev)
			if err != nil {
				return fmt.Errorf("update instance: %w", err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return engine.Errorf(engine.ErrConflict, "instance %d was changed concurrently", in.ID)
			}
		}
	}
	for _, t := range s.HumanTasks {
		if t.Rev == 0 {
			if err := insertTask(tx, t); err != nil {
				return err
			}
		} else if err := updateTask(tx.ctx, tx.exec, t); err != nil {
			return err
		}
	}
	if rows == nil {
		var err error
		if rows, err = encodeNewNodes(s.Nodes); err != nil {
			return err
		}
	}
	if err := insertNodes(tx, rows); err != nil {
		return err
	}
	for _, n := range s.Nodes {
		if n.Rev != 0 {
			if err := writeNode(tx, n); err != nil {
				return err
			}
		}
		// A human task is open only while its approval runtime waits.
		if n.Template == "approval" && n.Status != engine.StatusWaiting {
			if _, err := tx.exec("closeTasks", n.UpdateAt, n.ID); err != nil {
				return err
			}
			if _, err := tx.exec("closeLinks", n.ID); err != nil {
				return err
			}
		}
	}
	for name, v := range s.Vars {
		val, err := jsonText(v)
		if err != nil {
			return fmt.Errorf("variable %s: %w", name, err)
		}
		if _, err := tx.exec("upsertVar", s.Instance.ID, name, val, s.Instance.UpdateAt); err != nil {
			return fmt.Errorf("variable %s: %w", name, err)
		}
	}
	for _, name := range s.DeletedVars {
		if _, err := tx.exec("deleteVar", s.Instance.ID, name); err != nil {
			return err
		}
	}
	if s.DropJobs && s.Instance != nil {
		if _, err := tx.exec("dropJobs", s.Instance.ID); err != nil {
			return err
		}
	}
	for _, id := range s.DoneJobs {
		if _, err := tx.exec("deleteJob", id); err != nil {
			return err
		}
	}
	for _, j := range s.Jobs {
		if _, err := tx.exec("insertJob", j.ID, j.Kind, j.InstanceID, nullID(j.NodeID), j.TaskID, j.DueAt, max(j.MaxAttempts, 1), j.CreateAt, j.CreateAt); err != nil {
			return fmt.Errorf("insert job: %w", err)
		}
	}
	if k := s.Idempotency; k != nil && s.Instance != nil {
		_, err := tx.exec("upsertIdem", k.Scope, k.Key, s.Instance.ID, s.Instance.CreateAt, s.Instance.CreateAt-idempotencyWindowMs)
		if err != nil {
			return err
		}
		var owner int64
		if err := tx.queryRow("idemOwner", k.Scope, k.Key).Scan(&owner); err != nil {
			return err
		}
		if engine.ID(owner) != s.Instance.ID {
			return engine.Errorf(engine.ErrConflict, "idempotency key %q is taken", k.Key)
		}
	}
	return nil
}

// idempotencyWindowMs is how long an Idempotency-Key keeps returning its instance.
const idempotencyWindowMs = 24 * 60 * 60 * 1000

type instanceDetail struct {
	Reply *engine.Reply `json:"reply,omitempty"`
}

// jsonCache encodes each map or slice of a step once: a task's output is usually the
// next task's input, the very same value.
type jsonCache map[unsafe.Pointer]string

func (c jsonCache) text(v any) (string, error) {
	rv := reflect.ValueOf(v)
	if k := rv.Kind(); (k == reflect.Map || k == reflect.Slice) && !rv.IsNil() {
		p := rv.UnsafePointer()
		if s, ok := c[p]; ok {
			return s, nil
		}
		s, err := jsonText(v)
		if err == nil && k == reflect.Map {
			c[p] = s // a slice header may share its array with a longer slice: not cached
		}
		return s, err
	}
	return jsonText(v)
}

// encodeNewNodes encodes the column values of the new runtimes (Rev 0) of a step.
func encodeNewNodes(nodes []*engine.NodeRun) ([][]any, error) {
	var rows [][]any
	cache := jsonCache{}
	for _, n := range nodes {
		if n.Rev != 0 {
			continue
		}
		row, err := nodeRow(n, cache)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// insertNodes writes encoded runtime rows, up to maxNodeRows per statement.
func insertNodes(tx *stepTx, rows [][]any) error {
	args := make([]any, 0, maxNodeRows*18)
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

// nodeRow is the column values of a new runtime, in nodeInsertColumns order (rev aside).
func nodeRow(n *engine.NodeRun, cache jsonCache) ([]any, error) {
	input, err := cache.text(n.Input)
	if err != nil {
		return nil, fmt.Errorf("task %s input: %w", n.TaskID, err)
	}
	output, err := cache.text(n.Output)
	if err != nil {
		return nil, fmt.Errorf("task %s output: %w", n.TaskID, err)
	}
	logs, detail := "[]", "{}"
	if len(n.Logs) > 0 {
		if logs, err = jsonText(n.Logs); err != nil {
			return nil, err
		}
	}
	if n.Detail != nil {
		if detail, err = jsonText(n.Detail); err != nil {
			return nil, err
		}
	}
	return []any{n.ID, n.InstanceID, n.TaskID, n.Name, n.Template, n.Index, n.Attempt, n.Status, input, output, n.Error, logs,
		n.StartAt, n.EndAt, n.Cost, n.CreateAt, n.UpdateAt, detail}, nil
}

func writeNode(tx *stepTx, n *engine.NodeRun) error {
	input, err := jsonText(n.Input)
	if err != nil {
		return fmt.Errorf("task %s input: %w", n.TaskID, err)
	}
	output, err := jsonText(n.Output)
	if err != nil {
		return fmt.Errorf("task %s output: %w", n.TaskID, err)
	}
	logs := "[]"
	if len(n.Logs) > 0 {
		if logs, err = jsonText(n.Logs); err != nil {
			return err
		}
	}
	detail := "{}"
	if n.Detail != nil {
		if detail, err = jsonText(n.Detail); err != nil {
			return err
		}
	}
	if n.Rev == 0 {
		_, err = tx.exec("insertNode", n.ID, n.InstanceID, n.TaskID, n.Name, n.Template, n.Index, n.Attempt, n.Status, input, output, n.Error, logs,
			n.StartAt, n.EndAt, n.Cost, n.CreateAt, n.UpdateAt, detail)
		if err != nil {
			return fmt.Errorf("insert runtime of %s: %w", n.TaskID, err)
		}
		return nil
	}
	res, err := tx.exec("updateNode", n.Status, input, output, n.Error, logs, n.StartAt, n.EndAt, n.Cost, n.UpdateAt, detail, n.Index, n.Attempt, n.ID, n.Rev)
	if err != nil {
		return fmt.Errorf("update runtime of %s: %w", n.TaskID, err)
	}
	if c, _ := res.RowsAffected(); c != 1 {
		return engine.Errorf(engine.ErrConflict, "runtime %d of %s was changed concurrently", n.ID, n.TaskID)
	}
	return nil
}

func nullID(id engine.ID) any {
	if id == 0 {
		return nil
	}
	return int64(id)
}
