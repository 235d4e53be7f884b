package web_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// TestUsersAndGroups walks the identity admin routes with their error cases.
func TestUsersAndGroups(t *testing.T) {
	e := newTestEnv(t)
	steps := []struct {
		name, method, path string
		body               any
		status             int
		contains           string
	}{
		{"create group", "POST", "/api/groups", map[string]any{"id": "hr", "name": "人事"}, 201, `"name":"人事"`},
		{"duplicate group", "POST", "/api/groups", map[string]any{"id": "hr"}, 409, "already exists"},
		{"bad group id", "POST", "/api/groups", map[string]any{"id": "h r"}, 400, "id"},
		{"create user", "POST", "/api/users", map[string]any{"id": "wangwu", "name": "王五", "email": "wang@example.com", "role": "user", "password": "secret123", "groups": []string{"hr"}}, 201, `"groups":["hr"]`},
		{"user has no password field", "GET", "/api/users/wangwu", nil, 200, `"email":"wang@example.com"`},
		{"duplicate user", "POST", "/api/users", map[string]any{"id": "wangwu", "password": "secret123"}, 409, "already exists"},
		{"user short password", "POST", "/api/users", map[string]any{"id": "zz", "password": "short"}, 400, "password"},
		{"user bad role and email", "POST", "/api/users", map[string]any{"id": "zz", "password": "secret123", "role": "king", "email": "nope"}, 400, "role"},
		{"user unknown group", "POST", "/api/users", map[string]any{"id": "zz", "password": "secret123", "groups": []string{"ghosts"}}, 400, "unknown group"},
		{"add member", "POST", "/api/groups/hr/members", map[string]any{"userId": "lisi"}, 201, "lisi"},
		{"add unknown member", "POST", "/api/groups/hr/members", map[string]any{"userId": "ghost"}, 400, "unknown user"},
		{"add member to unknown group", "POST", "/api/groups/nope/members", map[string]any{"userId": "lisi"}, 404, "not found"},
		{"members", "GET", "/api/groups/hr/members", nil, 200, `"total":2`},
		{"user groups", "GET", "/api/users/lisi", nil, 200, `"groups":["hr"]`},
		{"list users search", "GET", "/api/users?q=wang", nil, 200, `"total":1`},
		{"list users groups", "GET", "/api/users?sort=id", nil, 200, `"groups":["hr"]`},
		{"update user role", "PUT", "/api/users/wangwu", map[string]any{"role": "designer"}, 200, `"role":"designer"`},
		{"update keeps email", "GET", "/api/users/wangwu", nil, 200, `"email":"wang@example.com"`},
		{"update unknown user", "PUT", "/api/users/ghost", map[string]any{"name": "x"}, 404, "not found"},
		{"admin cannot demote self", "PUT", "/api/users/admin", map[string]any{"role": "user"}, 409, "yourself"},
		{"rename group", "PUT", "/api/groups/hr", map[string]any{"name": "Human Resources"}, 200, "Human Resources"},
		{"remove member", "DELETE", "/api/groups/hr/members/lisi", nil, 204, ""},
		{"remove non-member", "DELETE", "/api/groups/hr/members/lisi", nil, 404, "not a member"},
		{"admin cannot delete self", "DELETE", "/api/users/admin", nil, 409, "own account"},
		{"delete user", "DELETE", "/api/users/wangwu", nil, 204, ""},
		{"deleted user gone", "GET", "/api/users/wangwu", nil, 404, "not found"},
		{"delete group", "DELETE", "/api/groups/hr", nil, 204, ""},
		{"deleted group gone", "GET", "/api/groups/hr", nil, 404, "not found"},
	}
	for _, s := range steps {
		r := e.call(t, s.method, s.path, "admin", s.body)
		if r.Status != s.status {
			t.Fatalf("%s: status %d, want %d: %s", s.name, r.Status, s.status, r.Body)
		}
		if s.contains != "" && !strings.Contains(string(r.Body), s.contains) {
			t.Fatalf("%s: body %s lacks %q", s.name, r.Body, s.contains)
		}
	}
	// A user created by the API can sign in; a disabled one cannot.
	e.call(t, "POST", "/api/users", "admin", map[string]any{"id": "zhao", "password": "secret123"})
	if r := e.call(t, "GET", "/api/me", "Basic "+b64("zhao:secret123"), nil); r.Status != http.StatusOK {
		t.Fatalf("new user signs in: %d %s", r.Status, r.Body)
	}
	e.call(t, "PATCH", "/api/users/zhao", "admin", map[string]any{"disabled": true})
	if r := e.call(t, "GET", "/api/me", "Basic "+b64("zhao:secret123"), nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("disabled user signs in: %d %s", r.Status, r.Body)
	}
}

// TestTemplatesAndChecks covers GET /api/templates and POST /api/scripts/check.
func TestTemplatesAndChecks(t *testing.T) {
	e := newTestEnv(t)
	r := e.call(t, "GET", "/api/templates", "lisi", nil)
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	list := r.json(t)["response"].(map[string]any)["list"].([]any)
	if len(list) != 15 { // external-task (issue 18) is the 15th
		t.Fatalf("%d templates", len(list))
	}
	script := list[3].(map[string]any)
	if script["id"] != "script" || script["kind"] != "action" || script["label"].(map[string]any)["zh"] != "脚本" {
		t.Errorf("script template: %v", script)
	}
	checks := []struct {
		body     any
		ok       bool
		contains string
	}{
		{map[string]any{"code": "return {a: input.x + 1}"}, true, `"errors":[]`},
		{map[string]any{"code": "let a = 1;\nreturn {a: "}, false, `"line":2`},
		{map[string]any{"code": "input.x >", "kind": "expression"}, false, `"line":1`},
		{map[string]any{"code": "Hi {{ trigger.name }}", "kind": "template"}, true, ""},
	}
	for _, c := range checks {
		r := e.call(t, "POST", "/api/scripts/check", "dora", c.body)
		if r.Status != 200 {
			t.Fatalf("check: %d %s", r.Status, r.Body)
		}
		if got := r.json(t)["response"].(map[string]any)["ok"]; got != c.ok || !strings.Contains(string(r.Body), c.contains) {
			t.Errorf("check %v: %s", c.body, r.Body)
		}
	}
	if r := e.call(t, "POST", "/api/scripts/check", "dora", map[string]any{"code": "1", "kind": "python"}); r.Status != 400 {
		t.Errorf("bad kind: %d", r.Status)
	}
}

// TestHealth covers the probes, which need no credentials.
func TestHealth(t *testing.T) {
	e := newTestEnv(t)
	for _, p := range []string{"/healthz", "/readyz"} {
		if r := e.call(t, "GET", p, "", nil); r.Status != 200 || !strings.Contains(string(r.Body), `"ok"`) {
			t.Errorf("%s: %d %s", p, r.Status, r.Body)
		}
	}
	// Metrics count requests by class and instances by status.
	pid := e.createProcess(t, minimal("metrics"))
	e.call(t, "POST", "/api/process/"+pid+"?wait=5s", "dora", nil)
	e.call(t, "GET", "/api/nothing", "dora", nil)
	m := e.call(t, "GET", "/metrics", "", nil)
	for _, want := range []string{"flowcraft_instances_started_total 1", `flowcraft_instances_ended_total{status="done"} 1`,
		`flowcraft_http_requests_total{code="4xx"} 1`, "# TYPE flowcraft_instances_active gauge"} {
		if m.Status != 200 || !strings.Contains(string(m.Body), want) {
			t.Errorf("/metrics lacks %q:\n%s", want, m.Body)
		}
	}
	e.store.Close(t.Context())
	if r := e.call(t, "GET", "/readyz", "", nil); r.Status != http.StatusServiceUnavailable {
		t.Errorf("readyz with closed db: %d", r.Status)
	}
}
