package flowable_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"flowcraft/engine"
)

// endCase completes the waiting approval of a waitingDef instance as lisi (found
// through the historic task list) and waits until the instance has ended.
func (e *testEnv) endCase(t *testing.T, id string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tid, err := engine.ParseID(e.openTask(t, id))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.Tasks.CompleteTask(context.Background(), &engine.User{ID: "lisi", Role: engine.RoleUser}, tid, engine.TaskInput{Outcome: "approve"}); err != nil {
		t.Fatal(err)
	}
	for {
		r := e.call(t, "GET", "/cmmn-history/historic-case-instances/"+id, "dora", nil)
		if r.obj(t)["state"] == "completed" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the instance never ended: %s", r.Body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// openTask waits until a waitingDef instance's approval task is open and returns its id.
func (e *testEnv) openTask(t *testing.T, id string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := e.call(t, "GET", "/cmmn-history/historic-task-instances?finished=false&caseInstanceId="+id, "dora", nil)
		if data := r.obj(t)["data"].([]any); len(data) == 1 {
			return data[0].(map[string]any)["id"].(string)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the approval never waited: %s", r.Body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestHistoryScenario runs the seed's history requests (historic case instances,
// identity links, variable data, stage overview, plan items, milestones, task
// instances, variable instances) and compares the answers with its examples.
func TestHistoryScenario(t *testing.T) {
	e := newTestEnv(t)
	key := e.define(t, waitingDef("Test Case"))
	ended := e.start(t, "dora", `{"caseDefinitionKey": "`+key+`", "businessKey": "bk-1",
		"variables": [{"name": "myVariable", "value": 1234, "type": "long"}, {"name": "myVar", "value": "This is a variable"}]}`)["id"].(string)
	if r := e.call(t, "POST", "/cmmn-runtime/case-instances/"+ended+"/variables", "dora",
		uploadAs(t, "file", "test.bin", "application/pdf", []byte("%PDF-1"), "name", "test")); r.Status != http.StatusCreated {
		t.Fatalf("binary: %d %s", r.Status, r.Body)
	}
	e.endCase(t, ended)
	active := e.start(t, "dora", `{"caseDefinitionKey": "`+key+`", "variables": [{"name": "myVariable", "value": 5, "type": "long"}]}`)["id"].(string)
	e.openTask(t, active)

	// Historic case instances: list (both, the ended, the unfinished), get, query.
	h := "/cmmn-history/historic-case-instances"
	r := e.call(t, "GET", h, "dora", nil)
	hasShape(t, "historic case list", seedHistoricCaseList, r)
	if got := ids(t, r); len(got) != 2 || got[0] != ended || r.obj(t)["sort"] != "caseInstanceId" {
		t.Errorf("list: %s", r.Body)
	}
	later := time.Now().Add(time.Minute).UTC().Format("2006-01-02T15:04:05Z")
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"finished=true", []string{ended}},
		{"finished=false", []string{active}},
		{"caseInstanceId=" + active, []string{active}},
		{"caseDefinitionKey=" + key, []string{ended, active}},
		{"caseDefinitionId=" + key + ":1", []string{ended, active}},
		{"caseDefinitionId=" + key + ":2", nil},
		{"businessKey=bk-1", []string{ended}},
		{"involvedUser=lisi", []string{ended, active}}, // the approvals' assignee
		{"involvedUser=kermit", nil},
		{"finishedBefore=" + later, []string{ended}},
		{"finishedAfter=" + later, nil},
		{"startedBefore=" + later, []string{ended, active}},
		{"startedAfter=" + later, nil},
		{"startedBy=dora", []string{ended, active}},
		{"startedBy=lisi", nil},
		{"tenantId=x", nil},
		{"tenantIdLike=x", nil},
		{"withoutTenantId=true", []string{ended, active}},
		{"sort=endTime&order=desc", []string{ended, active}},
	} {
		r := e.call(t, "GET", h+"?"+strings.ReplaceAll(c.query, "+", "%2B"), "dora", nil)
		if got := ids(t, r); strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s: %v, want %v", c.query, got, c.want)
		}
	}
	r = e.call(t, "GET", h+"?includeCaseVariables=true&finished=true", "dora", nil)
	if vars := r.obj(t)["data"].([]any)[0].(map[string]any)["variables"].([]any); len(vars) != 3 {
		t.Errorf("includeCaseVariables: %s", r.Body)
	}
	r = e.call(t, "POST", "/query/historic-case-instances", "dora", `{
  "caseDefinitionKey" : "`+key+`",


  "variables" : [
    {
      "name" : "myVariable",
      "value" : 1234,
      "operation" : "equals",
      "type" : "long"
    }
  ]
}`)
	hasShape(t, "historic case query", seedHistoricCaseList, r)
	if got := ids(t, r); len(got) != 1 || got[0] != ended {
		t.Errorf("query: %s", r.Body)
	}
	r = e.call(t, "POST", "/query/historic-case-instances", "dora", `{"finished": false, "variables": [{"name": "myVariable", "value": 100, "operation": "lessThan", "type": "long"}]}`)
	if got := ids(t, r); len(got) != 1 || got[0] != active {
		t.Errorf("query unfinished: %s", r.Body)
	}
	r = e.call(t, "GET", h+"/"+ended, "dora", nil)
	hasShape(t, "historic case", seedHistoricCase, r)
	if m := r.obj(t); m["state"] != "completed" || m["endTime"] == nil || m["businessKey"] != "bk-1" || m["startUserId"] != "dora" {
		t.Errorf("get: %s", r.Body)
	}
	u, _ := url.Parse(r.obj(t)["url"].(string))
	if r2 := e.call(t, "GET", "!"+u.Path, "dora", nil); r2.Status != http.StatusOK {
		t.Errorf("url does not resolve: %d", r2.Status)
	}
	// lisi (a user) sees only what lisi started: nothing here.
	if r := e.call(t, "GET", h, "lisi", nil); r.obj(t)["total"] != 0.0 {
		t.Errorf("lisi sees %s", r.Body)
	}
	errorShape(t, e.call(t, "GET", h+"/"+ended, "lisi", nil), http.StatusNotFound)

	// Identity links (both paths), variable data, stage overview.
	for _, p := range []string{h + "/" + ended + "/identitylinks", "/cmmn-history/historic-case-instance/" + ended + "/identitylinks"} {
		r = e.call(t, "GET", p, "dora", nil)
		hasShape(t, "historic case links", seedHistoricCaseLinks, r)
		if !strings.Contains(string(r.Body), `"type":"starter","userId":"dora"`) || !strings.Contains(string(r.Body), `"userId":"lisi"`) {
			t.Errorf("links: %s", r.Body)
		}
	}
	r = e.call(t, "GET", h+"/"+ended+"/variables/test/data", "dora", nil)
	if r.Status != http.StatusOK || string(r.Body) != "%PDF-1" || r.Header.Get("Content-Type") != "application/octet-stream" {
		t.Errorf("data: %d %q %s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	r = e.call(t, "GET", h+"/"+ended+"/stage-overview", "dora", nil)
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"ended":true`) {
		t.Errorf("stage overview: %d %s", r.Status, r.Body)
	}

	// Historic plan items (both list paths) and milestones.
	for _, p := range []string{"/cmmn-history/historic-planitem-instances", "/cmmn-history/historic-planitem-instance"} {
		r = e.call(t, "GET", p+"?caseInstanceId="+ended, "dora", nil)
		hasShape(t, "historic plan items", seedHistoricPlanItemList, r)
		if r.obj(t)["total"].(float64) < 3 {
			t.Errorf("plan items: %s", r.Body)
		}
	}
	r = e.call(t, "GET", "/cmmn-history/historic-planitem-instances?caseInstanceId="+ended+"&planItemInstanceState=completed&elementId=task-appr0001", "dora", nil)
	data := r.obj(t)["data"].([]any)
	if len(data) != 1 {
		t.Fatalf("approval plan item: %s", r.Body)
	}
	pid := data[0].(map[string]any)["id"].(string)
	r = e.call(t, "GET", "/cmmn-history/historic-planitem-instances/"+pid, "dora", nil)
	hasShape(t, "historic plan item", seedHistoricPlanItem, r)
	r = e.call(t, "GET", "/cmmn-history/historic-milestone-instances?caseInstanceId="+ended, "dora", nil)
	if r.Status != http.StatusOK || r.obj(t)["total"] != 0.0 {
		t.Errorf("milestones of a case without any: %d %s", r.Status, r.Body)
	}
	errorShape(t, e.call(t, "GET", "/cmmn-history/historic-milestone-instances/"+pid, "dora", nil), http.StatusNotFound)

	// Historic task instances: list, query, get, identity links (both paths), data.
	ht := "/cmmn-history/historic-task-instances"
	r = e.call(t, "GET", ht, "dora", nil)
	hasShape(t, "historic task list", seedHistoricTaskList, r)
	if r.obj(t)["total"] != 2.0 || r.obj(t)["sort"] != "taskInstanceId" {
		t.Errorf("tasks: %s", r.Body)
	}
	r = e.call(t, "GET", ht+"?finished=true&taskAssignee=lisi&caseInstanceId="+ended, "dora", nil)
	tasks := r.obj(t)["data"].([]any)
	if len(tasks) != 1 {
		t.Fatalf("finished tasks: %s", r.Body)
	}
	task := tasks[0].(map[string]any)
	tid := task["id"].(string)
	if task["endTime"] == nil || task["durationInMillis"] == nil || task["taskDefinitionKey"] != "task-appr0001" || task["caseDefinitionId"] != key+":1" {
		t.Errorf("task: %v", task)
	}
	for _, c := range []struct {
		query string
		n     float64
	}{
		{"finished=false", 1}, {"caseFinished=true", 1}, {"caseFinished=false", 1}, {"taskName=Approve", 2}, {"taskNameLike=appr", 2},
		{"taskAssigneeLike=li%25", 2}, {"taskInvolvedUser=lisi", 2}, {"taskInvolvedUser=kermit", 0}, {"taskPriority=50", 2},
		{"withoutDueDate=true", 2}, {"taskCompletedBefore=" + later, 1}, {"taskCreatedAfter=" + later, 0}, {"caseDefinitionId=" + key + ":1", 2},
		{"taskId=" + tid, 1}, {"taskDefinitionKey=nope", 0}, {"tenantId=x", 0},
		{"taskDescriptionLike=nothing", 0}, {"taskCategory=c", 0}, {"withoutTenantId=true", 2}, {"tenantIdLike=x", 0},
	} {
		if r := e.call(t, "GET", ht+"?"+c.query, "dora", nil); r.obj(t)["total"] != c.n {
			t.Errorf("%s: %s, want %v", c.query, r.Body, c.n)
		}
	}
	r = e.call(t, "POST", "/query/historic-task-instances", "dora", `{"taskAssignee": "lisi", "finished": true, "taskCompletedBefore": "`+later+`"}`)
	hasShape(t, "historic task query", seedHistoricTaskList, r)
	if r.obj(t)["total"] != 1.0 {
		t.Errorf("task query: %s", r.Body)
	}
	r = e.call(t, "GET", ht+"/"+tid, "dora", nil)
	hasShape(t, "historic task", seedHistoricTask, r)
	for _, p := range []string{ht + "/" + tid + "/identitylinks", "/cmmn-history/historic-task-instance/" + tid + "/identitylinks"} {
		r = e.call(t, "GET", p, "dora", nil)
		hasShape(t, "historic task links", seedHistoricTaskLinks, r)
		if !strings.Contains(string(r.Body), `"type":"assignee","userId":"lisi"`) {
			t.Errorf("task links: %s", r.Body)
		}
	}
	if r := e.call(t, "GET", ht+"/"+tid+"/variables/test/data", "dora", nil); r.Status != http.StatusOK || string(r.Body) != "%PDF-1" {
		t.Errorf("task data: %d %s", r.Status, r.Body)
	}
	// lisi, the assignee, sees the task.
	if r := e.call(t, "GET", ht+"/"+tid, "lisi", nil); r.Status != http.StatusOK {
		t.Errorf("assignee's get: %d %s", r.Status, r.Body)
	}

	// Historic variable instances: list, query, data.
	hv := "/cmmn-history/historic-variable-instances"
	// (The seed's values are strings: the shapes are compared on string variables.)
	hasShape(t, "historic variables", seedHistoricVariableList, e.call(t, "GET", hv+"?variableName=myVar", "dora", nil))
	r = e.call(t, "GET", hv+"?caseInstanceId="+ended, "dora", nil)
	if r.obj(t)["total"] != 3.0 || r.obj(t)["sort"] != "variableName" {
		t.Errorf("variables: %s", r.Body)
	}
	var dataURL string
	for _, d := range r.obj(t)["data"].([]any) {
		v := d.(map[string]any)["variable"].(map[string]any)
		if v["name"] == "test" {
			dataURL, _ = v["valueUrl"].(string)
		}
	}
	du, _ := url.Parse(dataURL)
	if r := e.call(t, "GET", "!"+du.Path, "dora", nil); r.Status != http.StatusOK || string(r.Body) != "%PDF-1" {
		t.Errorf("variable data %q: %d %s", dataURL, r.Status, r.Body)
	}
	for _, c := range []struct {
		query string
		n     float64
	}{{"variableName=myVariable", 2}, {"variableNameLike=myVar", 3}, {"variableNameLike=my%25", 3}, {"caseInstanceId=" + active, 1}, {"", 4}} {
		if r := e.call(t, "GET", hv+"?"+c.query, "dora", nil); r.obj(t)["total"] != c.n {
			t.Errorf("%s: %s, want %v", c.query, r.Body, c.n)
		}
	}
	r = e.call(t, "POST", "/query/historic-variable-instances", "dora", `{
  "caseInstanceId" : "`+ended+`",
  "variables" : [
    {
      "name" : "myVariable",
      "value" : 1234,
      "operation" : "equals",
      "type" : "long"
    }
  ]
}`)
	if v := r.obj(t)["data"].([]any)[0].(map[string]any)["variable"].(map[string]any); r.obj(t)["total"] != 1.0 || v["value"] != 1234.0 || v["type"] != "long" {
		t.Errorf("variable query: %s", r.Body)
	}

	// Delete: an open task and an unfinished instance are refused (409); ended ones go.
	var openTask string
	r = e.call(t, "GET", ht+"?finished=false", "dora", nil)
	openTask = r.obj(t)["data"].([]any)[0].(map[string]any)["id"].(string)
	errorShape(t, e.call(t, "DELETE", ht+"/"+openTask, "dora", nil), http.StatusConflict)
	errorShape(t, e.call(t, "DELETE", h+"/"+active, "dora", nil), http.StatusConflict)
	if r := e.call(t, "DELETE", ht+"/"+tid, "dora", nil); r.Status != http.StatusNoContent {
		t.Errorf("delete task: %d %s", r.Status, r.Body)
	}
	errorShape(t, e.call(t, "GET", ht+"/"+tid, "dora", nil), http.StatusNotFound)
	if r := e.call(t, "DELETE", h+"/"+ended, "dora", nil); r.Status != http.StatusNoContent {
		t.Errorf("delete case: %d %s", r.Status, r.Body)
	}
	errorShape(t, e.call(t, "GET", h+"/"+ended, "dora", nil), http.StatusNotFound)
	errorShape(t, e.call(t, "DELETE", h+"/"+ended, "dora", nil), http.StatusNotFound)
}

// TestHistoryBadInput: malformed bodies, unknown properties and wrong types (415), bad
// parameters (400), unknown ids (404), refused deletes (409) and roles (403), each in
// the API's error shape; nothing 500s.
func TestHistoryBadInput(t *testing.T) {
	e := newTestEnv(t)
	key := e.define(t, waitingDef("Bad"))
	id := e.start(t, "dora", `{"caseDefinitionKey": "`+key+`", "variables": [{"name": "v", "value": "x"}]}`)["id"].(string)
	task := e.openTask(t, id)
	h, ht, hv := "/cmmn-history/historic-case-instances", "/cmmn-history/historic-task-instances", "/cmmn-history/historic-variable-instances"
	qc, qt, qv := "/query/historic-case-instances", "/query/historic-task-instances", "/query/historic-variable-instances"
	hp, hm := "/cmmn-history/historic-planitem-instances", "/cmmn-history/historic-milestone-instances"
	for _, c := range []struct {
		method, path, user string
		body               any
		status             int
	}{
		// Historic case instances.
		{"GET", h + "?finished=yes", "dora", nil, 400},
		{"GET", h + "?withoutTenantId=1", "dora", nil, 400},
		{"GET", h + "?includeCaseVariables=TRUE", "dora", nil, 400},
		{"GET", h + "?finishedAfter=yesterday", "dora", nil, 400},
		{"GET", h + "?startedBefore=2020-13-01T00:00Z", "dora", nil, 400},
		{"GET", h + "?start=-1", "dora", nil, 400},
		{"GET", h + "?size=ten", "dora", nil, 400},
		{"GET", h + "?sort=bogus", "dora", nil, 400},
		{"GET", h + "?order=up", "dora", nil, 400},
		{"GET", h + "?includeCaseVariables=true", "lisi", nil, 403},
		{"GET", h + "/123", "dora", nil, 404},
		{"GET", h + "/not-an-id", "dora", nil, 404},
		{"GET", h + "/" + id, "lisi", nil, 404},
		{"DELETE", h + "/" + id, "dora", nil, 409},
		{"DELETE", h + "/123", "dora", nil, 404},
		{"DELETE", h + "/" + id, "lisi", nil, 403},
		{"GET", h + "/123/identitylinks", "dora", nil, 404},
		{"GET", "/cmmn-history/historic-case-instance/123/identitylinks", "dora", nil, 404},
		{"GET", h + "/" + id + "/variables/v/data", "dora", nil, 404},
		{"GET", h + "/" + id + "/variables/nope/data", "dora", nil, 404},
		{"GET", h + "/123/variables/v/data", "dora", nil, 404},
		{"GET", h + "/123/stage-overview", "dora", nil, 404},
		{"POST", qc, "dora", `{`, 400},
		{"POST", qc, "dora", `[]`, 415},
		{"POST", qc, "dora", `{"bogus": 1}`, 415},
		{"POST", qc, "dora", `{"finished": "true"}`, 415},
		{"POST", qc, "dora", `{"caseDefinitionKey": 5}`, 415},
		{"POST", qc, "dora", `{"finishedAfter": "yesterday"}`, 400},
		{"POST", qc, "dora", `{"variables": {"name": "v"}}`, 415},
		{"POST", qc, "dora", `{"variables": [{"name": "v", "value": "x"}]}`, 400},
		{"POST", qc, "dora", `{"variables": [{"name": "v", "value": "x", "operation": "sortOf"}]}`, 400},
		{"POST", qc, "dora", `{"variables": [{"name": "v", "value": {"a": 1}, "operation": "equals"}]}`, 400},
		{"POST", qc, "dora", `{"variables": [{"name": "v", "value": "x", "operation": "equals", "extra": 1}]}`, 415},
		{"POST", qc, "dora", `{"size": -1}`, 400},
		{"POST", qc, "dora", `{"sort": "bogus"}`, 400},
		{"POST", qc, "dora", `{"order": "sideways"}`, 400},
		// Plan items and milestones.
		{"GET", hp, "dora", nil, 400},
		{"GET", hp + "?caseInstanceId=" + id + "&planItemInstanceState=nope", "dora", nil, 400},
		{"GET", hp + "?caseInstanceId=" + id + "&createdBefore=soon", "dora", nil, 400},
		{"GET", hp + "?caseInstanceId=" + id + "&withoutTenantId=maybe", "dora", nil, 400},
		{"GET", hp + "/123-456", "dora", nil, 404},
		{"GET", hp + "/nope", "dora", nil, 404},
		{"GET", hm, "dora", nil, 400},
		{"GET", hm + "?caseInstanceId=" + id + "&reachedBefore=soon", "dora", nil, 400},
		{"GET", hm + "/123-456", "dora", nil, 404},
		// Historic task instances.
		{"GET", ht + "?finished=no", "dora", nil, 400},
		{"GET", ht + "?caseFinished=1", "dora", nil, 400},
		{"GET", ht + "?taskPriority=high", "dora", nil, 400},
		{"GET", ht + "?dueDateBefore=soon", "dora", nil, 400},
		{"GET", ht + "?sort=bogus", "dora", nil, 400},
		{"GET", ht + "?includeTaskLocalVariables=true", "lisi", nil, 403},
		{"GET", ht + "/123", "dora", nil, 404},
		{"GET", ht + "/" + task, "kermit", nil, 401},
		{"DELETE", ht + "/" + task, "dora", nil, 409},
		{"DELETE", ht + "/123", "dora", nil, 404},
		{"GET", ht + "/123/identitylinks", "dora", nil, 404},
		{"GET", "/cmmn-history/historic-task-instance/123/identitylinks", "dora", nil, 404},
		{"GET", ht + "/" + task + "/variables/v/data", "dora", nil, 404},
		{"POST", qt, "dora", `{`, 400},
		{"POST", qt, "dora", `[]`, 415},
		{"POST", qt, "dora", `{"bogus": true}`, 415},
		{"POST", qt, "dora", `{"finished": "yes"}`, 415},
		{"POST", qt, "dora", `{"taskName": 5}`, 415},
		{"POST", qt, "dora", `{"taskCreatedAfter": 5}`, 415},
		{"POST", qt, "dora", `{"taskCreatedAfter": "soon"}`, 400},
		{"POST", qt, "dora", `{"start": 1.5}`, 415},
		{"POST", qt, "dora", `{"sort": "bogus"}`, 400},
		// Historic variable instances.
		{"GET", hv, "lisi", nil, 403},
		{"GET", hv + "?excludeTaskVariables=perhaps", "dora", nil, 400},
		{"GET", hv + "?sort=bogus", "dora", nil, 400},
		{"GET", hv + "/123-v/data", "dora", nil, 404},
		{"GET", hv + "/" + id + "-v/data", "dora", nil, 404},
		{"GET", hv + "/nope/data", "dora", nil, 404},
		{"POST", qv, "dora", `{`, 400},
		{"POST", qv, "dora", `{"bogus": 1}`, 415},
		{"POST", qv, "dora", `{"variableName": 1}`, 415},
		{"POST", qv, "dora", `{"variables": [{"name": "v", "value": "x", "operation": "nope"}]}`, 400},
		{"POST", qv, "lisi", `{}`, 403},
		// Methods.
		{"PUT", h + "/" + id, "dora", `{}`, 405},
		{"POST", ht + "/" + task, "dora", `{}`, 405},
	} {
		r := e.call(t, c.method, c.path, c.user, c.body)
		if r.Status != c.status {
			t.Errorf("%s %s %v: %d, want %d: %s", c.method, c.path, c.body, r.Status, c.status, r.Body)
			continue
		}
		errorShape(t, r, c.status)
	}
}

// TestHistoricMilestones: a milestone task reached is a historic milestone instance
// (list by case instance, with the seed's filters, and get), in the seed's shape.
func TestHistoricMilestones(t *testing.T) {
	e := newTestEnv(t)
	p := mustProcess(t, []byte(`{"name": "With a milestone", "tasks": [
	{"instId": "task-start001", "template": "manual", "positions": [0, 0], "connections": [{"to": "task-mile0001"}]},
	{"instId": "task-mile0001", "name": "Half way", "template": "milestone", "positions": [200, 0], "connections": [{"to": "task-end00001"}]},
	{"instId": "task-end00001", "template": "end", "positions": [400, 0]}]}`))
	key := e.define(t, p)
	id := e.start(t, "dora", `{"caseDefinitionKey": "`+key+`"}`)["id"].(string)
	deadline := time.Now().Add(10 * time.Second)
	for e.call(t, "GET", "/cmmn-history/historic-case-instances/"+id, "dora", nil).obj(t)["state"] != "completed" {
		if time.Now().After(deadline) {
			t.Fatal("the instance never completed")
		}
		time.Sleep(20 * time.Millisecond)
	}
	hm := "/cmmn-history/historic-milestone-instances"
	r := e.call(t, "GET", hm+"?caseInstanceId="+id, "dora", nil)
	data, _ := r.obj(t)["data"].([]any)
	if r.Status != http.StatusOK || len(data) != 1 {
		t.Fatalf("milestones: %d %s", r.Status, r.Body)
	}
	m := data[0].(map[string]any)
	if d := shape("milestone", seedExample(t, seedMilestone), m); d != "" {
		t.Error(d)
	}
	if m["name"] != "Half way" || m["elementId"] != "task-mile0001" || m["caseInstanceId"] != id || m["caseDefinitionId"] != key+":1" || m["timestamp"] == nil {
		t.Errorf("milestone: %v", m)
	}
	later := time.Now().Add(time.Minute).UTC().Format("2006-01-02T15:04:05Z")
	for _, c := range []struct {
		query string
		n     int
	}{
		{"&mileStoneName=Half%20way", 1}, {"&mileStoneName=other", 0}, {"&mileStoneId=" + m["id"].(string), 1},
		{"&caseDefinitionId=" + key + ":1", 1}, {"&caseDefinitionId=" + key + ":2", 0},
		{"&reachedBefore=" + later, 1}, {"&reachedAfter=" + later, 0},
	} {
		r := e.call(t, "GET", hm+"?caseInstanceId="+id+c.query, "dora", nil)
		if got := len(r.obj(t)["data"].([]any)); got != c.n {
			t.Errorf("%s: %s", c.query, r.Body)
		}
	}
	r = e.call(t, "GET", hm+"/"+m["id"].(string), "dora", nil)
	if d := shape("milestone", seedExample(t, seedMilestone), r.json(t)); d != "" || r.Status != http.StatusOK {
		t.Errorf("get: %d %s %s", r.Status, d, r.Body)
	}
	// Its plan item is a "milestone", occurred when it was reached.
	r = e.call(t, "GET", "/cmmn-history/historic-planitem-instances?caseInstanceId="+id+"&planItemDefinitionType=milestone", "dora", nil)
	if items := r.obj(t)["data"].([]any); len(items) != 1 || items[0].(map[string]any)["occurredTime"] == nil {
		t.Errorf("milestone plan item: %s", r.Body)
	}
}
