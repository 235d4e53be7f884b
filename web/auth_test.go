package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestUnauthenticated: every /api route but /api/login answers 401 in the error format.
func TestUnauthenticated(t *testing.T) {
	e := newTestEnv(t)
	routes := []struct{ method, path string }{
		{"GET", "/api/me"}, {"POST", "/api/logout"}, {"GET", "/api/templates"}, {"POST", "/api/scripts/check"},
		{"POST", "/api/process"}, {"GET", "/api/process"}, {"GET", "/api/process/proc-aaaaaaaa"},
		{"PUT", "/api/process/proc-aaaaaaaa"}, {"PATCH", "/api/process/proc-aaaaaaaa"}, {"DELETE", "/api/process/proc-aaaaaaaa"},
		{"GET", "/api/process/proc-aaaaaaaa/versions"}, {"GET", "/api/process/proc-aaaaaaaa/task-aaaaaaaa"},
		{"GET", "/api/users"}, {"POST", "/api/users"}, {"GET", "/api/users/admin"}, {"PUT", "/api/users/admin"}, {"DELETE", "/api/users/lisi"},
		{"GET", "/api/groups"}, {"POST", "/api/groups"}, {"GET", "/api/groups/hr"}, {"PUT", "/api/groups/hr"}, {"DELETE", "/api/groups/hr"},
		{"GET", "/api/groups/hr/members"}, {"POST", "/api/groups/hr/members"}, {"DELETE", "/api/groups/hr/members/lisi"},
		{"GET", "/api/tokens"}, {"POST", "/api/tokens"}, {"DELETE", "/api/tokens/x"}, {"GET", "/api/nothing"},
	}
	for _, rt := range routes {
		t.Run(rt.method+" "+rt.path, func(t *testing.T) {
			r := e.call(t, rt.method, rt.path, "", nil)
			if r.Status != http.StatusUnauthorized {
				t.Fatalf("status %d: %s", r.Status, r.Body)
			}
			if m := r.json(t); m["statusCode"] != float64(401) || m["errorMessage"] == "" {
				t.Errorf("body %s", r.Body)
			}
			if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Basic") {
				t.Errorf("WWW-Authenticate = %q", r.Header.Get("WWW-Authenticate"))
			}
		})
	}
}

// TestCredentials covers Basic, Bearer and bad credentials.
func TestCredentials(t *testing.T) {
	e := newTestEnv(t)
	tok := e.call(t, "POST", "/api/tokens", "dora", map[string]any{"name": "ci"})
	if tok.Status != http.StatusCreated {
		t.Fatalf("create token: %d %s", tok.Status, tok.Body)
	}
	secret := tok.json(t)["response"].(map[string]any)["token"].(string)
	tokID := tok.json(t)["response"].(map[string]any)["id"].(string)
	cases := []struct {
		name, auth string
		status     int
		user       string
	}{
		{"basic admin", "admin", 200, "admin"},
		{"basic wrong password", "Basic " + b64("admin:nope"), 401, ""},
		{"basic unknown user", "Basic " + b64("ghost:password1"), 401, ""},
		{"basic malformed", "Basic !!!", 401, ""},
		{"basic without colon", "Basic " + b64("admin"), 401, ""},
		{"bearer token", "Bearer " + secret, 200, "dora"},
		{"bearer wrong token", "Bearer fc_0000", 401, ""},
		{"bearer not ours", "Bearer abc", 401, ""},
		{"unknown scheme", "Digest x", 401, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.call(t, "GET", "/api/me", tc.auth, nil)
			if r.Status != tc.status {
				t.Fatalf("status %d: %s", r.Status, r.Body)
			}
			if tc.user != "" && r.json(t)["response"].(map[string]any)["user"].(map[string]any)["id"] != tc.user {
				t.Errorf("me = %s", r.Body)
			}
		})
	}
	// A revoked token stops working.
	if r := e.call(t, "DELETE", "/api/tokens/"+tokID, "dora", nil); r.Status != 204 {
		t.Fatalf("revoke: %d %s", r.Status, r.Body)
	}
	if r := e.call(t, "GET", "/api/me", "Bearer "+secret, nil); r.Status != 401 {
		t.Fatalf("revoked token: %d", r.Status)
	}
	// Tokens list hides secrets; others' tokens need admin.
	if r := e.call(t, "GET", "/api/tokens?user=admin", "dora", nil); r.Status != 403 {
		t.Errorf("dora lists admin's tokens: %d", r.Status)
	}
	e.call(t, "POST", "/api/tokens", "dora", map[string]any{"name": "second"})
	r := e.call(t, "GET", "/api/tokens?user=dora", "admin", nil)
	if r.Status != 200 || strings.Contains(string(r.Body), `"token"`) || r.json(t)["response"].(map[string]any)["total"] != float64(1) {
		t.Errorf("admin lists dora's tokens: %d %s", r.Status, r.Body)
	}
	if r := e.call(t, "POST", "/api/tokens", "dora", map[string]any{"name": ""}); r.Status != 400 {
		t.Errorf("token without name: %d", r.Status)
	}
}

// TestSessionAndCSRF: login sets an HttpOnly cookie; cookie-authenticated writes need the CSRF token.
func TestSessionAndCSRF(t *testing.T) {
	e := newTestEnv(t)
	if r := e.call(t, "POST", "/api/login", "", map[string]any{"username": "dora", "password": "wrong"}); r.Status != 401 {
		t.Fatalf("bad login: %d %s", r.Status, r.Body)
	}
	if r := e.call(t, "POST", "/api/login", "", map[string]any{"username": "dora"}); r.Status != 400 {
		t.Fatalf("login without password: %d %s", r.Status, r.Body)
	}
	r := e.call(t, "POST", "/api/login", "", map[string]any{"username": "dora", "password": testPassword})
	if r.Status != 200 {
		t.Fatalf("login: %d %s", r.Status, r.Body)
	}
	setCookie := r.Header.Get("Set-Cookie")
	if !strings.Contains(setCookie, "flowcraft_session=") || !strings.Contains(strings.ToLower(setCookie), "httponly") || !strings.Contains(strings.ToLower(setCookie), "samesite=lax") {
		t.Fatalf("Set-Cookie = %q", setCookie)
	}
	cookie := strings.SplitN(setCookie, ";", 2)[0]
	csrf := r.json(t)["response"].(map[string]any)["csrfToken"].(string)

	me := e.call(t, "GET", "/api/me", "", nil, "Cookie", cookie)
	if me.Status != 200 || me.json(t)["response"].(map[string]any)["csrfToken"] != csrf {
		t.Fatalf("me with cookie: %d %s", me.Status, me.Body)
	}
	if r := e.call(t, "POST", "/api/process", "", minimal("x"), "Cookie", cookie); r.Status != 403 || !strings.Contains(string(r.Body), "CSRF") {
		t.Fatalf("write without CSRF: %d %s", r.Status, r.Body)
	}
	if r := e.call(t, "POST", "/api/process", "", minimal("x"), "Cookie", cookie, "X-CSRF-Token", "wrong"); r.Status != 403 {
		t.Fatalf("write with wrong CSRF: %d %s", r.Status, r.Body)
	}
	if r := e.call(t, "POST", "/api/process", "", minimal("x"), "Cookie", cookie, "X-CSRF-Token", csrf); r.Status != 201 {
		t.Fatalf("write with CSRF: %d %s", r.Status, r.Body)
	}
	if r := e.call(t, "POST", "/api/logout", "", nil, "Cookie", cookie, "X-CSRF-Token", csrf); r.Status != 204 {
		t.Fatalf("logout: %d %s", r.Status, r.Body)
	}
	if r := e.call(t, "GET", "/api/me", "", nil, "Cookie", cookie); r.Status != 401 {
		t.Fatalf("me after logout: %d", r.Status)
	}
}

// TestRoles: each role reaches what it may and gets 403 elsewhere.
func TestRoles(t *testing.T) {
	e := newTestEnv(t)
	cases := []struct {
		user, method, path string
		body               any
		status             int
	}{
		{"lisi", "POST", "/api/process", minimal("x"), 403},
		{"lisi", "GET", "/api/templates", nil, 200},
		{"lisi", "GET", "/api/users", nil, 403},
		{"lisi", "POST", "/api/scripts/check", map[string]any{"code": "return 1"}, 403},
		{"dora", "POST", "/api/process", minimal("x"), 201},
		{"dora", "GET", "/api/users", nil, 403},
		{"dora", "POST", "/api/groups", map[string]any{"id": "g"}, 403},
		{"admin", "GET", "/api/users", nil, 200},
		{"admin", "POST", "/api/process", minimal("y"), 201},
		{"lisi", "GET", "/api/tokens", nil, 200},
	}
	for _, tc := range cases {
		t.Run(tc.user+" "+tc.method+" "+tc.path, func(t *testing.T) {
			r := e.call(t, tc.method, tc.path, tc.user, tc.body)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			if tc.status == 403 && r.json(t)["statusCode"] != float64(403) {
				t.Errorf("403 body: %s", r.Body)
			}
		})
	}
}
