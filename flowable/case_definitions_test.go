package flowable_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestCaseDefinitionsScenario runs the seed's case definition requests: list with
// every filter, latest (and its 400 with other parameters), get, PUT category,
// resourcedata, model; answers in the seed examples' shapes.
func TestCaseDefinitionsScenario(t *testing.T) {
	e := newTestEnv(t)
	leave := e.deploy(t, "leave-approval.json", example(t, "leave-approval.json"))
	key := strings.TrimSuffix(leave["id"].(string), "-1")
	redeploy := strings.Replace(string(example(t, "leave-approval.json")), `"name": "请假审批"`, `"id": "`+key+`", "name": "请假审批"`, 1)
	e.deploy(t, "leave-approval.json", []byte(redeploy))
	other := e.deploy(t, "other.json", []byte(minimal("Other")))
	otherKey := strings.TrimSuffix(other["id"].(string), "-1")

	list := e.call(t, "GET", "/cmmn-repository/case-definitions", "dora", nil)
	hasShape(t, "GET case-definitions", seedCaseDefinitionList, list)
	if m := list.obj(t); m["total"] != 3.0 || m["sort"] != "name" || m["order"] != "asc" {
		t.Fatalf("list %s", list.Body)
	}
	for _, c := range []struct {
		query string
		total float64
	}{
		{"latest=true", 2}, {"latest=true&key=" + key, 1}, {"latest=true&nameLike=请假%25", 1}, {"latest=true&name=Other", 1},
		{"version=2", 1}, {"version=1", 2}, {"name=Other", 1}, {"nameLike=%25审%25", 2}, {"nameLike=请假%25", 2}, {"nameLike=请假", 2}, {"nameLike=xyz", 0},
		{"key=" + key, 2}, {"key=proc-nothere", 0}, {"keyLike=" + key[:7] + "%25", 2}, {"keyLike=proc-%25", 3},
		{"resourceName=" + otherKey + ".json", 1}, {"resourceNameLike=%25.json", 3}, {"category=x", 0}, {"categoryLike=%25", 0},
		{"categoryNotEquals=x", 3}, {"deploymentId=" + key + "-2", 1}, {"deploymentId=" + key, 0},
		{"startableByUser=lisi", 3}, {"startableByUser=nobody", 0}, {"suspended=false", 3}, {"suspended=true", 0},
		{"sort=version&order=desc", 3}, {"sort=id", 3}, {"sort=key", 3}, {"sort=category", 3}, {"sort=deploymentId&start=2", 3},
	} {
		r := e.call(t, "GET", "/cmmn-repository/case-definitions?"+c.query, "dora", nil)
		if r.Status != 200 || r.obj(t)["total"] != c.total {
			t.Errorf("?%s: %d %s (want total %v)", c.query, r.Status, r.Body, c.total)
		}
	}
	r := e.call(t, "GET", "/cmmn-repository/case-definitions?latest=true&key="+key, "dora", nil)
	if d := r.obj(t)["data"].([]any)[0].(map[string]any); d["version"] != 2.0 || d["id"] != key+":2" || d["deploymentId"] != key+"-2" || d["startFormDefined"] != true {
		t.Fatalf("latest: %v", d)
	}
	r = e.call(t, "GET", "/cmmn-repository/case-definitions?sort=version&order=desc&size=1", "dora", nil)
	if d := r.obj(t)["data"].([]any); len(d) != 1 || d[0].(map[string]any)["version"] != 2.0 {
		t.Fatalf("sort version desc: %s", r.Body)
	}
	for _, q := range []string{"latest=true&version=1", "latest=true&deploymentId=x", "latest=true&version=2&key=" + key} {
		errorShape(t, e.call(t, "GET", "/cmmn-repository/case-definitions?"+q, "dora", nil), 400)
	}

	got := e.call(t, "GET", "/cmmn-repository/case-definitions/"+key+":1", "dora", nil)
	hasShape(t, "GET case-definition", seedCaseDefinition, got)
	if m := got.obj(t); m["version"] != 1.0 || m["url"] != "http://flow.example:8080"+prefix+"/cmmn-repository/case-definitions/"+key+":1" {
		t.Fatalf("get %s", got.Body)
	}
	// Every url of the answer resolves.
	for _, f := range []string{"url", "deploymentUrl", "resource", "diagramResource"} {
		u := strings.TrimPrefix(got.obj(t)[f].(string), "http://flow.example:8080"+prefix)
		if r := e.call(t, "GET", u, "dora", nil); r.Status != 200 {
			t.Errorf("%s %s: %d", f, u, r.Status)
		}
	}
	data := e.call(t, "GET", "/cmmn-repository/case-definitions/"+key+":2/resourcedata", "dora", nil)
	if data.Status != 200 || !strings.HasPrefix(data.Header.Get("Content-Type"), "application/json") || !strings.Contains(string(data.Body), `"task-mgr00001"`) {
		t.Fatalf("resourcedata: %d %.200s", data.Status, data.Body)
	}
	model := e.call(t, "GET", "/cmmn-repository/case-definitions/"+key+":2/model", "dora", nil)
	if model.Status != 200 || model.obj(t)["id"] != key || model.obj(t)["version"] != 2.0 {
		t.Fatalf("model: %d %.200s", model.Status, model.Body)
	}

	// PUT sets the category of that version only (case_definition_labels_test.go has
	// the rest).
	put := e.call(t, "PUT", "/cmmn-repository/case-definitions/"+key+":1", "dora", `{"category": "updatedcategory"}`)
	hasShape(t, "PUT case-definition", seedCaseDefinition, put)
	if m := put.obj(t); put.Status != 200 || m["category"] != "updatedcategory" || m["version"] != 1.0 {
		t.Errorf("PUT category: %d %s", put.Status, put.Body)
	}
	errorShape(t, e.call(t, "PUT", "/cmmn-repository/case-definitions/"+key+":9", "dora", `{"category": "x"}`), 404)
	errorShape(t, e.call(t, "PUT", "/cmmn-repository/case-definitions/"+key+":1", "dora", `{}`), 400)
	errorShape(t, e.call(t, "PUT", "/cmmn-repository/case-definitions/"+key+":1", "dora", `{"category": 3}`), http.StatusUnsupportedMediaType)
}

// TestSuspendedCaseDefinitions: a disabled process's versions are suspended.
func TestSuspendedCaseDefinitions(t *testing.T) {
	e := newTestEnv(t)
	d := e.deploy(t, "a.json", []byte(minimal("A")))
	key := strings.TrimSuffix(d["id"].(string), "-1")
	if r := e.call(t, "PATCH", "!/api/process/"+key, "dora", `{"enabled": false}`); r.Status != 200 {
		t.Fatalf("disable: %d %s", r.Status, r.Body)
	}
	// PATCH stored version 2: both versions are suspended now.
	if r := e.call(t, "GET", "/cmmn-repository/case-definitions?suspended=true", "dora", nil); r.obj(t)["total"] != 2.0 {
		t.Fatalf("suspended: %s", r.Body)
	}
	if r := e.call(t, "GET", "/cmmn-repository/case-definitions?startableByUser=lisi", "dora", nil); r.obj(t)["total"] != 0.0 {
		t.Fatalf("a disabled process is not startable: %s", r.Body)
	}
}
