package flowable_test

import (
	"net/http"
	"strings"
	"testing"
)

// seedStarterLinks is seed 003's answer of GET repository/case-definitions/{id}/identitylinks.
const seedStarterLinks = `[
    {
        "url": "http://localhost:8080/flowable-rest/cmmn-api/cmmn-repository/case-definitions/59fd213c-3c6b-11ea-8548-38c986587585/identitylinks/groups/flowableUser",
        "user": null,
        "group": "flowableUser",
        "type": "candidate"
    }
]`

// seedStarterLink is one element of it: the answer of POST (the seed shows none) and
// of GET .../identitylinks/{family}/{identityId}.
const seedStarterLink = `{
        "url": "http://localhost:8080/flowable-rest/cmmn-api/cmmn-repository/case-definitions/59fd213c-3c6b-11ea-8548-38c986587585/identitylinks/groups/flowableUser",
        "user": null,
        "group": "flowableUser",
        "type": "candidate"
    }`

// TestCaseDefinitionStartersScenario runs the seed's candidate starter requests: list
// (at cmmn-repository/ and at the seed's literal repository/), add a user and a group
// with the seed's bodies, get one, delete one; every version of a definition lists
// the same starters (they belong to the process).
func TestCaseDefinitionStartersScenario(t *testing.T) {
	e := newTestEnv(t)
	d := e.deploy(t, "leave.json", []byte(minimal("Leave")))
	key := strings.TrimSuffix(d["id"].(string), "-1")
	e.deploy(t, "leave.json", []byte(strings.Replace(minimal("Leave"), `{"name"`, `{"id": "`+key+`", "name"`, 1)))
	links := "/cmmn-repository/case-definitions/" + key + ":1/identitylinks"

	for _, path := range []string{links, "/repository/case-definitions/" + key + ":1/identitylinks"} {
		if r := e.call(t, "GET", path, "dora", nil); r.Status != 200 || string(r.Body) != "[]" {
			t.Fatalf("GET %s before any: %d %s", path, r.Status, r.Body)
		}
	}
	kermit := e.call(t, "POST", links, "dora", `{"user" : "kermit"}`)
	if kermit.Status != http.StatusCreated {
		t.Fatalf("POST user: %d %s", kermit.Status, kermit.Body)
	}
	hasShape(t, "POST identitylinks (user)", seedStarterLink, kermit)
	want := "http://flow.example:8080" + prefix + links + "/users/kermit"
	if m := kermit.obj(t); m["user"] != "kermit" || m["group"] != nil || m["type"] != "candidate" || m["url"] != want || kermit.Header.Get("Location") != want {
		t.Errorf("POST user: %s (Location %s)", kermit.Body, kermit.Header.Get("Location"))
	}
	sales := e.call(t, "POST", links, "dora", `{"groupId" : "sales"}`)
	if sales.Status != http.StatusCreated {
		t.Fatalf("POST group: %d %s", sales.Status, sales.Body)
	}
	hasShape(t, "POST identitylinks (group)", seedStarterLink, sales)
	if m := sales.obj(t); m["group"] != "sales" || m["user"] != nil || !strings.HasSuffix(m["url"].(string), "/identitylinks/groups/sales") {
		t.Errorf("POST group: %s", sales.Body)
	}
	// Adding one listed already answers it again; an answer may be sent back as is.
	if r := e.call(t, "POST", links, "dora", string(sales.Body)); r.Status != http.StatusCreated || r.obj(t)["group"] != "sales" {
		t.Errorf("POST an answer back: %d %s", r.Status, r.Body)
	}

	for _, path := range []string{links, "/repository/case-definitions/" + key + ":1/identitylinks", "/cmmn-repository/case-definitions/" + key + ":2/identitylinks"} {
		r := e.call(t, "GET", path, "dora", nil)
		hasShape(t, "GET "+path, seedStarterLinks, r)
		if list := r.json(t).([]any); r.Status != 200 || len(list) != 2 || list[0].(map[string]any)["user"] != "kermit" || list[1].(map[string]any)["group"] != "sales" {
			t.Errorf("GET %s: %d %s", path, r.Status, r.Body)
		}
	}
	for _, one := range []string{"/users/kermit", "/groups/sales"} {
		r := e.call(t, "GET", links+one, "dora", nil)
		hasShape(t, "GET identitylinks"+one, seedStarterLink, r)
		if r.Status != 200 || !strings.HasSuffix(r.obj(t)["url"].(string), one) {
			t.Errorf("GET %s: %d %s", one, r.Status, r.Body)
		}
	}
	// A user named as a group (and the other way round) is not that link.
	errorShape(t, e.call(t, "GET", links+"/groups/kermit", "dora", nil), 404)
	errorShape(t, e.call(t, "GET", links+"/users/sales", "dora", nil), 404)

	if r := e.call(t, "DELETE", links+"/users/kermit", "dora", nil); r.Status != http.StatusNoContent || len(r.Body) != 0 {
		t.Fatalf("DELETE: %d %s", r.Status, r.Body)
	}
	errorShape(t, e.call(t, "GET", links+"/users/kermit", "dora", nil), 404)
	errorShape(t, e.call(t, "DELETE", links+"/users/kermit", "dora", nil), 404)
	if r := e.call(t, "GET", links, "dora", nil); len(r.json(t).([]any)) != 1 {
		t.Errorf("after DELETE: %s", r.Body)
	}
	// The native API sees the same candidate starters.
	if r := e.call(t, "GET", "!/api/process/"+key+"/starters", "dora", nil); r.Status != 200 || !strings.Contains(string(r.Body), `"groupId":"sales"`) || strings.Contains(string(r.Body), "kermit") {
		t.Errorf("native starters: %d %s", r.Status, r.Body)
	}
}

// TestCaseDefinitionStartersBadInput: unknown ids 404, bad bodies 400, unknown
// properties and wrong types 415, a bad family 400, users 403; all in the API's
// error shape, and nothing is stored.
func TestCaseDefinitionStartersBadInput(t *testing.T) {
	e := newTestEnv(t)
	d := e.deploy(t, "leave.json", []byte(minimal("Leave")))
	key := strings.TrimSuffix(d["id"].(string), "-1")
	links := "/cmmn-repository/case-definitions/" + key + ":1/identitylinks"
	if r := e.call(t, "POST", links, "dora", `{"groupId": "sales"}`); r.Status != http.StatusCreated {
		t.Fatalf("POST: %d %s", r.Status, r.Body)
	}
	for _, c := range []struct {
		name, method, path string
		body               any
		status             int
		headers            []string
	}{
		{"list: unknown definition", "GET", "/cmmn-repository/case-definitions/proc-nothere:1/identitylinks", nil, 404, nil},
		{"list: unknown version", "GET", "/cmmn-repository/case-definitions/" + key + ":2/identitylinks", nil, 404, nil},
		{"list: malformed id", "GET", "/cmmn-repository/case-definitions/" + key + "/identitylinks", nil, 404, nil},
		{"literal list: unknown definition", "GET", "/repository/case-definitions/proc-nothere:1/identitylinks", nil, 404, nil},
		{"add: unknown definition", "POST", "/cmmn-repository/case-definitions/proc-nothere:1/identitylinks", `{"user": "kermit"}`, 404, nil},
		{"add: empty object", "POST", links, `{}`, 400, nil},
		{"add: user and group", "POST", links, `{"user": "kermit", "groupId": "sales"}`, 400, nil},
		{"add: group and groupId differ", "POST", links, `{"group": "a", "groupId": "b"}`, 400, nil},
		{"add: empty user", "POST", links, `{"user": ""}`, 400, nil},
		{"add: blank group", "POST", links, `{"groupId": "  "}`, 400, nil},
		{"add: null user", "POST", links, `{"user": null}`, 400, nil},
		{"add: user too long", "POST", links, `{"user": "` + strings.Repeat("u", 256) + `"}`, 400, nil},
		{"add: another type", "POST", links, `{"user": "kermit", "type": "participant"}`, 400, nil},
		{"add: malformed JSON", "POST", links, `{"user": `, 400, nil},
		{"add: empty body", "POST", links, ``, 400, nil},
		{"add: unknown property", "POST", links, `{"userId": "kermit"}`, 415, nil},
		{"add: wrong type", "POST", links, `{"user": 3}`, 415, nil},
		{"add: an array", "POST", links, `[{"user": "kermit"}]`, 415, nil},
		{"add: text/plain", "POST", links, `{"user": "kermit"}`, 415, []string{"Content-Type", "text/plain"}},
		{"add: as a user", "POST", links, `{"user": "lisi"}`, 403, []string{"Authorization", basic("lisi")}},
		{"get: unknown definition", "GET", "/cmmn-repository/case-definitions/proc-nothere:1/identitylinks/groups/sales", nil, 404, nil},
		{"get: not listed", "GET", links + "/users/kermit", nil, 404, nil},
		{"get: bad family", "GET", links + "/teams/sales", nil, 400, nil},
		{"delete: unknown definition", "DELETE", "/cmmn-repository/case-definitions/proc-nothere:1/identitylinks/groups/sales", nil, 404, nil},
		{"delete: not listed", "DELETE", links + "/groups/hr", nil, 404, nil},
		{"delete: bad family", "DELETE", links + "/teams/sales", nil, 400, nil},
		{"delete: as a user", "DELETE", links + "/groups/sales", nil, 403, []string{"Authorization", basic("lisi")}},
		{"PUT a link", "PUT", links + "/groups/sales", `{}`, 405, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			auth := "dora"
			for i := 0; i+1 < len(c.headers); i += 2 {
				if c.headers[i] == "Authorization" {
					auth = c.headers[i+1]
				}
			}
			errorShape(t, e.call(t, c.method, c.path, auth, c.body, c.headers...), c.status)
		})
	}
	r := e.call(t, "GET", links, "dora", nil)
	if list := r.json(t).([]any); len(list) != 1 || list[0].(map[string]any)["group"] != "sales" {
		t.Fatalf("after the bad inputs: %s", r.Body)
	}
}

// TestStartableByUserFollowsCandidateStarters: with candidate starters, a user not
// among them does not find the definition with startableByUser and gets 403 starting
// it (the native API, and a case instance here); a member of a listed group finds and
// starts it; a definition without candidate starters is startable by everyone.
func TestStartableByUserFollowsCandidateStarters(t *testing.T) {
	e := newTestEnv(t)
	open := strings.TrimSuffix(e.deploy(t, "open.json", []byte(minimal("Open")))["id"].(string), "-1")
	closed := strings.TrimSuffix(e.deploy(t, "closed.json", []byte(minimal("Closed")))["id"].(string), "-1")
	startable := func(who string) []string {
		t.Helper()
		r := e.call(t, "GET", "/cmmn-repository/case-definitions?sort=key&startableByUser="+who, "dora", nil)
		if r.Status != 200 {
			t.Fatalf("startableByUser=%s: %d %s", who, r.Status, r.Body)
		}
		var keys []string
		for _, d := range r.obj(t)["data"].([]any) {
			keys = append(keys, d.(map[string]any)["key"].(string))
		}
		return keys
	}
	if got := startable("lisi"); len(got) != 2 {
		t.Fatalf("no candidate starters anywhere: %v", got)
	}
	if r := e.call(t, "POST", "/cmmn-repository/case-definitions/"+closed+":1/identitylinks", "dora", `{"groupId": "hr"}`); r.Status != http.StatusCreated {
		t.Fatalf("POST: %d %s", r.Status, r.Body)
	}
	if got := startable("lisi"); len(got) != 1 || got[0] != open {
		t.Errorf("lisi, not in hr: %v, want only %s", got, open)
	}
	if got := startable("dora"); len(got) != 1 || got[0] != open {
		t.Errorf("dora, a designer not in hr (roles do not count): %v", got)
	}
	r := e.call(t, "POST", "!/api/process/"+closed, "lisi", `{}`)
	if m := r.obj(t); r.Status != http.StatusForbidden || m["code"] != "not_starter" {
		t.Errorf("lisi starts %s through the native API: %d %s", closed, r.Status, r.Body)
	}
	errorShape(t, e.call(t, "POST", "/cmmn-runtime/case-instances", "lisi", `{"caseDefinitionId": "`+closed+`:1"}`), http.StatusForbidden)
	if r := e.call(t, "POST", "!/api/process/"+open, "lisi", `{}`); r.Status != http.StatusCreated {
		t.Errorf("lisi starts %s: %d %s", open, r.Status, r.Body)
	}

	// lisi joins hr: both are startable now, and the start succeeds.
	for _, step := range []struct{ path, body string }{{"/api/groups", `{"id":"hr","name":"HR"}`}, {"/api/groups/hr/members", `{"userId":"lisi"}`}} {
		if r := e.call(t, "POST", "!"+step.path, "admin", step.body); r.Status/100 != 2 {
			t.Fatalf("%s: %d %s", step.path, r.Status, r.Body)
		}
	}
	if got := startable("lisi"); len(got) != 2 {
		t.Errorf("lisi in hr: %v", got)
	}
	if r := e.call(t, "POST", "!/api/process/"+closed, "lisi", `{}`); r.Status != http.StatusCreated {
		t.Errorf("lisi in hr starts %s: %d %s", closed, r.Status, r.Body)
	}
	// A user listed by name; an unknown user may start nothing.
	if r := e.call(t, "POST", "/cmmn-repository/case-definitions/"+closed+":1/identitylinks", "dora", `{"user": "dora"}`); r.Status != http.StatusCreated {
		t.Fatalf("POST dora: %d %s", r.Status, r.Body)
	}
	if got := startable("dora"); len(got) != 2 {
		t.Errorf("dora listed: %v", got)
	}
	if got := startable("nobody"); len(got) != 0 {
		t.Errorf("an unknown user: %v", got)
	}
}
