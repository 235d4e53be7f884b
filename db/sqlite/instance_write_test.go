package sqlite

import (
	"errors"
	"strings"
	"testing"

	"flowcraft/engine"
)

// TestInstanceWriteKeepsOrChangesStatus: a step that keeps the instance's status
// (written without rewriting it) and one that changes it both store the instance
// with its rev advanced; a stale rev is a conflict either way; variable.open follows
// the status when the instance ends (migration 0017's trigger, with no IN list).
func TestInstanceWriteKeepsOrChangesStatus(t *testing.T) {
	d := openTest(t)
	ctx := t.Context()
	p := &engine.Process{ID: "proc-aaaaaaaa", Name: "sample", Version: 1, CreateAt: 1, UpdateAt: 1}
	if err := d.InsertProcess(ctx, p); err != nil {
		t.Fatal(err)
	}
	in := &engine.Instance{ID: 7, ProcessID: p.ID, Version: 1, Status: engine.StatusRunning, CreateAt: 1, UpdateAt: 1}
	if err := d.CommitStep(ctx, &engine.Step{Instance: in, New: true,
		Vars: map[string]*engine.Variable{"n": {Name: "n", Value: 1.0}}}); err != nil {
		t.Fatal(err)
	}
	row := func() (status, output string, endAt int64, end any, cost, rev int64, open int) {
		t.Helper()
		if err := d.read.QueryRowContext(ctx, `SELECT status, workflow_output, end_at_ms, end_at, cost, rev FROM workflow_inst WHERE uid = 7`).
			Scan(&status, &output, &endAt, &end, &cost, &rev); err != nil {
			t.Fatal(err)
		}
		d.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM variable WHERE workflow_inst_uid = 7 AND open = 1`).Scan(&open)
		return
	}
	// Same status: output, cost and rev change.
	in.Output, in.Cost, in.UpdateAt = map[string]any{"a": 1}, 5, 2
	if err := d.CommitStep(ctx, &engine.Step{Instance: in}); err != nil {
		t.Fatal(err)
	}
	if st, out, endAt, end, cost, rev, open := row(); st != "running" || out != `{"a":1}` || endAt != 0 || end != nil || cost != 5 || rev != 2 || open != 1 {
		t.Errorf("kept status: %s %s %d %v cost %d rev %d open %d", st, out, endAt, end, cost, rev, open)
	}
	// A stale rev with the same status is still a conflict.
	stale := *in
	stale.Rev = 0
	if err := d.CommitStep(ctx, &engine.Step{Instance: &stale}); !errors.Is(err, engine.ErrConflict) {
		t.Errorf("a stale step keeping the status: %v", err)
	}
	// The status and end time change: written, and the variables close.
	in.Status, in.EndAt, in.Cost = engine.StatusDone, 1_700_000_000_000, 9
	if err := d.CommitStep(ctx, &engine.Step{Instance: in}); err != nil {
		t.Fatal(err)
	}
	if st, _, endAt, end, cost, rev, open := row(); st != "done" || endAt != 1_700_000_000_000 || end == nil || cost != 9 || rev != 3 || open != 0 {
		t.Errorf("changed status: %s %d %v cost %d rev %d open %d", st, endAt, end, cost, rev, open)
	}
	// The same status again but a stale rev: a conflict, nothing written.
	stale = *in
	stale.Rev, stale.Cost = 1, 99
	if err := d.CommitStep(ctx, &engine.Step{Instance: &stale}); !errors.Is(err, engine.ErrConflict) {
		t.Errorf("a stale step after the end: %v", err)
	}
	if _, _, _, _, cost, rev, _ := row(); cost != 9 || rev != 3 {
		t.Errorf("a stale step wrote: cost %d rev %d", cost, rev)
	}
	// Retried (running again), the variables open again.
	in.Status, in.EndAt = engine.StatusRunning, 0
	if err := d.CommitStep(ctx, &engine.Step{Instance: in}); err != nil {
		t.Fatal(err)
	}
	if st, _, endAt, end, _, _, open := row(); st != "running" || endAt != 0 || end != nil || open != 1 {
		t.Errorf("running again: %s %d %v open %d", st, endAt, end, open)
	}
	// The store's guess of the row's status is stale (written behind its back): the
	// step is written all the same.
	if _, err := d.write.ExecContext(ctx, `UPDATE workflow_inst SET status = 'suspended' WHERE uid = 7`); err != nil {
		t.Fatal(err)
	}
	in.Cost = 11
	if err := d.CommitStep(ctx, &engine.Step{Instance: in}); err != nil {
		t.Fatal(err)
	}
	if st, _, _, _, cost, _, _ := row(); st != "running" || cost != 11 {
		t.Errorf("after a stale guess: %s cost %d", st, cost)
	}
	// The trigger tests statuses without an IN list (SQLite builds a temporary b-tree
	// for one at every run of an instance update).
	var sql string
	d.read.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE name = 'variable_open_follows_instance'`).Scan(&sql)
	if sql == "" || strings.Contains(sql, " IN (") {
		t.Errorf("trigger: %s", sql)
	}
}
