package engine_test

import (
	"context"
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
