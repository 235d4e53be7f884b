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
	if len(items) != 3 {
		t.Fatalf("resources %s: want the JSON, its BPMN export and its diagram", res.Body)
	}
	for _, it := range items {
		m := it.(map[string]any)
		one := e.call(t, "GET", strings.TrimPrefix(m["url"].(string), "http://flow.example:8080"+prefix), "dora", nil)
		hasShape(t, "GET resource", seedResource, one)
		data := e.call(t, "GET", strings.TrimPrefix(m["contentUrl"].(string), "http://flow.example:8080"+prefix), "dora", nil)
		if data.Status != 200 || data.Header.Get("Content-Type") != m["mediaType"] || !strings.HasPrefix(data.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("resourcedata %s: %d %v", m["id"], data.Status, data.Header)
		}
		switch {
		case m["type"] == "caseDefinition":
			var p map[string]any
			if err := json.Unmarshal(data.Body, &p); err != nil || p["name"] != "请假审批" || len(p["tasks"].([]any)) != 7 {
				t.Fatalf("definition resource: %v %.200s", err, data.Body)
			}
		case m["type"] == "resource" && strings.HasSuffix(m["id"].(string), ".bpmn20.xml"):
			if m["id"] != strings.TrimSuffix(id, "-1")+".bpmn20.xml" || m["mediaType"] != "text/xml" ||
				!strings.Contains(string(data.Body), "http://www.omg.org/spec/BPMN/20100524/MODEL") || !strings.Contains(string(data.Body), "请假审批") {
				t.Fatalf("BPMN resource %v: %.300s", m, data.Body)
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

// orderBPMN is a BPMN 2.0 document as Flowable's modeler writes it: one process, a
// user task for a candidate group, a script task.
const orderBPMN = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:flowable="http://flowable.org/bpmn"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" targetNamespace="http://www.flowable.org/processdef">
  <process id="orderProcess" name="Order" isExecutable="true">
    <startEvent id="start" />
    <userTask id="review" name="Review" flowable:candidateGroups="sales" />
    <scriptTask id="score" name="Score" scriptFormat="javascript">
      <script>execution.setVariable("score", 1);</script>
    </scriptTask>
    <endEvent id="end" />
    <sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <sequenceFlow id="f2" sourceRef="review" targetRef="score" />
    <sequenceFlow id="f3" sourceRef="score" targetRef="end" />
  </process>
</definitions>`

// twoProcessesBPMN holds two processes.
const twoProcessesBPMN = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" targetNamespace="x">
  <process id="first" name="First" isExecutable="true">
    <startEvent id="s1" /><endEvent id="e1" /><sequenceFlow id="f1" sourceRef="s1" targetRef="e1" />
  </process>
  <process id="second" name="Second" isExecutable="true">
    <startEvent id="s2" /><endEvent id="e2" /><sequenceFlow id="f2" sourceRef="s2" targetRef="e2" />
  </process>
</definitions>`

// TestDeploymentBPMN: a .bpmn or .bpmn20.xml file (alone or in a .zip/.bar) deploys
// each of its processes as a case definition, with its BPMN export among the
// deployment's resources; deploying that export again deploys the next version; a
// bad document is a 400 in Flowable's shape and stores nothing.
func TestDeploymentBPMN(t *testing.T) {
	e := newTestEnv(t)
	total := func(query string) float64 {
		t.Helper()
		r := e.call(t, "GET", "/cmmn-repository/case-definitions?"+query, "dora", nil)
		if r.Status != 200 {
			t.Fatalf("case definitions: %d %s", r.Status, r.Body)
		}
		return r.obj(t)["total"].(float64)
	}

	d := e.deploy(t, "order.bpmn20.xml", []byte(orderBPMN))
	hasShape(t, "POST a BPMN deployment", seedDeployment, reply{Body: mustJSON(t, d)})
	id := d["id"].(string)
	key := strings.TrimSuffix(id, "-1")
	if d["name"] != "Order" || !strings.HasSuffix(id, "-1") {
		t.Fatalf("deployment %v", d)
	}
	if n := total("key=" + key); n != 1 {
		t.Fatalf("case definitions of %s: %v", key, n)
	}
	bpmnURL := "/cmmn-repository/deployments/" + id + "/resourcedata/" + key + ".bpmn20.xml"
	doc := e.call(t, "GET", bpmnURL, "dora", nil)
	if doc.Status != 200 || doc.Header.Get("Content-Type") != "text/xml" || !strings.Contains(string(doc.Body), `name="Order"`) {
		t.Fatalf("BPMN resource: %d %v %.300s", doc.Status, doc.Header, doc.Body)
	}
	one := e.call(t, "GET", "/cmmn-repository/deployments/"+id+"/resources/"+key+".bpmn20.xml", "dora", nil)
	hasShape(t, "GET the BPMN resource", seedResource, one)

	// The export deployed again is the next version of the same definition.
	d2 := e.deploy(t, "again.bpmn", doc.Body)
	if d2["id"] != key+"-2" {
		t.Fatalf("redeploy of the export: %v, want %s-2", d2, key)
	}

	before := total("")
	e.deploy(t, "two.bpmn", []byte(twoProcessesBPMN))
	if n := total(""); n != before+2 {
		t.Fatalf("two processes: %v case definitions, want %v", n, before+2)
	}
	e.deploy(t, "several.zip", zipOf(t, "a.bpmn20.xml", orderBPMN, "b.json", minimal("B"), "notes.txt", "skip me"))
	if n := total(""); n != before+4 {
		t.Fatalf("zip: %v case definitions, want %v", n, before+4)
	}

	before = total("")
	for _, c := range []struct {
		name string
		body *multipartBody
		says string // in the message
	}{
		{"not XML", upload(t, "x.bpmn", []byte("not xml at all")), "x.bpmn"},
		{"not BPMN", upload(t, "x.bpmn20.xml", []byte(`<?xml version="1.0"?><note/>`)), "x.bpmn20.xml"},
		{"an entity", upload(t, "x.bpmn", []byte(`<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "y">]><definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">&x;</definitions>`)), "x.bpmn"},
		{"a bad one in a zip takes back the others", upload(t, "some.bar", zipOf(t, "a.json", minimal("A"), "b.bpmn", "<oops")), "b.bpmn"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.call(t, "POST", "/cmmn-repository/deployments", "dora", c.body)
			errorShape(t, r, 400)
			if msg := r.obj(t)["errorMessage"].(string); !strings.Contains(msg, c.says) {
				t.Errorf("message %q does not name %s", msg, c.says)
			}
			if n := total(""); n != before {
				t.Errorf("a refused deployment stored %v case definitions", n-before)
			}
		})
	}
}
