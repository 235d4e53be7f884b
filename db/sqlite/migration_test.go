package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"flowcraft/engine"
)

// The times of the previous release's rows: one in winter, one in summer, so that
// the text times cross a daylight saving change in Europe/Berlin.
var (
	winter = time.Date(2024, 1, 15, 9, 30, 5, 500e6, time.UTC).UnixMilli() // Berlin 10:30:05
	summer = time.Date(2024, 7, 15, 9, 30, 5, 0, time.UTC).UnixMilli()     // Berlin 11:30:05
)

// previousRelease makes a database the way the release before migration 0007 did
// (migrations 0001–0006 only) and fills it through that schema: definitions (one
// with an earlier version), instances with runtimes (a child instance among them),
// a human task with its candidate, a job, a variable, an idempotency key, a cron slot.
func previousRelease(t *testing.T, path string) {
	t.Helper()
	ctx := t.Context()
	conn, err := connect(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	if ms[6].name != "0007_seed_columns.sql" {
		t.Fatalf("migration 7 is %s", ms[6].name)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := conn.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
	exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`)
	for _, m := range ms[:6] {
		exec(m.sql)
		exec(`INSERT INTO schema_migrations VALUES (?, ?, 0)`, m.version, m.name)
	}
	tasks := `[{"instId":"task-hook2","name":"hook","description":"new hook","template":"webhook"},{"instId":"task-approve","name":"approve","template":"approval"},{"instId":"task-end","name":"end","template":"end"}]`
	exec(`INSERT INTO workflow (id, name, "desc", start_task_inst_id, end_task_inst_id, engine, enabled, creator, executor,
		version, trigger_app, trigger_token, tasks, create_at, update_at) VALUES
		('proc-alpha', 'Leave', 'leave approval', 'task-hook2', 'task-end', 'standard', 1, 'alice', 'alice', 2, 'webhook', 'tok-alpha', ?, 1000, 2000),
		('proc-beta', 'Nightly', '', 'task-cron', 'task-end', 'fast', 1, 'bob', '', 1, 'cron-timer', '', '[]', 1100, 1100),
		('proc-gamma', 'Unused', '', 'task-start', 'task-end', 'standard', 0, 'carol', '', 1, 'manual', '', '[]', 1200, 1200)`, tasks)
	exec(`INSERT INTO workflow_version (workflow_id, version, definition, replaced_by, create_at) VALUES
		('proc-alpha', 1, '{"id":"proc-alpha","name":"Leave","startTaskInstId":"task-hook1","endTaskInstId":"task-end1","version":1,"tasks":[{"instId":"task-hook1","description":"old hook"},{"instId":"task-approve","description":"v1 approval"}]}', 'alice', 2000)`)
	exec(`INSERT INTO workflow_inst (uid, p_uid, p_node_uid, workflow_id, workflow_version, name, engine, status, executor,
		trigger_app, trigger_data, workflow_output, error, start_at, end_at, cost, create_at, update_at, rev, detail, crash_count) VALUES
		(100, NULL, NULL, 'proc-alpha', 2, 'Leave', 'standard', 'done', 'carol', 'webhook', '{"a":1}', '{"ok":true}', '', ?1, ?1 + 1500, 1500, ?1, ?1 + 1500, 3, '{}', 0),
		(200, NULL, NULL, 'proc-alpha', 1, 'Leave', 'standard', 'waiting', 'dave', 'webhook', '{"a":2}', 'null', '', ?2, 0, 0, ?2, ?2, 2, '{}', 1),
		(300, 200, 202, 'proc-alpha', 2, 'Leave', 'standard', 'running', 'dave', 'subprocess', '{"a":3}', 'null', '', ?2 + 10, 0, 0, ?2, ?2, 1, '{}', 0),
		(400, NULL, NULL, 'proc-beta', 1, 'Nightly', 'fast', 'done', '', 'cron-timer', '{"slot":5000}', '"done"', '', ?2, ?2 + 3, 3, ?2, ?2, 1, '{}', 0)`,
		winter, summer)
	exec(`INSERT INTO node_inst (uid, workflow_inst_uid, task_inst_id, name, template, "index", attempt, status, input, output,
		error, logs, start_at, end_at, cost, create_at, update_at, rev, detail) VALUES
		(101, 100, 'task-hook2', 'hook', 'webhook', 0, 0, 'done', '{"a":1}', '{"a":1}', '', '[]', ?1, ?1, 0, ?1, ?1, 1, '{}'),
		(102, 100, 'task-end', 'end', 'end', 0, 0, 'done', '{"a":1}', '{"ok":true}', '', '[{"level":"info","msg":"bye"}]', ?1 + 1000, ?1 + 1500, 500, ?1, ?1, 2, '{}'),
		(201, 200, 'task-hook1', 'hook', 'webhook', 0, 0, 'done', '{"a":2}', '{"a":2}', '', '[]', ?2, ?2, 0, ?2, ?2, 1, '{}'),
		(202, 200, 'task-approve', 'approve', 'approval', 0, 1, 'waiting', '{"a":2}', 'null', '', '[]', ?2, 0, 0, ?2, ?2, 2, '{"exec":1}'),
		(301, 300, 'task-hook2', 'hook', 'webhook', 0, 0, 'done', '{"a":3}', '{"a":3}', '', '[]', ?2 + 10, ?2 + 10, 0, ?2, ?2, 1, '{}'),
		(401, 400, 'task-cron', 'cron', 'cron-timer', 0, 0, 'done', '{"slot":5000}', '{"slot":5000}', '', '[]', ?2, ?2, 0, ?2, ?2, 1, '{}')`,
		winter, summer)
	exec(`INSERT INTO users (id, name, role, password_hash, create_at, update_at) VALUES ('dave', 'Dave', 'user', 'x', 1, 1)`)
	exec(`INSERT INTO task_inst (id, node_inst_uid, workflow_inst_uid, workflow_id, process_name, task_id, name, content, form,
		outcomes, assignee, status, priority, create_at, candidates) VALUES
		(900, 202, 200, 'proc-alpha', 'Leave', 'task-approve', 'approve', 'please', '[]', '["approve","reject"]', '', 'open', 50, ?, '{"users":["dave"],"groups":[]}'),
		(901, 202, 200, 'proc-alpha', 'Leave', 'task-approve', 'approve', 'before', '[]', '["approve"]', 'dave', 'done', 50, ?, '{}')`,
		summer, summer-1)
	exec(`INSERT INTO identity_link (task_inst_id, kind, user_id, group_id) VALUES (900, 'candidate', 'dave', '')`)
	exec(`INSERT INTO job (id, kind, workflow_inst_uid, node_inst_uid, task_id, due_at, create_at, update_at) VALUES
		(800, 'task-timeout', 200, 202, 'task-approve', ?, ?, ?)`, summer+3600_000, summer, summer)
	exec(`INSERT INTO variable (workflow_inst_uid, name, value, update_at) VALUES (200, 'amount', '42', 1)`)
	exec(`INSERT INTO idempotency_key (scope, key, workflow_inst_uid, create_at) VALUES ('proc-alpha', 'key-1', 100, ?)`, winter)
	exec(`INSERT INTO cron_fire (workflow_id, slot_at, instance_uid, status, owner, create_at) VALUES ('proc-beta', 5000, 400, 'started', 'node-1', 5000)`)
	exec(`INSERT INTO audit_log (at, actor, action, object_type, object_id) VALUES (1, 'alice', 'create', 'process', 'proc-alpha')`)
}

// tableCounts counts the rows of every table but schema_migrations.
func tableCounts(t *testing.T, q *sql.DB) map[string]int {
	t.Helper()
	ctx := context.Background()
	var tables []string
	rows, err := q.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	counts := map[string]int{}
	for _, tb := range tables {
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM "`+tb+`"`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		counts[tb] = n
	}
	return counts
}

// indexNames lists the named (not automatic) indexes.
func indexNames(t *testing.T, q *sql.DB) []string {
	t.Helper()
	rows, err := q.QueryContext(context.Background(), `SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	return names
}

// TestMigrationKeepsThePreviousRelease: a database made by the release before
// migration 0007 opens, migrates in place and keeps every row: definitions and
// their versions, instances, runtimes, human tasks, jobs, variables, keys and cron
// slots, each readable through the store with its key fields; the seed's new columns
// are filled from what was there; foreign keys hold and still cascade.
func TestMigrationKeepsThePreviousRelease(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), FileName)
	previousRelease(t, path)
	old, err := connect(path, true)
	if err != nil {
		t.Fatal(err)
	}
	before, oldIndexes := tableCounts(t, old), indexNames(t, old)
	old.Close()

	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	d := openAt(t, path, Options{Location: berlin, Node: "node-2"})
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	if v, err := d.SchemaVersion(ctx); err != nil || v != len(ms) {
		t.Fatalf("schema version %d, %v; want %d", v, err, len(ms))
	}

	// Every row stayed (tables added since are left out).
	after := tableCounts(t, d.read)
	for table := range after {
		if _, ok := before[table]; !ok {
			delete(after, table)
		}
	}
	if !reflect.DeepEqual(after, before) {
		t.Errorf("row counts changed:\nbefore %v\nafter  %v", before, after)
	}
	// The indexes stayed (workflow_creator is workflow_user, after its column), but
	// workflow_inst_unfinished, which migration 0018 drops (workflow_inst_status does
	// its work).
	for _, name := range oldIndexes {
		if name == "workflow_creator" {
			name = "workflow_user"
		}
		if name == "workflow_inst_unfinished" {
			continue
		}
		if !slices.Contains(indexNames(t, d.read), name) {
			t.Errorf("index %s is gone", name)
		}
	}
	if err := foreignKeyCheck(ctx, d.read); err != nil {
		t.Error(err)
	}
	var integrity string
	if err := d.read.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&integrity); err != nil || integrity != "ok" {
		t.Errorf("integrity_check: %s %v", integrity, err)
	}
	var fk int
	if err := d.write.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d after the migration (%v), want 1", fk, err)
	}

	// Definitions, through the store.
	p, err := d.GetProcess(ctx, "proc-alpha")
	if err != nil {
		t.Fatal(err)
	}
	if p.Creator != "alice" || p.StartTaskInstID != "task-hook2" || p.EndTaskInstID != "task-end" || p.Version != 2 ||
		p.TriggerToken != "tok-alpha" || p.Description != "leave approval" || len(p.Tasks) != 3 || p.CreateAt != 1000 {
		t.Errorf("proc-alpha = %+v", p)
	}
	if byToken, err := d.ProcessByTriggerToken(ctx, "tok-alpha"); err != nil || byToken.ID != "proc-alpha" {
		t.Errorf("by token: %v, %v", byToken, err)
	}
	versions, _, err := d.ListProcessVersions(ctx, "proc-alpha", engine.Page{Limit: 10})
	if err != nil || len(versions) != 1 || versions[0].Definition.StartTaskInstID != "task-hook1" || versions[0].ReplacedBy != "alice" {
		t.Errorf("versions of proc-alpha: %+v, %v", versions, err)
	}
	if old, err := d.ProcessAt(ctx, "proc-alpha", 1); err != nil || old.EndTaskInstID != "task-end1" {
		t.Errorf("proc-alpha at version 1: %+v, %v", old, err)
	}
	procs, total, err := d.ListProcesses(ctx, engine.ProcessFilter{Creator: "bob", Page: engine.Page{Limit: 10}})
	if err != nil || total != 1 || procs[0].ID != "proc-beta" {
		t.Errorf("processes of bob: %v, %d, %v", procs, total, err)
	}

	// Instances, runtimes, variables.
	in, nodes, vars, err := d.LoadInstance(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	if in.ProcessID != "proc-alpha" || in.Version != 2 || in.Executor != "carol" || in.StartAt != winter || in.EndAt != winter+1500 ||
		in.Cost != 1500 || in.Rev != 3 || !reflect.DeepEqual(in.Output, map[string]any{"ok": true}) || len(vars) != 0 {
		t.Errorf("instance 100 = %+v, vars %v", in, vars)
	}
	if len(nodes) != 2 || nodes[0].ID != 101 || nodes[1].TaskID != "task-end" || nodes[1].EndAt != winter+1500 || len(nodes[1].Logs) != 1 || nodes[1].Rev != 2 {
		t.Errorf("runtimes of 100: %+v", nodes)
	}
	in, nodes, vars, err = d.LoadInstance(ctx, 200)
	if err != nil {
		t.Fatal(err)
	}
	if in.Status != engine.StatusWaiting || vars["amount"] == nil || vars["amount"].Value != int64(42) || vars["amount"].Type != engine.VarInteger || len(nodes) != 2 || nodes[1].Attempt != 1 ||
		nodes[1].Detail == nil || nodes[1].Detail.Exec != 1 {
		t.Errorf("instance 200 = %+v, runtimes %+v, vars %v", in, nodes, vars)
	}
	if child, err := d.ChildInstance(ctx, 202); err != nil || child.ID != 300 || child.ParentID != 200 {
		t.Errorf("child of runtime 202: %+v, %v", child, err)
	}
	list, total, err := d.ListInstances(ctx, engine.InstanceFilter{ProcessID: "proc-alpha", Page: engine.Page{Limit: 10}})
	if err != nil || total != 3 || len(list) != 3 || list[0].ID != 300 {
		t.Errorf("instances of proc-alpha: %d, %v", total, err)
	}
	if res, err := d.InstancesToResume(ctx); err != nil || len(res) != 1 || res[0].ID != 300 {
		t.Errorf("to resume: %+v, %v", res, err)
	}
	if id, ok, err := d.IdempotentInstance(ctx, engine.IdemKey{Scope: "proc-alpha", Key: "key-1"}, 0); err != nil || !ok || id != 100 {
		t.Errorf("idempotency key: %d %v %v", id, ok, err)
	}

	// Human tasks, jobs, cron slots.
	if task, err := d.GetHumanTask(ctx, 900); err != nil || task.NodeID != 202 || task.InstanceID != 200 || task.ProcessID != "proc-alpha" {
		t.Errorf("task 900: %+v, %v", task, err)
	}
	inbox, total, err := d.Inbox(ctx, engine.InboxFilter{User: "dave", Page: engine.Page{Limit: 10}})
	if err != nil || total != 1 || inbox[0].ID != 900 {
		t.Errorf("inbox of dave: %d, %v", total, err)
	}
	if jobs, _, err := d.ListJobs(ctx, "", engine.Page{Limit: 10}); err != nil || len(jobs) != 1 || jobs[0].ID != 800 || jobs[0].NodeID != 202 {
		t.Errorf("jobs: %+v, %v", jobs, err)
	}
	slots, err := d.CronSlots(ctx, "proc-beta")
	if err != nil || len(slots) != 1 || slots[0].InstanceID != 400 || slots[0].Owner != "node-1" || slots[0].ProcessID != "proc-beta" {
		t.Errorf("cron slots of proc-beta: %+v, %v", slots, err)
	}
	if last, ok, err := d.LastSlot(ctx, "proc-beta"); err != nil || !ok || last.UnixMilli() != 5000 {
		t.Errorf("last slot: %v %v %v", last, ok, err)
	}

	// The seed's columns, filled from what the rows held.
	var alphaID, betaID int64
	d.read.QueryRowContext(ctx, `SELECT id FROM workflow WHERE proc_id = 'proc-alpha'`).Scan(&alphaID)
	d.read.QueryRowContext(ctx, `SELECT id FROM workflow WHERE proc_id = 'proc-beta'`).Scan(&betaID)
	if alphaID == 0 || betaID == 0 || alphaID == betaID {
		t.Fatalf("integer ids %d, %d", alphaID, betaID)
	}
	type instSeed struct {
		UID, WorkflowID int64
		User, Start     string
		End             string
		StartAt, EndAt  sql.NullString
		Tasks           sql.NullString
	}
	text := func(s string) sql.NullString { return sql.NullString{String: s, Valid: true} }
	wantInst := []instSeed{
		{100, alphaID, "alice", "task-hook2", "task-end", text("2024-01-15 10:30:05"), text("2024-01-15 10:30:07"), sql.NullString{}},
		{200, alphaID, "alice", "task-hook1", "task-end1", text("2024-07-15 11:30:05"), sql.NullString{}, sql.NullString{}},
		{300, alphaID, "alice", "task-hook2", "task-end", text("2024-07-15 11:30:05"), sql.NullString{}, sql.NullString{}},
		{400, betaID, "bob", "task-cron", "task-end", text("2024-07-15 11:30:05"), text("2024-07-15 11:30:05"), sql.NullString{}},
	}
	gotInst, err := queryAll(ctx, d.read, "seed columns", `SELECT uid, workflow_id, "user", start_app_inst_id, end_app_inst_id,
		start_at, end_at, tasks FROM workflow_inst ORDER BY uid`, nil, func(r *sql.Rows) (instSeed, error) {
		var s instSeed
		err := r.Scan(&s.UID, &s.WorkflowID, &s.User, &s.Start, &s.End, &s.StartAt, &s.EndAt, &s.Tasks)
		return s, err
	})
	if err != nil || !reflect.DeepEqual(gotInst, wantInst) {
		t.Errorf("workflow_inst seed columns (%v):\n got %+v\nwant %+v", err, gotInst, wantInst)
	}
	type nodeSeed struct {
		UID, WorkflowUID            int64
		NodeID, Desc                string
		Token, Data, StartAt, EndAt sql.NullString
	}
	wantNodes := []nodeSeed{
		{101, 100, "task-hook2", "new hook", text("tok-alpha"), text(`{"a":1}`), text("2024-01-15 10:30:05"), text("2024-01-15 10:30:05")},
		{102, 100, "task-end", "", sql.NullString{}, sql.NullString{}, text("2024-01-15 10:30:06"), text("2024-01-15 10:30:07")},
		{201, 200, "task-hook1", "old hook", text("tok-alpha"), text(`{"a":2}`), text("2024-07-15 11:30:05"), text("2024-07-15 11:30:05")},
		{202, 200, "task-approve", "v1 approval", sql.NullString{}, sql.NullString{}, text("2024-07-15 11:30:05"), sql.NullString{}},
		{301, 300, "task-hook2", "new hook", text("tok-alpha"), text(`{"a":3}`), text("2024-07-15 11:30:05"), text("2024-07-15 11:30:05")},
		{401, 400, "task-cron", "", sql.NullString{}, text(`{"slot":5000}`), text("2024-07-15 11:30:05"), text("2024-07-15 11:30:05")},
	}
	gotNodes, err := queryAll(ctx, d.read, "seed columns", `SELECT uid, workflow_uid, node_id, "desc", trigger_token, trigger_data,
		start_at, end_at FROM node_inst ORDER BY uid`, nil, func(r *sql.Rows) (nodeSeed, error) {
		var s nodeSeed
		err := r.Scan(&s.UID, &s.WorkflowUID, &s.NodeID, &s.Desc, &s.Token, &s.Data, &s.StartAt, &s.EndAt)
		return s, err
	})
	if err != nil || !reflect.DeepEqual(gotNodes, wantNodes) {
		t.Errorf("node_inst seed columns (%v):\n got %+v\nwant %+v", err, gotNodes, wantNodes)
	}

	var mismatched int
	if err := d.read.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM workflow_inst WHERE id IS NOT uid) +
		(SELECT COUNT(*) FROM node_inst WHERE id IS NOT uid)`).Scan(&mismatched); err != nil || mismatched != 0 {
		t.Errorf("%d migrated rows whose id is not their uid (%v)", mismatched, err)
	}

	// The store writes on the migrated database, and the foreign keys of the
	// untouched tables (task_inst, job, variable) follow the rebuilt ones: deleting
	// proc-alpha cascades to everything of its instances and versions.
	start := summer + 60_000
	fresh := &engine.Instance{ID: 500, ProcessID: "proc-alpha", Version: 2, Status: engine.StatusRunning, TriggerApp: "webhook",
		Trigger: map[string]any{"a": 5}, StartAt: start, CreateAt: start, UpdateAt: start}
	hook := &engine.NodeRun{ID: 501, InstanceID: 500, TaskID: "task-hook2", Template: "webhook", Status: engine.StatusDone,
		Output: fresh.Trigger, StartAt: start, EndAt: start, CreateAt: start, UpdateAt: start}
	if err := d.CommitStep(ctx, &engine.Step{Instance: fresh, New: true, Nodes: []*engine.NodeRun{hook}}); err != nil {
		t.Fatal(err)
	}
	if err := d.DeleteProcess(ctx, "proc-alpha", true, "admin"); err != nil {
		t.Fatal(err)
	}
	left := tableCounts(t, d.read)
	for table, want := range map[string]int{"workflow": 2, "workflow_version": 0, "workflow_inst": 1, "node_inst": 1,
		"task_inst": 0, "identity_link": 0, "job": 0, "variable": 0, "cron_fire": 1} {
		if left[table] != want {
			t.Errorf("after deleting proc-alpha, %s has %d rows, want %d", table, left[table], want)
		}
	}
	if err := foreignKeyCheck(ctx, d.read); err != nil {
		t.Error(err)
	}
}

// TestRebuildRefusesDanglingRows: a rebuild migration that would leave a row pointing
// at nothing fails and changes nothing (a runtime whose instance is missing, written
// while foreign keys were off).
func TestRebuildRefusesDanglingRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	previousRelease(t, path)
	conn, err := connect(path, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(t.Context(), `PRAGMA foreign_keys = OFF`); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(t.Context(), `INSERT INTO job (id, kind, workflow_inst_uid, due_at, create_at, update_at) VALUES (801, 'timer', 999, 0, 0, 0)`); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	_, err = OpenFile(t.Context(), path, Options{}, discard())
	if err == nil || !strings.Contains(err.Error(), "foreign_key_check") {
		t.Fatalf("open = %v, want a foreign_key_check failure", err)
	}
	ro, err := connect(path, true)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	var v int
	if err := ro.QueryRowContext(t.Context(), `SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil || v != 6 {
		t.Errorf("schema version %d after the failed migration, want 6 (%v)", v, err)
	}
	if cols := columnTypes(t, ro, "workflow"); cols["creator"] == "" {
		t.Error("the failed migration changed workflow")
	}
}
