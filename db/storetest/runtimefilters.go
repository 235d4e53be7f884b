package storetest

import (
	"slices"
	"time"

	"flowcraft/engine"
)

// testRuntimeFilters: InstanceFilter.Unfinished, ID and Version (seed 003's runtime
// case instances), alone and with variable conditions, whichever side drives the
// count (many ended instances and few unfinished ones, or a rare variable value);
// the tenantId sort.
func testRuntimeFilters(f *fixture) {
	a := f.process("proc-aaaaaaaa")
	commit := func(at time.Duration, status string, version int, tenant string, days int64, name string) *run {
		f.Helper()
		r := f.newInstance(a.ID, status, at)
		r.in.Version, r.in.TenantID = version, tenant
		f.must(f.s.CommitStep(f.ctx, &engine.Step{Instance: r.in, New: true, Nodes: r.nodes, Vars: map[string]*engine.Variable{
			"days": {Name: "days", Type: engine.VarInteger, Value: days},
			"name": {Name: "name", Type: engine.VarString, Value: name},
		}}), "commit")
		return r
	}
	var ended []*run
	for i := range 30 {
		ended = append(ended, commit(time.Duration(i)*time.Second, engine.StatusDone, 1, "", 5, "many"))
	}
	run1 := commit(time.Minute, engine.StatusRunning, 1, "b", 5, "many")
	wait2 := commit(2*time.Minute, engine.StatusWaiting, 2, "a", 2, "rare")
	susp := commit(3*time.Minute, engine.StatusSuspended, 2, "", 9, "many")
	failed := commit(4*time.Minute, engine.StatusFailed, 2, "", 9, "rare")

	totals := map[string]int{"unfinished, paged": 3, "all, days > 3": 33, "all, days = 5, run1 ended": 31}
	list := func(what string, flt engine.InstanceFilter, want ...*run) {
		f.Helper()
		wantTotal := len(want)
		if flt.Limit == 0 {
			flt.Limit = 100
		} else if n, ok := totals[what]; ok {
			wantTotal = n
		}
		got, total, err := f.s.ListInstances(f.ctx, flt)
		f.must(err, what)
		wantIDs := ids(want, func(r *run) engine.ID { return r.in.ID })
		if gotIDs := ids(got, instID); !slices.Equal(gotIDs, wantIDs) || total != wantTotal {
			f.Errorf("%s: %v (total %d), want %v", what, gotIDs, total, wantIDs)
		}
	}
	days := func(op string, v int64) []engine.VarCondition {
		return []engine.VarCondition{{Name: "days", Operation: op, Value: v}}
	}
	list("unfinished", engine.InstanceFilter{Unfinished: true}, susp, wait2, run1)
	list("unfinished, paged", engine.InstanceFilter{Unfinished: true, Page: engine.Page{Limit: 1, Offset: 1}}, wait2)
	list("unfinished, days > 3 (few instances drive)", engine.InstanceFilter{Unfinished: true, Variables: days(engine.OpGreaterThan, 3)}, susp, run1)
	list("unfinished, days = 5", engine.InstanceFilter{Unfinished: true, Variables: days(engine.OpEquals, 5)}, run1)
	list("unfinished, name = rare (the variable drives)", engine.InstanceFilter{Unfinished: true,
		Variables: []engine.VarCondition{{Name: "name", Operation: engine.OpEquals, Value: "rare"}}}, wait2)
	list("unfinished, two conditions", engine.InstanceFilter{Unfinished: true, Variables: append(days(engine.OpGreaterThan, 1),
		engine.VarCondition{Name: "name", Operation: engine.OpEquals, Value: "many"})}, susp, run1)
	list("unfinished, any variable equals rare", engine.InstanceFilter{Unfinished: true,
		Variables: []engine.VarCondition{{Operation: engine.OpEquals, Value: "rare"}}}, wait2)
	list("all, days > 3", engine.InstanceFilter{Variables: days(engine.OpGreaterThan, 3), Page: engine.Page{Limit: 2}}, failed, susp)
	list("id", engine.InstanceFilter{ID: wait2.in.ID}, wait2)
	list("id, unfinished", engine.InstanceFilter{ID: failed.in.ID, Unfinished: true})
	list("id, with a variable", engine.InstanceFilter{ID: run1.in.ID, Variables: days(engine.OpEquals, 5)}, run1)
	list("version", engine.InstanceFilter{ProcessID: a.ID, Version: 2}, failed, susp, wait2)
	list("version, unfinished", engine.InstanceFilter{ProcessID: a.ID, Version: 2, Unfinished: true}, susp, wait2)
	list("unfinished by tenant", engine.InstanceFilter{Unfinished: true, Page: engine.Page{Sort: "tenantId", Limit: 10}}, susp, wait2, run1)
	list("unfinished by tenant, descending", engine.InstanceFilter{Unfinished: true, Page: engine.Page{Sort: "tenantId", Desc: true, Limit: 10}}, run1, wait2, susp)
	if len(ended) != 30 {
		f.Fatal("ended")
	}
	// An instance that ends in a step writing no variable leaves the runtime queries
	// by variable; one that runs again (a retry) comes back.
	run1.in.Status = engine.StatusDone
	f.must(f.s.CommitStep(f.ctx, &engine.Step{Instance: run1.in}), "end run1")
	list("unfinished, days = 5, run1 ended", engine.InstanceFilter{Unfinished: true, Variables: days(engine.OpEquals, 5)})
	list("unfinished, days > 3, run1 ended", engine.InstanceFilter{Unfinished: true, Variables: days(engine.OpGreaterThan, 3)}, susp)
	list("all, days = 5, run1 ended", engine.InstanceFilter{Variables: days(engine.OpEquals, 5), Page: engine.Page{Limit: 1}}, run1)
	run1.in.Status = engine.StatusRunning
	f.must(f.s.CommitStep(f.ctx, &engine.Step{Instance: run1.in}), "run run1 again")
	list("unfinished, days = 5, run1 again", engine.InstanceFilter{Unfinished: true, Variables: days(engine.OpEquals, 5)}, run1)
}
