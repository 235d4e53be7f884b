package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"flowcraft/engine"
	"flowcraft/identity"
)

func openTest(t *testing.T) *Store {
	t.Helper()
	d, err := Open(context.Background(), t.TempDir(), Options{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestPragmasAndMigrations(t *testing.T) {
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := Open(context.Background(), dir, Options{}, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
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
		"users", "groups", "membership", "api_token", "session", "job", "variable", "idempotency_key", "audit_log"} {
		var n int
		if err := d.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name=?`, table).Scan(&n); err != nil || n != 1 {
			t.Errorf("table %s missing", table)
		}
	}
	d.Close()
	// Reopening applies nothing twice.
	d2, err := Open(ctx, dir, Options{}, log)
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	var applied int
	if err := d2.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&applied); err != nil || applied != v {
		t.Fatalf("migrations recorded %d, want %d (%v)", applied, v, err)
	}
	if d2.Path() != filepath.Join(dir, FileName) {
		t.Errorf("path %s", d2.Path())
	}
}

func sampleProcess(id string) *engine.Process {
	return &engine.Process{
		ID: id, Name: "sample", Engine: "standard", Enabled: true, Creator: "dora", Version: 1,
		InputDataSchema: json.RawMessage(`{}`), OutputDataSchema: json.RawMessage(`{}`),
		Extension: json.RawMessage(`{"color":"blue"}`), Metadata: json.RawMessage(`{}`),
		TriggerApp: "manual", StartTaskInstID: "task-a",
		Tasks:    []*engine.Task{{InstID: "task-a", Name: "start", Template: "manual", Positions: []float64{1, 2}, Connections: []engine.Connection{}}},
		CreateAt: time.Now().UnixMilli(), UpdateAt: time.Now().UnixMilli(),
	}
}

func TestProcessStore(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	p := sampleProcess("proc-aaaaaaaa")
	if err := d.InsertProcess(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := d.InsertProcess(ctx, p); !errors.Is(err, engine.ErrConflict) {
		t.Fatalf("duplicate insert: %v", err)
	}
	got, err := d.GetProcess(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "sample" || string(got.Extension) != `{"color":"blue"}` || len(got.Tasks) != 1 || got.Tasks[0].Positions[1] != 2 {
		t.Fatalf("round trip: %+v", got)
	}
	if _, err := d.GetProcess(ctx, "proc-nothere"); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}

	// Replace needs the stored version to be the one before.
	next := *got
	next.Version, next.Name = 2, "second"
	if err := d.ReplaceProcess(ctx, &next, "admin"); err != nil {
		t.Fatal(err)
	}
	stale := *got
	stale.Version, stale.Name = 2, "stale"
	if err := d.ReplaceProcess(ctx, &stale, "admin"); !errors.Is(err, engine.ErrConflict) {
		t.Fatalf("stale replace: %v", err)
	}
	vs, total, err := d.ListProcessVersions(ctx, p.ID, engine.Page{Limit: 10})
	if err != nil || total != 1 || vs[0].Version != 1 || vs[0].Definition.Name != "sample" || vs[0].ReplacedBy != "admin" {
		t.Fatalf("versions: %+v %d %v", vs, total, err)
	}

	// An unfinished instance blocks delete unless cascade.
	now := time.Now().UnixMilli()
	if _, err := d.write.ExecContext(ctx, `INSERT INTO workflow_inst (uid, workflow_id, workflow_version, status, create_at, update_at) VALUES (1, ?, 2, 'running', ?, ?)`, p.ID, now, now); err != nil {
		t.Fatal(err)
	}
	if _, err := d.write.ExecContext(ctx, `INSERT INTO node_inst (uid, workflow_inst_uid, task_inst_id, status, create_at, update_at) VALUES (2, 1, 'task-a', 'done', ?, ?)`, now, now); err != nil {
		t.Fatal(err)
	}
	if err := d.DeleteProcess(ctx, p.ID, false, "admin"); !errors.Is(err, engine.ErrConflict) {
		t.Fatalf("delete with running instance: %v", err)
	}
	if err := d.DeleteProcess(ctx, p.ID, true, "admin"); err != nil {
		t.Fatal(err)
	}
	var left int
	d.read.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM workflow_inst) + (SELECT COUNT(*) FROM node_inst) + (SELECT COUNT(*) FROM workflow_version)`).Scan(&left)
	if left != 0 {
		t.Fatalf("cascade left %d rows", left)
	}
	if err := d.DeleteProcess(ctx, p.ID, false, "admin"); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("delete twice: %v", err)
	}
	var audits int
	d.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE object_id = ?`, p.ID).Scan(&audits)
	if audits != 3 {
		t.Errorf("audit rows %d, want 3 (create, update, delete)", audits)
	}
}

func TestTriggerTokenUnique(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	a, b := sampleProcess("proc-aaaaaaaa"), sampleProcess("proc-bbbbbbbb")
	a.TriggerToken, b.TriggerToken = "same", "same"
	if err := d.InsertProcess(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := d.InsertProcess(ctx, b); !errors.Is(err, engine.ErrConflict) {
		t.Fatalf("duplicate token: %v", err)
	}
	// Empty tokens are not unique-constrained.
	c, e := sampleProcess("proc-cccccccc"), sampleProcess("proc-eeeeeeee")
	if err := d.InsertProcess(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := d.InsertProcess(ctx, e); err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentWriters: many goroutines writing at once never see SQLITE_BUSY.
func TestConcurrentWriters(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := sampleProcess("proc-" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "xxxxxx")
			if err := d.InsertProcess(ctx, p); err != nil {
				errs <- err
			}
			if _, _, err := d.ListProcesses(ctx, engine.ProcessFilter{Page: engine.Page{Limit: 5}}); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	_, total, _ := d.ListProcesses(ctx, engine.ProcessFilter{Page: engine.Page{Limit: 1}})
	if total != 64 {
		t.Fatalf("total %d", total)
	}
}

func TestIdentityStore(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	now := time.Now().UnixMilli()
	if err := d.InsertGroup(ctx, &engine.Group{ID: "hr", Name: "HR", CreateAt: now}); err != nil {
		t.Fatal(err)
	}
	u := &engine.User{ID: "lisi", Name: "李四", Role: "user", Groups: []string{"hr"}, CreateAt: now, UpdateAt: now}
	if err := d.InsertUser(ctx, u, "hash1"); err != nil {
		t.Fatal(err)
	}
	got, err := d.GetUser(ctx, "lisi")
	if err != nil || got.Name != "李四" || len(got.Groups) != 1 {
		t.Fatalf("get user: %+v %v", got, err)
	}
	if err := d.InsertSession(ctx, "sesshash", &identity.Session{UserID: "lisi", CSRF: "c", CreateAt: now, ExpiresAt: now + 1000}); err != nil {
		t.Fatal(err)
	}
	// Changing the password keeps groups in step and signs the user out.
	got.Groups = []string{}
	if err := d.UpdateUser(ctx, got, "hash2"); err != nil {
		t.Fatal(err)
	}
	if h, _ := d.UserPasswordHash(ctx, "lisi"); h != "hash2" {
		t.Errorf("hash %s", h)
	}
	if _, err := d.SessionBySecretHash(ctx, "sesshash"); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("session survived password change: %v", err)
	}
	if ms, _ := d.ListMembers(ctx, "hr"); len(ms) != 0 {
		t.Errorf("members %v", ms)
	}
	// Deleting a user removes tokens by cascade.
	if err := d.InsertToken(ctx, &identity.APIToken{ID: "t1", UserID: "lisi", Name: "x", Prefix: "fc_", CreateAt: now}, "th"); err != nil {
		t.Fatal(err)
	}
	if err := d.DeleteUser(ctx, "lisi"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.TokenBySecretHash(ctx, "th"); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("token survived its user: %v", err)
	}
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
