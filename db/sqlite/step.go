package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"unsafe"

	"flowcraft/engine"
)

// Writing engine steps. CommitStep and CommitStepAsync queue a step for the committer
// (committer.go), which hands batches to writeBatch: one transaction per batch, and a
// SAVEPOINT per step when a step of the batch fails, so that it rolls back alone.
// applyStep writes one step through the writers of each entity (instances.go,
// humantasks.go, runtimes.go, variables.go, jobs.go, idempotency.go), each with its
// prepared statements.

// CommitStepAsync implements engine.RuntimeStore: it queues the step and returns; then
// (if not nil) learns the outcome. When the queue is full it blocks (back-pressure).
// Steps queued before Close are written by Close.
func (d *Store) CommitStepAsync(ctx context.Context, s *engine.Step, then func(error)) error {
	if then == nil {
		then = func(error) {}
	}
	rows, err := d.encodeNewNodes(s.Nodes)
	if err != nil {
		return fmt.Errorf("commit step%s: %w", ofInstance(s), err)
	}
	if err := d.commits.enqueue(ctx, commitReq{step: s, then: then, rows: rows}); err != nil {
		return fmt.Errorf("commit step%s: %w", ofInstance(s), err)
	}
	return nil
}

// CommitStep implements engine.RuntimeStore.
func (d *Store) CommitStep(ctx context.Context, s *engine.Step) error {
	req := commitReq{step: s, done: make(chan error, 1)}
	if err := d.commits.enqueue(ctx, req); err != nil {
		return fmt.Errorf("commit step%s: %w", ofInstance(s), err)
	}
	// Once queued, the step is written whatever happens to ctx: the caller must learn
	// whether it committed.
	return <-req.done
}

// ofInstance names the instance of a step in errors.
func ofInstance(s *engine.Step) string {
	if s.Instance == nil {
		return ""
	}
	return fmt.Sprintf(" of instance %d", s.Instance.ID)
}

// writeBatch writes a batch of steps (the committer's write function) and returns
// each step's outcome. Steps written synchronously get their revs advanced.
func (d *Store) writeBatch(ctx context.Context, batch []commitReq) []error {
	// A batch, once begun, is written whole: the committer looks at its context
	// between batches (a clean stop abandons the steps not yet begun). The statements
	// run without cancellation, because for a context that can end the driver starts a
	// goroutine per statement, and database/sql one per transaction, to watch it: 10%
	// of the CPU time of a standard instance.
	ctx = context.WithoutCancel(ctx)
	// Optimistically write the batch plainly; only if one of its steps fails (a stale
	// rev, say) write it again with a SAVEPOINT around each step, so that step alone fails.
	errs, err := d.tryBatch(ctx, batch, len(batch) == 1)
	if errors.Is(err, errStepFailed) {
		errs, err = d.tryBatch(ctx, batch, true)
	}
	for i, req := range batch {
		if err != nil {
			errs[i] = err // the transaction failed: every step with it
		}
		if errs[i] != nil {
			errs[i] = fmt.Errorf("commit step%s: %w", ofInstance(req.step), errs[i])
			continue
		}
		// Asynchronous steps (fast instances) are never written again, and their
		// structs are read by the engine meanwhile: their revs stay as they are.
		if req.then == nil {
			bumpRevs(req.step)
		}
	}
	return errs
}

// errStepFailed aborts a batch written without savepoints when one of its steps fails.
var errStepFailed = errors.New("a step of the batch failed")

// tryBatch writes a batch in one transaction. isolated wraps each step in a SAVEPOINT
// (errs then holds each step's error); otherwise the first failing step aborts it all
// with errStepFailed. A batch of one step has no savepoint: its own error lands in
// errs[0]; the error returned is the transaction's (BEGIN, COMMIT, a savepoint).
func (d *Store) tryBatch(ctx context.Context, batch []commitReq, isolated bool) ([]error, error) {
	errs := make([]error, len(batch))
	err := d.tx(ctx, func(tx *sql.Tx) error {
		t := d.stepTx(ctx, tx)
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
				return fmt.Errorf("savepoint: %w", err)
			}
			if errs[i] = applyStep(t, req.step, req.rows); errs[i] != nil {
				if _, err := t.exec("rollbackTo"); err != nil {
					return fmt.Errorf("rollback to savepoint: %w", err)
				}
			}
			if _, err := t.exec("release"); err != nil {
				return fmt.Errorf("release savepoint: %w", err)
			}
		}
		return nil
	})
	var te *txError
	if len(batch) == 1 && err != nil && !errors.As(err, &te) {
		errs[0], err = err, nil // the step's own error
	}
	return errs, err
}

// applyStep writes a step. rows, when not nil, are the new runtimes already encoded.
// The order matters: human tasks refer to runtimes, jobs and keys to the instance;
// external jobs are written before the runtimes, whose end cancels the jobs left open.
func applyStep(tx *stepTx, s *engine.Step, rows [][]any) error {
	trigger, err := writeInstance(tx, s)
	if err != nil {
		return err
	}
	if err := writeHumanTasks(tx, s.HumanTasks); err != nil {
		return err
	}
	if err := writeExternalJobs(tx, s.ExternalJobs); err != nil {
		return err
	}
	if err := writeRuntimes(tx, s, rows, trigger); err != nil {
		return err
	}
	if err := writeVariables(tx, s); err != nil {
		return err
	}
	if err := writeJobs(tx, s); err != nil {
		return err
	}
	return writeIdempotency(tx, s)
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
	for _, j := range s.ExternalJobs {
		j.Rev++
	}
}

// transactionSQL are the statements that isolate the steps of a batch.
var transactionSQL = map[string]string{
	"savepoint":  `SAVEPOINT step`,
	"rollbackTo": `ROLLBACK TO step`,
	"release":    `RELEASE step`,
}

// stepSQL gathers the statements of every writer, to be prepared once on the writer
// connection: compiling SQL is most of the cost of a small step.
func stepSQL() (map[string]string, error) {
	all := map[string]string{}
	for _, part := range []map[string]string{transactionSQL, instanceSQL, runtimeSQL(), humanTaskSQL, variableSQL, jobSQL, idempotencySQL, externalSQL} {
		for name, q := range part {
			if _, dup := all[name]; dup {
				return nil, fmt.Errorf("prepare step statements: %s is defined twice", name)
			}
			all[name] = q
		}
	}
	return all, nil
}

// prepareSteps prepares stepSQL on the writer (after migrations created the tables).
func (d *Store) prepareSteps(ctx context.Context) error {
	all, err := stepSQL()
	if err != nil {
		return err
	}
	d.stmts = make(map[string]*sql.Stmt, len(all))
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
	d     *Store
	times *seedTimes
}

// stepTx binds the prepared step statements to a write transaction.
func (d *Store) stepTx(ctx context.Context, tx *sql.Tx) *stepTx {
	return &stepTx{ctx: ctx, tx: tx, stmts: d.stmts, bound: map[string]*sql.Stmt{}, d: d, times: d.times}
}

func (t *stepTx) stmt(name string) *sql.Stmt {
	st := t.bound[name]
	if st == nil {
		prepared, ok := t.stmts[name]
		if !ok {
			panic("sqlite: no prepared statement " + name) // a programming error, caught by every test
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

func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
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

func nullID(id engine.ID) any {
	if id == 0 {
		return nil
	}
	return int64(id)
}
