package web_test

import (
	"net/http"
	"strings"
	"testing"
)

func waitingDef(name string) map[string]any {
	return map[string]any{"name": name, "tasks": []any{
		map[string]any{"instId": "start", "template": "manual", "connections": []any{map[string]any{"to": "wait"}}},
		map[string]any{"instId": "wait", "template": "delay", "connections": []any{map[string]any{"to": "end"}},
			"parameters": map[string]any{"duration": map[string]any{"value": "1h"}}},
		map[string]any{"instId": "end", "template": "end"},
	}}
}

func TestStartAndInspect(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProcess(t, minimal("start me"))
	// ?wait returns the output; the instance is readable afterwards in the seed's shape.
	r := e.call(t, "POST", "/api/process/"+pid+"?wait=5s", "lisi", map[string]any{"x": 1})
	if r.Status != http.StatusCreated {
		t.Fatalf("start: %d %s", r.Status, r.Body)
	}
	resp := r.json(t)["response"].(map[string]any)
	id := resp["id"].(string)
	if resp["status"] != "done" || resp["output"].(map[string]any)["ok"] != true {
		t.Fatalf("start with wait: %s", r.Body)
	}
	r = e.call(t, "GET", "/api/processInst/"+id, "lisi", nil)
	if r.Status != 200 {
		t.Fatalf("get: %d %s", r.Status, r.Body)
	}
	inst := r.json(t)
	for _, k := range []string{"id", "processId", "status", "output", "trigger", "startAt", "endAt", "cost", "parentId", "tasks"} {
		if _, ok := inst[k]; !ok {
			t.Errorf("instance lacks %q: %s", k, r.Body)
		}
	}
	tasks := inst["tasks"].([]any)
	if len(tasks) != 3 {
		t.Fatalf("tasks: %v", tasks)
	}
	code := tasks[1].(map[string]any)
	rt := code["runtimes"].([]any)[0].(map[string]any)
	for _, k := range []string{"index", "startAt", "endAt", "status", "error", "input", "output"} {
		if _, ok := rt[k]; !ok {
			t.Errorf("runtime lacks %q: %v", k, rt)
		}
	}
	if rt["status"] != "done" || rt["output"].(map[string]any)["ok"] != true {
		t.Errorf("runtime %v", rt)
	}
	one := e.call(t, "GET", "/api/processInst/"+id+"/task-code0001", "lisi", nil)
	if one.Status != 200 || !strings.Contains(string(one.Body), `"runtimes"`) {
		t.Fatalf("one task: %d %s", one.Status, one.Body)
	}
	// Someone else's instance is not for a plain user; designers see all.
	if r := e.call(t, "GET", "/api/processInst/"+id, "dora", nil); r.Status != 200 {
		t.Errorf("designer reads: %d", r.Status)
	}
	dora := e.call(t, "POST", "/api/process/"+pid, "dora", nil).json(t)["response"].(map[string]any)["id"].(string)
	if r := e.call(t, "GET", "/api/processInst/"+dora, "lisi", nil); r.Status != http.StatusForbidden {
		t.Errorf("user reads another's instance: %d", r.Status)
	}
	// Lists: users see their own.
	r = e.call(t, "GET", "/api/processInst?procId="+pid, "lisi", nil)
	if r.json(t)["response"].(map[string]any)["total"] != float64(1) {
		t.Errorf("lisi's list: %s", r.Body)
	}
	r = e.call(t, "GET", "/api/processInst?procId="+pid+"&sort=startAt&order=asc", "dora", nil)
	if r.json(t)["response"].(map[string]any)["total"] != float64(2) {
		t.Errorf("dora's list: %s", r.Body)
	}
}

func TestInstanceRouteErrors(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProcess(t, waitingDef("waits"))
	disabled := e.createProcess(t, minimal("off"))
	e.call(t, "PATCH", "/api/process/"+disabled, "dora", map[string]any{"enabled": false})
	schema := minimal("schema")
	schema["inputDataSchema"] = map[string]any{"type": "object", "required": []string{"days"}, "properties": map[string]any{"days": map[string]any{"type": "number"}}}
	withSchema := e.createProcess(t, schema)
	id := e.call(t, "POST", "/api/process/"+pid, "dora", nil).json(t)["response"].(map[string]any)["id"].(string)
	cases := []struct {
		name, method, path, auth string
		body                     any
		status                   int
		contains                 string
	}{
		{"start unknown", "POST", "/api/process/proc-nothere", "dora", nil, 404, "not found"},
		{"start disabled", "POST", "/api/process/" + disabled, "dora", nil, 409, "disabled"},
		{"start bad input", "POST", "/api/process/" + withSchema, "dora", map[string]any{"days": "three"}, 400, "trigger/days"},
		{"start missing input", "POST", "/api/process/" + withSchema, "dora", map[string]any{}, 400, "days"},
		{"start malformed", "POST", "/api/process/" + pid, "dora", `{"a":`, 400, "malformed JSON"},
		{"start bad wait", "POST", "/api/process/" + pid + "?wait=forever", "dora", nil, 400, "wait"},
		{"start too long wait", "POST", "/api/process/" + pid + "?wait=2h", "dora", nil, 400, "wait"},
		{"get bad id", "GET", "/api/processInst/abc", "dora", nil, 404, "not an instance id"},
		{"get unknown", "GET", "/api/processInst/123456", "dora", nil, 404, "not found"},
		{"unknown action", "PUT", "/api/processInst/" + id, "dora", map[string]any{"action": "explode"}, 400, "action"},
		{"resume running", "PUT", "/api/processInst/" + id, "dora", map[string]any{"action": "resume"}, 409, "cannot resume"},
		{"retry running", "PUT", "/api/processInst/" + id, "dora", map[string]any{"action": "retry"}, 409, "cannot retry"},
		{"delete unfinished", "DELETE", "/api/processInst/" + id, "dora", nil, 409, "cancel it"},
		{"user may not cancel others", "PUT", "/api/processInst/" + id, "lisi", map[string]any{"action": "cancel"}, 403, "someone else"},
		{"user may not delete", "DELETE", "/api/processInst/" + id, "lisi", nil, 403, "designer"},
		{"bad list filter", "GET", "/api/processInst?startedAfter=yesterday", "dora", nil, 400, "startedAfter"},
		{"bad list parent", "GET", "/api/processInst?parent=x", "dora", nil, 400, "parent"},
		{"user lists others", "GET", "/api/processInst?executor=dora", "lisi", nil, 403, "only the instances you started"},
		{"jobs need admin", "GET", "/api/jobs", "dora", nil, 403, "admin"},
		{"revive live job", "POST", "/api/jobs/1/retry", "admin", nil, 409, "not dead"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.call(t, tc.method, tc.path, tc.auth, tc.body)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			if m := r.json(t); m["statusCode"] != float64(tc.status) || !strings.Contains(m["errorMessage"].(string), tc.contains) {
				t.Errorf("body %s lacks %q", r.Body, tc.contains)
			}
		})
	}
}

func TestInstanceActionsAndVariables(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProcess(t, waitingDef("actions"))
	id := e.call(t, "POST", "/api/process/"+pid, "lisi", nil).json(t)["response"].(map[string]any)["id"].(string)
	e.rt.WaitEnded(t.Context(), mustID(t, id), 0) // no-op: reads the status
	steps := []struct {
		method, path string
		body         any
		status       int
		contains     string
	}{
		{"PUT", "/api/processInst/" + id + "/variables", map[string]any{"region": "east", "limit": 5}, 200, `"region":"east"`},
		{"GET", "/api/processInst/" + id + "/variables", nil, 200, `"limit":5`},
		{"PUT", "/api/processInst/" + id, map[string]any{"action": "suspend"}, 200, `"status":"suspended"`},
		{"PUT", "/api/processInst/" + id, map[string]any{"action": "resume"}, 200, `"status":"running"`},
		{"GET", "/api/jobs?status=pending", nil, 200, `"kind":"timer"`},
		{"PUT", "/api/processInst/" + id, map[string]any{"action": "cancel"}, 200, `"status":"canceled"`},
		{"PUT", "/api/processInst/" + id + "/variables", map[string]any{"x": 1}, 409, "read-only"},
		{"GET", "/api/jobs", nil, 200, `"total":0`},
		{"DELETE", "/api/processInst/" + id, nil, 204, ""},
		{"GET", "/api/processInst/" + id, nil, 404, "not found"},
	}
	for _, s := range steps {
		r := e.call(t, s.method, s.path, "admin", s.body)
		if r.Status != s.status || !strings.Contains(string(r.Body), s.contains) {
			t.Fatalf("%s %s: %d %s", s.method, s.path, r.Status, r.Body)
		}
	}
}

func TestIdempotentStart(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProcess(t, minimal("idem"))
	first := e.call(t, "POST", "/api/process/"+pid, "dora", map[string]any{}, "Idempotency-Key", "order-42")
	again := e.call(t, "POST", "/api/process/"+pid, "dora", map[string]any{}, "Idempotency-Key", "order-42")
	if first.Status != 201 || again.Status != 200 {
		t.Fatalf("statuses %d %d: %s", first.Status, again.Status, again.Body)
	}
	a := first.json(t)["response"].(map[string]any)["id"]
	b := again.json(t)["response"].(map[string]any)
	if a != b["id"] || b["existing"] != true {
		t.Fatalf("repeat got %v, first %v", b, a)
	}
}
