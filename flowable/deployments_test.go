package flowable_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestDeploymentsScenario runs the seed's deployment requests: create from a multipart
// file, list (with its filters), get, resources, resource, resourcedata, delete (both
// paths), each answer in the seed example's shape.
func TestDeploymentsScenario(t *testing.T) {
	e := newTestEnv(t)
	d := e.deploy(t, "leave-approval.json", example(t, "leave-approval.json"))
	hasShape(t, "POST deployments", seedDeployment, reply{Body: mustJSON(t, d)})
	id := d["id"].(string)
	if !strings.HasPrefix(id, "proc-") || !strings.HasSuffix(id, "-1") {
		t.Fatalf("deployment id %q, want <process id>-1", id)
	}
	wantURL := "http://flow.example:8080" + prefix + "/cmmn-repository/deployments/" + id
	if d["url"] != wantURL || d["name"] != "请假审批" || d["tenantId"] != "" {
		t.Fatalf("deployment %v", d)
	}
	e.deploy(t, "other.json", []byte(minimal("Other")))

	list := e.call(t, "GET", "/cmmn-repository/deployments", "dora", nil)
	hasShape(t, "GET deployments", seedDeploymentList, list)
	if m := list.obj(t); m["total"] != 2.0 || m["sort"] != "id" || m["order"] != "asc" || m["size"] != 2.0 {
		t.Fatalf("list %s", list.Body)
	}
	for _, c := range []struct {
		query string
		total float64
	}{
		{"name=请假审批", 1}, {"nameLike=%25审批", 1}, {"nameLike=Oth%25", 1}, {"nameLike=Oth", 1}, {"nameLike=oth", 1}, {"nameLike=审", 1}, {"nameLike=xyz", 0}, {"nameLike=%25", 2},
		{"category=x", 0}, {"categoryLike=%25", 0}, {"categoryNotEquals=x", 2}, {"parentDeploymentId=x", 0},
		{"tenantId=", 2}, {"tenantId=acme", 0}, {"tenantIdLike=%25", 2}, {"withoutTenantId=true", 2}, {"withoutTenantId=false", 2},
		{"sort=name&order=desc&size=1", 2}, {"sort=deployTime", 2}, {"sort=tenantId&start=1", 2},
	} {
		r := e.call(t, "GET", "/cmmn-repository/deployments?"+c.query, "dora", nil)
		if r.Status != 200 || r.obj(t)["total"] != c.total {
			t.Errorf("?%s: %d %s (want total %v)", c.query, r.Status, r.Body, c.total)
		}
	}
	r := e.call(t, "GET", "/cmmn-repository/deployments?sort=name&order=desc&size=1", "dora", nil)
	if data := r.obj(t)["data"].([]any); len(data) != 1 || data[0].(map[string]any)["name"] != "请假审批" || r.obj(t)["size"] != 1.0 {
		t.Errorf("sort=name desc size=1: %s", r.Body)
	}

	got := e.call(t, "GET", "/cmmn-repository/deployments/"+id, "dora", nil)
	hasShape(t, "GET deployment", seedDeployment, got)

	res := e.call(t, "GET", "/cmmn-repository/deployments/"+id+"/resources", "dora", nil)
	hasShape(t, "GET resources", seedResources, res)
	items := res.json(t).([]any)
	if len(items) != 2 {
		t.Fatalf("resources %s", res.Body)
	}
	for _, it := range items {
		m := it.(map[string]any)
		one := e.call(t, "GET", strings.TrimPrefix(m["url"].(string), "http://flow.example:8080"+prefix), "dora", nil)
		hasShape(t, "GET resource", seedResource, one)
		data := e.call(t, "GET", strings.TrimPrefix(m["contentUrl"].(string), "http://flow.example:8080"+prefix), "dora", nil)
		if data.Status != 200 || data.Header.Get("Content-Type") != m["mediaType"] || !strings.HasPrefix(data.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("resourcedata %s: %d %v", m["id"], data.Status, data.Header)
		}
		switch m["type"] {
		case "caseDefinition":
			var p map[string]any
			if err := json.Unmarshal(data.Body, &p); err != nil || p["name"] != "请假审批" || len(p["tasks"].([]any)) != 7 {
				t.Fatalf("definition resource: %v %.200s", err, data.Body)
			}
		default:
			if !strings.HasPrefix(string(data.Body), "<svg") || !strings.Contains(string(data.Body), `data-task-id="task-mgr00001"`) {
				t.Fatalf("diagram: %.200s", data.Body)
			}
		}
	}
	errorShape(t, e.call(t, "GET", "/cmmn-repository/deployments/"+id+"/resources/nope.json", "dora", nil), 404)
	errorShape(t, e.call(t, "GET", "/cmmn-repository/deployments/"+id+"/resourcedata/nope.json", "dora", nil), 404)

	if r := e.call(t, "DELETE", "/cmmn-repository/deployments/"+id, "dora", nil); r.Status != http.StatusNoContent || len(r.Body) != 0 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	errorShape(t, e.call(t, "GET", "/cmmn-repository/deployments/"+id, "dora", nil), 404)
	errorShape(t, e.call(t, "DELETE", "/cmmn-repository/deployments/"+id, "dora", nil), 404)
	other := e.call(t, "GET", "/cmmn-repository/deployments", "dora", nil).obj(t)["data"].([]any)[0].(map[string]any)["id"].(string)
	if r := e.call(t, "DELETE", "/repository/deployments/"+other, "dora", nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete by the literal path: %d %s", r.Status, r.Body)
	}
	if r := e.call(t, "GET", "/cmmn-repository/deployments", "dora", nil); r.obj(t)["total"] != 0.0 {
		t.Fatalf("after deletes: %s", r.Body)
	}
}

// TestDeploymentVersions: deploying a file whose id names an existing definition
// stores its next version, a deployment of its own; an earlier version's deployment
// cannot be deleted alone (409), the current one deletes the definition.
func TestDeploymentVersions(t *testing.T) {
	e := newTestEnv(t)
	d1 := e.deploy(t, "a.json", []byte(minimal("A")))
	key := strings.TrimSuffix(d1["id"].(string), "-1")
	redeploy := strings.Replace(minimal("A2"), `{"name"`, `{"id": "`+key+`", "name"`, 1)
	d2 := e.deploy(t, "a.json", []byte(redeploy))
	if d2["id"] != key+"-2" || d2["name"] != "A2" {
		t.Fatalf("redeploy: %v", d2)
	}
	if r := e.call(t, "GET", "/cmmn-repository/deployments/"+key+"-1", "dora", nil); r.Status != 200 || r.obj(t)["name"] != "A" {
		t.Fatalf("first version's deployment: %d %s", r.Status, r.Body)
	}
	errorShape(t, e.call(t, "DELETE", "/cmmn-repository/deployments/"+key+"-1", "dora", nil), 409)
	errorShape(t, e.call(t, "GET", "/cmmn-repository/deployments/"+key+"-3", "dora", nil), 404)
	if r := e.call(t, "DELETE", "/cmmn-repository/deployments/"+key+"-2", "dora", nil); r.Status != 204 {
		t.Fatalf("delete current: %d %s", r.Status, r.Body)
	}
	errorShape(t, e.call(t, "GET", "/cmmn-repository/deployments/"+key+"-1", "dora", nil), 404)
}

// TestDeploymentArchive: a .zip (or .bar) deploys every JSON definition in it; the
// answer is the first's deployment; other resources are skipped; a bad one takes back
// the definitions the request created.
func TestDeploymentArchive(t *testing.T) {
	e := newTestEnv(t)
	d := e.deploy(t, "several.bar", zipOf(t, "a.json", minimal("A"), "dir/b.json", minimal("B"), "readme.txt", "hello"))
	if d["name"] != "A" {
		t.Fatalf("answer %v", d)
	}
	if r := e.call(t, "GET", "/cmmn-repository/deployments", "dora", nil); r.obj(t)["total"] != 2.0 {
		t.Fatalf("zip deployed: %s", r.Body)
	}
	r := e.call(t, "POST", "/cmmn-repository/deployments", "dora", upload(t, "bad.zip", zipOf(t, "c.json", minimal("C"), "d.json", `{"name": "D", "tasks": []}`)))
	errorShape(t, r, 400)
	if !strings.Contains(r.obj(t)["errorMessage"].(string), "d.json") {
		t.Errorf("the message names the file: %s", r.Body)
	}
	if r := e.call(t, "GET", "/cmmn-repository/deployments?name=C", "dora", nil); r.obj(t)["total"] != 0.0 {
		t.Fatalf("C was taken back: %s", r.Body)
	}
}
