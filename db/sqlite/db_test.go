package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"flowcraft/db"
	"flowcraft/db/storetest"
	"flowcraft/engine"
)

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func openTest(t *testing.T) *Store {
	t.Helper()
	d, err := Open(t.Context(), t.TempDir(), Options{}, discard())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close(context.Background()) })
	return d
}

// TestStoreContract: the SQLite store passes the contract of every db.Store.
func TestStoreContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) db.Store {
		d, err := Open(t.Context(), t.TempDir(), Options{}, discard())
		if err != nil {
			t.Fatal(err)
		}
		return d
	})
}

func TestPragmasAndMigrations(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	d, err := Open(ctx, dir, Options{}, discard())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ pragma, want string }{
		{"journal_mode", "wal"}, {"foreign_keys", "1"}, {"synchronous", "1"}, {"busy_timeout", "10000"},
	} {
		for name, pool := range map[string]*sql.DB{"writer": d.write, "reader": d.read} {
			var got string
			if err := pool.QueryRowContext(ctx, "PRAGMA "+tc.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("%s: PRAGMA %s = %s, want %s", name, tc.pragma, got, tc.want)
			}
		}
	}
	// Readers cannot write.
	if _, err := d.read.ExecContext(ctx, `DELETE FROM users`); err == nil {
		t.Error("reader connection accepted a write")
	}
	v, err := d.SchemaVersion(ctx)
	if err != nil || v < 1 {
		t.Fatalf("schema version %d, %v", v, err)
	}
	for _, table := range []string{"workflow", "workflow_version", "workflow_inst", "node_inst", "task_inst", "identity_link",
		"users", "groups", "membership", "api_token", "session", "job", "variable", "idempotency_key", "audit_log", "cron_fire"} {
		var n int
		if err := d.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name=?`, table).Scan(&n); err != nil || n != 1 {
			t.Errorf("table %s missing", table)
		}
	}
	d.Close(ctx)
	// Reopening applies nothing twice.
	d2, err := Open(ctx, dir, Options{}, discard())
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close(ctx)
	var applied int
	if err := d2.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&applied); err != nil || applied != v {
		t.Fatalf("migrations recorded %d, want %d (%v)", applied, v, err)
	}
	if d2.Path() != filepath.Join(dir, FileName) {
		t.Errorf("path %s", d2.Path())
	}
}

// TestMigrationRecordsStay: databases made by earlier builds recorded their
// migrations by number and name in schema_migrations; VerifyFile and Open compare
// against them, so the embedded files keep these names (new ones are appended).
func TestMigrationRecordsStay(t *testing.T) {
	d := openTest(t)
	rows, err := d.read.QueryContext(t.Context(), `SELECT version, name FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var v int
		var name string
		if err := rows.Scan(&v, &name); err != nil {
			t.Fatal(err)
		}
		if v != len(names)+1 {
			t.Fatalf("migration %d recorded as number %d", len(names)+1, v)
		}
		names = append(names, name)
	}
	released := []string{"0001_init.sql", "0002_runtime_detail.sql", "0003_human_tasks.sql", "0004_cron.sql",
		"0005_leaner_indexes.sql", "0006_crash_count.sql"}
	if len(names) < len(released) || !slices.Equal(names[:len(released)], released) {
		t.Fatalf("recorded migrations %q; released databases have %q", names, released)
	}
}

// TestAuditLog: changes to definitions are recorded, with who made them, in the
// transaction that made them.
func TestAuditLog(t *testing.T) {
	d := openTest(t)
	ctx := t.Context()
	p := &engine.Process{ID: "proc-aaaaaaaa", Name: "sample", Engine: engine.EngineStandard, Version: 1, Creator: "dora",
		TriggerApp: "webhook", TriggerToken: engine.NewSecret(), CreateAt: 1, UpdateAt: 1,
		InputDataSchema: json.RawMessage(`{}`), OutputDataSchema: json.RawMessage(`{}`), Extension: json.RawMessage(`{}`), Metadata: json.RawMessage(`{}`)}
	if err := d.InsertProcess(ctx, p); err != nil {
		t.Fatal(err)
	}
	next := *p
	next.Version = 2
	if err := d.ReplaceProcess(ctx, &next, "ann"); err != nil {
		t.Fatal(err)
	}
	if err := d.SetTriggerToken(ctx, p.ID, engine.NewSecret(), "bob"); err != nil {
		t.Fatal(err)
	}
	// A refused change leaves no record.
	if err := d.DeleteProcess(ctx, "proc-missing0", false, "eve"); !errors.Is(err, engine.ErrNotFound) {
		t.Fatal(err)
	}
	if err := d.DeleteProcess(ctx, p.ID, false, "cid"); err != nil {
		t.Fatal(err)
	}
	rows, err := d.read.QueryContext(ctx, `SELECT actor || ' ' || action || ' ' || object_id FROM audit_log WHERE object_type = 'process' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		got = append(got, s)
	}
	want := []string{"dora create proc-aaaaaaaa", "ann update proc-aaaaaaaa", "bob rotate-token proc-aaaaaaaa", "cid delete proc-aaaaaaaa"}
	if !slices.Equal(got, want) {
		t.Errorf("audit log %q, want %q", got, want)
	}
}

// TestErrorsSayWhere: store errors name the operation that failed and keep the
// engine's error kinds detectable.
func TestErrorsSayWhere(t *testing.T) {
	d := openTest(t)
	ctx := t.Context()
	_, _, err := d.Inbox(ctx, engine.InboxFilter{User: "ann", Page: engine.Page{Limit: 10, Sort: "nope"}})
	if !errors.Is(err, engine.ErrInvalid) || !strings.HasPrefix(err.Error(), "list inbox: ") {
		t.Errorf("a bad inbox sort: %v", err)
	}
	p := &engine.Process{ID: "proc-aaaaaaaa", Name: "sample", Version: 1, CreateAt: 1, UpdateAt: 1}
	if err := d.InsertProcess(ctx, p); err != nil {
		t.Fatal(err)
	}
	in := &engine.Instance{ID: 7, ProcessID: p.ID, Version: 1, Status: engine.StatusRunning, CreateAt: 1, UpdateAt: 1}
	if err := d.CommitStep(ctx, &engine.Step{Instance: in, New: true}); err != nil {
		t.Fatal(err)
	}
	stale := *in
	stale.Rev = 0
	err = d.CommitStep(ctx, &engine.Step{Instance: &stale})
	if !errors.Is(err, engine.ErrConflict) || !strings.HasPrefix(err.Error(), "commit step of instance 7: ") {
		t.Errorf("a stale step: %v", err)
	}
	var ce *engine.Error
	if !errors.As(err, &ce) || ce.Message != "instance 7 was changed concurrently" {
		t.Errorf("the caller-facing message of a stale step: %v", ce)
	}
	// A driver error says where it happened too.
	d.read.Close()
	_, err = d.GetInstance(ctx, 7)
	if err == nil || !strings.HasPrefix(err.Error(), "get instance 7: ") {
		t.Errorf("a failed read: %v", err)
	}
	_, _, err = d.ListJobs(ctx, "", engine.Page{Limit: 10})
	if err == nil || !strings.HasPrefix(err.Error(), "list jobs: ") {
		t.Errorf("a failed list: %v", err)
	}
}

// TestFailedBeginFailsTheBatch: a transaction that cannot begin is the batch's
// error (a *txError), not the error of its one step.
func TestFailedBeginFailsTheBatch(t *testing.T) {
	d := openTest(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	batch := []commitReq{{step: &engine.Step{}}}
	errs, err := d.tryBatch(ctx, batch, false)
	var te *txError
	if !errors.As(err, &te) || te.op != "begin" || errs[0] != nil {
		t.Fatalf("tryBatch with a canceled context: %v, step errors %v", err, errs)
	}
	// A step's own failure is the step's.
	p := &engine.Process{ID: "proc-aaaaaaaa", Name: "sample", Version: 1, CreateAt: 1, UpdateAt: 1}
	if err := d.InsertProcess(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	stale := &engine.Step{Instance: &engine.Instance{ID: 9, ProcessID: p.ID, Status: engine.StatusDone, Rev: 3}}
	errs, err = d.tryBatch(t.Context(), []commitReq{{step: stale}}, false)
	if err != nil || !errors.Is(errs[0], engine.ErrConflict) {
		t.Fatalf("a stale step alone: %v, step errors %v", err, errs)
	}
}

// TestCommitterLifecycle: no goroutine before Start, a drained queue on Close, and
// a Close whose deadline passes abandons what is left and says so.
func TestCommitterLifecycle(t *testing.T) {
	step := func() commitReq { return commitReq{step: &engine.Step{}, done: make(chan error, 1)} }
	t.Run("not started", func(t *testing.T) {
		c := newCommitter(4, func(context.Context, []commitReq) []error { t.Error("wrote without Start"); return nil })
		if err := c.enqueue(t.Context(), step()); !errors.Is(err, db.ErrClosed) {
			t.Errorf("enqueue before Start: %v", err)
		}
		if err := c.Close(t.Context()); err != nil {
			t.Errorf("close before Start: %v", err)
		}
		c.Start(t.Context()) // after Close: nothing
		if err := c.enqueue(t.Context(), step()); !errors.Is(err, db.ErrClosed) {
			t.Errorf("enqueue after Close: %v", err)
		}
	})
	t.Run("drains", func(t *testing.T) {
		var written int
		c := newCommitter(64, func(_ context.Context, b []commitReq) []error { written += len(b); return make([]error, len(b)) })
		c.Start(t.Context())
		reqs := make([]commitReq, 50)
		for i := range reqs {
			reqs[i] = step()
			if err := c.enqueue(t.Context(), reqs[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.Close(t.Context()); err != nil {
			t.Fatalf("close: %v", err)
		}
		for _, r := range reqs {
			if err := <-r.done; err != nil {
				t.Fatal(err)
			}
		}
		if written != 50 {
			t.Fatalf("wrote %d of 50", written)
		}
		if err := c.enqueue(t.Context(), step()); !errors.Is(err, db.ErrClosed) {
			t.Errorf("enqueue after Close: %v", err)
		}
	})
	t.Run("abandons at the deadline", func(t *testing.T) {
		inFlight := make(chan struct{})
		c := newCommitter(64, func(ctx context.Context, b []commitReq) []error {
			close(inFlight)
			<-ctx.Done() // a write that cannot finish
			errs := make([]error, len(b))
			for i := range errs {
				errs[i] = ctx.Err()
			}
			return errs
		})
		c.Start(t.Context())
		first := step()
		if err := c.enqueue(t.Context(), first); err != nil {
			t.Fatal(err)
		}
		<-inFlight
		rest := make([]commitReq, 10)
		for i := range rest {
			rest[i] = step()
			if err := c.enqueue(t.Context(), rest[i]); err != nil {
				t.Fatal(err)
			}
		}
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
		defer cancel()
		err := c.Close(ctx)
		if !errors.Is(err, db.ErrClosed) || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "11 step(s)") {
			t.Fatalf("close past its deadline: %v", err)
		}
		for _, r := range append(rest, first) {
			if err := <-r.done; !errors.Is(err, db.ErrClosed) {
				t.Errorf("an abandoned step: %v", err)
			}
		}
		if again := c.Close(t.Context()); again == nil || again.Error() != err.Error() {
			t.Errorf("a second Close: %v, want %v", again, err)
		}
	})
}
