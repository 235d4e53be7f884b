package storetest

import (
	"fmt"
	"slices"
	"time"

	"flowcraft/engine"
)

// testInstanceLinks: identity links added to instances, and InstanceFilter.InvolvedUser
// (the starter, a linked user, a task's assignee or completer).
func testInstanceLinks(f *fixture) {
	a := f.process("proc-aaaaaaaa")
	r1 := f.instance(a.ID, engine.StatusRunning, 1)
	r2 := f.instance(a.ID, engine.StatusRunning, 2)
	r3, n3 := f.approval(a.ID)
	f.task(r3, n3, 3, func(t *engine.HumanTask) { t.Assignee = "erin" })
	r4, n4 := f.approval(a.ID)
	f.task(r4, n4, 4, func(t *engine.HumanTask) { t.Status, t.CompletedBy = engine.TaskDone, "fay" })

	if got, err := f.s.InstanceLinks(f.ctx, r1.in.ID); err != nil || len(got) != 0 {
		f.Errorf("no links yet: %v %v", got, err)
	}
	f.must(f.s.AddInstanceLink(f.ctx, r1.in.ID, engine.InstanceLink{UserID: "kermit", Type: "participant", CreateAt: ms(5 * time.Second)}), "add")
	f.must(f.s.AddInstanceLink(f.ctx, r1.in.ID, engine.InstanceLink{UserID: "kermit", Type: "participant", CreateAt: ms(6 * time.Second)}), "add again")
	f.must(f.s.AddInstanceLink(f.ctx, r1.in.ID, engine.InstanceLink{UserID: "gonzo", Type: "watcher", CreateAt: ms(7 * time.Second)}), "add another type")
	got, err := f.s.InstanceLinks(f.ctx, r1.in.ID)
	if err != nil || fmt.Sprint(got) != fmt.Sprint([]engine.InstanceLink{{UserID: "kermit", Type: "participant", CreateAt: ms(5 * time.Second)}, {UserID: "gonzo", Type: "watcher", CreateAt: ms(7 * time.Second)}}) {
		f.Errorf("links: %v %v", got, err)
	}
	_, err = f.s.InstanceLinks(f.ctx, 42)
	f.wantErr(err, engine.ErrNotFound, "links of an unknown instance")
	f.wantErr(f.s.AddInstanceLink(f.ctx, 42, engine.InstanceLink{UserID: "kermit", Type: "participant"}), engine.ErrNotFound, "link to an unknown instance")
	f.wantErr(f.s.RemoveInstanceLink(f.ctx, r1.in.ID, "kermit", "watcher"), engine.ErrNotFound, "remove a link that does not exist")

	involved := func(user string, want ...*run) {
		f.Helper()
		list, total, err := f.s.ListInstances(f.ctx, engine.InstanceFilter{InvolvedUser: user, Page: engine.Page{Limit: 10}})
		f.must(err, "involved "+user)
		wantIDs := ids(want, func(r *run) engine.ID { return r.in.ID })
		if gotIDs := ids(list, instID); !slices.Equal(gotIDs, wantIDs) || total != len(want) {
			f.Errorf("involved %s: %v (total %d), want %v", user, gotIDs, total, wantIDs)
		}
	}
	involved("kermit", r1)
	involved("gonzo", r1)
	involved("erin", r3)
	involved("fay", r4)
	involved("dora", r4, r3, r2, r1) // the starter of all
	involved("nobody")

	f.must(f.s.RemoveInstanceLink(f.ctx, r1.in.ID, "kermit", "participant"), "remove")
	involved("kermit")
	// Links go with their instance.
	f.setStatus(r1, engine.StatusDone)
	f.must(f.s.DeleteInstance(f.ctx, r1.in.ID), "delete the instance")
	involved("gonzo")
}
