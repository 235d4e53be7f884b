package web_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"flowcraft/engine"
)

// TestExternalTaskRetries: a job whose worker reports a failure with no retries left
// becomes an incident; an admin's POST /api/externalTasks/{id}/retries opens it
// again, so a worker can fetch and complete it. Others may not; bad bodies and
// unknown jobs answer coded errors.
func TestExternalTaskRetries(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProcess(t, externalDef("charge", nil))
	inst := e.startAs(t, "lisi", pid, nil)
	e.waitExternal(t, "lisi", inst)
	x := e.rt.ExternalTasks()
	fetch := func(worker string) *engine.LockedJob {
		t.Helper()
		jobs, err := x.Fetch(context.Background(), engine.FetchRequest{WorkerID: worker, MaxTasks: 1,
			Topics: []engine.FetchTopic{{Topic: "charge", LockDuration: time.Minute}}, Wait: 5 * time.Second})
		if err != nil || len(jobs) != 1 {
			t.Fatalf("fetch: %v %v", jobs, err)
		}
		return jobs[0]
	}
	j := fetch("worker-7")
	if err := x.Fail(context.Background(), j.ID, engine.Failure{WorkerID: "worker-7", ErrorMessage: "card declined", ErrorDetails: "stack…", Retries: 0}); err != nil {
		t.Fatal(err)
	}
	got := e.externalJobsOf(t, "admin", inst, "&state=all")
	if len(got) != 1 {
		t.Fatalf("jobs %v", got)
	}
	incident := got[0].(map[string]any)
	if incident["state"] != engine.ExternalIncident || incident["retries"] != float64(0) || incident["errorMessage"] != "card declined" || incident["errorDetails"] != "stack…" {
		t.Fatalf("incident %v", incident)
	}
	if d := e.externalJobsOf(t, "lisi", inst, "&state=all")[0].(map[string]any); d["errorDetails"] != nil {
		t.Fatalf("a user sees error details: %v", d)
	}
	path := "/api/externalTasks/" + strconv.FormatInt(int64(j.ID), 10) + "/retries"
	for _, c := range []struct {
		user   string
		body   any
		status int
		code   string
	}{
		{"dora", map[string]any{"retries": 2}, 403, string(engine.CodeRoleRequired)},
		{"lisi", map[string]any{"retries": 2}, 403, string(engine.CodeRoleRequired)},
		{"admin", map[string]any{}, 400, string(engine.CodeInvalid)},
		{"admin", map[string]any{"retries": -1}, 400, string(engine.CodeInvalid)},
		{"admin", map[string]any{"retries": 1001}, 400, string(engine.CodeInvalid)},
		{"admin", map[string]any{"retries": "2"}, 400, string(engine.CodeWrongType)},
		{"admin", map[string]any{"retries": 2, "x": 1}, 400, ""},
		{"admin", `{"retries": 2`, 400, ""},
	} {
		r := e.call(t, "POST", path, c.user, c.body)
		if r.Status != c.status || (c.code != "" && r.json(t)["code"] != c.code) {
			t.Errorf("%s %v: %d %s, want %d %s", c.user, c.body, r.Status, r.Body, c.status, c.code)
		}
	}
	for _, bad := range []string{"/api/externalTasks/12345/retries", "/api/externalTasks/nope/retries"} {
		if r := e.call(t, "POST", bad, "admin", map[string]any{"retries": 1}); r.Status != http.StatusNotFound {
			t.Errorf("%s: %d %s", bad, r.Status, r.Body)
		}
	}
	r := e.call(t, "POST", path, "admin", map[string]any{"retries": 2})
	if r.Status != http.StatusOK {
		t.Fatalf("retry: %d %s", r.Status, r.Body)
	}
	if v := r.json(t)["response"].(map[string]any); v["state"] != engine.ExternalOpen || v["retries"] != float64(2) {
		t.Fatalf("after retry: %v", v)
	}
	j = fetch("worker-8")
	if err := x.Complete(context.Background(), j.ID, "worker-8", []*engine.Variable{{Name: "charged", Value: true}}, nil); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		v := e.call(t, "GET", "/api/processInst/"+inst, "lisi", nil).json(t)
		if v["status"] == engine.StatusDone {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("instance after the retried job: %v %v", v["status"], v["error"])
		}
		time.Sleep(10 * time.Millisecond)
	}
}
