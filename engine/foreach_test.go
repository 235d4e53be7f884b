package engine_test

import (
	"strings"
	"testing"

	"flowcraft/engine"
)

// A parallel forEach runs at most maxConcurrency iterations at once and keeps the
// outputs in item order.
func TestParallelForEachLimit(t *testing.T) {
	h := newHarness(t)
	pid := h.deploy(def("limit",
		task_("start", "manual", "each"),
		task_("each", "flaky", "end").p("key", "{{ item }}").p("sleep", 20).
			set("loopHandler", map[string]any{"mode": "forEach", "items": "{{ trigger.items }}", "parallel": true, "maxConcurrency": 2}),
		task_("end", "end").p("output", "{{ input.map(x => x.input) }}"),
	))
	items := []any{"a", "b", "c", "d", "e", "f", "g", "h"}
	v := h.run(pid, map[string]any{"items": items})
	if v.Status != engine.StatusDone {
		t.Fatalf("instance %s: %s", v.Status, v.Error)
	}
	jsonEq(t, v.Output, items)
	if peak := h.flaky.peak.Load(); peak > 2 {
		t.Fatalf("%d iterations ran at once, maxConcurrency is 2", peak)
	}
}

// The first failing iteration of a parallel forEach cancels the others: the one
// running is interrupted, the ones not started never run; all end canceled, and the
// instance fails with the failing iteration's error.
func TestParallelForEachFirstErrorCancelsRest(t *testing.T) {
	h := newHarness(t)
	pid := h.deploy(def("cancel",
		task_("start", "manual", "each"),
		task_("each", "flaky", "end").p("key", "{{ item }}").
			p("failures", "{{ item === 'bad' ? 1 : 0 }}").p("sleep", "{{ item === 'bad' ? 0 : 600000 }}").
			set("loopHandler", map[string]any{"mode": "forEach", "items": "{{ trigger.items }}", "parallel": true, "maxConcurrency": 2}),
		task_("end", "end"),
	))
	v := h.run(pid, map[string]any{"items": []any{"slow", "bad", "c", "d", "e", "f"}})
	if v.Status != engine.StatusFailed || !strings.Contains(v.Error, "iteration 1") {
		t.Fatalf("instance %s: %q, want failed by iteration 1", v.Status, v.Error)
	}
	got := map[int]string{}
	for _, r := range task(v, "each").Runtimes {
		got[r.Index] = r.Status
	}
	want := map[int]string{0: engine.StatusCanceled, 1: engine.StatusFailed, 2: engine.StatusCanceled,
		3: engine.StatusCanceled, 4: engine.StatusCanceled, 5: engine.StatusCanceled}
	jsonEq(t, got, want)
	h.flaky.mu.Lock()
	defer h.flaky.mu.Unlock()
	for _, k := range []string{"c", "d", "e", "f"} {
		if n := h.flaky.calls[k]; n != 0 {
			t.Errorf("iteration %s ran %d times after the failure", k, n)
		}
	}
}
