package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"flowcraft/engine"
)

func extFlow(params map[string]any, eh map[string]any, after ...tk) string {
	x := task_("ext", "external-task", "end")
	for k, v := range params {
		x.p(k, v)
	}
	if eh != nil {
		x["errorHandler"] = eh
	}
	tasks := append([]tk{task_("start", "manual", "ext"), x, task_("end", "end")}, after...)
	return def("external", tasks...)
}

func lockTopic(topic string) engine.FetchTopic {
	return engine.FetchTopic{Topic: topic, LockDuration: time.Minute}
}

// fetchOne fetches one job of topic for worker, waiting up to 10 s for it.
func (h *harness) fetchOne(worker, topic string) *engine.LockedJob {
	h.t.Helper()
	jobs, err := h.rt.ExternalTasks().Fetch(context.Background(), engine.FetchRequest{WorkerID: worker, MaxTasks: 1,
		Topics: []engine.FetchTopic{lockTopic(topic)}, Wait: 10 * time.Second})
	if err != nil {
		h.t.Fatal(err)
	}
	if len(jobs) != 1 {
		h.t.Fatalf("fetched %d jobs, want 1", len(jobs))
	}
	return jobs[0]
}

func varMap(vs []*engine.Variable) map[string]any {
	out := map[string]any{}
	for _, v := range vs {
		out[v.Name] = v.ScriptValue()
	}
	return out
}

func TestExternalTaskComplete(t *testing.T) {
	h := newHarness(t)
	pid := h.deploy(extFlow(map[string]any{"topic": "invoice"}, nil))
	sub := h.rt.Events().Subscribe(pid, 0, 1024)
	defer sub.Close()
	res, err := h.rt.StartInstance(context.Background(), pid, map[string]any{"amount": 12.5, "who": "ann"},
		engine.StartOptions{By: "tester", Vars: map[string]any{"region": "north"}})
	if err != nil {
		t.Fatal(err)
	}
	id := res.Instance.ID
	x := h.rt.ExternalTasks()
	j := h.fetchOne("w1", "invoice")
	if j.InstanceID != id || j.TaskID != "ext" || j.State != engine.ExternalLocked || j.WorkerID != "w1" || j.ProcessID != pid {
		t.Fatalf("job %+v", j.ExternalJob)
	}
	jsonEq(t, varMap(j.Variables), map[string]any{"amount": 12.5, "who": "ann", "region": "north"})
	// Events announce the job's creation and its lock.
	seen := map[string]bool{}
	for deadline := time.After(10 * time.Second); !seen[engine.ExternalLocked]; {
		select {
		case ev := <-sub.C:
			if ev.Type == engine.EventExternal && ev.External.ID == j.ID {
				seen[ev.External.State] = true
			}
		case <-deadline:
			t.Fatalf("external events: %v", seen)
		}
	}
	if !seen[engine.ExternalOpen] {
		t.Fatalf("no event of the job's creation: %v", seen)
	}

	// Nothing else to fetch.
	more, err := x.Fetch(context.Background(), engine.FetchRequest{WorkerID: "w2", MaxTasks: 5, Topics: []engine.FetchTopic{lockTopic("invoice")}})
	if err != nil || len(more) != 0 {
		t.Fatalf("second fetch: %v %v", more, err)
	}
	// The wrong worker is refused, coded.
	err = x.Complete(context.Background(), j.ID, "w2", nil, nil)
	var ce *engine.Error
	if !errors.Is(err, engine.ErrConflict) || !errors.As(err, &ce) || ce.Code != engine.CodeLockNotOwned {
		t.Fatalf("wrong worker: %v", err)
	}
	if err := x.Complete(context.Background(), j.ID, "w1",
		[]*engine.Variable{{Name: "invoiceNo", Value: "INV-7"}, {Name: "total", Type: engine.VarLong, Value: 42}},
		[]*engine.Variable{{Name: "scratch", Value: true}}); err != nil {
		t.Fatal(err)
	}
	v := h.wait(id)
	if v.Status != engine.StatusDone {
		t.Fatalf("status %s: %s", v.Status, v.Error)
	}
	jsonEq(t, task(v, "ext").Runtimes[0].Output, map[string]any{"invoiceNo": "INV-7", "total": 42, "scratch": true})
	vars, err := h.rt.Variables(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	jsonEq(t, vars, map[string]any{"region": "north", "invoiceNo": "INV-7", "total": 42})
	got, err := x.Get(context.Background(), j.ID)
	if err != nil || got.State != engine.ExternalDone || got.EndedAt.IsZero() {
		t.Fatalf("job after complete: %+v %v", got, err)
	}
	// Completing again: the job has ended.
	if err := x.Complete(context.Background(), j.ID, "w1", nil, nil); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("second complete: %v", err)
	}
	if _, err := x.Get(context.Background(), 12345); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("unknown job: %v", err)
	}
}

func coded(t *testing.T, err error, kind error, code engine.Code) {
	t.Helper()
	var ce *engine.Error
	if !errors.Is(err, kind) || !errors.As(err, &ce) || ce.Code != code {
		t.Fatalf("got %v, want %v coded %s", err, kind, code)
	}
}

// TestExternalTaskBPMNError: a BPMN error follows errorHandler.routes by code (the
// target receives {errorCode, errorMessage}); without a route the task fails and the
// instance with it (strategy fail).
func TestExternalTaskBPMNError(t *testing.T) {
	h := newHarness(t)
	x := h.rt.ExternalTasks()
	eh := map[string]any{"retry": 2, "routes": []any{map[string]any{"errorCode": "NO_STOCK", "target": "handle"}}}
	pid := h.deploy(extFlow(map[string]any{"topic": "ship"}, eh,
		script("handle", "return {got: input.errorCode + '/' + input.errorMessage, flag: vars.flag}", "end")))

	id := h.start(pid, map[string]any{})
	j := h.fetchOne("w", "ship")
	if err := x.BPMNError(context.Background(), j.ID, "w", "", "x", nil); !errors.Is(err, engine.ErrInvalid) {
		t.Fatalf("no code: %v", err)
	}
	coded(t, x.BPMNError(context.Background(), j.ID, "other", "NO_STOCK", "x", nil), engine.ErrConflict, engine.CodeLockNotOwned)
	if err := x.BPMNError(context.Background(), j.ID, "w", "NO_STOCK", "sold out", []*engine.Variable{{Name: "flag", Value: "set"}}); err != nil {
		t.Fatal(err)
	}
	v := h.wait(id)
	if v.Status != engine.StatusDone {
		t.Fatalf("routed: %s %s", v.Status, v.Error)
	}
	ext := task(v, "ext").Runtimes
	if len(ext) != 1 || ext[0].Status != engine.StatusFailed || ext[0].Error != "BPMN error NO_STOCK: sold out" {
		t.Fatalf("the errored task: %+v", ext[0])
	}
	jsonEq(t, task(v, "handle").Runtimes[0].Output, map[string]any{"got": "NO_STOCK/sold out", "flag": "set"})
	if got, _ := x.Get(context.Background(), j.ID); got.State != engine.ExternalDone || got.ErrorCode != "NO_STOCK" {
		t.Fatalf("job: %+v", got)
	}

	// Another code: no route, the task fails (no errorHandler retries) and so does the instance.
	id = h.start(pid, map[string]any{})
	j = h.fetchOne("w", "ship")
	if err := x.BPMNError(context.Background(), j.ID, "w", "OTHER", "", nil); err != nil {
		t.Fatal(err)
	}
	v = h.wait(id)
	if v.Status != engine.StatusFailed || len(task(v, "ext").Runtimes) != 1 || task(v, "handle") != nil && len(task(v, "handle").Runtimes) != 0 {
		t.Fatalf("unrouted: %s %v", v.Status, statuses(v))
	}
}

// TestExternalTaskFailures: failures count retries down, with a retry timeout; at 0
// the job is an incident and the task keeps waiting; SetRetries opens it again.
func TestExternalTaskFailures(t *testing.T) {
	h := newHarness(t)
	x := h.rt.ExternalTasks()
	ctx := context.Background()
	pid := h.deploy(extFlow(map[string]any{"topic": "flaky", "retries": 2}, nil))
	id := h.start(pid, map[string]any{})
	j := h.fetchOne("w", "flaky")
	if err := x.Fail(ctx, j.ID, engine.Failure{WorkerID: "w", Retries: -1}); !errors.Is(err, engine.ErrInvalid) {
		t.Fatalf("negative retries: %v", err)
	}
	coded(t, x.Fail(ctx, j.ID, engine.Failure{WorkerID: "x", Retries: 1}), engine.ErrConflict, engine.CodeLockNotOwned)
	// Flowable's fail without a count: 2 → 1; fetchable again after the retry timeout.
	if err := x.Fail(ctx, j.ID, engine.Failure{WorkerID: "w", Decrement: true, ErrorMessage: "oops", ErrorDetails: "trace",
		RetryTimeout: 200 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	got, _ := x.Get(ctx, j.ID)
	if got.State != engine.ExternalOpen || got.Retries == nil || *got.Retries != 1 || got.ErrorMessage != "oops" || got.ErrorDetails != "trace" || got.WorkerID != "" {
		t.Fatalf("after a failure: %+v", got)
	}
	// The long poll wakes when the retry timeout ends (the expiry timer).
	j = h.fetchOne("w2", "flaky")
	coded(t, x.Complete(ctx, j.ID, "w", nil, nil), engine.ErrConflict, engine.CodeLockNotOwned)
	// Camunda's count: 0 left → incident; the task waits on with the incident.
	if err := x.Fail(ctx, j.ID, engine.Failure{WorkerID: "w2", Retries: 0, ErrorMessage: "gave up"}); err != nil {
		t.Fatal(err)
	}
	got, _ = x.Get(ctx, j.ID)
	if got.State != engine.ExternalIncident || *got.Retries != 0 || got.ErrorMessage != "gave up" {
		t.Fatalf("incident: %+v", got)
	}
	v := h.describe(id)
	if v.Status != engine.StatusWaiting || task(v, "ext").Runtimes[0].Status != engine.StatusWaiting || task(v, "ext").Runtimes[0].Error != "incident: gave up" {
		t.Fatalf("instance with an incident: %s %+v", v.Status, task(v, "ext").Runtimes[0])
	}
	no := true
	if list, total, err := x.List(ctx, engine.ExternalFilter{NoRetries: &no, Page: engine.Page{Limit: 10}}); err != nil || total != 1 || list[0].ID != j.ID {
		t.Fatalf("incidents: %d %v", total, err)
	}
	if jobs, _ := x.Fetch(ctx, engine.FetchRequest{WorkerID: "w", MaxTasks: 1, Topics: []engine.FetchTopic{lockTopic("flaky")}}); len(jobs) != 0 {
		t.Fatal("an incident was fetched")
	}
	// An admin's retry.
	if err := x.SetRetries(ctx, j.ID, -1); !errors.Is(err, engine.ErrInvalid) {
		t.Fatalf("negative: %v", err)
	}
	if err := x.SetRetries(ctx, j.ID, 1); err != nil {
		t.Fatal(err)
	}
	j = h.fetchOne("w3", "flaky")
	if err := x.Complete(ctx, j.ID, "w3", []*engine.Variable{{Name: "ok", Value: true}}, nil); err != nil {
		t.Fatal(err)
	}
	if v := h.wait(id); v.Status != engine.StatusDone || task(v, "ext").Runtimes[0].Error != "" {
		t.Fatalf("after the retry: %s %+v", v.Status, task(v, "ext").Runtimes[0])
	}
}

// TestExternalTaskIncidentStrategy: with strategy ignore, running out of retries
// ends the task failed and the flow goes on.
func TestExternalTaskIncidentStrategy(t *testing.T) {
	h := newHarness(t)
	x := h.rt.ExternalTasks()
	pid := h.deploy(extFlow(map[string]any{"topic": "t"}, map[string]any{"strategy": "ignore"}))
	id := h.start(pid, map[string]any{})
	j := h.fetchOne("w", "t")
	if err := x.Fail(context.Background(), j.ID, engine.Failure{WorkerID: "w", ErrorMessage: "down"}); err != nil {
		t.Fatal(err)
	}
	v := h.wait(id)
	if v.Status != engine.StatusDone || task(v, "ext").Runtimes[0].Status != engine.StatusFailed {
		t.Fatalf("ignored: %s %v", v.Status, statuses(v))
	}
	if got, _ := x.Get(context.Background(), j.ID); got.State != engine.ExternalDone {
		t.Fatalf("job: %+v", got)
	}
}

// TestExternalTaskLocks: an expired lock goes to the next worker (a long poll wakes
// for it); the old owner learns its lock expired or is another's; extending a lock.
func TestExternalTaskLocks(t *testing.T) {
	h := newHarness(t)
	x := h.rt.ExternalTasks()
	ctx := context.Background()
	pid := h.deploy(extFlow(map[string]any{"topic": "slow"}, nil))
	id := h.start(pid, map[string]any{})
	jobs, err := x.Fetch(ctx, engine.FetchRequest{WorkerID: "w1", MaxTasks: 1, Wait: 10 * time.Second,
		Topics: []engine.FetchTopic{{Topic: "slow", LockDuration: 100 * time.Millisecond}}})
	if err != nil || len(jobs) != 1 {
		t.Fatalf("fetch: %v %v", jobs, err)
	}
	j := jobs[0]
	if err := x.ExtendLock(ctx, j.ID, "w1", 0); !errors.Is(err, engine.ErrInvalid) {
		t.Fatalf("zero extension: %v", err)
	}
	coded(t, x.ExtendLock(ctx, j.ID, "w2", time.Minute), engine.ErrConflict, engine.CodeLockNotOwned)
	// Wait for the lock to run out, then: expired for its owner.
	for !time.Now().After(j.LockExpiresAt) {
		time.Sleep(10 * time.Millisecond)
	}
	coded(t, x.Complete(ctx, j.ID, "w1", nil, nil), engine.ErrConflict, engine.CodeLockExpired)
	j2 := h.fetchOne("w2", "slow")
	if j2.ID != j.ID {
		t.Fatalf("another job: %v", j2.ID)
	}
	coded(t, x.Complete(ctx, j.ID, "w1", nil, nil), engine.ErrConflict, engine.CodeLockNotOwned)
	before := j2.LockExpiresAt
	if err := x.ExtendLock(ctx, j.ID, "w2", time.Hour); err != nil {
		t.Fatal(err)
	}
	if got, _ := x.Get(ctx, j.ID); !got.LockExpiresAt.After(before) {
		t.Fatalf("lock not extended: %v then %v", before, got.LockExpiresAt)
	}
	// Unlock: anyone may fetch it at once.
	if err := x.Unlock(ctx, j.ID); err != nil {
		t.Fatal(err)
	}
	j3 := h.fetchOne("w3", "slow")
	if err := x.Complete(ctx, j3.ID, "w3", nil, nil); err != nil {
		t.Fatal(err)
	}
	if v := h.wait(id); v.Status != engine.StatusDone {
		t.Fatalf("status %s", v.Status)
	}
}

// TestExternalTaskLongPolling: a waiting fetch wakes when a job of its topic is
// created, and when a lock it waits for expires; ctx ends a long poll; a wait with
// nothing coming answers an empty list.
func TestExternalTaskLongPolling(t *testing.T) {
	h := newHarness(t)
	x := h.rt.ExternalTasks()
	ctx := context.Background()
	pid := h.deploy(extFlow(map[string]any{"topic": "poll"}, nil))

	type result struct {
		jobs []*engine.LockedJob
		err  error
	}
	topic := "poll"
	poll := func(ctx context.Context, worker string, wait time.Duration) chan result {
		ch := make(chan result, 1)
		go func() {
			jobs, err := x.Fetch(ctx, engine.FetchRequest{WorkerID: worker, MaxTasks: 2, Wait: wait,
				Topics: []engine.FetchTopic{{Topic: "other", LockDuration: time.Second}, {Topic: topic, LockDuration: 150 * time.Millisecond}}})
			ch <- result{jobs, err}
		}()
		return ch
	}
	// Several fetches wait before the job exists; one gets it.
	waiting := []chan result{poll(ctx, "a", 20*time.Second), poll(ctx, "b", 20*time.Second)}
	time.Sleep(50 * time.Millisecond) // let them wait (the test passes either way)
	id := h.start(pid, map[string]any{"n": 1})
	var got result
	select {
	case got = <-waiting[0]:
		waiting = waiting[1:]
	case got = <-waiting[1]:
		waiting = waiting[:1]
	case <-time.After(20 * time.Second):
		t.Fatal("no long poll woke for the new job")
	}
	if got.err != nil || len(got.jobs) != 1 || got.jobs[0].InstanceID != id {
		t.Fatalf("woken fetch: %+v %v", got.jobs, got.err)
	}
	// The other one still waits: its lock expires after 150 ms, and it gets the job.
	select {
	case other := <-waiting[0]:
		if other.err != nil || len(other.jobs) != 1 || other.jobs[0].ID != got.jobs[0].ID || other.jobs[0].WorkerID == got.jobs[0].WorkerID {
			t.Fatalf("after the lock expired: %+v %v", other.jobs, other.err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the long poll did not wake when the lock expired")
	}
	// ctx ends a long poll.
	topic = "nothing"
	cctx, cancel := context.WithCancel(ctx)
	ch := poll(cctx, "c", 20*time.Minute)
	cancel()
	select {
	case r := <-ch:
		if !errors.Is(r.err, context.Canceled) || len(r.jobs) != 0 {
			t.Fatalf("canceled poll: %v %v", r.jobs, r.err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("ctx did not end the long poll")
	}
	// Nothing comes: an empty list when the wait is over.
	if r := <-poll(ctx, "d", 30*time.Millisecond); r.err != nil || r.jobs == nil || len(r.jobs) != 0 {
		t.Fatalf("empty poll: %v %v", r.jobs, r.err)
	}
}

// TestExternalTaskEnds: canceling an instance cancels its job; a suspended instance's
// job is not fetched until it resumes.
func TestExternalTaskEnds(t *testing.T) {
	h := newHarness(t)
	x := h.rt.ExternalTasks()
	ctx := context.Background()
	pid := h.deploy(extFlow(map[string]any{"topic": "s"}, nil))
	id := h.start(pid, map[string]any{})
	h.waitStatus(id, engine.StatusWaiting)
	if _, err := h.rt.Act(ctx, id, engine.ActionSuspend); err != nil {
		t.Fatal(err)
	}
	if jobs, _ := x.Fetch(ctx, engine.FetchRequest{WorkerID: "w", MaxTasks: 1, Topics: []engine.FetchTopic{lockTopic("s")}}); len(jobs) != 0 {
		t.Fatal("a suspended instance's job was fetched")
	}
	list, _, _ := x.List(ctx, engine.ExternalFilter{InstanceID: id, Page: engine.Page{Limit: 5}})
	if len(list) != 1 || !list[0].Suspended {
		t.Fatalf("suspended job: %+v", list)
	}
	done := make(chan *engine.LockedJob, 1)
	go func() {
		jobs, _ := x.Fetch(ctx, engine.FetchRequest{WorkerID: "w", MaxTasks: 1, Wait: 20 * time.Second, Topics: []engine.FetchTopic{lockTopic("s")}})
		if len(jobs) == 1 {
			done <- jobs[0]
		}
		close(done)
	}()
	time.Sleep(30 * time.Millisecond) // let it wait (the test passes either way)
	if _, err := h.rt.Act(ctx, id, engine.ActionResume); err != nil {
		t.Fatal(err)
	}
	j, ok := <-done
	if !ok {
		t.Fatal("the resumed instance's job was not fetched")
	}
	if _, err := h.rt.Act(ctx, id, engine.ActionCancel); err != nil {
		t.Fatal(err)
	}
	got, _ := x.Get(ctx, j.ID)
	if got.State != engine.ExternalCanceled || got.EndedAt.IsZero() {
		t.Fatalf("job of a canceled instance: %+v", got)
	}
	coded(t, x.Complete(ctx, j.ID, "w", nil, nil), engine.ErrNotFound, engine.CodeExternalJobEnded)
	if jobs, _ := x.Fetch(ctx, engine.FetchRequest{WorkerID: "w", MaxTasks: 1, Topics: []engine.FetchTopic{lockTopic("s")}}); len(jobs) != 0 {
		t.Fatal("a canceled instance's job was fetched")
	}
	// The instance deleted: its job is unknown, whether the engine remembers which
	// instance it belonged to (it locked it) or not.
	if err := h.rt.DeleteInstance(ctx, id); err != nil {
		t.Fatal(err)
	}
	coded(t, x.Complete(ctx, j.ID, "w", nil, nil), engine.ErrNotFound, engine.CodeUnknownExternalJob)
	coded(t, x.BPMNError(ctx, j.ID, "w", "E1", "", nil), engine.ErrNotFound, engine.CodeUnknownExternalJob)
}

// TestExternalTaskRestart: a job survives a restart and completes after it.
func TestExternalTaskRestart(t *testing.T) {
	dir := t.TempDir()
	h := openHarness(t, dir)
	pid := h.deploy(extFlow(map[string]any{"topic": "r", "variables": map[string]any{"doubled": "{{ trigger.n * 2 }}"}}, nil))
	id := h.start(pid, map[string]any{"n": 21})
	h.waitStatus(id, engine.StatusWaiting)
	h.close()

	h = openHarness(t, dir)
	j := h.fetchOne("w", "r")
	if j.InstanceID != id {
		t.Fatalf("job of %s", j.InstanceID)
	}
	jsonEq(t, varMap(j.Variables), map[string]any{"n": 21, "doubled": 42})
	if err := h.rt.ExternalTasks().Complete(context.Background(), j.ID, "w", []*engine.Variable{{Name: "r", Value: "ok"}}, nil); err != nil {
		t.Fatal(err)
	}
	if v := h.wait(id); v.Status != engine.StatusDone {
		t.Fatalf("after restart: %s", v.Status)
	}
}

// TestExternalTaskVariables: which variables a worker receives.
func TestExternalTaskVariables(t *testing.T) {
	h := newHarness(t)
	x := h.rt.ExternalTasks()
	ctx := context.Background()
	pid := h.deploy(def("vars",
		task_("start", "manual", "prep"),
		script("prep", "vars.a = 'var'; vars.b = 2; return {fromPrep: true}", "e1"),
		task_("e1", "external-task", "e2").p("topic", "plain"),
		task_("e2", "external-task", "end").p("topic", "explicit").p("variables", map[string]any{"a": "param", "c": "{{ input.x }}"}),
		task_("end", "end")))
	id := h.start(pid, map[string]any{"a": "trigger", "t": 1})
	fetch := func(ft engine.FetchTopic) *engine.LockedJob {
		t.Helper()
		ft.LockDuration = time.Minute
		jobs, err := x.Fetch(ctx, engine.FetchRequest{WorkerID: "w", MaxTasks: 1, Wait: 10 * time.Second, Topics: []engine.FetchTopic{ft}})
		if err != nil || len(jobs) != 1 {
			t.Fatalf("fetch %s: %v %v", ft.Topic, jobs, err)
		}
		return jobs[0]
	}
	j := fetch(engine.FetchTopic{Topic: "plain"})
	jsonEq(t, varMap(j.Variables), map[string]any{"a": "var", "b": 2, "t": 1})
	x.Unlock(ctx, j.ID)
	j = fetch(engine.FetchTopic{Topic: "plain", Variables: []string{"b", "missing"}})
	jsonEq(t, varMap(j.Variables), map[string]any{"b": 2})
	x.Unlock(ctx, j.ID)
	j = fetch(engine.FetchTopic{Topic: "plain", LocalVariables: true})
	jsonEq(t, varMap(j.Variables), map[string]any{"fromPrep": true})
	x.Unlock(ctx, j.ID)
	j = fetch(engine.FetchTopic{Topic: "plain", Variables: []string{}})
	if len(j.Variables) != 0 {
		t.Fatalf("no variables asked: %v", varMap(j.Variables))
	}
	if err := x.Complete(ctx, j.ID, "w", []*engine.Variable{{Name: "b", Value: 3}}, []*engine.Variable{{Name: "x", Value: "from e1"}}); err != nil {
		t.Fatal(err)
	}
	j = fetch(engine.FetchTopic{Topic: "explicit"})
	jsonEq(t, varMap(j.Variables), map[string]any{"a": "param", "b": 3, "c": "from e1", "t": 1})
	x.Unlock(ctx, j.ID)
	j = fetch(engine.FetchTopic{Topic: "explicit", LocalVariables: true})
	jsonEq(t, varMap(j.Variables), map[string]any{"a": "param", "c": "from e1"})
	if err := x.Complete(ctx, j.ID, "w", nil, nil); err != nil {
		t.Fatal(err)
	}
	h.wait(id)
}

// TestExternalTaskBadInput: bad requests are ErrInvalid with coded problems; a fast
// process refuses the template.
func TestExternalTaskBadInput(t *testing.T) {
	h := newHarness(t)
	x := h.rt.ExternalTasks()
	ctx := context.Background()
	_, err := x.Fetch(ctx, engine.FetchRequest{MaxTasks: 0, Wait: time.Hour, Topics: []engine.FetchTopic{{Topic: "a"}, {Topic: "a", LockDuration: time.Second}}})
	var ve *engine.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("bad fetch: %v", err)
	}
	codes := map[string]engine.Code{}
	for _, p := range ve.Problems {
		codes[p.Field] = p.Code
	}
	jsonEq(t, codes, map[string]any{"workerId": "required", "maxTasks": "out_of_range", "asyncResponseTimeout": "out_of_range",
		"topics[0].lockDuration": "out_of_range", "topics[1].topicName": "duplicate"})
	if _, err := x.Fetch(ctx, engine.FetchRequest{WorkerID: "w", MaxTasks: 1}); !errors.Is(err, engine.ErrInvalid) {
		t.Fatalf("no topics: %v", err)
	}
	coded(t, x.Complete(ctx, 42, "w", nil, nil), engine.ErrNotFound, engine.CodeUnknownExternalJob)
	coded(t, x.Unlock(ctx, 42), engine.ErrNotFound, engine.CodeUnknownExternalJob)
	coded(t, x.SetRetries(ctx, 42, 1), engine.ErrNotFound, engine.CodeUnknownExternalJob)
	if err := x.Complete(ctx, 42, "w", []*engine.Variable{{Name: "n", Type: "long", Value: "x"}}, nil); !errors.Is(err, engine.ErrInvalid) {
		t.Fatalf("bad variable: %v", err)
	}

	var p engine.Process
	fast := extFlow(map[string]any{"topic": "f"}, nil)
	if err := json.Unmarshal([]byte(fast), &p); err != nil {
		t.Fatal(err)
	}
	p.Engine = engine.EngineFast
	if _, err := h.defs.Create(ctx, &p, "tester"); !errors.As(err, &ve) || ve.Problems[0].Code != engine.CodeWaitsInFast {
		t.Fatalf("fast process: %v", err)
	}
	p.Engine = ""
	p.Tasks[1].Parameters["topic"].Value = ""
	if _, err := h.defs.Create(ctx, &p, "tester"); !errors.Is(err, engine.ErrInvalid) {
		t.Fatalf("no topic: %v", err)
	}
}
