package storetest

import (
	"errors"
	"slices"
	"time"

	"flowcraft/engine"
)

// testHistory: the ended instances (InstanceFilter.Finished, alone, paged and with a
// variable condition, whose total is every match less the unfinished ones; the end
// bounds), human tasks as history (open and ended, by instance, assignee, like,
// involvement, dates, the instance's end; deleting an ended one, refusing an open
// one) and variables as history (by instance, name, like, a value condition).
func testHistory(f *fixture) {
	a := f.process("proc-aaaaaaaa")
	commit := func(at time.Duration, status string, days int64) *run {
		f.Helper()
		r := f.newInstance(a.ID, status, at)
		if engine.Ended(status) {
			r.in.EndAt = ms(at + time.Hour)
		}
		f.must(f.s.CommitStep(f.ctx, &engine.Step{Instance: r.in, New: true, Nodes: r.nodes, Vars: map[string]*engine.Variable{
			"days":      {Name: "days", Type: engine.VarInteger, Value: days},
			"applicant": {Name: "applicant", Type: engine.VarString, Value: "ann"},
		}}), "commit")
		return r
	}
	done1 := commit(0, engine.StatusDone, 5)
	done2 := commit(time.Minute, engine.StatusCanceled, 2)
	open1 := commit(2*time.Minute, engine.StatusWaiting, 7)
	failed := commit(3*time.Minute, engine.StatusFailed, 9)

	list := func(what string, flt engine.InstanceFilter, wantTotal int, want ...*run) {
		f.Helper()
		if flt.Limit == 0 {
			flt.Limit = 100
		}
		got, total, err := f.s.ListInstances(f.ctx, flt)
		f.must(err, what)
		wantIDs := ids(want, func(r *run) engine.ID { return r.in.ID })
		if gotIDs := ids(got, instID); !slices.Equal(gotIDs, wantIDs) || total != wantTotal {
			f.Errorf("%s: %v (total %d), want %v (total %d)", what, gotIDs, total, wantIDs, wantTotal)
		}
	}
	list("finished", engine.InstanceFilter{Finished: true}, 3, failed, done2, done1)
	list("finished, paged", engine.InstanceFilter{Finished: true, Page: engine.Page{Limit: 1, Offset: 1}}, 3, done2)
	list("finished, oldest first", engine.InstanceFilter{Finished: true, Page: engine.Page{Sort: "id", Limit: 2}}, 3, done1, done2)
	list("finished, days > 3", engine.InstanceFilter{Finished: true, Variables: []engine.VarCondition{{Name: "days", Operation: engine.OpGreaterThan, Value: int64(3)}}}, 2, failed, done1)
	list("finished, by process", engine.InstanceFilter{Finished: true, ProcessID: a.ID}, 3, failed, done2, done1)
	list("finished, another process", engine.InstanceFilter{Finished: true, ProcessID: "proc-zzzzzzzz"}, 0)
	list("ended after", engine.InstanceFilter{EndedAfter: ms(time.Hour + time.Minute)}, 2, failed, done2)
	list("ended before", engine.InstanceFilter{Finished: true, EndedBefore: ms(time.Hour + time.Minute)}, 1, done1)
	list("unfinished", engine.InstanceFilter{Unfinished: true}, 1, open1)

	// Human tasks: one ended (done, assigned to ann) of done1, one open of open1.
	n1 := &engine.NodeRun{ID: f.id(), InstanceID: done1.in.ID, TaskID: "task-ap", Name: "approve", Template: "approval",
		Status: engine.StatusDone, CreateAt: ms(0), UpdateAt: ms(0)}
	f.must(f.s.CommitStep(f.ctx, &engine.Step{Nodes: []*engine.NodeRun{n1}}), "commit a runtime")
	ended := f.task(done1, n1, 0, func(t *engine.HumanTask) {
		t.Status, t.Assignee, t.CompletedBy, t.EndAt, t.Outcome = engine.TaskDone, "ann", "ann", ms(30*time.Minute), "approve"
	})
	n2 := &engine.NodeRun{ID: f.id(), InstanceID: open1.in.ID, TaskID: "task-ap", Name: "approve", Template: "approval",
		Status: engine.StatusWaiting, CreateAt: ms(0), UpdateAt: ms(0)}
	f.must(f.s.CommitStep(f.ctx, &engine.Step{Nodes: []*engine.NodeRun{n2}}), "commit a runtime")
	open := f.task(open1, n2, time.Hour, candidates([]string{"bob"}, "hr"))
	yes, no := true, false
	tasks := func(what string, flt engine.TaskHistoryFilter, want ...*engine.HumanTask) {
		f.Helper()
		flt.Limit = 100
		got, total, err := f.s.TaskHistory(f.ctx, flt)
		f.must(err, what)
		var gotIDs []engine.ID
		for _, r := range got {
			gotIDs = append(gotIDs, r.ID)
			if r.InstanceID == done1.in.ID && (r.Version != 1 || r.InstanceStatus != engine.StatusDone || r.Executor != "dora") {
				f.Errorf("%s: the instance's fields %+v", what, r)
			}
		}
		wantIDs := ids(want, func(t *engine.HumanTask) engine.ID { return t.ID })
		if !slices.Equal(gotIDs, wantIDs) || total != len(want) {
			f.Errorf("%s: %v (total %d), want %v", what, gotIDs, total, wantIDs)
		}
	}
	tasks("all", engine.TaskHistoryFilter{}, ended, open)
	tasks("finished", engine.TaskHistoryFilter{Finished: &yes}, ended)
	tasks("open", engine.TaskHistoryFilter{Finished: &no}, open)
	tasks("instance finished", engine.TaskHistoryFilter{InstanceFinished: &yes}, ended)
	tasks("instance unfinished", engine.TaskHistoryFilter{InstanceFinished: &no}, open)
	tasks("by instance", engine.TaskHistoryFilter{InstanceID: open1.in.ID}, open)
	tasks("by id", engine.TaskHistoryFilter{ID: ended.ID}, ended)
	tasks("assignee", engine.TaskHistoryFilter{Assignee: "ann"}, ended)
	tasks("assignee like", engine.TaskHistoryFilter{AssigneeLike: "AN"}, ended)
	tasks("name like with %", engine.TaskHistoryFilter{NameLike: "App%"}, ended, open)
	tasks("involved: a candidate", engine.TaskHistoryFilter{InvolvedUser: "bob"}, open)
	tasks("involved: who completed", engine.TaskHistoryFilter{InvolvedUser: "ann"}, ended)
	tasks("completed before", engine.TaskHistoryFilter{CompletedBefore: ms(time.Hour)}, ended)
	tasks("created after", engine.TaskHistoryFilter{CreatedAfter: ms(time.Minute)}, open)
	tasks("definition version", engine.TaskHistoryFilter{ProcessID: a.ID, Version: 2})
	tasks("description like", engine.TaskHistoryFilter{DescriptionLike: "PLEA"}, ended, open)
	tasks("description", engine.TaskHistoryFilter{Description: "other"})
	tasks("instance tenant", engine.TaskHistoryFilter{TenantID: "t1"})
	tasks("without tenant", engine.TaskHistoryFilter{WithoutTenantID: true}, ended, open)
	tasks("started by", engine.TaskHistoryFilter{Executor: "dora"}, ended, open)
	tasks("newest first", engine.TaskHistoryFilter{Page: engine.Page{Sort: "createAt", Desc: true}}, open, ended)
	if err := f.s.DeleteTaskHistory(f.ctx, open.ID); !errors.Is(err, engine.ErrConflict) {
		f.Errorf("delete an open task: %v, want ErrConflict", err)
	}
	f.must(f.s.DeleteTaskHistory(f.ctx, ended.ID), "delete an ended task")
	if err := f.s.DeleteTaskHistory(f.ctx, ended.ID); !errors.Is(err, engine.ErrNotFound) {
		f.Errorf("delete it again: %v, want ErrNotFound", err)
	}
	tasks("after the delete", engine.TaskHistoryFilter{}, open)

	// Variables: the latest value of each, per instance.
	vars := func(what string, flt engine.VariableHistoryFilter, want ...string) {
		f.Helper()
		flt.Limit = 100
		got, total, err := f.s.VariableHistory(f.ctx, flt)
		f.must(err, what)
		var names []string
		for _, v := range got {
			names = append(names, v.InstanceID.String()+":"+v.Name)
		}
		if !slices.Equal(names, want) || total != len(want) {
			f.Errorf("%s: %v (total %d), want %v", what, names, total, want)
		}
	}
	key := func(r *run, name string) string { return r.in.ID.String() + ":" + name }
	vars("by instance", engine.VariableHistoryFilter{InstanceID: done1.in.ID}, key(done1, "applicant"), key(done1, "days"))
	vars("by name", engine.VariableHistoryFilter{Name: "days", Page: engine.Page{Sort: "instanceId"}},
		key(done1, "days"), key(done2, "days"), key(open1, "days"), key(failed, "days"))
	vars("name like", engine.VariableHistoryFilter{NameLike: "APP", InstanceID: done2.in.ID}, key(done2, "applicant"))
	vars("a value", engine.VariableHistoryFilter{Variables: []engine.VarCondition{{Name: "days", Operation: engine.OpGreaterThanOrEquals, Value: int64(7)}},
		Page: engine.Page{Sort: "instanceId"}}, key(open1, "days"), key(failed, "days"))
	vars("started by someone else", engine.VariableHistoryFilter{Executor: "kermit"})
	got, _, err := f.s.VariableHistory(f.ctx, engine.VariableHistoryFilter{InstanceID: done2.in.ID, Name: "days", Page: engine.Page{Limit: 1}})
	f.must(err, "one variable")
	if len(got) != 1 || got[0].Type != engine.VarInteger || got[0].Value != int64(2) {
		f.Errorf("the variable: %+v", got)
	}
}
