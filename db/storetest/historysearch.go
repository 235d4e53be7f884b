package storetest

import (
	"slices"
	"time"

	"flowcraft/engine"
)

// testFinishedInstances: InstanceFilter.Finished keeps the ended instances, and
// EndedAfter/EndedBefore bound their end time (the UI's history search).
func testFinishedInstances(f *fixture) {
	p := f.process("proc-aaaaaaaa")
	ended := func(st string, at, end time.Duration) *run {
		r := f.newInstance(p.ID, st, at)
		r.in.EndAt = ms(end)
		f.must(f.s.CommitStep(f.ctx, &engine.Step{Instance: r.in, New: true, Nodes: r.nodes}), "commit "+st)
		return r
	}
	done := ended(engine.StatusDone, time.Hour, 2*time.Hour)
	failed := ended(engine.StatusFailed, 2*time.Hour, 3*time.Hour)
	canceled := ended(engine.StatusCanceled, 3*time.Hour, 5*time.Hour)
	f.instance(p.ID, engine.StatusRunning, 4*time.Hour)
	f.instance(p.ID, engine.StatusWaiting, 5*time.Hour)
	list := func(what string, flt engine.InstanceFilter, want ...*run) {
		f.Helper()
		flt.Limit = 10
		got, total, err := f.s.ListInstances(f.ctx, flt)
		f.must(err, what)
		wantIDs := ids(want, func(r *run) engine.ID { return r.in.ID })
		if gotIDs := ids(got, instID); !slices.Equal(gotIDs, wantIDs) || total != len(want) {
			f.Errorf("%s: %v (total %d), want %v", what, gotIDs, total, wantIDs)
		}
	}
	list("finished, newest first", engine.InstanceFilter{Finished: true}, canceled, failed, done)
	list("finished and failed", engine.InstanceFilter{Finished: true, Status: engine.StatusFailed}, failed)
	list("finished and running: none", engine.InstanceFilter{Finished: true, Status: engine.StatusRunning})
	list("ended from 3h", engine.InstanceFilter{Finished: true, EndedAfter: ms(3 * time.Hour)}, canceled, failed)
	list("ended before 3h", engine.InstanceFilter{EndedBefore: ms(3 * time.Hour)}, done)
	list("ended in [2h, 5h)", engine.InstanceFilter{EndedAfter: ms(2 * time.Hour), EndedBefore: ms(5 * time.Hour)}, failed, done)
}
