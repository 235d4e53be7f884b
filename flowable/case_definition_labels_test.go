package flowable_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestDeploymentTenants: a deployment's tenantId form field is its definitions'
// tenant, answered by deployments and case definitions and kept by later versions; a
// new version in another tenant is refused; the seed's tenant filters find them.
func TestDeploymentTenants(t *testing.T) {
	e := newTestEnv(t)
	r := e.call(t, "POST", "/cmmn-repository/deployments", "dora", upload(t, "leave.json", []byte(minimal("Leave")), "tenantId", "acme"))
	if r.Status != http.StatusCreated || r.obj(t)["tenantId"] != "acme" {
		t.Fatalf("deploy with tenantId: %d %s", r.Status, r.Body)
	}
	hasShape(t, "POST deployments (tenant)", seedDeployment, r)
	key := strings.TrimSuffix(r.obj(t)["id"].(string), "-1")
	// The next version without a tenantId stays in acme; with another tenant it is refused.
	next := []byte(strings.Replace(minimal("Leave"), `{"name"`, `{"id": "`+key+`", "name"`, 1))
	if r := e.call(t, "POST", "/cmmn-repository/deployments", "dora", upload(t, "leave.json", next)); r.Status != http.StatusCreated || r.obj(t)["tenantId"] != "acme" {
		t.Fatalf("next version: %d %s", r.Status, r.Body)
	}
	bad := e.call(t, "POST", "/cmmn-repository/deployments", "dora", upload(t, "leave.json", next, "tenantId", "globex"))
	errorShape(t, bad, 400)
	if !strings.Contains(bad.obj(t)["errorMessage"].(string), "tenant") {
		t.Errorf("another tenant: %s", bad.Body)
	}
	// A zip deploys each of its definitions into the tenant.
	z := e.call(t, "POST", "/cmmn-repository/deployments", "dora", upload(t, "two.zip", zipOf(t, "a.json", minimal("A"), "b.json", minimal("B")), "tenantId", "globex"))
	if z.Status != http.StatusCreated || z.obj(t)["tenantId"] != "globex" {
		t.Fatalf("zip with tenantId: %d %s", z.Status, z.Body)
	}
	e.deploy(t, "other.json", []byte(minimal("Other")))

	if r := e.call(t, "GET", "/cmmn-repository/deployments/"+key+"-1", "dora", nil); r.obj(t)["tenantId"] != "acme" {
		t.Errorf("GET deployment: %s", r.Body)
	}
	for _, id := range []string{key + ":1", key + ":2"} {
		r := e.call(t, "GET", "/cmmn-repository/case-definitions/"+id, "dora", nil)
		hasShape(t, "GET case-definition (tenant)", seedCaseDefinition, r)
		if r.obj(t)["tenantId"] != "acme" {
			t.Errorf("GET case definition %s: %s", id, r.Body)
		}
	}
	for _, c := range []struct {
		list, query string
		total       float64
	}{
		{"deployments", "tenantId=acme", 2}, {"deployments", "tenantId=glob", 0}, {"deployments", "tenantIdLike=glob", 2},
		{"deployments", "tenantIdLike=%25cme", 2}, {"deployments", "tenantIdLike=%25", 5}, {"deployments", "withoutTenantId=true", 1},
		{"deployments", "withoutTenantId=false", 5}, {"deployments", "tenantId=", 1}, {"deployments", "tenantId=acme&name=Leave", 2},
		{"case-definitions", "tenantId=acme", 2}, {"case-definitions", "tenantId=acme&latest=true", 1}, {"case-definitions", "tenantIdLike=GLOB", 2},
		{"case-definitions", "withoutTenantId=true", 1}, {"case-definitions", "tenantId=", 1}, {"case-definitions", "tenantId=nope", 0},
	} {
		r := e.call(t, "GET", "/cmmn-repository/"+c.list+"?"+c.query, "dora", nil)
		if r.Status != 200 || r.obj(t)["total"] != c.total {
			t.Errorf("%s?%s: %d %s (want total %v)", c.list, c.query, r.Status, r.Body, c.total)
		}
	}
	r = e.call(t, "GET", "/cmmn-repository/deployments?sort=tenantId&order=desc&size=1", "dora", nil)
	hasShape(t, "GET deployments (tenant)", seedDeploymentList, r)
	if d := r.obj(t)["data"].([]any); len(d) != 1 || d[0].(map[string]any)["tenantId"] != "globex" || r.obj(t)["total"] != 5.0 {
		t.Errorf("sort=tenantId desc: %s", r.Body)
	}
}

// TestCaseDefinitionCategories: PUT sets the category of one version (the seed's
// body), every answer carries it, and category, categoryLike and categoryNotEquals
// filter on it; bad bodies answer 400/415/404.
func TestCaseDefinitionCategories(t *testing.T) {
	e := newTestEnv(t)
	key := strings.TrimSuffix(e.deploy(t, "leave.json", []byte(minimal("Leave")))["id"].(string), "-1")
	e.deploy(t, "leave.json", []byte(strings.Replace(minimal("Leave"), `{"name"`, `{"id": "`+key+`", "name"`, 1)))
	other := strings.TrimSuffix(e.deploy(t, "other.json", []byte(minimal("Other")))["id"].(string), "-1")
	def := "/cmmn-repository/case-definitions/"

	put := e.call(t, "PUT", def+key+":1", "dora", `{
  "category" : "updatedcategory"
}`)
	hasShape(t, "PUT case-definition", seedCaseDefinition, put)
	if m := put.obj(t); put.Status != 200 || m["category"] != "updatedcategory" || m["id"] != key+":1" {
		t.Fatalf("PUT: %d %s", put.Status, put.Body)
	}
	if r := e.call(t, "PUT", def+other+":1", "dora", `{"category": "sales"}`); r.Status != 200 || r.obj(t)["category"] != "sales" {
		t.Fatalf("PUT other: %d %s", r.Status, r.Body)
	}
	if r := e.call(t, "GET", def+key+":1", "dora", nil); r.obj(t)["category"] != "updatedcategory" {
		t.Errorf("GET version 1: %s", r.Body)
	}
	if r := e.call(t, "GET", def+key+":2", "dora", nil); r.obj(t)["category"] != nil {
		t.Errorf("version 2 keeps its own (none): %s", r.Body)
	}
	// The current version's category is the definition's (native API).
	if r := e.call(t, "PUT", def+key+":2", "dora", `{"category": "hr"}`); r.Status != 200 {
		t.Fatalf("PUT version 2: %d %s", r.Status, r.Body)
	}
	if r := e.call(t, "GET", "!/api/process/"+key, "dora", nil); !strings.Contains(string(r.Body), `"category":"hr"`) {
		t.Errorf("native API: %s", r.Body)
	}
	list := e.call(t, "GET", def+"?category=hr", "dora", nil)
	hasShape(t, "GET case-definitions?category", seedCaseDefinitionList, list)
	for _, c := range []struct {
		query string
		want  string
	}{
		{"category=hr", key + ":2"}, {"category=updatedcategory", key + ":1"}, {"category=UPDATEDCATEGORY", ""},
		{"categoryLike=updated", key + ":1"}, {"categoryLike=%25category", key + ":1"}, {"categoryLike=%25", key + ":1," + key + ":2," + other + ":1"},
		{"categoryNotEquals=hr", key + ":1," + other + ":1"}, {"category=", ""}, {"category=hr&categoryNotEquals=hr", ""},
		{"categoryLike=s&key=" + other, other + ":1"}, {"sort=category&order=desc&size=1", key + ":1"},
	} {
		r := e.call(t, "GET", def+"?sort=id&"+c.query, "dora", nil)
		if strings.Contains(c.query, "sort=category") {
			r = e.call(t, "GET", def+"?"+c.query, "dora", nil)
		}
		var ids []string
		for _, d := range r.obj(t)["data"].([]any) {
			ids = append(ids, d.(map[string]any)["id"].(string))
		}
		if !strings.Contains(c.query, "sort=") {
			slices.Sort(ids) // sort=id orders by key, which is random here
			want := strings.Split(c.want, ",")
			slices.Sort(want)
			c.want = strings.Join(want, ",")
		}
		if r.Status != 200 || strings.Join(ids, ",") != c.want {
			t.Errorf("?%s: %v, want %s", c.query, ids, c.want)
		}
	}
	// "" clears a category.
	if r := e.call(t, "PUT", def+key+":1", "dora", `{"category": ""}`); r.Status != 200 || r.obj(t)["category"] != nil {
		t.Errorf("PUT empty category: %d %s", r.Status, r.Body)
	}
	for _, c := range []struct {
		name, path, body string
		status           int
	}{
		{"unknown definition", def + "proc-nothere:1", `{"category": "x"}`, 404},
		{"unknown version", def + key + ":3", `{"category": "x"}`, 404},
		{"no category", def + key + ":1", `{}`, 400},
		{"null category", def + key + ":1", `{"category": null}`, 400},
		{"too long", def + key + ":1", `{"category": "` + strings.Repeat("c", 256) + `"}`, 400},
		{"wrong type", def + key + ":1", `{"category": ["x"]}`, 415},
		{"unknown property", def + key + ":1", `{"category": "x", "name": "y"}`, 415},
		{"malformed", def + key + ":1", `{"category": `, 400},
	} {
		t.Run(c.name, func(t *testing.T) { errorShape(t, e.call(t, "PUT", c.path, "dora", c.body), c.status) })
	}
	errorShape(t, e.call(t, "PUT", def+key+":1", "lisi", `{"category": "x"}`), 403)
	if r := e.call(t, "GET", def+key+":2", "dora", nil); r.obj(t)["category"] != "hr" {
		t.Errorf("after the bad inputs: %s", r.Body)
	}
}
