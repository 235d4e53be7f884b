package engine_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"flowcraft/engine"
)

// TestRuntimeInputIsResolvedParameters: on both engines, a runtime's input is its
// task's parameters with {{ }} resolved (the seed's {"code": ...}) and the values of
// secret parameters hidden, and incoming is the data that led to it; both survive
// the store.
func TestRuntimeInputIsResolvedParameters(t *testing.T) {
	const token = "tok-abcdef-secret"
	code := "return {doubled: trigger.n * 2}"
	for _, eng := range []string{engine.EngineStandard, engine.EngineFast} {
		t.Run(eng, func(t *testing.T) {
			h := newHarness(t)
			d := map[string]any{"name": "inputs", "engine": eng, "tasks": []tk{
				task_("start", "webhook", "a").p("respond", "immediate").p("secret", "hook-signing-secret-1"),
				script("a", code, "call"),
				task_("call", "http-request", "loop").p("url", "http://127.0.0.1:1/items?n={{ input.doubled }}").
					p("headers", map[string]any{"Authorization": "Bearer {{ trigger.token }}"}).
					set("errorHandler", map[string]any{"strategy": "ignore"}),
				task_("loop", "flaky", "gw").p("key", "k-{{ item }}").
					set("loopHandler", map[string]any{"mode": "forEach", "items": "{{ [1, 2] }}"}),
				task_("gw", "exclusive-gateway").conns(dflt("end")),
				task_("end", "end").p("output", "{{ trigger.n }}"),
			}}
			b, _ := json.Marshal(d)
			pid := h.deploy(string(b))
			trigger := map[string]any{"n": 5, "token": token}
			v := h.run(pid, trigger)
			if err := h.rt.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			v = h.describe(v.ID) // as the store has it
			if v.Status != engine.StatusDone {
				t.Fatalf("status %s: %s", v.Status, v.Error)
			}
			rt := func(id string, i int) *engine.NodeRun {
				t.Helper()
				tv := task(v, id)
				if tv == nil || len(tv.Runtimes) <= i {
					t.Fatalf("task %s: no runtime %d", id, i)
				}
				return tv.Runtimes[i]
			}
			jsonEq(t, rt("start", 0).Input, map[string]any{"respond": "immediate", "secret": engine.Redacted})
			jsonEq(t, rt("start", 0).Incoming, trigger)
			jsonEq(t, rt("a", 0).Input, map[string]any{"code": code})
			jsonEq(t, rt("a", 0).Incoming, trigger)
			call := rt("call", 0)
			if call.Status != engine.StatusFailed {
				t.Errorf("call: %s", call.Status)
			}
			if call.Input["url"] != "http://127.0.0.1:1/items?n=10" {
				t.Errorf("call url %v", call.Input["url"])
			}
			jsonEq(t, call.Input["headers"], map[string]any{"Authorization": engine.Redacted})
			jsonEq(t, call.Incoming, map[string]any{"doubled": 10})
			if b, _ := json.Marshal(call.Input); strings.Contains(string(b), token) {
				t.Errorf("a resolved secret parameter is shown: %s", b)
			}
			jsonEq(t, rt("loop", 0).Input, map[string]any{"key": "k-1"})
			jsonEq(t, rt("loop", 1).Input, map[string]any{"key": "k-2"})
			jsonEq(t, rt("loop", 1).Incoming, 2)
			jsonEq(t, rt("gw", 0).Input, map[string]any{})
			if out := rt("end", 0).Input["output"]; out != float64(5) {
				t.Errorf("end output parameter %v", out)
			}
			b, _ = json.Marshal(rt("a", 0))
			if !strings.Contains(string(b), `"input":{"code":`) || !strings.Contains(string(b), `"incoming":{`) {
				t.Errorf("runtime JSON: %s", b)
			}
			// node_inst.task holds what was resolved; the definition's own parameters
			// (the trigger's, the script's code, the gateway's none) stay NULL and come
			// back from the definition, as checked above.
			stored := storedParams(t, h.dir, v.ID)
			for _, id := range []string{"start", "a", "gw"} {
				if p, ok := stored[id]; !ok || p != nil {
					t.Errorf("task column of %s: %v (present %v), want NULL", id, p, ok)
				}
			}
			for _, id := range []string{"call", "loop", "end"} {
				if p := stored[id]; p == nil {
					t.Errorf("task column of %s is NULL, want the resolved parameters", id)
				}
			}
			if p := stored["call"]; p != nil && strings.Contains(*p, token) {
				t.Errorf("a resolved secret parameter is stored: %s", *p)
			}
		})
	}
}

// TestSkippedRuntimeHasNoInput: a skipped task resolves nothing: input is null, the
// data passes through as incoming.
func TestSkippedRuntimeHasNoInput(t *testing.T) {
	h := newHarness(t)
	pid := h.deploy(def("skip",
		task_("start", "manual", "a"),
		script("a", "return 1", "end").set("isIgnore", true),
		task_("end", "end"),
	))
	v := h.run(pid, map[string]any{"x": 1})
	n := task(v, "a").Runtimes[0]
	if n.Status != engine.StatusSkipped || n.Input != nil {
		t.Errorf("skipped runtime: %s, input %v", n.Status, n.Input)
	}
	jsonEq(t, n.Incoming, map[string]any{"x": 1})
}

// storedParams reads column task of every runtime of an instance, by task id (the
// last runtime's when a task has several).
func storedParams(t *testing.T, dir string, id engine.ID) map[string]*string {
	t.Helper()
	ro, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "flowcraft.db")+"?_pragma=busy_timeout(5000)&_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	rows, err := ro.Query(`SELECT node_id, task FROM node_inst WHERE workflow_uid = ? ORDER BY uid`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]*string{}
	for rows.Next() {
		var node string
		var task sql.NullString
		if err := rows.Scan(&node, &task); err != nil {
			t.Fatal(err)
		}
		out[node] = nil
		if task.Valid {
			out[node] = &task.String
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
