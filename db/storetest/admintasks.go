package storetest

import (
	"slices"
	"time"

	"flowcraft/engine"
)

func (f *fixture) wantAdminTasks(what string, flt engine.AdminTaskFilter, want ...*engine.HumanTask) {
	f.Helper()
	if flt.Limit == 0 {
		flt.Limit = 50
	}
	list, total, err := f.s.AdminTasks(f.ctx, flt)
	f.must(err, "admin tasks")
	if list == nil {
		f.Error("the admin's task list is a list, never nil")
	}
	got, wantIDs := ids(list, taskID), ids(want, taskID)
	if !slices.Equal(got, wantIDs) || total != len(want) {
		f.Errorf("%s: %v (total %d), want %v", what, got, total, wantIDs)
	}
}

// testAdminTasks: every open task, by user (assignee or candidate), group, process,
// overdue and orphaned (assigned to a disabled or deleted user).
func testAdminTasks(f *fixture) {
	a, b := f.process("proc-aaaaaaaa"), f.process("proc-bbbbbbbb")
	ra, na := f.approval(a.ID)
	rb, nb := f.approval(b.ID)
	f.user("ann", engine.RoleUser)
	gone := f.user("gone", engine.RoleUser)
	f.user("off", engine.RoleUser)
	assigned := f.task(ra, na, 1*time.Second, func(t *engine.HumanTask) { t.Assignee = "ann" })
	candidate := f.task(ra, na, 2*time.Second, candidates([]string{"ann"}), func(t *engine.HumanTask) { t.DueAt = ms(time.Minute) })
	group := f.task(rb, nb, 3*time.Second, candidates(nil, "g1"), func(t *engine.HumanTask) { t.DueAt = ms(time.Hour) })
	ofGone := f.task(rb, nb, 4*time.Second, candidates(nil, "g1"), func(t *engine.HumanTask) { t.Assignee = gone.ID })
	ofOff := f.task(ra, na, 5*time.Second, func(t *engine.HumanTask) { t.Assignee = "off" })
	f.task(ra, na, 6*time.Second, candidates([]string{"ann"}), func(t *engine.HumanTask) {
		t.Status, t.CompletedBy, t.Assignee, t.EndAt = engine.TaskDone, "ann", "ann", ms(7*time.Second)
	})

	f.wantAdminTasks("every open task, newest first", engine.AdminTaskFilter{}, ofOff, ofGone, group, candidate, assigned)
	f.wantAdminTasks("ann's (assignee or candidate)", engine.AdminTaskFilter{User: "ann"}, candidate, assigned)
	f.wantAdminTasks("g1's", engine.AdminTaskFilter{Group: "g1"}, ofGone, group)
	f.wantAdminTasks("ann's with her group g1", engine.AdminTaskFilter{User: "ann", UserGroups: []string{"g1", "g9"}}, ofGone, group, candidate, assigned)
	f.wantAdminTasks("of one process", engine.AdminTaskFilter{ProcessID: b.ID}, ofGone, group)
	f.wantAdminTasks("overdue at base+30m", engine.AdminTaskFilter{Overdue: true, Now: ms(30 * time.Minute)}, candidate)
	f.wantAdminTasks("overdue at base+2h", engine.AdminTaskFilter{Overdue: true, Now: ms(2 * time.Hour)}, group, candidate)
	f.wantAdminTasks("none orphaned while everyone is active", engine.AdminTaskFilter{Orphaned: true})

	off, err := f.s.GetUser(f.ctx, "off")
	f.must(err, "get off")
	off.Disabled = true
	f.must(f.s.UpdateUser(f.ctx, off, ""), "disable off")
	f.must(f.s.DeleteUser(f.ctx, gone.ID), "delete gone")
	f.wantAdminTasks("orphaned: of a disabled and of a deleted user", engine.AdminTaskFilter{Orphaned: true}, ofOff, ofGone)
	f.wantAdminTasks("orphaned and of g1", engine.AdminTaskFilter{Orphaned: true, Group: "g1"}, ofGone)
	page, total, err := f.s.AdminTasks(f.ctx, engine.AdminTaskFilter{Page: engine.Page{Limit: 2, Offset: 1}})
	f.must(err, "a page")
	if got, want := ids(page, taskID), ids([]*engine.HumanTask{ofGone, group}, taskID); !slices.Equal(got, want) || total != 5 {
		f.Errorf("the second and third of five: %v (total %d), want %v (total 5)", got, total, want)
	}
}

// testDoneSearch: the done list by the instance's business key and variables, the
// task's end time range and outcome.
func testDoneSearch(f *fixture) {
	p := f.process("proc-aaaaaaaa")
	var tasks []*engine.HumanTask
	for i, row := range []struct {
		key     string
		days    int64
		outcome string
	}{{"LEAVE-1", 2, "approve"}, {"LEAVE-2", 5, "reject"}, {"", 9, "approve"}} {
		r := f.newInstance(p.ID, engine.StatusWaiting, 0)
		r.in.BusinessKey = row.key
		days, err := engine.NewVariable(engine.Variable{Name: "days", Value: row.days}, 0)
		f.must(err, "days")
		n := &engine.NodeRun{ID: f.id(), InstanceID: r.in.ID, TaskID: "task-ap", Name: "approve", Template: "approval",
			Status: engine.StatusWaiting, CreateAt: ms(0), UpdateAt: ms(0)}
		r.nodes = append(r.nodes, n)
		f.must(f.s.CommitStep(f.ctx, &engine.Step{Instance: r.in, New: true, Nodes: r.nodes, Vars: map[string]*engine.Variable{"days": days}}), "commit")
		end := ms(time.Duration(i+1) * time.Hour)
		tasks = append(tasks, f.task(r, n, 0, func(t *engine.HumanTask) {
			t.Status, t.CompletedBy, t.Assignee, t.Outcome, t.EndAt = engine.TaskDone, "ann", "ann", row.outcome, end
		}))
	}
	done := func(flt engine.InboxFilter) engine.InboxFilter {
		flt.User, flt.Status = "ann", engine.TaskDone
		return flt
	}
	f.wantInbox("every done task, last done first", done(engine.InboxFilter{}), tasks[2], tasks[1], tasks[0])
	f.wantInbox("by business key", done(engine.InboxFilter{BusinessKey: "LEAVE-2"}), tasks[1])
	f.wantInbox("by outcome", done(engine.InboxFilter{Outcome: "approve"}), tasks[2], tasks[0])
	f.wantInbox("by variable", done(engine.InboxFilter{Variables: []engine.VarCondition{{Name: "days", Operation: engine.OpGreaterThan, Value: 3.0}}}),
		tasks[2], tasks[1])
	f.wantInbox("by end time range", done(engine.InboxFilter{EndedAfter: ms(2 * time.Hour), EndedBefore: ms(2 * time.Hour)}), tasks[1])
	f.wantInbox("everything together", done(engine.InboxFilter{Outcome: "approve", EndedAfter: ms(30 * time.Minute),
		Variables: []engine.VarCondition{{Name: "days", Operation: engine.OpLessThan, Value: 3.0}}}), tasks[0])
	_, _, err := f.s.Inbox(f.ctx, done(engine.InboxFilter{Page: engine.Page{Limit: 10},
		Variables: []engine.VarCondition{{Name: "days", Operation: "near", Value: 3.0}}}))
	f.wantErr(err, engine.ErrInvalid, "an unknown operation")
}
