package storetest

import (
	"fmt"
	"reflect"
	"slices"
	"sync"
	"time"

	"flowcraft/engine"
	"flowcraft/scripting"
)

func testCommitAndLoad(f *fixture) {
	p := f.process("proc-aaaaaaaa")
	r := f.newInstance(p.ID, engine.StatusRunning, 0)
	r.in.Reply = &engine.Reply{StatusCode: 201, Headers: map[string]string{"X-A": "b"}}
	r.in.ErrorCode = "CARD_DECLINED"
	second := &engine.NodeRun{ID: f.id(), InstanceID: r.in.ID, TaskID: "task-b", Name: "script", Template: "script",
		Index: 2, Attempt: 1, Status: engine.StatusRunning, Incoming: map[string]any{"ok": true}, Output: nil,
		Input:    map[string]any{"code": "return 1", "timeout": 5.0},
		Logs:     []scripting.LogEntry{{Level: "info", Message: "hello"}},
		Detail:   &engine.NodeDetail{Arrived: []string{"task-a"}, LoopSize: 3},
		CreateAt: secs(1), UpdateAt: secs(1)}
	r.nodes = append(r.nodes, second)
	f.must(f.s.CommitStep(f.ctx, &engine.Step{Instance: r.in, New: true, Nodes: r.nodes,
		Vars: typedVars(map[string]any{"count": 2.0, "who": "ann", "list": []any{1.0, "x"}})}), "commit a new instance")
	if r.in.Rev != 1 || r.nodes[0].Rev != 1 || second.Rev != 1 {
		f.Errorf("revs after the first commit: instance %d, runtimes %d %d; want 1", r.in.Rev, r.nodes[0].Rev, second.Rev)
	}

	in, nodes, vars, err := f.s.LoadInstance(f.ctx, r.in.ID)
	f.must(err, "load")
	if in.ID != r.in.ID || in.ProcessID != p.ID || in.Status != engine.StatusRunning || in.Executor != "dora" || in.Rev != 1 ||
		in.StartAt != ms(0) || !reflect.DeepEqual(in.Trigger, map[string]any{"n": 1.0}) || in.Reply == nil ||
		in.Reply.StatusCode != 201 || in.Reply.Headers["X-A"] != "b" || in.ParentID != 0 || in.ErrorCode != "CARD_DECLINED" {
		f.Errorf("instance round trip: %+v", in)
	}
	if len(nodes) != 2 || nodes[0].ID != r.nodes[0].ID || nodes[1].ID != second.ID {
		f.Fatalf("runtimes: %+v", nodes)
	}
	n := nodes[1]
	if n.TaskID != "task-b" || n.Template != "script" || n.Index != 2 || n.Attempt != 1 || n.Rev != 1 || n.InstanceID != r.in.ID ||
		!reflect.DeepEqual(n.Incoming, map[string]any{"ok": true}) || n.Output != nil || len(n.Logs) != 1 || n.Logs[0].Message != "hello" ||
		n.Detail == nil || n.Detail.LoopSize != 3 || !slices.Equal(n.Detail.Arrived, []string{"task-a"}) {
		f.Errorf("runtime round trip: %+v (detail %+v)", n, n.Detail)
	}
	if !reflect.DeepEqual(n.Input, map[string]any{"code": "return 1", "timeout": 5.0}) || nodes[0].Input != nil {
		f.Errorf("resolved parameters (input) round trip: %v; a runtime without: %v", n.Input, nodes[0].Input)
	}
	if nodes[0].Detail != nil || len(nodes[0].Logs) != 0 {
		f.Errorf("a runtime without detail or logs: %+v", nodes[0])
	}
	if !reflect.DeepEqual(plainVars(vars), map[string]any{"count": 2.0, "who": "ann", "list": []any{1.0, "x"}}) {
		f.Errorf("variables: %v", vars)
	}

	// The next step updates the instance and a runtime, adds one, sets and deletes variables.
	r.in.Status, r.in.Output, r.in.EndAt, r.in.UpdateAt = engine.StatusDone, map[string]any{"total": 3.0}, secs(2), secs(2)
	second.Status, second.Output, second.EndAt = engine.StatusDone, "fine", secs(2)
	second.Input = map[string]any{"code": "return 2"}
	third := &engine.NodeRun{ID: f.id(), InstanceID: r.in.ID, TaskID: "task-end", Template: "end", Status: engine.StatusDone, CreateAt: secs(2), UpdateAt: secs(2)}
	f.must(f.s.CommitStep(f.ctx, &engine.Step{Instance: r.in, Nodes: []*engine.NodeRun{second, third},
		Vars: typedVars(map[string]any{"count": 3.0}), DeletedVars: []string{"who"}}), "commit the next step")
	if r.in.Rev != 2 || second.Rev != 2 || third.Rev != 1 {
		f.Errorf("revs after the second commit: %d %d %d", r.in.Rev, second.Rev, third.Rev)
	}
	in, nodes, vars, err = f.s.LoadInstance(f.ctx, r.in.ID)
	f.must(err, "load again")
	if in.Status != engine.StatusDone || in.EndAt != secs(2) || !reflect.DeepEqual(in.Output, map[string]any{"total": 3.0}) || in.Rev != 2 {
		f.Errorf("updated instance: %+v", in)
	}
	if len(nodes) != 3 || nodes[1].Status != engine.StatusDone || nodes[1].Output != "fine" || nodes[1].Rev != 2 || nodes[2].ID != third.ID {
		f.Errorf("updated runtimes: %+v", nodes)
	}
	if len(nodes) == 3 && (!reflect.DeepEqual(nodes[1].Input, map[string]any{"code": "return 2"}) || nodes[2].Input != nil) {
		f.Errorf("updated resolved parameters: %v, %v", nodes[1].Input, nodes[2].Input)
	}
	if !reflect.DeepEqual(plainVars(vars), map[string]any{"count": 3.0, "list": []any{1.0, "x"}}) {
		f.Errorf("updated variables: %v", vars)
	}
	if got, err := f.s.GetInstance(f.ctx, r.in.ID); err != nil || got.Rev != 2 || got.Status != engine.StatusDone {
		f.Errorf("get instance: %+v %v", got, err)
	}
	_, err = f.s.GetInstance(f.ctx, f.id())
	f.wantErr(err, engine.ErrNotFound, "get a missing instance")
	_, _, _, err = f.s.LoadInstance(f.ctx, f.id())
	f.wantErr(err, engine.ErrNotFound, "load a missing instance")
}

func testStaleRevsConflict(f *fixture) {
	p := f.process("proc-aaaaaaaa")
	r := f.instance(p.ID, engine.StatusRunning, 0)

	// A stale instance: nothing of the step is written.
	stale := *r.in
	stale.Rev--
	stale.Status = engine.StatusFailed
	added := &engine.NodeRun{ID: f.id(), InstanceID: r.in.ID, TaskID: "task-b", Status: engine.StatusDone, CreateAt: secs(1), UpdateAt: secs(1)}
	err := f.s.CommitStep(f.ctx, &engine.Step{Instance: &stale, Nodes: []*engine.NodeRun{added}, Vars: typedVars(map[string]any{"x": 1.0})})
	f.wantErr(err, engine.ErrConflict, "a step on a stale instance")
	in, nodes, vars, err := f.s.LoadInstance(f.ctx, r.in.ID)
	f.must(err, "load")
	if in.Status != engine.StatusRunning || len(nodes) != 1 || len(vars) != 0 || added.Rev != 0 {
		f.Errorf("a failed step left traces: %+v, %d runtimes, vars %v, rev %d", in, len(nodes), vars, added.Rev)
	}

	// A stale runtime.
	node := *r.nodes[0]
	node.Rev = 7
	node.Status = engine.StatusFailed
	f.wantErr(f.s.CommitStep(f.ctx, &engine.Step{Instance: r.in, Nodes: []*engine.NodeRun{&node}}), engine.ErrConflict,
		"a step with a stale runtime")
	if got, _ := f.s.GetInstance(f.ctx, r.in.ID); got.Rev != r.in.Rev {
		f.Errorf("a failed step changed the instance's rev: %d, want %d", got.Rev, r.in.Rev)
	}
	// The failures did not touch the store: the current revs still commit.
	f.setStatus(r, engine.StatusDone)
}

func testConcurrentStepsFailAlone(f *fixture) {
	p := f.process("proc-aaaaaaaa")
	const n = 40
	runs := make([]*run, n)
	for i := range runs {
		runs[i] = f.instance(p.ID, engine.StatusRunning, 0)
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i, r := range runs {
		wg.Go(func() {
			in, node := *r.in, *r.nodes[0]
			in.Status, node.Status = engine.StatusDone, engine.StatusFailed
			if i%4 == 0 {
				node.Rev++ // stale, and written after the instance: the step must roll back whole
			}
			errs[i] = f.s.CommitStep(f.ctx, &engine.Step{Instance: &in, Nodes: []*engine.NodeRun{&node}, Vars: typedVars(map[string]any{"i": float64(i)})})
		})
	}
	wg.Wait()
	for i, r := range runs {
		in, _, vars, err := f.s.LoadInstance(f.ctx, r.in.ID)
		f.must(err, "load")
		if i%4 == 0 {
			f.wantErr(errs[i], engine.ErrConflict, fmt.Sprintf("stale step %d", i))
			if in.Status != engine.StatusRunning || len(vars) != 0 {
				f.Errorf("stale step %d was written: %s %v", i, in.Status, vars)
			}
			continue
		}
		if errs[i] != nil || in.Status != engine.StatusDone || plainVars(vars)["i"] != float64(i) {
			f.Errorf("step %d beside failing ones: %v, %s %v", i, errs[i], in.Status, vars)
		}
	}
}

func testCommitStepAsync(f *fixture) {
	p := f.process("proc-aaaaaaaa")
	const n = 20
	results := make(chan error, n+1)
	var runs []*run
	for range n {
		r := f.newInstance(p.ID, engine.StatusDone, 0)
		runs = append(runs, r)
		f.must(f.s.CommitStepAsync(f.ctx, &engine.Step{Instance: r.in, New: true, Nodes: r.nodes, Vars: typedVars(map[string]any{"v": 1.0})},
			func(err error) { results <- err }), "queue a step")
	}
	// A step that cannot be written (its instance exists) learns it through then.
	dup := f.newInstance(p.ID, engine.StatusDone, 0)
	dup.in.ID = runs[0].in.ID
	f.must(f.s.CommitStepAsync(f.ctx, &engine.Step{Instance: dup.in, New: true}, func(err error) { results <- err }), "queue a failing step")
	failed := 0
	for range n + 1 {
		select {
		case err := <-results:
			if err != nil {
				failed++
			}
		case <-time.After(time.Minute):
			f.Fatal("an asynchronous step never learnt its outcome")
		}
	}
	if failed != 1 {
		f.Errorf("%d asynchronous steps failed, want 1 (the duplicate)", failed)
	}
	for _, r := range runs {
		in, nodes, vars, err := f.s.LoadInstance(f.ctx, r.in.ID)
		if err != nil || in.Status != engine.StatusDone || len(nodes) != 1 || plainVars(vars)["v"] != 1.0 {
			f.Errorf("asynchronous step of %d: %+v %d runtimes %v %v", r.in.ID, in, len(nodes), vars, err)
		}
		// The engine reads an asynchronous step's structs while it is written: the
		// store leaves them alone.
		if r.in.Rev != 0 || r.nodes[0].Rev != 0 {
			f.Errorf("an asynchronous step's revs changed: %d %d", r.in.Rev, r.nodes[0].Rev)
		}
	}
}

func testListInstances(f *fixture) {
	a, b := f.process("proc-aaaaaaaa"), f.process("proc-bbbbbbbb")
	r1 := f.newInstance(a.ID, engine.StatusDone, 1*time.Hour)
	r1.in.Cost = 1
	f.must(f.s.CommitStep(f.ctx, &engine.Step{Instance: r1.in, New: true, Nodes: r1.nodes}), "commit")
	r2 := f.instance(a.ID, engine.StatusRunning, 2*time.Hour)
	r3 := f.newInstance(b.ID, engine.StatusRunning, 3*time.Hour)
	r3.in.Executor, r3.in.Cost = "eve", 5
	f.must(f.s.CommitStep(f.ctx, &engine.Step{Instance: r3.in, New: true, Nodes: r3.nodes}), "commit")
	list := func(what string, flt engine.InstanceFilter, want ...*run) {
		f.Helper()
		if flt.Limit == 0 {
			flt.Limit = 10
		}
		got, total, err := f.s.ListInstances(f.ctx, flt)
		f.must(err, what)
		wantIDs := ids(want, func(r *run) engine.ID { return r.in.ID })
		if gotIDs := ids(got, instID); !slices.Equal(gotIDs, wantIDs) || total != len(want) {
			f.Errorf("%s: %v (total %d), want %v", what, gotIDs, total, wantIDs)
		}
	}
	list("all, newest first", engine.InstanceFilter{}, r3, r2, r1)
	list("of a process", engine.InstanceFilter{ProcessID: a.ID}, r2, r1)
	list("by status", engine.InstanceFilter{Status: engine.StatusRunning}, r3, r2)
	list("by executor", engine.InstanceFilter{Executor: "eve"}, r3)
	list("started from", engine.InstanceFilter{StartedAfter: ms(2 * time.Hour)}, r3, r2)
	list("started before", engine.InstanceFilter{StartedBefore: ms(2 * time.Hour)}, r1)
	list("by start, oldest first", engine.InstanceFilter{Page: engine.Page{Sort: "startAt"}}, r1, r2, r3)
	list("by cost, descending", engine.InstanceFilter{Page: engine.Page{Sort: "cost", Desc: true}}, r3, r1, r2)
	got, total, err := f.s.ListInstances(f.ctx, engine.InstanceFilter{Page: engine.Page{Limit: 1, Offset: 1}})
	if err != nil || total != 3 || len(got) != 1 || got[0].ID != r2.in.ID {
		f.Errorf("a page: %v of %d, %v", ids(got, instID), total, err)
	}
	_, _, err = f.s.ListInstances(f.ctx, engine.InstanceFilter{Page: engine.Page{Limit: 1, Sort: "nope"}})
	f.wantErr(err, engine.ErrInvalid, "sort by an unknown field")
}

func testResumeAndCrashCount(f *fixture) {
	p := f.process("proc-aaaaaaaa")
	pending := f.instance(p.ID, engine.StatusPending, 0)
	running := f.instance(p.ID, engine.StatusRunning, 0)
	f.instance(p.ID, engine.StatusWaiting, 0)
	f.instance(p.ID, engine.StatusSuspended, 0)
	f.instance(p.ID, engine.StatusDone, 0)

	resume := func() []engine.Resumable {
		f.Helper()
		list, err := f.s.InstancesToResume(f.ctx)
		f.must(err, "instances to resume")
		return list
	}
	if got := resume(); !slices.Equal(got, []engine.Resumable{{ID: pending.in.ID}, {ID: running.in.ID}}) {
		f.Fatalf("to resume: %+v", got)
	}
	f.must(f.s.MarkResumed(f.ctx, running.in.ID), "mark resumed")
	f.must(f.s.MarkResumed(f.ctx, running.in.ID), "mark resumed again")
	if got := resume(); !slices.Equal(got, []engine.Resumable{{ID: pending.in.ID}, {ID: running.in.ID, Crashes: 2}}) {
		f.Errorf("crash counts: %+v", got)
	}
	// MarkResumed is not a change of the instance: its rev holds, and a step commits.
	f.setStatus(running, engine.StatusRunning)
	if got := resume(); !slices.Equal(got, []engine.Resumable{{ID: pending.in.ID}, {ID: running.in.ID}}) {
		f.Errorf("a committed step resets the crash count: %+v", got)
	}
}

func testChildInstances(f *fixture) {
	p := f.process("proc-aaaaaaaa")
	parent := f.instance(p.ID, engine.StatusWaiting, 0)
	node := parent.nodes[0].ID
	var children []*run
	for i := range 2 {
		c := f.newInstance(p.ID, engine.StatusRunning, time.Duration(i)*time.Second)
		c.in.ParentID, c.in.ParentNodeID = parent.in.ID, node
		f.must(f.s.CommitStep(f.ctx, &engine.Step{Instance: c.in, New: true, Nodes: c.nodes}), "commit a child")
		children = append(children, c)
	}
	got, err := f.s.ChildInstance(f.ctx, node)
	if err != nil || got.ID != children[1].in.ID || got.ParentID != parent.in.ID || got.ParentNodeID != node {
		f.Errorf("child of the runtime: %+v %v (want the latest, %d)", got, err, children[1].in.ID)
	}
	_, err = f.s.ChildInstance(f.ctx, f.id())
	f.wantErr(err, engine.ErrNotFound, "child of a runtime that started none")
	list, total, err := f.s.ListInstances(f.ctx, engine.InstanceFilter{ParentID: parent.in.ID, Page: engine.Page{Limit: 10}})
	if err != nil || total != 2 || len(list) != 2 {
		f.Errorf("children by parent: %v %d %v", ids(list, instID), total, err)
	}
}

func testDeleteInstance(f *fixture) {
	p := f.process("proc-aaaaaaaa")
	r := f.newInstance(p.ID, engine.StatusWaiting, 0)
	key := &engine.IdemKey{Scope: "start:" + p.ID, Key: "k1"}
	job := &engine.Job{ID: f.id(), Kind: engine.JobTimer, InstanceID: r.in.ID, NodeID: r.nodes[0].ID, DueAt: ms(0), CreateAt: ms(0)}
	f.must(f.s.CommitStep(f.ctx, &engine.Step{Instance: r.in, New: true, Nodes: r.nodes, Vars: typedVars(map[string]any{"a": 1.0}),
		Jobs: []*engine.Job{job}, Idempotency: key}), "commit")
	child := f.newInstance(p.ID, engine.StatusRunning, 0)
	child.in.ParentID, child.in.ParentNodeID = r.in.ID, r.nodes[0].ID
	f.must(f.s.CommitStep(f.ctx, &engine.Step{Instance: child.in, New: true, Nodes: child.nodes}), "commit a child")

	f.must(f.s.DeleteInstance(f.ctx, r.in.ID), "delete")
	for _, id := range []engine.ID{r.in.ID, child.in.ID} {
		_, err := f.s.GetInstance(f.ctx, id)
		f.wantErr(err, engine.ErrNotFound, fmt.Sprintf("instance %d after the delete", id))
	}
	if jobs, total, err := f.s.ListJobs(f.ctx, "", engine.Page{Limit: 10}); err != nil || total != 0 {
		f.Errorf("jobs of a deleted instance: %v %v", jobs, err)
	}
	if _, ok, err := f.s.IdempotentInstance(f.ctx, *key, 0); ok || err != nil {
		f.Errorf("the idempotency key of a deleted instance still answers: %v %v", ok, err)
	}
	f.wantErr(f.s.DeleteInstance(f.ctx, r.in.ID), engine.ErrNotFound, "delete twice")
}

func testIdempotencyKeys(f *fixture) {
	p := f.process("proc-aaaaaaaa")
	key := engine.IdemKey{Scope: "start:" + p.ID, Key: "order-42"}
	first := f.newInstance(p.ID, engine.StatusRunning, 0)
	f.must(f.s.CommitStep(f.ctx, &engine.Step{Instance: first.in, New: true, Nodes: first.nodes, Idempotency: &key}), "first start")
	if id, ok, err := f.s.IdempotentInstance(f.ctx, key, ms(-time.Hour)); err != nil || !ok || id != first.in.ID {
		f.Errorf("the key: %d %v %v", id, ok, err)
	}
	if _, ok, err := f.s.IdempotentInstance(f.ctx, key, ms(time.Minute)); ok || err != nil {
		f.Errorf("a key older than since still answers: %v %v", ok, err)
	}
	if _, ok, err := f.s.IdempotentInstance(f.ctx, engine.IdemKey{Scope: key.Scope, Key: "other"}, 0); ok || err != nil {
		f.Errorf("an unknown key answers: %v %v", ok, err)
	}

	// Within a day the key belongs to the first instance: a second start with it fails whole.
	second := f.newInstance(p.ID, engine.StatusRunning, time.Hour)
	err := f.s.CommitStep(f.ctx, &engine.Step{Instance: second.in, New: true, Nodes: second.nodes, Idempotency: &key})
	f.wantErr(err, engine.ErrConflict, "a second instance with a taken key")
	_, err = f.s.GetInstance(f.ctx, second.in.ID)
	f.wantErr(err, engine.ErrNotFound, "the instance whose key was taken")
	// Keys are per scope.
	other := f.newInstance(p.ID, engine.StatusRunning, time.Hour)
	f.must(f.s.CommitStep(f.ctx, &engine.Step{Instance: other.in, New: true, Nodes: other.nodes,
		Idempotency: &engine.IdemKey{Scope: "another scope", Key: key.Key}}), "the same key in another scope")
	// After the window the key is taken over.
	later := f.newInstance(p.ID, engine.StatusRunning, 25*time.Hour)
	f.must(f.s.CommitStep(f.ctx, &engine.Step{Instance: later.in, New: true, Nodes: later.nodes, Idempotency: &key}), "reuse an old key")
	if id, ok, err := f.s.IdempotentInstance(f.ctx, key, ms(24*time.Hour)); err != nil || !ok || id != later.in.ID {
		f.Errorf("the key after a day: %d %v %v, want %d", id, ok, err, later.in.ID)
	}
}

// typedVars types plain values as a write without types would.
func typedVars(vars map[string]any) map[string]*engine.Variable {
	out := map[string]*engine.Variable{}
	for k, v := range vars {
		t, err := engine.NewVariable(engine.Variable{Name: k, Value: v}, 0)
		if err != nil {
			panic(err)
		}
		out[k] = t
	}
	return out
}

// plainVars are variables as scripts see them.
func plainVars(vars map[string]*engine.Variable) map[string]any {
	out := map[string]any{}
	for k, v := range vars {
		out[k] = v.ScriptValue()
	}
	return out
}
