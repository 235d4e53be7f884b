package sqlite_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"flowcraft/db"
	"flowcraft/db/sqlite"
	"flowcraft/engine"
	"flowcraft/engine/templates"
	"flowcraft/scripting"
)

// stack is a store with the real engine on it.
type stack struct {
	store *sqlite.Store
	rt    *engine.Runtime
	defs  *engine.Definitions
	once  sync.Once
}

func openStack(t *testing.T, dir string) *stack {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := sqlite.Open(ctx, dir, sqlite.Options{}, log)
	if err != nil {
		t.Fatal(err)
	}
	reg := templates.Builtin()
	scripts := scripting.New(scripting.Options{})
	ids, err := engine.NewIDGen(1)
	if err != nil {
		t.Fatal(err)
	}
	rt := engine.NewRuntime(engine.RuntimeDeps{Store: store, Processes: store, Tasks: store, Directory: store, Templates: reg,
		Services: &templates.Services{Scripts: scripts}, IDs: ids, Events: engine.NewEvents(), Log: log}, engine.RuntimeOptions{})
	if err := rt.Start(ctx); err != nil {
		store.Close(ctx)
		t.Fatal(err)
	}
	defs := engine.NewDefinitions(store, engine.NewValidator(reg, scripts), time.Now, log)
	defs.OnChange(rt.ProcessChanged)
	s := &stack{store: store, rt: rt, defs: defs}
	t.Cleanup(s.close)
	return s
}

func (s *stack) close() {
	s.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		s.rt.Close(ctx)
		s.store.Close(ctx)
	})
}

// deployScript creates a standard process: a manual trigger, a script, an end.
func (s *stack) deployScript(t *testing.T) string {
	t.Helper()
	var p engine.Process
	if err := json.Unmarshal([]byte(`{"name": "Backup load", "tasks": [
		{"instId": "task-start001", "template": "manual", "positions": [0, 0], "connections": [{"to": "task-code0001"}]},
		{"instId": "task-code0001", "template": "script", "positions": [1, 0], "connections": [{"to": "task-end00001"}],
		 "parameters": {"code": {"value": "return {n: trigger.n, twice: trigger.n * 2};"}}},
		{"instId": "task-end00001", "template": "end", "positions": [2, 0], "parameters": {"output": {"value": "{{ input }}"}}}]}`), &p); err != nil {
		t.Fatal(err)
	}
	created, err := s.defs.Create(context.Background(), &p, "admin")
	if err != nil {
		t.Fatal(err)
	}
	return created.ID
}

// waitUntil polls cond until it holds, failing the test after a generous deadline.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestBackupUnderLoadAndRestore backs up while instances are being started
// through the engine, restores the backup into a fresh data directory and finds
// there every instance committed before the backup began, readable, in a file
// that passes SQLite's integrity check.
func TestBackupUnderLoadAndRestore(t *testing.T) {
	ctx := context.Background()
	s := openStack(t, t.TempDir())
	proc := s.deployScript(t)

	var mu sync.Mutex
	var started []engine.ID
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(started)
	}
	stop := make(chan struct{})
	loadDone := make(chan error, 1)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				loadDone <- nil
				return
			default:
			}
			// A standard start returns once the instance is committed.
			res, err := s.rt.StartInstance(ctx, proc, map[string]any{"n": i}, engine.StartOptions{By: "admin"})
			if err != nil {
				loadDone <- err
				return
			}
			mu.Lock()
			started = append(started, res.Instance.ID)
			mu.Unlock()
		}
	}()
	stopLoad := func() {
		select {
		case <-stop:
		default:
			close(stop)
		}
	}
	t.Cleanup(stopLoad)

	waitUntil(t, "50 instances started", func() bool { return count() >= 50 })
	mu.Lock()
	committed := slices.Clone(started)
	mu.Unlock()
	backup := filepath.Join(t.TempDir(), "flowcraft-backup.db")
	if err := s.store.Backup(ctx, backup, db.BackupOptions{}); err != nil {
		t.Fatalf("backup under load: %v", err)
	}
	// The store kept serving: more instances start after the backup.
	after := count()
	waitUntil(t, "more instances after the backup", func() bool { return count() >= after+20 })
	stopLoad()
	if err := <-loadDone; err != nil {
		t.Fatalf("starting instances during the backup: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(backup), ".*tmp*")); len(left) > 0 {
		t.Errorf("temporary files left beside the backup: %v", left)
	}

	info, err := sqlite.VerifyFile(ctx, backup)
	if err != nil {
		t.Fatalf("the backup does not verify: %v", err)
	}
	if info.Instances < int64(len(committed)) || info.Processes != 1 {
		t.Errorf("backup holds %+v; at least %d instances were committed before it", info, len(committed))
	}

	fresh := filepath.Join(t.TempDir(), "data")
	if _, err := sqlite.Restore(ctx, backup, fresh, sqlite.RestoreOptions{}); err != nil {
		t.Fatalf("restore into a fresh data directory: %v", err)
	}
	if _, err := sqlite.VerifyFile(ctx, filepath.Join(fresh, sqlite.FileName)); err != nil {
		t.Fatalf("the restored database: %v", err)
	}
	r := openStack(t, fresh)
	for _, id := range committed {
		inst, nodes, _, err := r.store.LoadInstance(ctx, id)
		if err != nil {
			t.Fatalf("instance %d, committed before the backup, after restore: %v", id, err)
		}
		if inst.ID != id || inst.ProcessID != proc || len(nodes) == 0 {
			t.Fatalf("instance %d after restore: %+v with %d runtimes", id, inst, len(nodes))
		}
	}
	// The restored engine finishes what the backup caught unfinished.
	for _, id := range committed {
		inst, err := r.rt.WaitEnded(ctx, id, 30*time.Second)
		if err != nil {
			t.Fatalf("instance %d after restore: %v", id, err)
		}
		if inst.Status != engine.StatusDone {
			t.Errorf("instance %d after restore ends %s: %s", id, inst.Status, inst.Error)
		}
	}
}

func TestBackupRefusesToOverwrite(t *testing.T) {
	ctx := context.Background()
	s := openStack(t, t.TempDir())
	s.deployScript(t)
	dst := filepath.Join(t.TempDir(), "b.db")
	if err := os.WriteFile(dst, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.store.Backup(ctx, dst, db.BackupOptions{}); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("backup onto an existing file: %v, want fs.ErrExist", err)
	}
	if b, _ := os.ReadFile(dst); string(b) != "keep me" {
		t.Fatalf("a refused backup changed the file")
	}
	if err := s.store.Backup(ctx, dst, db.BackupOptions{Overwrite: true}); err != nil {
		t.Fatalf("backup with overwrite: %v", err)
	}
	if info, err := sqlite.VerifyFile(ctx, dst); err != nil || info.Processes != 1 {
		t.Fatalf("overwritten backup: %+v %v", info, err)
	}
	if err := sqlite.BackupFile(ctx, filepath.Join(t.TempDir(), "none.db"), filepath.Join(t.TempDir(), "x.db"), db.BackupOptions{}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("backup of a missing database: %v", err)
	}
}

func TestRestoreRefusals(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openStack(t, dir)
	s.deployScript(t)
	backup := filepath.Join(t.TempDir(), "b.db")
	if err := s.store.Backup(ctx, backup, db.BackupOptions{}); err != nil {
		t.Fatal(err)
	}

	// While a store (a server) has the directory open: refused, even with overwrite.
	if _, err := sqlite.Restore(ctx, backup, dir, sqlite.RestoreOptions{Overwrite: true}); !errors.Is(err, sqlite.ErrLocked) {
		t.Fatalf("restore while the database is open: %v, want ErrLocked", err)
	}
	// Not a database, an SQLite file that is not flowcraft's, a newer schema.
	junk := filepath.Join(t.TempDir(), "junk.db")
	os.WriteFile(junk, []byte(strings.Repeat("not a database ", 100)), 0o600)
	other := filepath.Join(t.TempDir(), "other.db")
	o, err := sql.Open("sqlite", other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Exec(`CREATE TABLE t(x)`); err != nil {
		t.Fatal(err)
	}
	o.Close()
	newer := filepath.Join(t.TempDir(), "newer.db")
	if err := s.store.Backup(ctx, newer, db.BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	n, err := sql.Open("sqlite", newer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Exec(`INSERT INTO schema_migrations(version, name, applied_at) VALUES (999, '0999_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	n.Close()
	for name, src := range map[string]string{"junk": junk, "other": other, "newer": newer, "missing": filepath.Join(t.TempDir(), "none.db")} {
		fresh := t.TempDir()
		if _, err := sqlite.Restore(ctx, src, fresh, sqlite.RestoreOptions{}); err == nil {
			t.Errorf("restore of %s: no error", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
		if _, err := os.Stat(filepath.Join(fresh, sqlite.FileName)); err == nil {
			t.Errorf("a refused restore of %s left a database", name)
		}
	}

	// Stopped: an existing database is refused without overwrite, kept as .bak with it.
	second := s.deployScript(t)
	s.close()
	if _, err := sqlite.Restore(ctx, backup, dir, sqlite.RestoreOptions{}); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("restore over a database without overwrite: %v, want fs.ErrExist", err)
	}
	info, err := sqlite.Restore(ctx, backup, dir, sqlite.RestoreOptions{Overwrite: true})
	if err != nil {
		t.Fatalf("restore with overwrite: %v", err)
	}
	if info.Processes != 1 {
		t.Errorf("restored %+v, want the one process of the backup", info)
	}
	bak, err := sqlite.VerifyFile(ctx, filepath.Join(dir, sqlite.FileName+".bak"))
	if err != nil || bak.Processes != 2 {
		t.Errorf("the previous database kept as .bak: %+v %v", bak, err)
	}
	r := openStack(t, dir)
	if _, err := r.defs.Get(ctx, second); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("a process created after the backup is still there after restore: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*restore*")); len(left) > 0 {
		t.Errorf("temporary files left in the data directory: %v", left)
	}
}
