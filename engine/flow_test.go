package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"flowcraft/engine"
)

// tk is a task under construction for test definitions.
type tk map[string]any

func task_(id, tpl string, to ...string) tk {
	conns := []any{}
	for _, x := range to {
		conns = append(conns, map[string]any{"to": x})
	}
	return tk{"instId": id, "template": tpl, "connections": conns, "parameters": map[string]any{}}
}

func (x tk) p(k string, v any) tk {
	x["parameters"].(map[string]any)[k] = map[string]any{"value": v}
	return x
}

func (x tk) set(k string, v any) tk { x[k] = v; return x }

// conn replaces the connections with explicit ones: to, condition, default.
func (x tk) conns(cs ...map[string]any) tk {
	list := []any{}
	for _, c := range cs {
		list = append(list, c)
	}
	x["connections"] = list
	return x
}

func to(id, cond string) map[string]any { return map[string]any{"to": id, "condition": cond} }
func dflt(id string) map[string]any     { return map[string]any{"to": id, "default": true} }

func def(name string, tasks ...tk) string {
	b, _ := json.Marshal(map[string]any{"name": name, "tasks": tasks})
	return string(b)
}

func script(id, code string, next ...string) tk { return task_(id, "script", next...).p("code", code) }

func TestSequenceAndVars(t *testing.T) {
	h := newHarness(t)
	pid := h.deploy(def("seq",
		task_("start", "manual", "a"),
		script("a", "vars.count = (vars.count || 0) + trigger.n; console.log('n is', trigger.n); return {doubled: trigger.n * 2}", "b"),
		script("b", "vars.count += 1; return {sum: input.doubled + vars.count, a: nodes['a'].output.doubled, id: instance.processId}", "end"),
		task_("end", "end").p("output", "{{ ({result: input.sum, by: instance.startedBy}) }}"),
	))
	v := h.run(pid, map[string]any{"n": 5})
	if v.Status != engine.StatusDone {
		t.Fatalf("status %s: %s", v.Status, v.Error)
	}
	jsonEq(t, v.Output, map[string]any{"result": 16, "by": "tester"})
	jsonEq(t, task(v, "b").Runtimes[0].Output, map[string]any{"sum": 16, "a": 10, "id": pid})
	jsonEq(t, task(v, "b").Runtimes[0].Incoming, map[string]any{"doubled": 10})
	if logs := task(v, "a").Runtimes[0].Logs; len(logs) != 1 || !strings.Contains(logs[0].Message, "n is 5") {
		t.Errorf("logs %+v", logs)
	}
	vars, _ := h.rt.Variables(context.Background(), v.ID)
	jsonEq(t, vars, map[string]any{"count": 6})
	jsonEq(t, statuses(v), map[string][]string{"start": {"done"}, "a": {"done"}, "b": {"done"}, "end": {"done"}})
	for _, tv := range v.Tasks {
		for _, r := range tv.Runtimes {
			if r.StartAt == 0 || r.EndAt < r.StartAt {
				t.Errorf("%s runtime times %d..%d", tv.InstID, r.StartAt, r.EndAt)
			}
		}
	}
	if v.EndAt < v.StartAt || v.Cost != v.EndAt-v.StartAt {
		t.Errorf("instance times %d %d %d", v.StartAt, v.EndAt, v.Cost)
	}
}

func TestExclusiveGateway(t *testing.T) {
	h := newHarness(t)
	pid := h.deploy(def("excl",
		task_("start", "manual", "gw"),
		task_("gw", "exclusive-gateway").conns(to("small", "trigger.amount < 100"), to("mid", "trigger.amount < 1000"), dflt("big")),
		script("small", "return 'small'", "end"),
		script("mid", "return 'mid'", "end"),
		script("big", "return 'big'", "end"),
		task_("end", "end"),
	))
	for _, tc := range []struct {
		amount float64
		want   string
	}{{5, "small"}, {500, "mid"}, {5000, "big"}} {
		v := h.run(pid, map[string]any{"amount": tc.amount})
		if v.Output != tc.want {
			t.Errorf("amount %v: output %v", tc.amount, v.Output)
		}
		for _, other := range []string{"small", "mid", "big"} {
			if ran := len(task(v, other).Runtimes) > 0; ran != (other == tc.want) {
				t.Errorf("amount %v: %s ran=%v", tc.amount, other, ran)
			}
		}
	}
}

func TestParallelForkJoin(t *testing.T) {
	h := newHarness(t)
	pid := h.deploy(def("par",
		task_("start", "manual", "fork"),
		task_("fork", "parallel-gateway", "a", "b", "c"),
		script("a", "return 1", "join"),
		script("b", "return 2", "join"),
		task_("c", "delay", "join").p("duration", "30ms"),
		task_("join", "parallel-gateway", "sum"),
		script("sum", "return input.a + input.b + (input.c.x)", "end"),
		task_("end", "end"),
	))
	v := h.run(pid, map[string]any{"x": 10})
	if v.Status != engine.StatusDone || v.Output != float64(13) {
		t.Fatalf("status %s output %v err %s", v.Status, v.Output, v.Error)
	}
	if n := len(task(v, "join").Runtimes); n != 1 {
		t.Errorf("join ran %d times", n)
	}
	jsonEq(t, task(v, "join").Runtimes[0].Incoming, map[string]any{"a": 1, "b": 2, "c": map[string]any{"x": 10}})
}

func TestInclusiveForkJoin(t *testing.T) {
	h := newHarness(t)
	pid := h.deploy(def("incl",
		task_("start", "manual", "fork"),
		task_("fork", "inclusive-gateway").conns(to("a", "trigger.a"), to("b", "trigger.b"), to("c", "trigger.c"), dflt("none")),
		script("a", "return 'A'", "join"),
		task_("b", "delay", "join").p("duration", "20ms"),
		script("c", "return 'C'", "join"),
		script("none", "return 'none'", "join"),
		task_("join", "inclusive-gateway", "end"),
		task_("end", "end").p("output", "{{ Object.keys(input).sort().join(',') }}"),
	))
	for _, tc := range []struct {
		trigger map[string]any
		want    string
	}{
		{map[string]any{"a": true, "b": true}, "a,b"},
		{map[string]any{"c": true}, "c"},
		{map[string]any{"a": true, "b": true, "c": true}, "a,b,c"},
		{map[string]any{}, "none"},
	} {
		v := h.run(pid, tc.trigger)
		if v.Status != engine.StatusDone || v.Output != tc.want {
			t.Errorf("%v: status %s output %v error %s", tc.trigger, v.Status, v.Output, v.Error)
		}
		if n := len(task(v, "join").Runtimes); n != 1 {
			t.Errorf("%v: join ran %d times", tc.trigger, n)
		}
	}
}

func TestLoops(t *testing.T) {
	h := newHarness(t)
	forEach := func(parallel bool) string {
		return def("loop",
			task_("start", "manual", "each"),
			script("each", "vars.seen = (vars.seen || 0) + 1; return {id: item.id, total: item.qty * item.price, index: index}", "end").
				set("loopHandler", map[string]any{"mode": "forEach", "items": "{{ trigger.rows }}", "parallel": parallel, "maxConcurrency": 2}),
			task_("end", "end").p("output", "{{ ({count: input.length, sum: input.reduce((s, r) => s + r.total, 0), last: input.length ? input[input.length-1].index : null}) }}"),
		)
	}
	rows := []any{}
	for i := range 5 {
		rows = append(rows, map[string]any{"id": i, "qty": i + 1, "price": 10})
	}
	for _, parallel := range []bool{false, true} {
		v := h.run(h.deploy(forEach(parallel)), map[string]any{"rows": rows})
		if v.Status != engine.StatusDone {
			t.Fatalf("parallel=%v: %s %s", parallel, v.Status, v.Error)
		}
		jsonEq(t, v.Output, map[string]any{"count": 5, "sum": 150, "last": 4})
		runs := task(v, "each").Runtimes
		if len(runs) != 5 {
			t.Fatalf("parallel=%v: %d runtimes", parallel, len(runs))
		}
		seen := map[int]bool{}
		for _, r := range runs {
			seen[r.Index] = true
			if r.Status != engine.StatusDone {
				t.Errorf("iteration %d: %s", r.Index, r.Status)
			}
		}
		if len(seen) != 5 {
			t.Errorf("indexes %v", seen)
		}
	}
	// An empty list runs no iteration and outputs [].
	v := h.run(h.deploy(forEach(false)), map[string]any{"rows": []any{}})
	if v.Status != engine.StatusDone {
		t.Fatalf("empty loop: %s %s", v.Status, v.Error)
	}
	// while: paginate until there is no next page, bounded by max.
	pid := h.deploy(def("while",
		task_("start", "manual", "page"),
		script("page", "return {page: (input.page || 0) + 1}", "end").
			set("loopHandler", map[string]any{"mode": "while", "condition": "(input.page || 0) < 3", "max": 10}),
		task_("end", "end").p("output", "{{ input.map(p => p.page) }}"),
	))
	v = h.run(pid, map[string]any{})
	jsonEq(t, v.Output, []any{1, 2, 3})
	capped := h.deploy(def("while-max",
		task_("start", "manual", "spin"),
		script("spin", "return index", "end").set("loopHandler", map[string]any{"mode": "while", "condition": "true", "max": 4}),
		task_("end", "end"),
	))
	v = h.run(capped, map[string]any{})
	jsonEq(t, v.Output, []any{0, 1, 2, 3})
}

// TestGatewaysInsideGraphLoop: a cycle through an exclusive gateway with a nested
// gateway inside the cycle.
func TestGatewaysInsideGraphLoop(t *testing.T) {
	h := newHarness(t)
	pid := h.deploy(def("cycle",
		task_("start", "manual", "step"),
		script("step", "vars.i = (vars.i || 0) + 1; return vars.i", "parity"),
		task_("parity", "exclusive-gateway").conns(to("even", "input % 2 === 0"), dflt("odd")),
		script("even", "vars.evens = (vars.evens || 0) + 1; return input", "more"),
		script("odd", "vars.odds = (vars.odds || 0) + 1; return input", "more"),
		task_("more", "exclusive-gateway").conns(to("step", "vars.i < 5"), dflt("end")),
		task_("end", "end").p("output", "{{ ({i: vars.i, evens: vars.evens, odds: vars.odds}) }}"),
	))
	v := h.run(pid, map[string]any{})
	jsonEq(t, v.Output, map[string]any{"i": 5, "evens": 2, "odds": 3})
	if n := len(task(v, "step").Runtimes); n != 5 {
		t.Errorf("step ran %d times", n)
	}
}

func TestRetries(t *testing.T) {
	h := newHarness(t)
	pid := h.deploy(def("retry",
		task_("start", "manual", "call"),
		task_("call", "flaky", "end").p("key", "{{ trigger.key }}").p("failures", 2).
			set("errorHandler", map[string]any{"retry": 3, "interval": 10, "backoff": 2}),
		task_("end", "end"),
	))
	v := h.run(pid, map[string]any{"key": "r1"})
	if v.Status != engine.StatusDone {
		t.Fatalf("status %s: %s", v.Status, v.Error)
	}
	jsonEq(t, statuses(v)["call"], []string{"failed", "failed", "done"})
	runs := task(v, "call").Runtimes
	for i, r := range runs {
		if r.Attempt != i {
			t.Errorf("runtime %d attempt %d", i, r.Attempt)
		}
	}
	if !strings.Contains(runs[0].Error, "flaky failure 1") {
		t.Errorf("first error %q", runs[0].Error)
	}
	// Too many failures: the instance fails after retry+1 attempts.
	v = h.run(pid, map[string]any{"key": "r2-fails"})
	h.flaky.mu.Lock()
	h.flaky.calls["r2-fails"] = -100
	h.flaky.mu.Unlock()
	_ = v
	pid2 := h.deploy(def("retry-exhausted",
		task_("start", "manual", "call"),
		task_("call", "flaky", "end").p("key", "r3").p("failures", 10).set("errorHandler", map[string]any{"retry": 2}),
		task_("end", "end"),
	))
	v = h.run(pid2, map[string]any{})
	if v.Status != engine.StatusFailed || !strings.Contains(v.Error, "flaky failure 3") {
		t.Fatalf("exhausted: %s %q", v.Status, v.Error)
	}
	jsonEq(t, statuses(v)["call"], []string{"failed", "failed", "failed"})
}

func TestErrorStrategies(t *testing.T) {
	h := newHarness(t)
	ignore := h.deploy(def("ignore",
		task_("start", "manual", "bad"),
		script("bad", "throw new Error('boom')", "after").set("errorHandler", map[string]any{"strategy": "ignore"}),
		script("after", "return {saw: input.error}", "end"),
		task_("end", "end"),
	))
	v := h.run(ignore, nil)
	if v.Status != engine.StatusDone || !strings.Contains(v.Output.(map[string]any)["saw"].(string), "boom") {
		t.Fatalf("ignore: %s %v %s", v.Status, v.Output, v.Error)
	}
	if task(v, "bad").Status != engine.StatusFailed {
		t.Errorf("ignored task status %s", task(v, "bad").Status)
	}
	gotoDef := h.deploy(def("goto",
		task_("start", "manual", "bad"),
		script("bad", "throw new Error('nope')", "end").set("errorHandler", map[string]any{"strategy": "goto", "target": "rescue"}),
		script("rescue", "return {rescued: input.taskId}", "end"),
		task_("end", "end"),
	))
	v = h.run(gotoDef, nil)
	jsonEq(t, v.Output, map[string]any{"rescued": "bad"})
	fail := h.deploy(def("fail",
		task_("start", "manual", "bad"),
		script("bad", "null.x", "end"),
		task_("end", "end"),
	))
	v = h.run(fail, nil)
	if v.Status != engine.StatusFailed || !strings.Contains(v.Error, "bad") || len(task(v, "end").Runtimes) != 0 {
		t.Fatalf("fail: %s %q", v.Status, v.Error)
	}
}

func TestTimeouts(t *testing.T) {
	h := newHarness(t)
	taskTimeout := h.deploy(def("task-timeout",
		task_("start", "manual", "slow"),
		task_("slow", "flaky", "end").p("key", "slow").p("sleep", 5000).set("timeout", 100),
		task_("end", "end"),
	))
	v := h.run(taskTimeout, nil)
	if v.Status != engine.StatusFailed || task(v, "slow").Status != engine.StatusTimeout {
		t.Fatalf("task timeout: %s / %s %q", v.Status, task(v, "slow").Status, v.Error)
	}
	procTimeout := h.deploy(`{"name": "proc-timeout", "timeout": 150, "tasks": [
		{"instId": "start", "template": "manual", "connections": [{"to": "wait"}]},
		{"instId": "wait", "template": "delay", "connections": [{"to": "end"}], "parameters": {"duration": {"value": "1h"}}},
		{"instId": "end", "template": "end"}]}`)
	v = h.run(procTimeout, nil)
	if v.Status != engine.StatusTimeout || task(v, "wait").Status != engine.StatusCanceled {
		t.Fatalf("process timeout: %s / %s", v.Status, task(v, "wait").Status)
	}
}

func TestCancelWaitingAndActions(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	pid := h.deploy(def("waiter",
		task_("start", "manual", "wait"),
		task_("wait", "delay", "end").p("duration", "1h"),
		task_("end", "end"),
	))
	id := h.start(pid, nil)
	h.waitStatus(id, engine.StatusWaiting)
	if _, err := h.rt.Act(ctx, id, engine.ActionResume); !errors.Is(err, engine.ErrConflict) || !strings.Contains(err.Error(), "waiting") {
		t.Fatalf("resume of waiting: %v", err)
	}
	if in, err := h.rt.Act(ctx, id, engine.ActionSuspend); err != nil || in.Status != engine.StatusSuspended {
		t.Fatalf("suspend: %v %v", in, err)
	}
	if in, err := h.rt.Act(ctx, id, engine.ActionResume); err != nil || in.Status != engine.StatusRunning {
		t.Fatalf("resume: %v %v", in, err)
	}
	h.waitStatus(id, engine.StatusWaiting)
	if err := h.rt.DeleteInstance(ctx, id); !errors.Is(err, engine.ErrConflict) {
		t.Fatalf("delete running: %v", err)
	}
	if in, err := h.rt.Act(ctx, id, engine.ActionCancel); err != nil || in.Status != engine.StatusCanceled {
		t.Fatalf("cancel: %v %v", in, err)
	}
	v := h.describe(id)
	if task(v, "wait").Status != engine.StatusCanceled {
		t.Errorf("waiting task %s", task(v, "wait").Status)
	}
	if jobs, _, _ := h.store.ListJobs(ctx, "", engine.Page{Limit: 10}); len(jobs) != 0 {
		t.Errorf("jobs left after cancel: %d", len(jobs))
	}
	if _, err := h.rt.Act(ctx, id, engine.ActionCancel); !errors.Is(err, engine.ErrConflict) || !strings.Contains(err.Error(), "canceled") {
		t.Fatalf("cancel twice: %v", err)
	}
	if _, err := h.rt.Act(ctx, id, "explode"); !errors.Is(err, engine.ErrInvalid) {
		t.Fatalf("unknown action: %v", err)
	}
	if err := h.rt.DeleteInstance(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := h.rt.Act(ctx, id, engine.ActionCancel); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("act on deleted: %v", err)
	}
}

func TestRetryAction(t *testing.T) {
	h := newHarness(t)
	pid := h.deploy(def("retry-action",
		task_("start", "manual", "call"),
		task_("call", "flaky", "end").p("key", "ra").p("failures", 1),
		task_("end", "end"),
	))
	v := h.run(pid, nil)
	if v.Status != engine.StatusFailed {
		t.Fatalf("first run: %s", v.Status)
	}
	if _, err := h.rt.Act(context.Background(), v.ID, engine.ActionRetry); err != nil {
		t.Fatal(err)
	}
	v = h.wait(v.ID)
	if v.Status != engine.StatusDone || v.Error != "" {
		t.Fatalf("after retry: %s %q", v.Status, v.Error)
	}
	jsonEq(t, statuses(v)["call"], []string{"failed", "done"})
}

func TestSubprocessIgnoreAndTerminate(t *testing.T) {
	h := newHarness(t)
	child := h.deploy(def("child",
		task_("start", "manual", "double"),
		script("double", "return {doubled: trigger.n * 2}", "end"),
		task_("end", "end"),
	))
	parent := h.deploy(def("parent",
		task_("start", "manual", "skip"),
		script("skip", "throw new Error('never runs')", "call").set("isIgnore", true),
		task_("call", "subprocess", "end").p("processId", child).p("input", "{{ ({n: trigger.n}) }}"),
		task_("end", "end").p("output", "{{ input.doubled }}"),
	))
	v := h.run(parent, map[string]any{"n": 21})
	if v.Status != engine.StatusDone || v.Output != float64(42) {
		t.Fatalf("parent: %s %v %s", v.Status, v.Output, v.Error)
	}
	if task(v, "skip").Status != engine.StatusSkipped {
		t.Errorf("ignored task: %s", task(v, "skip").Status)
	}
	kids, total, _ := h.rt.ListInstances(context.Background(), engine.InstanceFilter{ParentID: v.ID, Page: engine.Page{Limit: 5}})
	if total != 1 || kids[0].ProcessID != child || kids[0].TriggerApp != "subprocess" {
		t.Fatalf("children %d %+v", total, kids)
	}
	// terminate: the first end ends the instance; the slow branch is canceled.
	term := h.deploy(def("terminate",
		task_("start", "manual", "fork"),
		task_("fork", "parallel-gateway", "fast", "slow"),
		task_("fast", "end").p("output", "fast").p("terminate", true),
		task_("slow", "delay", "end2").p("duration", "1h"),
		task_("end2", "end"),
	))
	v = h.run(term, nil)
	if v.Status != engine.StatusDone || v.Output != "fast" || task(v, "slow").Status != engine.StatusCanceled {
		t.Fatalf("terminate: %s %v %s", v.Status, v.Output, task(v, "slow").Status)
	}
}

func TestStartErrors(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	pid := h.deploy(`{"name": "schema", "inputDataSchema": {"type": "object", "required": ["days"],
		"properties": {"days": {"type": "number", "minimum": 0.5}}},
		"tasks": [{"instId": "s", "template": "manual", "connections": [{"to": "e"}]}, {"instId": "e", "template": "end"}]}`)
	_, err := h.rt.StartInstance(ctx, pid, map[string]any{"days": 0}, engine.StartOptions{})
	var ve *engine.ValidationError
	if !errors.As(err, &ve) || ve.Problems[0].Field != "trigger/days" {
		t.Fatalf("schema violation: %v", err)
	}
	if _, err := h.rt.StartInstance(ctx, pid, map[string]any{}, engine.StartOptions{}); !errors.As(err, &ve) || !strings.Contains(ve.Error(), "days") {
		t.Fatalf("missing field: %v", err)
	}
	if _, err := h.rt.StartInstance(ctx, "proc-nothere", nil, engine.StartOptions{}); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("unknown process: %v", err)
	}
	off := false
	if _, err := h.defs.Patch(ctx, pid, nil, nil, &off, "tester"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.rt.StartInstance(ctx, pid, map[string]any{"days": 1}, engine.StartOptions{}); !errors.Is(err, engine.ErrConflict) || !strings.Contains(err.Error(), "disabled") {
		t.Fatalf("disabled: %v", err)
	}
}

func TestIdempotencyKey(t *testing.T) {
	h := newHarness(t)
	pid := h.deploy(def("idem", task_("s", "manual", "e"), task_("e", "end")))
	ctx := context.Background()
	first, err := h.rt.StartInstance(ctx, pid, map[string]any{"n": 1}, engine.StartOptions{IdempotencyKey: "k1", Wait: 5 * time.Second})
	if err != nil || first.Existing {
		t.Fatal(err)
	}
	// The same data (keys in another order) returns the first instance.
	again, err := h.rt.StartInstance(ctx, pid, map[string]any{"n": 1.0}, engine.StartOptions{IdempotencyKey: "k1", Wait: 5 * time.Second})
	if err != nil || !again.Existing || again.Instance.ID != first.Instance.ID || !again.Ended {
		t.Fatalf("repeat: %+v %v", again, err)
	}
	// Other data with the same key is refused, not answered with the first instance.
	if res, err := h.rt.StartInstance(ctx, pid, map[string]any{"n": 2}, engine.StartOptions{IdempotencyKey: "k1"}); !errors.Is(err, engine.ErrUnprocessable) {
		t.Fatalf("repeat with other data: %+v %v, want ErrUnprocessable", res, err)
	}
	other, _ := h.rt.StartInstance(ctx, pid, nil, engine.StartOptions{IdempotencyKey: "k2"})
	if other.Instance.ID == first.Instance.ID {
		t.Fatal("different keys share an instance")
	}
	// Keys are per scope (caller): the same key and data in two scopes are two starts.
	alice, err := h.rt.StartInstance(ctx, pid, map[string]any{"n": 3}, engine.StartOptions{IdempotencyKey: "k3", IdempotencyScope: "user:alice"})
	if err != nil {
		t.Fatal(err)
	}
	bob, err := h.rt.StartInstance(ctx, pid, map[string]any{"n": 3}, engine.StartOptions{IdempotencyKey: "k3", IdempotencyScope: "user:bob"})
	if err != nil || bob.Existing || bob.Instance.ID == alice.Instance.ID {
		t.Fatalf("another scope's key: %+v %v", bob, err)
	}
	bob2, err := h.rt.StartInstance(ctx, pid, map[string]any{"n": 3}, engine.StartOptions{IdempotencyKey: "k3", IdempotencyScope: "user:bob"})
	if err != nil || !bob2.Existing || bob2.Instance.ID != bob.Instance.ID {
		t.Fatalf("repeat in a scope: %+v %v", bob2, err)
	}
}
