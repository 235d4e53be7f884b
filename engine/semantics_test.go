package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"flowcraft/engine"
)

// withEngine sets the engine of a definition built by def().
func withEngine(d, name string) string {
	var m map[string]any
	json.Unmarshal([]byte(d), &m)
	m["engine"] = name
	b, _ := json.Marshal(m)
	return string(b)
}

// TestEnginesAgree runs the same flows on the standard and the fast engine: the same
// status, output, and runtime shapes (task → statuses in order).
func TestEnginesAgree(t *testing.T) {
	rows := []any{}
	for i := range 4 {
		rows = append(rows, map[string]any{"id": i, "qty": i + 1, "price": 2})
	}
	cases := []struct {
		name    string
		def     string
		trigger map[string]any
	}{
		{"sequence and vars", def("seq",
			task_("start", "manual", "a"),
			script("a", "vars.c = trigger.n; return {d: trigger.n * 2}", "b"),
			script("b", "return {sum: input.d + vars.c, a: nodes['a'].output.d}", "end"),
			task_("end", "end").p("output", "{{ input }}")), map[string]any{"n": 4}},
		{"exclusive gateway", def("excl",
			task_("start", "manual", "gw"),
			task_("gw", "exclusive-gateway").conns(to("small", "trigger.amount < 100"), dflt("big")),
			script("small", "return 'small'", "end"), script("big", "return 'big'", "end"),
			task_("end", "end")), map[string]any{"amount": 500}},
		{"parallel fork and join", def("par",
			task_("start", "manual", "fork"), task_("fork", "parallel-gateway", "x", "y"),
			script("x", "return 1", "join"), script("y", "return 2", "join"),
			task_("join", "parallel-gateway", "end"), task_("end", "end").p("output", "{{ input.x + input.y }}")), nil},
		{"inclusive fork and join", def("incl",
			task_("start", "manual", "fork"),
			task_("fork", "inclusive-gateway").conns(to("x", "true"), to("y", "false"), to("z", "true")),
			script("x", "return 'x'", "join"), script("y", "return 'y'", "join"), script("z", "return 'z'", "join"),
			task_("join", "inclusive-gateway", "end"), task_("end", "end").p("output", "{{ Object.keys(input).sort().join() }}")), nil},
		{"forEach sequential and parallel", def("loops",
			task_("start", "manual", "seq"),
			script("seq", "return item.qty * item.price", "par").set("loopHandler", map[string]any{"mode": "forEach", "items": "{{ trigger.rows }}"}),
			script("par", "return item * 10", "end").set("loopHandler", map[string]any{"mode": "forEach", "items": "{{ input }}", "parallel": true, "maxConcurrency": 2}),
			task_("end", "end")), map[string]any{"rows": rows}},
		{"while loop", def("while",
			task_("start", "manual", "w"),
			script("w", "return (input.k || 0) + 1", "end").set("loopHandler", map[string]any{"mode": "while", "condition": "(typeof input === 'number' ? input : 0) < 3", "max": 10}),
			task_("end", "end")), nil},
		{"retries then success", def("retry",
			task_("start", "manual", "f"),
			task_("f", "flaky", "end").p("key", "{{ trigger.key }}").p("failures", 2).set("errorHandler", map[string]any{"retry": 3, "interval": 5}),
			task_("end", "end").p("output", "{{ input.calls }}")), nil},
		{"ignore and goto", def("errors",
			task_("start", "manual", "bad"),
			script("bad", "throw new Error('x')", "good").set("errorHandler", map[string]any{"strategy": "goto", "target": "rescue"}),
			script("good", "return 'never'", "end"),
			script("rescue", "return input.taskId", "end"),
			task_("end", "end")), nil},
		{"failure", def("fail", task_("start", "manual", "bad"), script("bad", "null.x", "end"), task_("end", "end")), nil},
		{"task timeout", def("timeout",
			task_("start", "manual", "slow"),
			task_("slow", "flaky", "end").p("key", "{{ trigger.key }}").p("sleep", 2000).set("timeout", 50),
			task_("end", "end")), nil},
		{"isIgnore and terminate", def("term",
			task_("start", "manual", "skip"),
			script("skip", "throw new Error('skipped')", "fork").set("isIgnore", true),
			task_("fork", "parallel-gateway", "stop", "more"),
			task_("stop", "end").p("output", "stopped").p("terminate", true),
			script("more", "return 1", "end2"), task_("end2", "end")), nil},
	}
	h := newHarness(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var results [2]*engine.InstanceView
			for i, eng := range []string{engine.EngineStandard, engine.EngineFast} {
				trig := map[string]any{}
				for k, v := range tc.trigger {
					trig[k] = v
				}
				trig["key"] = tc.name + "/" + eng // flaky counts per engine
				results[i] = h.run(h.deploy(withEngine(tc.def, eng)), trig)
			}
			std, fast := results[0], results[1]
			if std.Status != fast.Status {
				t.Fatalf("status: standard %s (%s), fast %s (%s)", std.Status, std.Error, fast.Status, fast.Error)
			}
			jsonEq(t, fast.Output, std.Output)
			jsonEq(t, statuses(fast), statuses(std))
			if std.Engine != engine.EngineStandard || fast.Engine != engine.EngineFast {
				t.Errorf("engines %s %s", std.Engine, fast.Engine)
			}
		})
	}
}

// A definition stored before validation refused what it holds (here an input schema
// that does not compile) answers every start with a conflict naming the problem,
// not an internal error.
func TestStoredDefinitionThatCannotRun(t *testing.T) {
	h := newHarness(t)
	pid := h.deploy(def("old", task_("start", "manual", "end"), task_("end", "end")))
	p, err := h.store.ProcessAt(context.Background(), pid, 1)
	if err != nil {
		t.Fatal(err)
	}
	p.ID, p.InputDataSchema = "proc-oldschem", json.RawMessage(`{"type": 5}`)
	if err := h.store.InsertProcess(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	_, err = h.rt.StartInstance(context.Background(), p.ID, map[string]any{}, engine.StartOptions{By: "tester"})
	if !errors.Is(err, engine.ErrConflict) || !strings.Contains(err.Error(), "cannot run") {
		t.Fatalf("start: %v, want a conflict saying it cannot run", err)
	}
}
