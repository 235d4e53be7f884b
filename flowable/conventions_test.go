package flowable_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
)

// TestAuthentication: Basic with flowcraft's users, Bearer API tokens, 401 with
// WWW-Authenticate in the API's error shape, roles (403), no cookie sessions.
func TestAuthentication(t *testing.T) {
	e := newTestEnv(t)
	r := e.call(t, "GET", "/cmmn-repository/deployments", "", nil)
	errorShape(t, r, 401)
	if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Basic ") {
		t.Errorf("WWW-Authenticate %q", r.Header.Get("WWW-Authenticate"))
	}
	errorShape(t, e.call(t, "GET", "/cmmn-repository/deployments", "Basic "+base64.StdEncoding.EncodeToString([]byte("dora:wrong")), nil), 401)
	errorShape(t, e.call(t, "GET", "/cmmn-repository/deployments", "Basic !!!", nil), 401)
	errorShape(t, e.call(t, "GET", "/cmmn-repository/deployments", "Basic "+base64.StdEncoding.EncodeToString([]byte("nocolon")), nil), 401)
	errorShape(t, e.call(t, "GET", "/cmmn-repository/deployments", "Digest x=y", nil), 401)
	errorShape(t, e.call(t, "GET", "/cmmn-repository/deployments", "Bearer fc_nothing", nil), 401)
	errorShape(t, e.call(t, "GET", "/cmmn-repository/deployments", "", nil, "Cookie", "flowcraft_session=abc"), 401)
	if r := e.call(t, "GET", "/cmmn-repository/deployments", "dora", nil); r.Status != 200 {
		t.Fatalf("dora: %d %s", r.Status, r.Body)
	}
	// A user may not read the repository (as GET /api/process), 403.
	errorShape(t, e.call(t, "GET", "/cmmn-repository/deployments", "lisi", nil), 403)
	if r := e.call(t, "GET", "/cmmn-runtime/plan-item-instances", "lisi", nil); r.Status != 200 {
		t.Fatalf("lisi's plan items: %d %s", r.Status, r.Body)
	}

	secret, _, err := e.st.Identity.CreateToken(context.Background(), "dora", "ci", 0)
	if err != nil {
		t.Fatal(err)
	}
	if r := e.call(t, "GET", "/cmmn-repository/deployments", "Bearer "+secret, nil); r.Status != 200 {
		t.Fatalf("token: %d %s", r.Status, r.Body)
	}
}

// TestBasicAuthThrottled: Basic is throttled like the login: failures past the free
// ones answer 429 (Retry-After, the API's shape), and 10 lock the account, so that
// even the right password then waits (15 minutes: no timing in the test).
func TestBasicAuthThrottled(t *testing.T) {
	e := newTestEnv(t)
	wrong := "Basic " + base64.StdEncoding.EncodeToString([]byte("dora:wrong"))
	for range 10 {
		r := e.call(t, "GET", "/cmmn-repository/deployments", wrong, nil)
		if r.Status == http.StatusTooManyRequests {
			errorShape(t, r, http.StatusTooManyRequests)
			continue
		}
		errorShape(t, r, http.StatusUnauthorized)
	}
	r := e.call(t, "GET", "/cmmn-repository/deployments", "dora", nil)
	errorShape(t, r, http.StatusTooManyRequests)
	if r.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	// Another account is not held up.
	if r := e.call(t, "GET", "/cmmn-repository/deployments", "admin", nil); r.Status != 200 {
		t.Fatalf("admin: %d %s", r.Status, r.Body)
	}
}

// TestBasicCredentialDroppedOnChange: a verified credential is cached only until the
// user changes: a new password stops the old one at once.
func TestBasicCredentialDroppedOnChange(t *testing.T) {
	e := newTestEnv(t)
	if r := e.call(t, "GET", "/cmmn-repository/deployments", "dora", nil); r.Status != 200 {
		t.Fatal(r.Status)
	}
	if r := e.call(t, "PUT", "!/api/users/dora", "admin", `{"password": "another-password1"}`); r.Status != 200 {
		t.Fatalf("new password: %d %s", r.Status, r.Body)
	}
	errorShape(t, e.call(t, "GET", "/cmmn-repository/deployments", "dora", nil), 401)
}

// TestUnknownRoutes: every unknown path under the prefix is a 404 in the API's shape
// (also without credentials' 401 first: authentication comes first).
func TestUnknownRoutes(t *testing.T) {
	e := newTestEnv(t)
	for _, p := range []string{"", "/", "/nope", "/cmmn-repository", "/cmmn-repository/deployments/x/y/z", "/cmmn-runtime/case-instances/1/nope"} {
		errorShape(t, e.call(t, "GET", p, "dora", nil), 404)
	}
	r := e.call(t, "PATCH", "/cmmn-repository/deployments", "dora", `{}`)
	errorShape(t, r, 405)
	if r.Header.Get("Allow") != "GET, POST" {
		t.Errorf("Allow %q", r.Header.Get("Allow"))
	}
	errorShape(t, e.call(t, "GET", "/nope", "", nil), 401)
}

// TestBadInput: malformed bodies, unknown properties, wrong types, unknown ids and bad
// parameters each answer the seed's status in the API's error shape; nothing is a 500.
func TestBadInput(t *testing.T) {
	e := newTestEnv(t)
	d := e.deploy(t, "leave-approval.json", example(t, "leave-approval.json"))
	key := strings.TrimSuffix(d["id"].(string), "-1")
	inst := e.startLeave(t, key, "lisi", 2)
	items := e.call(t, "GET", "/cmmn-runtime/plan-item-instances?caseInstanceId="+inst+"&state=active", "lisi", nil)
	item := items.obj(t)["data"].([]any)[0].(map[string]any)["id"].(string)
	pi := "/cmmn-runtime/plan-item-instances/" + item
	cd := "/cmmn-repository/case-definitions/" + key + ":1"
	const deps, defs, pis = "/cmmn-repository/deployments", "/cmmn-repository/case-definitions", "/cmmn-runtime/plan-item-instances"

	cases := []struct {
		name, method, path string
		body               any
		status             int
		headers            []string
	}{
		// Query parameters.
		{"start not a number", "GET", deps + "?start=x", nil, 400, nil},
		{"start negative", "GET", deps + "?start=-1", nil, 400, nil},
		{"size not a number", "GET", deps + "?size=ten", nil, 400, nil},
		{"size a fraction", "GET", deps + "?size=1.5", nil, 400, nil},
		{"size past Integer", "GET", deps + "?size=2147483648", nil, 400, nil},
		{"size negative", "GET", defs + "?size=-3", nil, 400, nil},
		{"unknown sort", "GET", deps + "?sort=color", nil, 400, nil},
		{"sort of another resource", "GET", defs + "?sort=deployTime", nil, 400, nil},
		{"bad order", "GET", deps + "?order=up", nil, 400, nil},
		{"order upper case", "GET", pis + "?order=ASC", nil, 400, nil},
		{"withoutTenantId not boolean", "GET", deps + "?withoutTenantId=yes", nil, 400, nil},
		{"withoutTenantId TRUE", "GET", deps + "?withoutTenantId=TRUE", nil, 400, nil},
		{"latest 1", "GET", defs + "?latest=1", nil, 400, nil},
		{"suspended empty", "GET", defs + "?suspended=", nil, 400, nil},
		{"version not Integer", "GET", defs + "?version=v1", nil, 400, nil},
		{"version past Integer", "GET", defs + "?version=99999999999", nil, 400, nil},
		{"latest with version", "GET", defs + "?latest=true&version=1", nil, 400, nil},
		{"latest with deploymentId", "GET", defs + "?latest=true&key=x&deploymentId=x", nil, 400, nil},
		{"createdBefore not a date", "GET", pis + "?createdBefore=yesterday", nil, 400, nil},
		{"createdAfter without time", "GET", pis + "?createdAfter=2020-01-01", nil, 400, nil},
		{"createdAfter without zone", "GET", pis + "?createdAfter=2020-01-01T10:00", nil, 400, nil},
		{"createdBefore month 13", "GET", pis + "?createdBefore=2020-13-01T10:00Z", nil, 400, nil},
		{"unknown state", "GET", pis + "?state=sleeping", nil, 400, nil},
		{"delete cascade not boolean", "DELETE", deps + "/" + key + "-1?cascade=maybe", nil, 400, nil},
		// Unknown ids.
		{"unknown deployment", "GET", deps + "/proc-nothere0-1", nil, 404, nil},
		{"malformed deployment id", "GET", deps + "/59eca679-3c6b-11ea-8548-38c986587585", nil, 404, nil},
		{"deployment version 0", "GET", deps + "/" + key + "-0", nil, 404, nil},
		{"deployment without version", "GET", deps + "/" + key, nil, 404, nil},
		{"unknown deployment resources", "GET", deps + "/proc-nothere0-1/resources", nil, 404, nil},
		{"unknown resource", "GET", deps + "/" + key + "-1/resources/x.cmmn.xml", nil, 404, nil},
		{"unknown resourcedata", "GET", deps + "/" + key + "-1/resourcedata/x.png", nil, 404, nil},
		{"unknown deployment delete", "DELETE", "/repository/deployments/nope", nil, 404, nil},
		{"unknown case definition", "GET", defs + "/nope", nil, 404, nil},
		{"case definition of a later version", "GET", defs + "/" + key + ":2", nil, 404, nil},
		{"case definition version +1", "GET", defs + "/" + key + ":+1", nil, 404, nil},
		{"unknown case definition model", "GET", defs + "/x:1/model", nil, 404, nil},
		{"unknown case definition resourcedata", "GET", defs + "/x:1/resourcedata", nil, 404, nil},
		{"unknown plan item", "GET", pis + "/1-2", nil, 404, nil},
		{"malformed plan item id", "GET", pis + "/09618702-3c78-11ea-8548-38c986587585", nil, 404, nil},
		{"unknown plan item action", "PUT", pis + "/1-2", `{"action": "trigger"}`, 404, nil},
		// Bodies.
		{"category: unknown property", "PUT", cd, `{"category": "x", "color": "red"}`, 415, nil},
		{"category: wrong type", "PUT", cd, `{"category": ["x"]}`, 415, nil},
		{"category: not an object", "PUT", cd, `"x"`, 415, nil},
		{"category: malformed", "PUT", cd, `{"category": `, 400, nil},
		{"category: trailing data", "PUT", cd, `{"category": "x"} {}`, 400, nil},
		{"category: empty body", "PUT", cd, ``, 400, nil},
		{"category: missing", "PUT", cd, `{}`, 400, nil},
		{"category: deep", "PUT", cd, strings.Repeat("[", 40) + strings.Repeat("]", 40), 400, nil},
		{"action: unknown property", "PUT", pi, `{"action": "trigger", "variables": []}`, 415, nil},
		{"action: wrong type", "PUT", pi, `{"action": 1}`, 415, nil},
		{"action: null", "PUT", pi, `{"action": null}`, 400, nil},
		{"action: missing", "PUT", pi, `{}`, 400, nil},
		{"action: empty", "PUT", pi, `{"action": ""}`, 400, nil},
		{"action: unknown", "PUT", pi, `{"action": "fly"}`, 400, nil},
		{"action: malformed", "PUT", pi, `{action: trigger}`, 400, nil},
		{"action: text/plain", "PUT", pi, nil, 415, []string{"Content-Type", "text/plain"}},
		// Deployments.
		{"deploy: JSON instead of multipart", "POST", deps, `{"name": "x"}`, 400, nil},
		{"deploy: no file", "POST", deps, upload(t, "", nil, "tenantId", ""), 400, nil},
		{"deploy: BPMN", "POST", deps, upload(t, "leave.bpmn20.xml", []byte("<definitions/>")), 400, nil},
		{"deploy: .bpmn", "POST", deps, upload(t, "leave.bpmn", []byte("<definitions/>")), 400, nil},
		{"deploy: unknown type", "POST", deps, upload(t, "leave.png", []byte("png")), 400, nil},
		{"deploy: not JSON", "POST", deps, upload(t, "leave.json", []byte("{nope")), 400, nil},
		{"deploy: unknown field", "POST", deps, upload(t, "leave.json", []byte(`{"name": "x", "colour": 1, "tasks": []}`)), 400, nil},
		{"deploy: invalid definition", "POST", deps, upload(t, "leave.json", []byte(`{"name": "x", "tasks": []}`)), 400, nil},
		{"deploy: deep JSON", "POST", deps, upload(t, "deep.json", []byte(strings.Repeat("[", 100)+strings.Repeat("]", 100))), 400, nil},
		{"deploy: corrupt zip", "POST", deps, upload(t, "a.zip", []byte("PK\x03\x04 no zip")), 400, nil},
		{"deploy: empty zip", "POST", deps, upload(t, "a.zip", zipOf(t, "readme.txt", "x")), 400, nil},
		{"deploy: BPMN in zip", "POST", deps, upload(t, "a.bar", zipOf(t, "a.bpmn", "<x/>")), 400, nil},
		{"deploy: zip bomb", "POST", deps, upload(t, "bomb.zip", zipOf(t, "big.json", `{"name": "`+strings.Repeat("a", 2<<20)+`"}`)), 413, nil},
		{"deploy: tenant too long", "POST", deps, upload(t, "a.json", []byte(minimal("T")), "tenantId", strings.Repeat("t", 256)), 400, nil},
		{"deploy: a new version in another tenant", "POST", deps, upload(t, "a.json", []byte(`{"id": "`+key+`", "name": "x", "tasks": []}`), "tenantId", "acme"), 400, nil},
		{"deploy: as a user", "POST", deps, upload(t, "a.json", []byte(minimal("U"))), 403, []string{"Authorization", basic("lisi")}},
		// Methods the seed does not have.
		{"PUT a resource", "PUT", deps + "/" + key + "-1/resources/" + key + ".json", `{}`, 405, nil},
		{"POST a case definition", "POST", defs, `{}`, 405, nil},
		{"DELETE a plan item", "DELETE", pi, nil, 405, nil},
	}
	if len(cases) < 40 {
		t.Fatalf("%d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			auth := "dora"
			for i := 0; i+1 < len(c.headers); i += 2 {
				if c.headers[i] == "Authorization" {
					auth = c.headers[i+1]
				}
			}
			var body any = c.body
			if s, ok := c.body.(string); ok && c.body != nil {
				body = s
			}
			r := e.call(t, c.method, c.path, auth, body, c.headers...)
			errorShape(t, r, c.status)
		})
	}
	// Nothing broke: the instance still waits, the deployment is still there.
	if r := e.call(t, "GET", deps+"/"+key+"-1", "dora", nil); r.Status != 200 {
		t.Fatalf("after the bad inputs: %d", r.Status)
	}
}
