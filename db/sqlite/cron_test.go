package sqlite

import (
	"context"
	"errors"
	"testing"
	"time"

	"flowcraft/engine"
)

func TestCronStore(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	cronProc := func(id string, enabled bool) *engine.Process {
		p := sampleProcess(id)
		p.TriggerApp, p.Enabled = "cron-timer", enabled
		p.Tasks[0].Template = "cron-timer"
		p.Tasks[0].Parameters = map[string]*engine.Parameter{"cron": {Value: "* * * * *"}}
		return p
	}
	for _, p := range []*engine.Process{cronProc("proc-cron0001", true), cronProc("proc-cron0002", false), sampleProcess("proc-manual01")} {
		if err := d.InsertProcess(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	list, err := d.CronProcesses(ctx)
	if err != nil || len(list) != 1 || list[0].ID != "proc-cron0001" || list[0].Tasks[0].Parameters["cron"].Value != "* * * * *" {
		t.Fatalf("cron processes: %v %v", list, err)
	}

	pid := "proc-cron0001"
	t0 := time.Date(2025, 3, 10, 10, 0, 0, 0, time.UTC)
	if _, ok, err := d.LastSlot(ctx, pid); ok || err != nil {
		t.Fatalf("last slot of a process that never fired: %v %v", ok, err)
	}
	// A slot is claimed once, whoever asks.
	for i, tc := range []struct {
		slot  time.Time
		owner string
		want  bool
	}{
		{t0, "node-1", true}, {t0, "node-2", false}, {t0, "node-1", false}, {t0.Add(time.Minute), "node-2", true},
	} {
		ok, err := d.ClaimSlot(ctx, pid, tc.slot, tc.owner, t0)
		if err != nil || ok != tc.want {
			t.Fatalf("claim %d: %v %v, want %v", i, ok, err, tc.want)
		}
	}
	if _, err := d.ClaimSlot(ctx, "proc-missing0", t0, "node-1", t0); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("claim for an unknown process: %v", err)
	}
	if err := d.FinishSlot(ctx, pid, t0, "started", 77, ""); err != nil {
		t.Fatal(err)
	}
	slots, err := d.CronSlots(ctx, pid)
	if err != nil || len(slots) != 2 || slots[0].InstanceID != 77 || slots[0].Status != "started" || slots[0].Owner != "node-1" ||
		slots[1].Status != "claimed" || slots[1].InstanceID != 0 {
		t.Fatalf("slots %+v %v", slots, err)
	}
	if last, ok, err := d.LastSlot(ctx, pid); !ok || err != nil || !last.Equal(t0.Add(time.Minute)) {
		t.Errorf("last slot %v %v %v", last, ok, err)
	}

	// Pruning keeps the latest slot of each process.
	if n, err := d.PruneSlots(ctx, t0.Add(time.Hour)); err != nil || n != 1 {
		t.Errorf("pruned %d %v, want 1", n, err)
	}
	if last, _, _ := d.LastSlot(ctx, pid); !last.Equal(t0.Add(time.Minute)) {
		t.Errorf("the latest slot was pruned: %v", last)
	}

	// Overlap: only unfinished instances started by cron count.
	now := t0.UnixMilli()
	for _, row := range []struct {
		uid          int
		status, from string
	}{{1, "done", "cron-timer"}, {2, "running", "manual"}} {
		if _, err := d.write.ExecContext(ctx, `INSERT INTO workflow_inst (uid, workflow_id, workflow_version, status, trigger_app, create_at, update_at)
			VALUES (?, ?, 1, ?, ?, ?, ?)`, row.uid, pid, row.status, row.from, now, now); err != nil {
			t.Fatal(err)
		}
	}
	if busy, err := d.UnfinishedCronInstance(ctx, pid); busy || err != nil {
		t.Errorf("busy %v %v with only a done cron run and a manual one", busy, err)
	}
	if _, err := d.write.ExecContext(ctx, `UPDATE workflow_inst SET status = 'waiting', trigger_app = 'cron-timer' WHERE uid = 2`); err != nil {
		t.Fatal(err)
	}
	if busy, err := d.UnfinishedCronInstance(ctx, pid); !busy || err != nil {
		t.Errorf("busy %v %v with a waiting cron run", busy, err)
	}

	// Slots go with their process.
	if err := d.DeleteProcess(ctx, pid, true, "admin"); err != nil {
		t.Fatal(err)
	}
	if slots, _ := d.CronSlots(ctx, pid); len(slots) != 0 {
		t.Errorf("slots of a deleted process: %v", slots)
	}
}
