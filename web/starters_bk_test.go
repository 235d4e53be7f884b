package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// processNames lists the names GET /api/process answers to who (with query).
func (e *testEnv) processNames(t *testing.T, who, query string) []string {
	t.Helper()
	r := e.call(t, "GET", "/api/process"+query, who, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("%s lists processes%s: %d %s", who, query, r.Status, r.Body)
	}
	var names []string
	for _, p := range r.json(t)["response"].(map[string]any)["list"].([]any) {
		names = append(names, p.(map[string]any)["name"].(string))
	}
	return names
}

// TestCandidateStartersNative: the candidate starters of a process, read, added and
// removed by designers through the native API, decide who may start it by hand and
// who lists it: a user not listed gets 403 (not_starter, the API's error shape) and
// does not see it; a member of a listed group does; no list lets everyone.
func TestCandidateStartersNative(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProcess(t, minimal("Leave"))
	other := e.createProcess(t, minimal("Open"))
	e.call(t, "PATCH", "/api/process/"+e.createProcess(t, minimal("Disabled")), "dora", map[string]any{"enabled": false})
	base := "/api/process/" + pid + "/starters"

	// No candidate starters: users see and start it.
	if got := e.processNames(t, "lisi", "?sort=name"); strings.Join(got, ",") != "Leave,Open" {
		t.Errorf("a user lists %v, want the enabled processes", got)
	}
	if r := e.call(t, "GET", base, "dora", nil); r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"list":[]`) {
		t.Errorf("no starters yet: %d %s", r.Status, r.Body)
	}
	if r := e.call(t, "POST", "/api/process/"+pid, "lisi", map[string]any{}); r.Status != http.StatusCreated {
		t.Fatalf("user start without candidate starters: %d %s", r.Status, r.Body)
	}

	// Only bob listed: lisi neither sees nor starts it, nor does dora (roles do not count).
	if r := e.call(t, "POST", base, "dora", map[string]any{"userId": "bob"}); r.Status != http.StatusCreated ||
		!strings.Contains(string(r.Body), `"userId":"bob"`) {
		t.Fatalf("add bob: %d %s", r.Status, r.Body)
	}
	if got := e.processNames(t, "lisi", ""); strings.Join(got, ",") != "Open" {
		t.Errorf("lisi lists %v, want only Open", got)
	}
	if got := e.processNames(t, "dora", "?startable=true&sort=name"); strings.Join(got, ",") != "Open" {
		t.Errorf("dora's startable processes: %v", got)
	}
	if got := e.processNames(t, "dora", "?sort=name"); len(got) != 3 {
		t.Errorf("a designer lists every process: %v", got)
	}
	for _, who := range []string{"lisi", "dora"} {
		r := e.call(t, "POST", "/api/process/"+pid, who, map[string]any{})
		m := r.json(t)
		if r.Status != http.StatusForbidden || m["statusCode"] != 403.0 || m["code"] != "not_starter" || m["errorMessage"] == "" {
			t.Errorf("%s starts a process listing only bob: %d %s", who, r.Status, r.Body)
		}
	}

	// A group of lisi's listed: lisi sees and starts it.
	for _, step := range []struct{ path, body string }{{"/api/groups", `{"id":"hr","name":"HR"}`}, {"/api/groups/hr/members", `{"userId":"lisi"}`}} {
		if r := e.call(t, "POST", step.path, "admin", step.body); r.Status/100 != 2 {
			t.Fatalf("%s: %d %s", step.path, r.Status, r.Body)
		}
	}
	if r := e.call(t, "POST", base, "dora", map[string]any{"groupId": "hr"}); r.Status != http.StatusCreated {
		t.Fatalf("add hr: %d %s", r.Status, r.Body)
	}
	if got := e.processNames(t, "lisi", "?sort=name"); strings.Join(got, ",") != "Leave,Open" {
		t.Errorf("a member of hr lists %v", got)
	}
	if r := e.call(t, "POST", "/api/process/"+pid, "lisi", map[string]any{}); r.Status != http.StatusCreated {
		t.Errorf("a member of a listed group starts: %d %s", r.Status, r.Body)
	}
	r := e.call(t, "GET", base, "dora", nil)
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `[{"userId":"bob"},{"groupId":"hr"}]`) {
		t.Errorf("starters: %d %s", r.Status, r.Body)
	}

	// Removing them all lets everyone again.
	for _, path := range []string{base + "/groups/hr", base + "/users/bob"} {
		if r := e.call(t, "DELETE", path, "dora", nil); r.Status != http.StatusNoContent {
			t.Errorf("DELETE %s: %d %s", path, r.Status, r.Body)
		}
	}
	e.call(t, "DELETE", "/api/groups/hr/members/lisi", "admin", nil)
	if r := e.call(t, "POST", "/api/process/"+pid, "lisi", map[string]any{}); r.Status != http.StatusCreated {
		t.Errorf("no list left: %d %s", r.Status, r.Body)
	}

	// Bad requests answer in the API's error shape.
	cases := []struct {
		name, method, path, who string
		body                    any
		status                  int
	}{
		{"user reads starters", "GET", base, "lisi", nil, 403},
		{"user adds a starter", "POST", base, "lisi", map[string]any{"userId": "lisi"}, 403},
		{"user removes a starter", "DELETE", base + "/users/bob", "lisi", nil, 403},
		{"neither user nor group", "POST", base, "dora", map[string]any{}, 400},
		{"both user and group", "POST", base, "dora", map[string]any{"userId": "a", "groupId": "b"}, 400},
		{"unknown field", "POST", base, "dora", map[string]any{"user": "a"}, 400},
		{"wrong type", "POST", base, "dora", map[string]any{"userId": 7}, 400},
		{"unknown process", "POST", "/api/process/proc-nothere/starters", "dora", map[string]any{"userId": "a"}, 404},
		{"starters of an unknown process", "GET", "/api/process/proc-nothere/starters", "dora", nil, 404},
		{"remove one not listed", "DELETE", base + "/users/nobody", "dora", nil, 404},
		{"remove from an unknown family", "DELETE", base + "/teams/x", "dora", nil, 400},
		{"user lists what they may not start", "GET", "/api/process?startable=false", "lisi", nil, 403},
		{"startable not a boolean", "GET", "/api/process?startable=yes", "dora", nil, 400},
	}
	for _, tc := range cases {
		r := e.call(t, tc.method, tc.path, tc.who, tc.body)
		m := r.json(t)
		if r.Status != tc.status || m["statusCode"] != float64(tc.status) || m["errorMessage"] == "" || m["code"] == "" {
			t.Errorf("%s: %d %s, want %d", tc.name, r.Status, r.Body, tc.status)
		}
	}
	_ = other
}

// TestBusinessKeyNative: the native start takes ?businessKey= and ?tenantId=; the
// instance list and detail show them and the list filters by them (exact, like with
// %); definitions keep a tenant and a category (PATCH sets the category in place)
// and the process list filters by them.
func TestBusinessKeyNative(t *testing.T) {
	e := newTestEnv(t)
	def := minimal("Orders")
	def["tenantId"], def["category"] = "acme", "sales"
	pid := e.createProcess(t, def)
	start := func(who, query string) string {
		t.Helper()
		r := e.call(t, "POST", "/api/process/"+pid+query, who, map[string]any{})
		if r.Status != http.StatusCreated {
			t.Fatalf("start%s: %d %s", query, r.Status, r.Body)
		}
		return r.json(t)["response"].(map[string]any)["id"].(string)
	}
	a := start("lisi", "?businessKey=order-17")
	b := start("dora", "?businessKey=order-170&tenantId=acme")
	start("dora", "")

	in := e.call(t, "GET", "/api/processInst/"+a, "lisi", nil).json(t)
	if in["businessKey"] != "order-17" || in["tenantId"] != "acme" {
		t.Errorf("instance detail: businessKey %v, tenantId %v", in["businessKey"], in["tenantId"])
	}
	ids := func(who, query string) string {
		t.Helper()
		r := e.call(t, "GET", "/api/processInst"+query, who, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("list%s: %d %s", query, r.Status, r.Body)
		}
		var out []string
		for _, x := range r.json(t)["response"].(map[string]any)["list"].([]any) {
			m := x.(map[string]any)
			out = append(out, m["id"].(string)+"="+m["businessKey"].(string))
		}
		return strings.Join(out, ",")
	}
	for _, tc := range []struct{ who, query, want string }{
		{"dora", "?businessKey=order-17", a + "=order-17"},
		{"dora", "?businessKeyLike=order%25", b + "=order-170," + a + "=order-17"},
		{"dora", "?businessKeyLike=%2517", a + "=order-17"},
		{"dora", "?businessKeyLike=der-1", b + "=order-170," + a + "=order-17"},
		{"dora", "?businessKey=nope", ""},
		{"dora", "?tenantId=globex", ""},
		{"lisi", "?businessKeyLike=order", a + "=order-17"}, // a user sees their own only
	} {
		if got := ids(tc.who, tc.query); got != tc.want {
			t.Errorf("%s lists %s: %s, want %s", tc.who, tc.query, got, tc.want)
		}
	}
	if got := e.call(t, "GET", "/api/processInst?tenantId=acme", "dora", nil).json(t)["response"].(map[string]any)["total"]; got != 3.0 {
		t.Errorf("instances of tenant acme: %v, want 3 (an instance takes its definition's tenant)", got)
	}

	for _, tc := range []struct{ name, query string }{
		{"a business key too long", "?businessKey=" + strings.Repeat("k", 256)},
		{"another tenant", "?tenantId=globex"},
	} {
		r := e.call(t, "POST", "/api/process/"+pid+tc.query, "dora", map[string]any{})
		if m := r.json(t); r.Status != http.StatusBadRequest || m["statusCode"] != 400.0 || m["code"] == "" {
			t.Errorf("%s: %d %s", tc.name, r.Status, r.Body)
		}
	}

	// Tenant and category of the definition.
	p := e.call(t, "GET", "/api/process/"+pid, "dora", nil).json(t)
	if p["tenantId"] != "acme" || p["category"] != "sales" || p["version"] != 1.0 {
		t.Fatalf("definition: tenantId %v, category %v, version %v", p["tenantId"], p["category"], p["version"])
	}
	r := e.call(t, "PATCH", "/api/process/"+pid, "dora", map[string]any{"category": "orders"})
	if out, _ := r.json(t)["response"].(map[string]any); r.Status != http.StatusOK || out["category"] != "orders" || out["version"] != 1.0 {
		t.Errorf("patch category: %d %s", r.Status, r.Body)
	}
	if got := e.processNames(t, "dora", "?category=orders&tenantId=acme"); strings.Join(got, ",") != "Orders" {
		t.Errorf("by category and tenant: %v", got)
	}
	if got := e.processNames(t, "dora", "?category=sales"); len(got) != 0 {
		t.Errorf("by the old category: %v", got)
	}
	if r := e.call(t, "PATCH", "/api/process/"+pid, "dora", map[string]any{"category": strings.Repeat("c", 256)}); r.Status != http.StatusBadRequest {
		t.Errorf("a category too long: %d %s", r.Status, r.Body)
	}
}
