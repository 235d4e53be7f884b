package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestNativeJobs: GET /api/jobs filters by queue, instance and task; a job is read,
// run now (its timer fires: the instance ends) and deleted; bad input answers 400/404/403.
func TestNativeJobs(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProcess(t, waitingDef("jobs"))
	start := func() string {
		r := e.call(t, "POST", "/api/process/"+pid, "dora", map[string]any{})
		if r.Status != http.StatusCreated {
			t.Fatalf("start: %d %s", r.Status, r.Body)
		}
		return r.json(t)["response"].(map[string]any)["id"].(string)
	}
	a, b := start(), start()
	jobOf := func(inst string) map[string]any {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			r := e.call(t, "GET", "/api/jobs?queue=timer&instanceId="+inst, "admin", nil)
			if r.Status != 200 {
				t.Fatalf("list: %d %s", r.Status, r.Body)
			}
			if l := r.json(t)["response"].(map[string]any)["list"].([]any); len(l) == 1 {
				return l[0].(map[string]any)
			}
			if time.Now().After(deadline) {
				t.Fatalf("no timer job of %s: %s", inst, r.Body)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	ja, jb := jobOf(a), jobOf(b)
	if ja["queue"] != "timer" || ja["processId"] != pid || ja["taskId"] != "wait" || ja["kind"] != "timer" {
		t.Errorf("job: %v", ja)
	}
	idA, idB := ja["id"].(string), jb["id"].(string)
	for _, c := range []struct {
		query string
		total float64
	}{{"queue=timer", 2}, {"queue=executable", 0}, {"queue=dead", 0}, {"status=pending", 2}, {"taskId=wait", 2}, {"taskId=other", 0},
		{"withException=true", 0}, {"instanceId=" + b, 1}, {"sort=createAt&order=desc", 2}} {
		r := e.call(t, "GET", "/api/jobs?"+c.query, "admin", nil)
		if r.Status != 200 || r.json(t)["response"].(map[string]any)["total"] != c.total {
			t.Errorf("%s: %d %s, want total %v", c.query, r.Status, r.Body, c.total)
		}
	}
	if r := e.call(t, "GET", "/api/jobs/"+idA, "admin", nil); r.Status != 200 || r.json(t)["response"].(map[string]any)["queue"] != "timer" {
		t.Errorf("get: %d %s", r.Status, r.Body)
	}
	if r := e.call(t, "POST", "/api/jobs/"+idA+"/execute", "admin", nil); r.Status != 204 {
		t.Fatalf("execute: %d %s", r.Status, r.Body)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := e.call(t, "GET", "/api/processInst/"+a, "admin", nil)
		if r.json(t)["status"] == "done" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("instance after execute: %s", r.Body)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if r := e.call(t, "DELETE", "/api/jobs/"+idB, "admin", nil); r.Status != 204 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	for _, c := range []struct {
		method, path, auth string
		status             int
		contains           string
	}{
		{"GET", "/api/jobs/" + idB, "admin", 404, "not found"},
		{"DELETE", "/api/jobs/" + idB, "admin", 404, "not found"},
		{"POST", "/api/jobs/" + idB + "/execute", "admin", 404, "not found"},
		{"GET", "/api/jobs/abc", "admin", 404, "not found"},
		{"POST", "/api/jobs/abc/execute", "admin", 404, "not found"},
		{"GET", "/api/jobs?queue=later", "admin", 400, "queue"},
		{"GET", "/api/jobs?status=alive", "admin", 400, "status"},
		{"GET", "/api/jobs?instanceId=x", "admin", 400, "instanceId"},
		{"GET", "/api/jobs?withException=maybe", "admin", 400, "withException"},
		{"GET", "/api/jobs?sort=name", "admin", 400, "sort"},
		{"GET", "/api/jobs/" + idA, "dora", 403, "admin"},
		{"POST", "/api/jobs/" + idA + "/execute", "lisi", 403, "admin"},
		{"DELETE", "/api/jobs/" + idA, "dora", 403, "admin"},
	} {
		r := e.call(t, c.method, c.path, c.auth, nil)
		if r.Status != c.status || !strings.Contains(string(r.Body), c.contains) {
			t.Errorf("%s %s as %s: %d %s, want %d with %q", c.method, c.path, c.auth, r.Status, r.Body, c.status, c.contains)
		}
	}
}
