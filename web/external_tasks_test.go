package web_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"flowcraft/engine"
)

// externalDef is manual → external-task (topic charge, 1 retry) → end.
func externalDef(name string, eh map[string]any) map[string]any {
	ext := map[string]any{"instId": "task-ext00001", "name": "Charge", "template": "external-task",
		"connections": []any{map[string]any{"to": "task-end00001"}},
		"parameters":  map[string]any{"topic": map[string]any{"value": "charge"}, "retries": map[string]any{"value": 1}}}
	if eh != nil {
		ext["errorHandler"] = eh
	}
	return map[string]any{
		"name": name,
		"tasks": []any{
			map[string]any{"instId": "task-start001", "template": "manual", "connections": []any{map[string]any{"to": "task-ext00001"}}},
			ext,
			map[string]any{"instId": "task-end00001", "template": "end"},
		},
	}
}

// externalJobsOf lists GET /api/externalTasks?instanceId= as user and returns the list.
func (e *testEnv) externalJobsOf(t *testing.T, user, inst, extra string) []any {
	t.Helper()
	r := e.call(t, "GET", "/api/externalTasks?instanceId="+inst+extra, user, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("list external tasks as %s: %d %s", user, r.Status, r.Body)
	}
	return r.json(t)["response"].(map[string]any)["list"].([]any)
}

// waitExternal waits until the instance has an external job (its node waits).
func (e *testEnv) waitExternal(t *testing.T, user, inst string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if l := e.externalJobsOf(t, user, inst, ""); len(l) == 1 {
			return l[0].(map[string]any)
		}
		if time.Now().After(deadline) {
			t.Fatalf("instance %s has no external job", inst)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestExternalTasksList: GET /api/externalTasks?instanceId= shows the instance's job
// (waiting, then locked by its worker until its lock's expiry) to whoever may see
// the instance; others get 403; bad parameters a coded 400.
func TestExternalTasksList(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProcess(t, externalDef("charge", nil))
	inst := e.startAs(t, "lisi", pid, map[string]any{"amount": 5})
	j := e.waitExternal(t, "lisi", inst)
	if j["state"] != "open" || j["topic"] != "charge" || j["taskId"] != "task-ext00001" || j["instanceId"] != inst ||
		j["lockExpiresAt"] != float64(0) || j["retries"] != nil || j["createAt"].(float64) <= 0 {
		t.Fatalf("waiting job %v", j)
	}
	locked, err := e.rt.ExternalTasks().Fetch(context.Background(), engine.FetchRequest{WorkerID: "worker-7", MaxTasks: 1,
		Topics: []engine.FetchTopic{{Topic: "charge", LockDuration: time.Hour}}})
	if err != nil || len(locked) != 1 {
		t.Fatalf("fetch: %v %v", locked, err)
	}
	j = e.externalJobsOf(t, "dora", inst, "")[0].(map[string]any)
	if j["state"] != "locked" || j["workerId"] != "worker-7" || int64(j["lockExpiresAt"].(float64)) != locked[0].LockExpiresAt.UnixMilli() {
		t.Fatalf("locked job %v", j)
	}
	// Designers list every instance's jobs, by topic; users must name their instance.
	r := e.call(t, "GET", "/api/externalTasks?topic=charge", "dora", nil)
	if r.Status != http.StatusOK || r.json(t)["response"].(map[string]any)["total"] != float64(1) {
		t.Fatalf("designer's list: %d %s", r.Status, r.Body)
	}
	e.addUser(t, "zhangsan", "张三", engine.RoleUser)
	for _, c := range []struct {
		user, query string
		status      int
		code        string
	}{
		{"zhangsan", "?instanceId=" + inst, 403, string(engine.CodeNotYourInstance)},
		{"lisi", "", 400, string(engine.CodeInvalid)},
		{"lisi", "?instanceId=nope", 400, string(engine.CodeInvalid)},
		{"lisi", "?instanceId=" + inst + "&state=sleeping", 400, string(engine.CodeInvalid)},
		{"lisi", "?instanceId=" + inst + "&limit=0", 400, string(engine.CodeInvalid)},
		{"lisi", "?instanceId=123", 404, ""},
		{"", "?instanceId=" + inst, 401, string(engine.CodeAuthRequired)},
	} {
		r := e.call(t, "GET", "/api/externalTasks"+c.query, c.user, nil)
		if r.Status != c.status || (c.code != "" && r.json(t)["code"] != c.code) {
			t.Errorf("%s %s: %d %s, want %d %s", c.user, c.query, r.Status, r.Body, c.status, c.code)
		}
	}
	// Ended jobs show with state=all.
	if err := e.rt.ExternalTasks().Complete(context.Background(), locked[0].ID, "worker-7", nil, nil); err != nil {
		t.Fatal(err)
	}
	if l := e.externalJobsOf(t, "lisi", inst, ""); len(l) != 0 {
		t.Fatalf("done job in the default list: %v", l)
	}
	if l := e.externalJobsOf(t, "lisi", inst, "&state=all"); len(l) != 1 || l[0].(map[string]any)["state"] != "done" {
		t.Fatalf("state=all: %v", l)
	}
}
