package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"flowcraft/engine"
)

// newWorker creates the worker account w1 (password testPassword) and, through the
// admin's token API, an API token for it; it returns the token.
func (e *testEnv) newWorker(t *testing.T) string {
	t.Helper()
	r := e.call(t, "POST", "/api/users", "admin", map[string]any{"id": "w1", "name": "Worker 1", "role": "worker", "password": testPassword})
	if r.Status != http.StatusCreated {
		t.Fatalf("create worker: %d %s", r.Status, r.Body)
	}
	if role := r.json(t)["response"].(map[string]any)["role"]; role != engine.RoleWorker {
		t.Fatalf("worker's role %v", role)
	}
	tok := e.call(t, "POST", "/api/tokens?user=w1", "admin", map[string]any{"name": "worker-7"})
	if tok.Status != http.StatusCreated {
		t.Fatalf("admin creates the worker's token: %d %s", tok.Status, tok.Body)
	}
	resp := tok.json(t)["response"].(map[string]any)
	if resp["userId"] != "w1" {
		t.Fatalf("token of %v, want w1", resp["userId"])
	}
	return resp["token"].(string)
}

// TestWorkerRoleConfinedToWorkerAPIs: a worker account (password or API token, as Basic
// or Bearer) is refused everywhere outside the worker APIs with a 403 coded
// worker_only: the native API, pages, websockets, and signing in.
func TestWorkerRoleConfinedToWorkerAPIs(t *testing.T) {
	e := newTestEnv(t)
	token := e.newWorker(t)
	auths := map[string]string{
		"basic password": basic("w1"),
		"bearer token":   "Bearer " + token,
		"basic token":    "Basic " + b64("w1:"+token), // what Camunda's clients send
	}
	for name, auth := range auths {
		for _, rq := range []struct{ method, path string }{
			{"GET", "/api/process"}, {"POST", "/api/process"}, {"GET", "/api/me"}, {"GET", "/api/templates"},
			{"GET", "/api/processInst"}, {"GET", "/api/taskInsts"}, {"GET", "/api/tokens"}, {"POST", "/api/tokens"},
			{"GET", "/api/users"}, {"GET", "/api/nothing"},
		} {
			r := e.call(t, rq.method, rq.path, auth, nil)
			if r.Status != http.StatusForbidden {
				t.Errorf("%s: %s %s: %d %s, want 403", name, rq.method, rq.path, r.Status, r.Body)
				continue
			}
			if code := r.json(t)["code"]; code != string(engine.CodeWorkerOnly) {
				t.Errorf("%s: %s %s: code %v, want worker_only", name, rq.method, rq.path, code)
			}
		}
		// Pages: a forbidden page, not the UI.
		for _, path := range []string{"/processes", "/inbox", "/admin", "/instances"} {
			r := e.call(t, "GET", path, auth, nil, "Accept", "text/html", "Accept-Language", "en")
			if r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), "worker APIs") {
				t.Errorf("%s: page %s: %d, want the 403 page", name, path, r.Status)
			}
		}
		if r := e.call(t, "GET", "/ws/inbox", auth, nil, "Connection", "Upgrade", "Upgrade", "websocket",
			"Sec-WebSocket-Version", "13", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="); r.Status != http.StatusForbidden {
			t.Errorf("%s: /ws/inbox: %d, want 403", name, r.Status)
		}
	}
	// The same token of a user is not confined.
	if r := e.call(t, "GET", "/api/me", "lisi", nil); r.Status != http.StatusOK {
		t.Fatalf("lisi /api/me: %d", r.Status)
	}
	// A worker cannot sign in: the login form answers with the reason and no session.
	page := e.call(t, "GET", "/login", "", nil, "Accept-Language", "en")
	m := csrfInput.FindSubmatch(page.Body)
	r := e.form(t, "/login", url.Values{"username": {"w1"}, "password": {testPassword}, "_csrf": {string(m[1])}},
		cookie(page, "flowcraft_login_csrf"), "flowcraft_lang=en")
	if r.Status != http.StatusForbidden || cookie(r, "flowcraft_session") != "" || !strings.Contains(string(r.Body), "cannot sign in") {
		t.Fatalf("worker sign-in: %d session=%q", r.Status, cookie(r, "flowcraft_session"))
	}
	r = e.call(t, "POST", "/api/login", "", map[string]any{"username": "w1", "password": testPassword})
	if r.Status != http.StatusForbidden || r.json(t)["code"] != string(engine.CodeWorkerOnly) {
		t.Fatalf("worker /api/login: %d %s", r.Status, r.Body)
	}
}

// TestWorkerRoleDemotion: demoting a user to worker closes the native API to
// them at once; the role is offered in the admin's user form.
func TestWorkerRoleDemotion(t *testing.T) {
	e := newTestEnv(t)
	if r := e.call(t, "GET", "/api/taskInsts", "lisi", nil); r.Status != http.StatusOK {
		t.Fatalf("lisi before: %d", r.Status)
	}
	if r := e.call(t, "PATCH", "/api/users/lisi", "admin", map[string]any{"role": "worker"}); r.Status != http.StatusOK {
		t.Fatalf("demote: %d %s", r.Status, r.Body)
	}
	if r := e.call(t, "GET", "/api/taskInsts", "lisi", nil); r.Status != http.StatusForbidden {
		t.Fatalf("lisi as worker: %d %s", r.Status, r.Body)
	}
	if r := e.call(t, "PATCH", "/api/users/lisi", "admin", map[string]any{"role": "boss"}); r.Status != http.StatusBadRequest {
		t.Fatalf("unknown role: %d %s", r.Status, r.Body)
	}
	u, err := e.identity.GetUser(context.Background(), "lisi")
	if err != nil || u.Role != engine.RoleWorker {
		t.Fatalf("lisi: %v %v", u, err)
	}
	page := e.call(t, "GET", "/admin", "admin", nil, "Accept-Language", "en")
	for _, want := range []string{`<option value="worker" data-testid="role-worker">Worker</option>`, `badge-role-worker`} {
		if !strings.Contains(string(page.Body), want) {
			t.Errorf("admin page lacks %s", want)
		}
	}
}
