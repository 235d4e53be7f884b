package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Berlin for the time zone tests, whatever the machine has

	"flowcraft/engine"
)

// seedColumns are the columns of seed 000's three tables, by table, in the seed's order.
var seedColumns = map[string][]string{
	"workflow": {"id", "name", "user", "enabled", "desc", "trigger_app", "trigger_token", "start_app_inst_id",
		"end_app_inst_id", "engine", "tasks", "create_at", "update_at"},
	"workflow_inst": {"id", "uid", "p_uid", "workflow_id", "name", "user", "executor", "status", "trigger_data",
		"trigger_app", "start_at", "end_at", "start_app_inst_id", "end_app_inst_id", "engine", "tasks",
		"workflow_output", "cost", "create_at", "update_at"},
	"node_inst": {"id", "uid", "workflow_uid", "execution_uid", "index", "node_id", "name", "desc", "template",
		"trigger_token", "trigger_data", "task", "status", "execute_ip", "start_at", "end_at", "cost", "create_at",
		"update_at"},
}

// columnTypes reads PRAGMA table_info: column name → declared type.
func columnTypes(t *testing.T, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, table string) map[string]string {
	t.Helper()
	rows, err := q.QueryContext(context.Background(), `SELECT name, type FROM pragma_table_info(?)`, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols := map[string]string{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			t.Fatal(err)
		}
		cols[name] = typ
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return cols
}

// TestSeedTablesHaveEverySeedColumn: PRAGMA table_info of workflow, workflow_inst and
// node_inst lists every column of seed 000 under its name, with flowcraft's own beside.
func TestSeedTablesHaveEverySeedColumn(t *testing.T) {
	d := openTest(t)
	for _, tc := range []struct {
		table string
		ints  []string // seed columns that are integers (ids, counts, times in ms)
		own   []string // some of flowcraft's own columns, kept beside
	}{
		{"workflow", []string{"id", "enabled", "create_at", "update_at"}, []string{"proc_id", "version", "metadata"}},
		{"workflow_inst", []string{"id", "uid", "p_uid", "workflow_id", "cost", "create_at", "update_at"}, []string{"start_at_ms", "end_at_ms", "rev", "workflow_version"}},
		{"node_inst", []string{"id", "uid", "workflow_uid", "index", "cost", "create_at", "update_at"}, []string{"attempt", "input", "output", "start_at_ms", "rev"}},
	} {
		t.Run(tc.table, func(t *testing.T) {
			cols := columnTypes(t, d.read, tc.table)
			for _, c := range seedColumns[tc.table] {
				typ, ok := cols[c]
				if !ok {
					t.Errorf("%s has no seed column %q (columns: %v)", tc.table, c, cols)
					continue
				}
				want := "TEXT"
				if slices.Contains(tc.ints, c) {
					want = "INTEGER"
				}
				if typ != want {
					t.Errorf("%s.%s is %s, want %s", tc.table, c, typ, want)
				}
			}
			for _, c := range tc.own {
				if _, ok := cols[c]; !ok {
					t.Errorf("%s lost flowcraft's column %q", tc.table, c)
				}
			}
		})
	}
}

func webhookProcess(id, token string) *engine.Process {
	return &engine.Process{ID: id, Name: "Leave", Description: "leave approval", StartTaskInstID: "task-hook",
		EndTaskInstID: "task-end", Engine: engine.EngineStandard, Enabled: true, Creator: "alice", Version: 1,
		TriggerApp: "webhook", TriggerToken: token, InputDataSchema: json.RawMessage(`{}`), OutputDataSchema: json.RawMessage(`{}`),
		Extension: json.RawMessage(`{}`), Metadata: json.RawMessage(`{}`), CreateAt: 1, UpdateAt: 1,
		Tasks: []*engine.Task{{InstID: "task-hook", Name: "hook", Description: "takes the request", Template: "webhook"}, {InstID: "task-end", Name: "end", Template: "end"}}}
}

// TestSeedColumnsWritten: a step writes the seed's columns: the definition's integer
// key, creator and trigger/end tasks on the instance, text times in the configured
// zone, the trigger runtime's token and data, the node that ran each runtime.
func TestSeedColumnsWritten(t *testing.T) {
	ctx := t.Context()
	shanghai := time.FixedZone("CST", 8*3600)
	d, err := Open(ctx, t.TempDir(), Options{Location: shanghai, Node: "node-7"}, discard())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close(context.Background()) })
	if err := d.InsertProcess(ctx, webhookProcess("proc-seedcols", "tok-123")); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2023, 12, 1, 10, 0, 0, 250e6, shanghai).UnixMilli()
	in := &engine.Instance{ID: 501, ProcessID: "proc-seedcols", Version: 1, Name: "Leave", Engine: engine.EngineStandard,
		Status: engine.StatusRunning, Executor: "bob", TriggerApp: "webhook", Trigger: map[string]any{"days": 3},
		StartAt: start, CreateAt: start, UpdateAt: start}
	hook := &engine.NodeRun{ID: 502, InstanceID: 501, TaskID: "task-hook", Name: "hook", Template: "webhook",
		Status: engine.StatusDone, Incoming: in.Trigger, Output: in.Trigger, StartAt: start, EndAt: start, CreateAt: start, UpdateAt: start,
		Input: map[string]any{"respond": "immediate", "secret": engine.Redacted}}
	end := &engine.NodeRun{ID: 503, InstanceID: 501, TaskID: "task-end", Name: "end", Template: "end",
		Status: engine.StatusPending, CreateAt: start, UpdateAt: start}
	if err := d.CommitStep(ctx, &engine.Step{Instance: in, New: true, Nodes: []*engine.NodeRun{hook, end}}); err != nil {
		t.Fatal(err)
	}

	var wfID int64
	if err := d.read.QueryRowContext(ctx, `SELECT id FROM workflow WHERE proc_id = 'proc-seedcols'`).Scan(&wfID); err != nil {
		t.Fatal(err)
	}
	type instRow struct {
		WorkflowID                 int64
		User, Executor, Start, End string
		EndAt, Tasks               sql.NullString
		StartAt                    sql.NullString
		StartMs                    int64
	}
	readInst := func() instRow {
		var r instRow
		if err := d.read.QueryRowContext(ctx, `SELECT workflow_id, "user", executor, start_app_inst_id, end_app_inst_id,
			end_at, tasks, start_at, start_at_ms FROM workflow_inst WHERE uid = 501`).Scan(&r.WorkflowID, &r.User, &r.Executor,
			&r.Start, &r.End, &r.EndAt, &r.Tasks, &r.StartAt, &r.StartMs); err != nil {
			t.Fatal(err)
		}
		return r
	}
	got := readInst()
	want := instRow{WorkflowID: wfID, User: "alice", Executor: "bob", Start: "task-hook", End: "task-end",
		StartAt: sql.NullString{String: "2023-12-01 10:00:00", Valid: true}, StartMs: start}
	if got != want {
		t.Errorf("workflow_inst row = %+v, want %+v", got, want)
	}

	type nodeRow struct {
		NodeID, WorkflowUID, Desc                   string
		Token, Data, Task, Exec, IP, StartAt, EndAt sql.NullString
	}
	readNodes := func() []nodeRow {
		rows, err := d.read.QueryContext(ctx, `SELECT node_id, workflow_uid, "desc", trigger_token, trigger_data, task, execution_uid,
			execute_ip, start_at, end_at FROM node_inst WHERE workflow_uid = 501 ORDER BY uid`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var list []nodeRow
		for rows.Next() {
			var r nodeRow
			if err := rows.Scan(&r.NodeID, &r.WorkflowUID, &r.Desc, &r.Token, &r.Data, &r.Task, &r.Exec, &r.IP, &r.StartAt, &r.EndAt); err != nil {
				t.Fatal(err)
			}
			list = append(list, r)
		}
		return list
	}
	text := func(s string) sql.NullString { return sql.NullString{String: s, Valid: true} }
	wantNodes := []nodeRow{
		{NodeID: "task-hook", WorkflowUID: "501", Desc: "takes the request", Token: text("tok-123"), Data: text(`{"days":3}`), IP: text("node-7"),
			StartAt: text("2023-12-01 10:00:00"), EndAt: text("2023-12-01 10:00:00"), Task: text(`{"respond":"immediate","secret":"` + engine.Redacted + `"}`)},
		{NodeID: "task-end", WorkflowUID: "501", IP: text("node-7")},
	}
	if got := readNodes(); !reflect.DeepEqual(got, wantNodes) {
		t.Errorf("node_inst rows =\n%+v\nwant\n%+v", got, wantNodes)
	}

	// The instance and its end runtime finish: end_at follows, in the same zone.
	later := start + 61_000
	end.Status, end.StartAt, end.EndAt, end.UpdateAt = engine.StatusDone, later, later, later
	end.Input = map[string]any{"output": "ok"} // the resolved parameters: column task
	in.Status, in.EndAt, in.Cost, in.UpdateAt = engine.StatusDone, later, later-start, later
	if err := d.CommitStep(ctx, &engine.Step{Instance: in, Nodes: []*engine.NodeRun{end}}); err != nil {
		t.Fatal(err)
	}
	if got := readInst(); got.EndAt != text("2023-12-01 10:01:01") {
		t.Errorf("workflow_inst.end_at = %+v, want 2023-12-01 10:01:01", got.EndAt)
	}
	if got := readNodes(); got[1].StartAt != text("2023-12-01 10:01:01") || got[1].EndAt != text("2023-12-01 10:01:01") {
		t.Errorf("end runtime times = %v, %v; want 2023-12-01 10:01:01", got[1].StartAt, got[1].EndAt)
	} else if got[1].Task != text(`{"output":"ok"}`) {
		t.Errorf("end runtime's task = %v, want its resolved parameters", got[1].Task)
	}

	// id is the seed's integer row id: the snowflake again (migration 0007).
	var mismatched int
	if err := d.read.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM workflow_inst WHERE id IS NOT uid) +
		(SELECT COUNT(*) FROM node_inst WHERE id IS NOT uid)`).Scan(&mismatched); err != nil || mismatched != 0 {
		t.Errorf("%d rows whose id is not their uid (%v)", mismatched, err)
	}

	// The store reads back what the engine wrote, with the public process id.
	back, nodes, _, err := d.LoadInstance(ctx, 501)
	if err != nil {
		t.Fatal(err)
	}
	if back.ProcessID != "proc-seedcols" || back.StartAt != start || back.EndAt != later || len(nodes) != 2 || nodes[0].TaskID != "task-hook" {
		t.Errorf("LoadInstance = %+v, %d runtimes", back, len(nodes))
	}
	// An instance of an unknown process is refused (there is no workflow row to refer to).
	orphan := &engine.Instance{ID: 600, ProcessID: "proc-none", Version: 1, Status: engine.StatusRunning, StartAt: start, CreateAt: start, UpdateAt: start}
	if err := d.CommitStep(ctx, &engine.Step{Instance: orphan, New: true}); err == nil {
		t.Error("an instance of a process that does not exist was written")
	}
}

func TestSeedTimesText(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	st := newSeedTimes(berlin)
	for _, tc := range []struct {
		at   time.Time
		want any
	}{
		{time.Time{}, nil},
		{time.Date(2024, 1, 15, 9, 30, 5, 999e6, time.UTC), "2024-01-15 10:30:05"}, // CET, +1
		{time.Date(2024, 7, 15, 9, 30, 5, 0, time.UTC), "2024-07-15 11:30:05"},     // CEST, +2
	} {
		var ms int64
		if !tc.at.IsZero() {
			ms = tc.at.UnixMilli()
		}
		if got := st.text(ms); got != tc.want {
			t.Errorf("text(%v) = %v, want %v", tc.at, got, tc.want)
		}
	}
	if got := newSeedTimes(nil).text(time.Date(2024, 7, 15, 9, 30, 5, 0, time.UTC).UnixMilli()); got != "2024-07-15 09:30:05" {
		t.Errorf("default zone: %v, want UTC", got)
	}
}

// openAt opens the store on a database file made elsewhere (the migration tests).
func openAt(t *testing.T, path string, opts Options) *Store {
	t.Helper()
	d, err := OpenFile(t.Context(), path, opts, discard())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close(context.Background()) })
	return d
}

// TestSeedColumnsFollowTheDefinition: what a new instance copies from its definition
// (trigger and end tasks of the version it runs, the webhook token) follows edits:
// a rotated token, a replaced definition, an instance of the earlier version.
func TestSeedColumnsFollowTheDefinition(t *testing.T) {
	ctx := t.Context()
	d := openTest(t)
	if err := d.InsertProcess(ctx, webhookProcess("proc-follow", "tok-1")); err != nil {
		t.Fatal(err)
	}
	next := engine.ID(700)
	start := func(version int, task string) (startApp, endApp string, token sql.NullString) {
		t.Helper()
		next += 10
		in := &engine.Instance{ID: next, ProcessID: "proc-follow", Version: version, Status: engine.StatusRunning,
			Trigger: map[string]any{}, StartAt: 1, CreateAt: 1, UpdateAt: 1}
		hook := &engine.NodeRun{ID: next + 1, InstanceID: next, TaskID: task, Status: engine.StatusDone, CreateAt: 1, UpdateAt: 1}
		if err := d.CommitStep(ctx, &engine.Step{Instance: in, New: true, Nodes: []*engine.NodeRun{hook}}); err != nil {
			t.Fatal(err)
		}
		if err := d.read.QueryRowContext(ctx, `SELECT i.start_app_inst_id, i.end_app_inst_id, n.trigger_token
			FROM workflow_inst i JOIN node_inst n ON n.workflow_uid = i.uid WHERE i.uid = ?`, next).Scan(&startApp, &endApp, &token); err != nil {
			t.Fatal(err)
		}
		return
	}
	if s, e, tok := start(1, "task-hook"); s != "task-hook" || e != "task-end" || tok.String != "tok-1" {
		t.Errorf("first instance: %s %s %v", s, e, tok)
	}
	if err := d.SetTriggerToken(ctx, "proc-follow", "tok-2", "admin"); err != nil {
		t.Fatal(err)
	}
	if _, _, tok := start(1, "task-hook"); tok.String != "tok-2" {
		t.Errorf("after the rotation the trigger runtime records %v, want tok-2", tok)
	}
	v2 := webhookProcess("proc-follow", "tok-2")
	v2.Version, v2.StartTaskInstID, v2.EndTaskInstID = 2, "task-hook-b", "task-end-b"
	if err := d.ReplaceProcess(ctx, v2, "alice"); err != nil {
		t.Fatal(err)
	}
	if s, e, _ := start(2, "task-hook-b"); s != "task-hook-b" || e != "task-end-b" {
		t.Errorf("an instance of version 2: %s %s", s, e)
	}
	if s, e, _ := start(1, "task-hook"); s != "task-hook" || e != "task-end" {
		t.Errorf("an instance of version 1 after the replace: %s %s", s, e)
	}
	if err := d.DeleteProcess(ctx, "proc-follow", true, "admin"); err != nil {
		t.Fatal(err)
	}
	in := &engine.Instance{ID: 900, ProcessID: "proc-follow", Version: 2, Status: engine.StatusRunning, StartAt: 1, CreateAt: 1, UpdateAt: 1}
	if err := d.CommitStep(ctx, &engine.Step{Instance: in, New: true}); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("an instance of a deleted process: %v, want ErrNotFound", err)
	}
}
