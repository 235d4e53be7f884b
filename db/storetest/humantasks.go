package storetest

import (
	"reflect"
	"slices"
	"time"

	"flowcraft/engine"
)

// approval commits an instance of pid waiting on an approval runtime.
func (f *fixture) approval(pid string) (*run, *engine.NodeRun) {
	f.Helper()
	r := f.newInstance(pid, engine.StatusWaiting, 0)
	n := &engine.NodeRun{ID: f.id(), InstanceID: r.in.ID, TaskID: "task-ap", Name: "approve", Template: "approval",
		Status: engine.StatusWaiting, CreateAt: ms(0), UpdateAt: ms(0)}
	r.nodes = append(r.nodes, n)
	f.must(f.s.CommitStep(f.ctx, &engine.Step{Instance: r.in, New: true, Nodes: r.nodes}), "commit an approval")
	return r, n
}

// task commits an open human task of an approval runtime, created at base+at;
// change, if given, edits it first.
func (f *fixture) task(r *run, n *engine.NodeRun, at time.Duration, change ...func(*engine.HumanTask)) *engine.HumanTask {
	f.Helper()
	t := &engine.HumanTask{ID: f.id(), NodeID: n.ID, InstanceID: r.in.ID, ProcessID: r.in.ProcessID, ProcessName: "sample",
		TaskID: n.TaskID, Name: "Approve", Content: "please", Outcomes: []string{"approve", "reject"}, Status: engine.TaskOpen,
		Priority: 50, CreateAt: ms(at)}
	for _, c := range change {
		c(t)
	}
	f.must(f.s.CommitStep(f.ctx, &engine.Step{HumanTasks: []*engine.HumanTask{t}}), "commit a human task")
	return t
}

func candidates(users []string, groups ...string) func(*engine.HumanTask) {
	return func(t *engine.HumanTask) { t.CandidateUsers, t.CandidateGroups = users, groups }
}

func testHumanTasks(f *fixture) {
	p := f.process("proc-aaaaaaaa")
	r, n := f.approval(p.ID)
	t := f.task(r, n, 0, candidates([]string{"ann", "bob"}, "hr"), func(t *engine.HumanTask) {
		t.Form = []engine.FormField{{Key: "days", Label: "Days", Type: "number", Required: true}}
		t.DueAt, t.Seq, t.Priority = ms(time.Hour), 2, 70
	})
	if t.Rev != 1 {
		f.Errorf("rev after the insert: %d", t.Rev)
	}
	got, err := f.s.GetHumanTask(f.ctx, t.ID)
	f.must(err, "get task")
	if got.NodeID != n.ID || got.InstanceID != r.in.ID || got.ProcessID != p.ID || got.ProcessName != "sample" || got.TaskID != "task-ap" ||
		got.Content != "please" || !slices.Equal(got.Outcomes, []string{"approve", "reject"}) || got.Status != engine.TaskOpen ||
		got.Priority != 70 || got.DueAt != ms(time.Hour) || got.Seq != 2 || got.Rev != 1 || got.CreateAt != ms(0) ||
		!slices.Equal(got.CandidateUsers, []string{"ann", "bob"}) || !slices.Equal(got.CandidateGroups, []string{"hr"}) ||
		len(got.Form) != 1 || got.Form[0].Key != "days" || !got.Form[0].Required || got.History == nil || len(got.History) != 0 {
		f.Errorf("round trip: %+v", got)
	}
	_, err = f.s.GetHumanTask(f.ctx, f.id())
	f.wantErr(err, engine.ErrNotFound, "get a missing task")

	// Claim: a write with a rev check.
	stale := *got
	got.Assignee, got.ClaimAt = "ann", ms(time.Minute)
	got.History = append(got.History, engine.TaskEvent{User: "ann", Action: "claim"})
	f.must(f.s.UpdateHumanTask(f.ctx, got), "claim")
	if got.Rev != 2 {
		f.Errorf("rev after an update: %d", got.Rev)
	}
	stale.Assignee = "bob"
	f.wantErr(f.s.UpdateHumanTask(f.ctx, &stale), engine.ErrConflict, "a claim from a stale copy")

	// Complete it within a step.
	got.Status, got.CompletedBy, got.Outcome, got.Comment, got.EndAt = engine.TaskDone, "ann", "approve", "ok", ms(2*time.Minute)
	got.FormData = map[string]any{"days": 3.0}
	f.must(f.s.CommitStep(f.ctx, &engine.Step{HumanTasks: []*engine.HumanTask{got}}), "complete in a step")
	done, err := f.s.GetHumanTask(f.ctx, t.ID)
	f.must(err, "get the completed task")
	if done.Status != engine.TaskDone || done.Assignee != "ann" || done.CompletedBy != "ann" || done.Outcome != "approve" ||
		done.Comment != "ok" || done.EndAt != ms(2*time.Minute) || done.ClaimAt != ms(time.Minute) || done.Rev != 3 ||
		!reflect.DeepEqual(done.FormData, map[string]any{"days": 3.0}) || len(done.History) != 1 || done.History[0].Action != "claim" {
		f.Errorf("completed: %+v", done)
	}

	other := f.task(r, n, time.Second)
	list, err := f.s.HumanTasksOfNodes(f.ctx, []engine.ID{n.ID, f.id()})
	if err != nil || !slices.Equal(ids(list, taskID), []engine.ID{t.ID, other.ID}) {
		f.Errorf("tasks of the runtime: %v %v", ids(list, taskID), err)
	}
	if list, err := f.s.HumanTasksOfNodes(f.ctx, nil); err != nil || len(list) != 0 {
		f.Errorf("tasks of no runtime: %v %v", list, err)
	}
}

// inbox lists task ids of a user's inbox.
func (f *fixture) inbox(flt engine.InboxFilter) ([]engine.ID, int) {
	f.Helper()
	if flt.Limit == 0 {
		flt.Limit = 50
	}
	list, total, err := f.s.Inbox(f.ctx, flt)
	f.must(err, "inbox")
	if list == nil {
		f.Error("an inbox is a list, never nil")
	}
	return ids(list, taskID), total
}

func (f *fixture) wantInbox(what string, flt engine.InboxFilter, want ...*engine.HumanTask) {
	f.Helper()
	got, total := f.inbox(flt)
	wantIDs := ids(want, taskID)
	if !slices.Equal(got, wantIDs) || total != len(want) {
		f.Errorf("%s: %v (total %d), want %v", what, got, total, wantIDs)
	}
}

func testInbox(f *fixture) {
	a, b := f.process("proc-aaaaaaaa"), f.process("proc-bbbbbbbb")
	ra, na := f.approval(a.ID)
	rb, nb := f.approval(b.ID)
	assigned := f.task(ra, na, 1*time.Second, func(t *engine.HumanTask) { t.Assignee = "ann" })
	asUser := f.task(ra, na, 2*time.Second, candidates([]string{"ann"}))
	asGroup := f.task(ra, na, 3*time.Second, candidates(nil, "g1"))
	otherGroup := f.task(ra, na, 4*time.Second, candidates(nil, "g2"))
	claimedByBob := f.task(ra, na, 5*time.Second, candidates([]string{"ann"}), func(t *engine.HumanTask) { t.Assignee = "bob" })
	otherProcess := f.task(rb, nb, 6*time.Second, candidates([]string{"ann"}, "g1"))
	doneByAnn := f.task(ra, na, 7*time.Second, candidates([]string{"ann"}), func(t *engine.HumanTask) {
		t.Status, t.CompletedBy, t.Assignee, t.EndAt = engine.TaskDone, "ann", "ann", ms(8*time.Second)
	})

	f.wantInbox("ann's open tasks, newest first", engine.InboxFilter{User: "ann", Groups: []string{"g1"}},
		otherProcess, asGroup, asUser, assigned)
	f.wantInbox("ann's open tasks of one process", engine.InboxFilter{User: "ann", Groups: []string{"g1"}, ProcessID: a.ID},
		asGroup, asUser, assigned)
	f.wantInbox("ann without her groups", engine.InboxFilter{User: "ann"}, otherProcess, asUser, assigned)
	f.wantInbox("bob's", engine.InboxFilter{User: "bob", Status: engine.TaskOpen}, claimedByBob)
	f.wantInbox("g2's member", engine.InboxFilter{User: "cid", Groups: []string{"g2", "g3"}}, otherGroup)
	f.wantInbox("ann's done tasks", engine.InboxFilter{User: "ann", Status: engine.TaskDone}, doneByAnn)
	f.wantInbox("bob's done tasks", engine.InboxFilter{User: "bob", Status: engine.TaskDone})

	// Bob gives his claim back: the task is open to its candidates again.
	claimedByBob.Assignee = ""
	f.must(f.s.UpdateHumanTask(f.ctx, claimedByBob), "unclaim")
	f.wantInbox("ann's open tasks of one process after bob's unclaim", engine.InboxFilter{User: "ann", ProcessID: a.ID},
		claimedByBob, asUser, assigned)
	// Ann completes a task she is a candidate of: it leaves every open inbox.
	asUser.Status, asUser.Assignee, asUser.CompletedBy, asUser.EndAt = engine.TaskDone, "ann", "ann", ms(9*time.Second)
	f.must(f.s.UpdateHumanTask(f.ctx, asUser), "complete")
	f.wantInbox("ann's open tasks after completing one", engine.InboxFilter{User: "ann", ProcessID: a.ID}, claimedByBob, assigned)
	f.wantInbox("ann's done tasks, last done first", engine.InboxFilter{User: "ann", Status: engine.TaskDone}, asUser, doneByAnn)
}

func testInboxPagingAndSorting(f *fixture) {
	p := f.process("proc-aaaaaaaa")
	r, n := f.approval(p.ID)
	var tasks []*engine.HumanTask
	for i, prio := range []int{30, 90, 10, 50, 70} {
		tasks = append(tasks, f.task(r, n, time.Duration(i)*time.Second, candidates([]string{"ann"}), func(t *engine.HumanTask) {
			t.Priority, t.DueAt = prio, ms(time.Duration(10-i)*time.Hour)
		}))
	}
	ann := func(pg engine.Page) engine.InboxFilter { return engine.InboxFilter{User: "ann", Page: pg} }
	got, total := f.inbox(ann(engine.Page{Limit: 2, Offset: 2}))
	if !slices.Equal(got, []engine.ID{tasks[2].ID, tasks[1].ID}) || total != 5 {
		f.Errorf("third and fourth newest: %v of %d", got, total)
	}
	f.wantInbox("by priority", ann(engine.Page{Sort: "priority"}), tasks[2], tasks[0], tasks[3], tasks[4], tasks[1])
	f.wantInbox("by priority, descending", ann(engine.Page{Sort: "priority", Desc: true}), tasks[1], tasks[4], tasks[3], tasks[0], tasks[2])
	f.wantInbox("by due time", ann(engine.Page{Sort: "dueAt"}), tasks[4], tasks[3], tasks[2], tasks[1], tasks[0])
	f.wantInbox("by due time (short name)", ann(engine.Page{Sort: "due"}), tasks[4], tasks[3], tasks[2], tasks[1], tasks[0])
	f.wantInbox("oldest first", ann(engine.Page{Sort: "createAt"}), tasks...)
	_, _, err := f.s.Inbox(f.ctx, ann(engine.Page{Limit: 10, Sort: "assignee"}))
	f.wantErr(err, engine.ErrInvalid, "sort the inbox by an unknown field")
}

func testApprovalEndClosesTasks(f *fixture) {
	p := f.process("proc-aaaaaaaa")
	r, n := f.approval(p.ID)
	open1 := f.task(r, n, time.Second, candidates([]string{"ann"}))
	open2 := f.task(r, n, 2*time.Second, candidates(nil, "g1"))
	done := f.task(r, n, 3*time.Second, func(t *engine.HumanTask) {
		t.Assignee, t.Status, t.CompletedBy, t.Outcome, t.EndAt = "bob", engine.TaskDone, "bob", "approve", ms(4*time.Second)
	})
	f.wantInbox("before the approval ends", engine.InboxFilter{User: "ann", Groups: []string{"g1"}}, open2, open1)

	// The approval runtime stops waiting: its open tasks are canceled.
	n.Status, n.EndAt, n.UpdateAt = engine.StatusDone, ms(time.Minute), ms(time.Minute)
	r.in.Status, r.in.UpdateAt = engine.StatusDone, ms(time.Minute)
	f.must(f.s.CommitStep(f.ctx, &engine.Step{Instance: r.in, Nodes: []*engine.NodeRun{n}}), "end the approval")
	f.wantInbox("after the approval ended", engine.InboxFilter{User: "ann", Groups: []string{"g1"}})
	for _, t := range []*engine.HumanTask{open1, open2} {
		got, err := f.s.GetHumanTask(f.ctx, t.ID)
		if err != nil || got.Status != engine.TaskCanceled || got.EndAt != ms(time.Minute) || got.Rev != t.Rev+1 {
			f.Errorf("open task %d after its approval ended: %+v %v", t.ID, got, err)
		}
	}
	if got, err := f.s.GetHumanTask(f.ctx, done.ID); err != nil || got.Status != engine.TaskDone || got.EndAt != ms(4*time.Second) {
		f.Errorf("a done task after its approval ended: %+v %v", got, err)
	}
	f.wantInbox("bob's done tasks", engine.InboxFilter{User: "bob", Status: engine.TaskDone}, done)
}
