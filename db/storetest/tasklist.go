package storetest

import (
	"slices"
	"time"

	"flowcraft/engine"
)

// testHumanTaskFields: the task fields of issue 16 (category, form key, parent task,
// tenant, task-local variables) round-trip through insert and update, and a change of
// candidates rewrites the candidate links an open task is found by.
func testHumanTaskFields(f *fixture) {
	p := f.process("proc-aaaaaaaa")
	r, n := f.approval(p.ID)
	t := f.task(r, n, 0, candidates([]string{"ann"}), func(t *engine.HumanTask) {
		t.Category, t.FormKey, t.TenantID = "leave", "form1", "acme"
		t.LocalVars = []*engine.Variable{{Name: "n", Type: engine.VarLong, Value: int64(1) << 60}}
	})
	got, err := f.s.GetHumanTask(f.ctx, t.ID)
	f.must(err, "get task")
	if got.Category != "leave" || got.FormKey != "form1" || got.TenantID != "acme" || got.ParentTaskID != 0 ||
		len(got.LocalVars) != 1 || got.LocalVars[0].Value != int64(1)<<60 || got.LocalVars[0].Type != engine.VarLong {
		f.Errorf("inserted: %+v %v", got, got.LocalVars)
	}
	parent := f.task(r, n, time.Second)
	got.Name, got.Content, got.Priority, got.DueAt, got.ParentTaskID = "Renamed", "new", 9, ms(time.Hour), parent.ID
	got.Category, got.FormKey, got.TenantID = "", "form2", ""
	got.LocalVars = append(got.LocalVars, &engine.Variable{Name: "bin", Type: engine.VarBinary, ContentType: "text/plain", Size: 2, Data: []byte("hi")},
		&engine.Variable{Name: "s", Type: engine.VarString, Value: "x"})
	got.CandidateUsers, got.CandidateGroups, got.CandidatesChanged = []string{"bob"}, []string{"g1"}, true
	f.must(f.s.UpdateHumanTask(f.ctx, got), "update the fields")
	if got.CandidatesChanged {
		f.Error("CandidatesChanged stays set after the update")
	}
	up, err := f.s.GetHumanTask(f.ctx, t.ID)
	f.must(err, "get the updated task")
	if up.Name != "Renamed" || up.Content != "new" || up.Priority != 9 || up.DueAt != ms(time.Hour) || up.ParentTaskID != parent.ID ||
		up.Category != "" || up.FormKey != "form2" || up.TenantID != "" || len(up.LocalVars) != 3 ||
		string(up.LocalVars[1].Data) != "hi" || up.LocalVars[1].ContentType != "text/plain" || up.LocalVars[2].Value != "x" ||
		!slices.Equal(up.CandidateUsers, []string{"bob"}) || !slices.Equal(up.CandidateGroups, []string{"g1"}) {
		f.Errorf("updated: %+v %v", up, up.LocalVars)
	}
	f.wantInbox("ann is no candidate any more", engine.InboxFilter{User: "ann"})
	f.wantInbox("bob is one now", engine.InboxFilter{User: "bob"}, up)
	f.wantInbox("so is g1", engine.InboxFilter{User: "cid", Groups: []string{"g1"}}, up)
}

// listTasks lists task ids by a filter.
func (f *fixture) listTasks(flt engine.TaskFilter) ([]engine.ID, int) {
	f.Helper()
	if flt.Limit == 0 {
		flt.Limit = 50
	}
	list, total, err := f.s.ListHumanTasks(f.ctx, flt)
	f.must(err, "list human tasks")
	return ids(list, taskID), total
}

// testListHumanTasks: every TaskFilter field selects the open tasks it names.
func testListHumanTasks(f *fixture) {
	a, b := f.process("proc-aaaaaaaa"), f.process("proc-bbbbbbbb")
	ra, na := f.approval(a.ID)
	rb, nb := f.approval(b.ID)
	t1 := f.task(ra, na, 1*time.Second, func(t *engine.HumanTask) {
		t.Name, t.Assignee, t.Owner, t.Priority, t.DueAt, t.Category, t.TenantID = "Review 50%_off", "ann", "olga", 80, ms(time.Hour), "sales", "acme"
		t.Delegation = engine.DelegationPending
	})
	t2 := f.task(ra, na, 2*time.Second, candidates([]string{"bob"}, "g1"))
	t3 := f.task(rb, nb, 3*time.Second, candidates(nil, "g2"), func(t *engine.HumanTask) { t.Priority, t.ParentTaskID = 10, t1.ID })
	t4 := f.task(rb, nb, 4*time.Second, candidates([]string{"bob"}), func(t *engine.HumanTask) { t.Assignee = "cid" })
	f.task(ra, na, 5*time.Second, candidates([]string{"bob"}), func(t *engine.HumanTask) {
		t.Status, t.CompletedBy, t.EndAt = engine.TaskDone, "bob", ms(6*time.Second)
	})
	i := func(n int) *int { return &n }
	no := false
	all := []*engine.HumanTask{t1, t2, t3, t4}
	for _, c := range []struct {
		what string
		flt  engine.TaskFilter
		want []*engine.HumanTask
	}{
		{"every open task", engine.TaskFilter{}, all},
		{"by id", engine.TaskFilter{ID: t2.ID}, []*engine.HumanTask{t2}},
		{"name", engine.TaskFilter{Name: "Approve"}, []*engine.HumanTask{t2, t3, t4}},
		{"nameLike substring, case-insensitive", engine.TaskFilter{NameLike: "IEW 5"}, []*engine.HumanTask{t1}},
		{"nameLike pattern, _ literal", engine.TaskFilter{NameLike: "%_off"}, []*engine.HumanTask{t1}},
		{"nameLike pattern, _ no wildcard", engine.TaskFilter{NameLike: "%_ff"}, nil},
		{"nameLike pattern", engine.TaskFilter{NameLike: "rev%"}, []*engine.HumanTask{t1}},
		{"description", engine.TaskFilter{Description: "please"}, all},
		{"priority", engine.TaskFilter{Priority: i(80)}, []*engine.HumanTask{t1}},
		{"minimum priority", engine.TaskFilter{MinPriority: i(50)}, []*engine.HumanTask{t1, t2, t4}},
		{"maximum priority", engine.TaskFilter{MaxPriority: i(50)}, []*engine.HumanTask{t2, t3, t4}},
		{"assignee", engine.TaskFilter{Assignee: "ann"}, []*engine.HumanTask{t1}},
		{"assigneeLike", engine.TaskFilter{AssigneeLike: "I"}, []*engine.HumanTask{t4}},
		{"owner", engine.TaskFilter{Owner: "olga"}, []*engine.HumanTask{t1}},
		{"ownerLike", engine.TaskFilter{OwnerLike: "lg"}, []*engine.HumanTask{t1}},
		{"unassigned", engine.TaskFilter{Unassigned: true}, []*engine.HumanTask{t2, t3}},
		{"delegation", engine.TaskFilter{Delegation: engine.DelegationPending}, []*engine.HumanTask{t1}},
		{"candidate user (not of an assigned task)", engine.TaskFilter{CandidateUser: "bob"}, []*engine.HumanTask{t2}},
		{"candidate user through a group", engine.TaskFilter{CandidateUser: "eve", CandidateUserGroups: []string{"g2"}}, []*engine.HumanTask{t3}},
		{"candidate groups", engine.TaskFilter{CandidateGroups: []string{"g1", "g2"}}, []*engine.HumanTask{t2, t3}},
		{"involved user", engine.TaskFilter{InvolvedUser: "bob"}, []*engine.HumanTask{t2, t4}},
		{"involved owner", engine.TaskFilter{InvolvedUser: "olga"}, []*engine.HumanTask{t1}},
		{"task definition key", engine.TaskFilter{TaskDefKey: "task-ap"}, all},
		{"task definition key like", engine.TaskFilter{TaskDefKeyLike: "zz"}, nil},
		{"instance", engine.TaskFilter{InstanceID: rb.in.ID}, []*engine.HumanTask{t3, t4}},
		{"process", engine.TaskFilter{ProcessID: a.ID}, []*engine.HumanTask{t1, t2}},
		{"process version", engine.TaskFilter{ProcessID: a.ID, Version: ra.in.Version}, []*engine.HumanTask{t1, t2}},
		{"another version", engine.TaskFilter{ProcessID: a.ID, Version: ra.in.Version + 1}, nil},
		{"created on", engine.TaskFilter{CreatedOn: ms(2 * time.Second)}, []*engine.HumanTask{t2}},
		{"created before", engine.TaskFilter{CreatedBefore: ms(2 * time.Second)}, []*engine.HumanTask{t1}},
		{"created after", engine.TaskFilter{CreatedAfter: ms(2 * time.Second)}, []*engine.HumanTask{t3, t4}},
		{"due on", engine.TaskFilter{DueOn: ms(time.Hour)}, []*engine.HumanTask{t1}},
		{"due before (no due date is not before)", engine.TaskFilter{DueBefore: ms(2 * time.Hour)}, []*engine.HumanTask{t1}},
		{"due after", engine.TaskFilter{DueAfter: ms(0)}, []*engine.HumanTask{t1}},
		{"without due date", engine.TaskFilter{WithoutDueDate: true}, []*engine.HumanTask{t2, t3, t4}},
		{"active", engine.TaskFilter{Active: &no}, nil},
		{"tenant", engine.TaskFilter{TenantID: "acme"}, []*engine.HumanTask{t1}},
		{"tenant like", engine.TaskFilter{TenantIDLike: "CM"}, []*engine.HumanTask{t1}},
		{"without tenant", engine.TaskFilter{WithoutTenantID: true}, []*engine.HumanTask{t2, t3, t4}},
		{"candidate or assigned", engine.TaskFilter{CandidateOrAssigned: "cid", CandidateOrAssignedGroups: []string{"g1"}}, []*engine.HumanTask{t2, t4}},
		{"category", engine.TaskFilter{Category: "sales"}, []*engine.HumanTask{t1}},
		{"exclude sub tasks", engine.TaskFilter{ExcludeSubTasks: true}, []*engine.HumanTask{t1, t2, t4}},
		{"visible to bob", engine.TaskFilter{VisibleTo: "bob"}, []*engine.HumanTask{t2, t4}},
		{"visible to olga (owner) and g2", engine.TaskFilter{VisibleTo: "olga", VisibleGroups: []string{"g2"}}, []*engine.HumanTask{t1, t3}},
		{"by priority, descending", engine.TaskFilter{Page: engine.Page{Sort: "priority", Desc: true}}, []*engine.HumanTask{t1, t2, t4, t3}},
		{"a page", engine.TaskFilter{Page: engine.Page{Limit: 2, Offset: 1}}, []*engine.HumanTask{t2, t3}},
	} {
		got, total := f.listTasks(c.flt)
		want := ids(c.want, taskID)
		wantTotal := len(c.want)
		if c.flt.Limit == 2 {
			wantTotal = 4
		}
		if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) || total != wantTotal {
			f.Errorf("%s: %v (total %d), want %v", c.what, got, total, want)
		}
	}
	_, _, err := f.s.ListHumanTasks(f.ctx, engine.TaskFilter{Page: engine.Page{Limit: 5, Sort: "bogus"}})
	f.wantErr(err, engine.ErrInvalid, "an unknown sort")
}
