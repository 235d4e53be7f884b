package sqlite

import (
	"path/filepath"
	"strings"
	"testing"

	"flowcraft/engine"
)

// TestMigration0009OnA0007Database: a database made by migrations 0001–0007 and
// filled through that schema opens, migrates (0008, 0009) and keeps its rows: the
// instances get business key and tenant "", the definitions tenant and category "",
// every process lists no candidate starters (everyone may start it); the new fields
// are then written and read back, and a business key lookup uses its partial index.
func TestMigration0009OnA0007Database(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), FileName)
	conn, err := connect(path, false)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := conn.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
	conn.SetMaxOpenConns(1)           // one connection: the pragma holds for every statement
	exec(`PRAGMA foreign_keys = OFF`) // as the runner applies 0007, which rebuilds tables
	exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`)
	for _, m := range ms[:7] {
		exec(m.sql)
		exec(`INSERT INTO schema_migrations VALUES (?, ?, 0)`, m.version, m.name)
	}
	exec(`INSERT INTO workflow (id, proc_id, name, "user", start_app_inst_id, end_app_inst_id, tasks, create_at, update_at, version)
		VALUES (1, 'proc-alpha', 'Leave', 'alice', 'task-start', 'task-end', '[]', 1000, 1000, 1)`)
	exec(`INSERT INTO workflow_version (workflow_id, version, definition, replaced_by, create_at)
		VALUES (1, 0, '{"id":"proc-alpha","name":"Leave draft","version":0,"tasks":[]}', 'alice', 900)`)
	exec(`INSERT INTO workflow_inst (id, uid, workflow_id, executor, status, create_at, update_at, workflow_version, start_at_ms)
		VALUES (100, 100, 1, 'dave', 'done', 1000, 1000, 1, 1000)`)
	conn.Close()

	d := openAt(t, path, Options{})
	if v, err := d.SchemaVersion(ctx); err != nil || v != len(ms) {
		t.Fatalf("schema version %d, %v; want %d", v, err, len(ms))
	}
	in, err := d.GetInstance(ctx, 100)
	if err != nil || in.BusinessKey != "" || in.TenantID != "" || in.Executor != "dave" {
		t.Fatalf("instance 100 after the migration: %+v, %v", in, err)
	}
	p, err := d.GetProcess(ctx, "proc-alpha")
	if err != nil || p.TenantID != "" || p.Category != "" || p.Name != "Leave" {
		t.Fatalf("proc-alpha after the migration: %+v, %v", p, err)
	}
	if s, err := d.ListStarters(ctx, "proc-alpha"); err != nil || len(s) != 0 {
		t.Fatalf("starters of proc-alpha: %v, %v", s, err)
	}
	versions, total, err := d.ListDefinitionVersions(ctx, engine.VersionFilter{Key: "proc-alpha", Page: engine.Page{Limit: 10, Sort: "version"}})
	if err != nil || total != 2 || versions[0].Name != "Leave draft" || versions[1].Name != "Leave" {
		t.Fatalf("versions of proc-alpha: %+v, %d, %v", versions, total, err)
	}

	// The new columns are written and read.
	if _, err := d.write.ExecContext(ctx, `UPDATE workflow_inst SET business_key = 'order-7', tenant_id = 'acme' WHERE uid = 100`); err != nil {
		t.Fatal(err)
	}
	got, total, err := d.ListInstances(ctx, engine.InstanceFilter{BusinessKey: "order-7", TenantID: "acme", Page: engine.Page{Limit: 10}})
	if err != nil || total != 1 || got[0].ID != 100 || got[0].BusinessKey != "order-7" || got[0].TenantID != "acme" {
		t.Fatalf("by business key: %+v, %d, %v", got, total, err)
	}
	if err := d.AddStarter(ctx, "proc-alpha", engine.Starter{GroupID: "hr"}, "alice"); err != nil {
		t.Fatal(err)
	}
	if err := d.SetProcessCategory(ctx, "proc-alpha", 0, "drafts", "alice"); err != nil {
		t.Fatal(err)
	}

	// The lookup the instance list makes uses the partial index.
	plan := queryPlan(t, d.read, `SELECT uid FROM workflow_inst WHERE business_key = ? AND business_key <> '' ORDER BY uid DESC`, "order-7")
	if !strings.Contains(plan, "workflow_inst_business_key") {
		t.Errorf("a business key lookup does not use its index: %v", plan)
	}
}
