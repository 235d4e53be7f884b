package storetest

import (
	"time"

	"flowcraft/engine"
	"flowcraft/engine/cron"
)

func testCronSlots(f *fixture) {
	cronProc := func(enabled bool) func(*engine.Process) {
		return func(p *engine.Process) {
			p.TriggerApp, p.Enabled = "cron-timer", enabled
			p.Tasks[0].Template = "cron-timer"
			p.Tasks[0].Parameters = map[string]*engine.Parameter{"cron": {Value: "* * * * *"}}
		}
	}
	f.process("proc-cron0001", cronProc(true))
	f.process("proc-cron0002", cronProc(false))
	f.process("proc-manual01")
	list, err := f.s.CronProcesses(f.ctx)
	if err != nil || len(list) != 1 || list[0].ID != "proc-cron0001" || len(list[0].Tasks) != 1 ||
		list[0].Tasks[0].Parameters["cron"].Value != "* * * * *" {
		f.Fatalf("cron processes: %+v %v", list, err)
	}

	pid := "proc-cron0001"
	t0 := base
	if _, ok, err := f.s.LastSlot(f.ctx, pid); ok || err != nil {
		f.Fatalf("last slot of a process that never fired: %v %v", ok, err)
	}
	// A slot is claimed once, whoever asks.
	for i, tc := range []struct {
		slot  time.Time
		owner string
		want  bool
	}{
		{t0, "node-1", true}, {t0, "node-2", false}, {t0, "node-1", false}, {t0.Add(time.Minute), "node-2", true},
	} {
		ok, err := f.s.ClaimSlot(f.ctx, pid, tc.slot, tc.owner, t0)
		if err != nil || ok != tc.want {
			f.Fatalf("claim %d: %v %v, want %v", i, ok, err, tc.want)
		}
	}
	_, err = f.s.ClaimSlot(f.ctx, "proc-missing0", t0, "node-1", t0)
	f.wantErr(err, engine.ErrNotFound, "claim for an unknown process")
	f.must(f.s.FinishSlot(f.ctx, pid, t0, cron.SlotStarted, 77, ""), "finish")
	f.must(f.s.FinishSlot(f.ctx, pid, t0.Add(time.Minute), cron.SlotFailed, 0, "disabled"), "finish as failed")
	slots, err := f.s.CronSlots(f.ctx, pid)
	if err != nil || len(slots) != 2 || slots[0].InstanceID != 77 || slots[0].Status != cron.SlotStarted || slots[0].Owner != "node-1" ||
		!slots[0].SlotAt.Equal(t0) || slots[0].ProcessID != pid || slots[1].Status != cron.SlotFailed || slots[1].InstanceID != 0 ||
		slots[1].Error != "disabled" || slots[1].Owner != "node-2" {
		f.Fatalf("slots %+v %v", slots, err)
	}
	if last, ok, err := f.s.LastSlot(f.ctx, pid); !ok || err != nil || !last.Equal(t0.Add(time.Minute)) {
		f.Errorf("last slot %v %v %v", last, ok, err)
	}

	// Pruning keeps the latest slot of each process.
	other := "proc-cron0002"
	if ok, err := f.s.ClaimSlot(f.ctx, other, t0, "node-1", t0); !ok || err != nil {
		f.Fatalf("claim for a second process: %v %v", ok, err)
	}
	if n, err := f.s.PruneSlots(f.ctx, t0.Add(time.Hour)); err != nil || n != 1 {
		f.Errorf("pruned %d %v, want 1", n, err)
	}
	if last, _, _ := f.s.LastSlot(f.ctx, pid); !last.Equal(t0.Add(time.Minute)) {
		f.Errorf("the latest slot was pruned: %v", last)
	}
	if last, ok, _ := f.s.LastSlot(f.ctx, other); !ok || !last.Equal(t0) {
		f.Errorf("the only slot of a process was pruned: %v %v", last, ok)
	}

	// Overlap: only unfinished instances started by cron count.
	cronRun := func(st string) *run {
		r := f.newInstance(pid, st, 0)
		r.in.TriggerApp = "cron-timer"
		f.must(f.s.CommitStep(f.ctx, &engine.Step{Instance: r.in, New: true, Nodes: r.nodes}), "commit a cron instance")
		return r
	}
	cronRun(engine.StatusDone)
	f.instance(pid, engine.StatusRunning, 0) // started by hand
	if busy, err := f.s.UnfinishedCronInstance(f.ctx, pid); busy || err != nil {
		f.Errorf("busy %v %v with only a finished cron run and a manual one", busy, err)
	}
	for _, st := range []string{engine.StatusPending, engine.StatusRunning, engine.StatusWaiting, engine.StatusSuspended} {
		r := cronRun(st)
		if busy, err := f.s.UnfinishedCronInstance(f.ctx, pid); !busy || err != nil {
			f.Errorf("busy %v %v with a %s cron run", busy, err, st)
		}
		f.setStatus(r, engine.StatusCanceled)
	}
	if busy, err := f.s.UnfinishedCronInstance(f.ctx, pid); busy || err != nil {
		f.Errorf("busy %v %v once every cron run ended", busy, err)
	}

	// Slots go with their process.
	f.must(f.s.DeleteProcess(f.ctx, pid, true, "admin"), "delete the process")
	if slots, err := f.s.CronSlots(f.ctx, pid); err != nil || len(slots) != 0 {
		f.Errorf("slots of a deleted process: %v %v", slots, err)
	}
}
