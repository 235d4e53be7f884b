package flowable_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"flowcraft/engine"
)

// Seed 003's task examples, verbatim.
const seedTaskList = `{
    "data": [
        {
            "id": "09688be5-3c78-11ea-8548-38c986587585",
            "url": "http://localhost:8080/flowable-rest/cmmn-api/cmmn-runtime/tasks/09688be5-3c78-11ea-8548-38c986587585",
            "owner": null,
            "assignee": "rest-admin",
            "delegationState": null,
            "name": "Human task",
            "description": null,
            "createTime": "2020-01-21T19:01:23.975+01:00",
            "dueDate": null,
            "priority": 50,
            "suspended": false,
            "claimTime": null,
            "taskDefinitionKey": "humanTask1",
            "tenantId": "",
            "category": null,
            "formKey": null,
            "parentTaskId": null,
            "parentTaskUrl": null,
            "caseInstanceId": "095fd94e-3c78-11ea-8548-38c986587585",
            "caseInstanceUrl": "http://localhost:8080/flowable-rest/cmmn-api/cmmn-runtime/case-instances/095fd94e-3c78-11ea-8548-38c986587585",
            "caseDefinitionId": "59fd213c-3c6b-11ea-8548-38c986587585",
            "caseDefinitionUrl": "http://localhost:8080/flowable-rest/cmmn-api/cmmn-repository/case-definitions/59fd213c-3c6b-11ea-8548-38c986587585",
            "variables": []
        }
    ],
    "total": 1,
    "start": 0,
    "sort": "id",
    "order": "asc",
    "size": 1
}`

const seedTask = `{
    "id": "09688be5-3c78-11ea-8548-38c986587585",
    "url": "http://localhost:8080/flowable-rest/cmmn-api/cmmn-runtime/tasks/09688be5-3c78-11ea-8548-38c986587585",
    "owner": null,
    "assignee": "rest-admin",
    "delegationState": null,
    "name": "Human task",
    "description": null,
    "createTime": "2020-01-21T19:01:23.975+01:00",
    "dueDate": null,
    "priority": 50,
    "suspended": false,
    "claimTime": null,
    "taskDefinitionKey": "humanTask1",
    "tenantId": "",
    "category": null,
    "formKey": null,
    "parentTaskId": null,
    "parentTaskUrl": null,
    "caseInstanceId": "095fd94e-3c78-11ea-8548-38c986587585",
    "caseInstanceUrl": "http://localhost:8080/flowable-rest/cmmn-api/cmmn-runtime/case-instances/095fd94e-3c78-11ea-8548-38c986587585",
    "caseDefinitionId": "59fd213c-3c6b-11ea-8548-38c986587585",
    "caseDefinitionUrl": "http://localhost:8080/flowable-rest/cmmn-api/cmmn-repository/case-definitions/59fd213c-3c6b-11ea-8548-38c986587585",
    "variables": []
}`

const seedTaskVariables = `[
    {
        "name": "myVar",
        "type": "string",
        "value": "This is a variable",
        "scope": "global"
    },
    {
        "name": "test",
        "type": "binary",
        "value": null,
        "valueUrl": "http://localhost:8080/flowable-rest/cmmn-api/cmmn-runtime/tasks/09688be5-3c78-11ea-8548-38c986587585/variables/test/data",
        "scope": "global"
    },
    {
        "name": "initiator",
        "type": "string",
        "value": "rest-admin",
        "scope": "global"
    }
]`

const seedTaskVariable = `{
    "name": "myVar",
    "type": "string",
    "value": "This is a variable",
    "scope": "global"
}`

const seedTaskLinks = `[
    {
        "url": "http://localhost:8080/flowable-rest/cmmn-api/cmmn-runtime/tasks/09688be5-3c78-11ea-8548-38c986587585/identitylinks/users/rest-admin/assignee",
        "user": "rest-admin",
        "group": null,
        "type": "assignee"
    }
]`

const seedTaskLinkCreated = `{
  "userId" : null,
  "groupId" : "sales",
  "type" : "candidate",
  "url" : "http://localhost:8081/flowable-rest/service/runtime/tasks/100/identitylinks/groups/sales/candidate"
}`

// The seed's request bodies, verbatim but for the trailing commas of the link bodies.
const (
	seedTaskUpdate = `{
  "assignee" : "assignee",
  "delegationState" : "resolved",
  "description" : "New task description",
  "dueDate" : "2020-04-17T13:06:02.438+02:00",
  "name" : "New task name",
  "owner" : "owner",
  "parentTaskId" : "3",
  "priority" : 20
}`
	seedComplete    = `{"action" : "complete", "variables" : []}`
	seedClaim       = `{"action" : "claim", "assignee" : "userWhoClaims"}`
	seedTaskVarBody = `[{"name" : "myTaskVariable", "scope" : "local", "type" : "string", "value" : "Hello World"}]`
	seedTaskVarPut  = `{"name" : "myTaskVariable", "scope" : "local", "type" : "string", "value" : "Hello World"}`
	seedLinkUser    = `{"userId" : "kermit", "type" : "candidate"}`
	seedLinkGroup   = `{"groupId" : "sales", "type" : "candidate"}`
)

// taskEnv is a test server with the leave approval deployed, users kermit, owner,
// assignee, userWhoClaims (the seed's names) and hana (of group hr).
func taskEnv(t *testing.T) (*testEnv, string) {
	t.Helper()
	e := newTestEnv(t)
	ctx := context.Background()
	for _, id := range []string{"kermit", "owner", "assignee", "userWhoClaims", "hana"} {
		if _, err := e.st.Identity.CreateUser(ctx, &engine.User{ID: id, Name: id, Role: engine.RoleUser}, testPassword); err != nil {
			t.Fatal(err)
		}
	}
	for _, g := range []string{"hr", "sales"} {
		if _, err := e.st.Identity.CreateGroup(ctx, &engine.Group{ID: g, Name: g}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.st.Identity.AddMember(ctx, "hr", "hana"); err != nil {
		t.Fatal(err)
	}
	d := e.deploy(t, "leave-approval.json", example(t, "leave-approval.json"))
	return e, strings.TrimSuffix(d["id"].(string), "-1")
}

// waitTask waits until the query (as admin) finds one open task and returns it.
func (e *testEnv) waitTask(t *testing.T, query string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := e.call(t, "GET", "/cmmn-runtime/tasks?"+query, "admin", nil)
		if r.Status != http.StatusOK {
			t.Fatalf("tasks?%s: %d %s", query, r.Status, r.Body)
		}
		if m := r.obj(t); m["total"] == 1.0 {
			return m["data"].([]any)[0].(map[string]any)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no task for %s: %s", query, r.Body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestTasksScenario runs the seed's task requests: list (with every filter), get,
// update, actions, delete, variables of both scopes and identity links, comparing
// each answer with the seed's example.
func TestTasksScenario(t *testing.T) {
	e, key := taskEnv(t)
	inst := e.startLeave(t, key, "lisi", 5)
	task := e.waitTask(t, "caseInstanceId="+inst)
	id := task["id"].(string)
	one := "/cmmn-runtime/tasks/" + id

	// List and get, as the assignee.
	r := e.call(t, "GET", "/cmmn-runtime/tasks", "lisi", nil)
	hasShape(t, "task list", seedTaskList, r)
	if m := r.obj(t); m["total"] != 1.0 || m["sort"] != "id" {
		t.Fatalf("lisi's tasks: %s", r.Body)
	}
	r = e.call(t, "GET", one, "lisi", nil)
	hasShape(t, "task", seedTask, r)
	got := r.obj(t)
	if got["assignee"] != "lisi" || got["taskDefinitionKey"] != "task-mgr00001" || got["caseInstanceId"] != inst ||
		got["caseDefinitionId"] != key+":1" || got["priority"] != 50.0 || got["suspended"] != false || got["description"] == nil {
		t.Fatalf("task: %s", r.Body)
	}
	// Others do not see it: dora (designer) is neither assignee nor candidate.
	if r := e.call(t, "GET", "/cmmn-runtime/tasks", "dora", nil); r.obj(t)["total"] != 0.0 {
		t.Fatalf("dora sees %s", r.Body)
	}
	errorShape(t, e.call(t, "GET", one, "dora", nil), http.StatusForbidden)

	// Filters (as admin, who sees every open task): a second instance's task is
	// claimable by group hr after its manager approves.
	other := e.startLeave(t, key, "dora", 4)
	mgr := e.waitTask(t, "caseInstanceId="+other)["id"].(string)
	if r := e.call(t, "POST", "/cmmn-runtime/tasks/"+mgr, "lisi", `{"action": "complete", "outcome": "approve"}`); r.Status != http.StatusOK {
		t.Fatalf("complete: %d %s", r.Status, r.Body)
	}
	hr := e.waitTask(t, "caseInstanceId="+other)
	hrID := hr["id"].(string)
	if hr["taskDefinitionKey"] != "task-hr000001" || hr["assignee"] != nil {
		t.Fatalf("hr task %v", hr)
	}
	created := task["createTime"].(string)
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"", []string{id, hrID}},
		{"name=经理审批", []string{id}},
		{"nameLike=审批", []string{id, hrID}},
		{"nameLike=人事%25", []string{hrID}},
		{"description=nothing", nil},
		{"priority=50", []string{id, hrID}},
		{"minimumPriority=51", nil},
		{"maximumPriority=50", []string{id, hrID}},
		{"assignee=lisi", []string{id}},
		{"assigneeLike=LIS", []string{id}},
		{"owner=lisi", nil},
		{"ownerLike=li", nil},
		{"unassigned=true", []string{hrID}},
		{"unassigned=false", []string{id, hrID}},
		{"delegationState=pending", nil},
		{"candidateUser=hana", []string{hrID}},
		{"candidateUser=lisi", nil},
		{"candidateGroup=hr", []string{hrID}},
		{"candidateGroups=sales,hr", []string{hrID}},
		{"candidateGroups=sales", nil},
		{"involvedUser=lisi", []string{id}},
		{"taskDefinitionKey=task-hr000001", []string{hrID}},
		{"taskDefinitionKeyLike=mgr", []string{id}},
		{"caseInstanceId=" + inst, []string{id}},
		{"caseInstanceId=nonsense", nil},
		{"caseDefinitionId=" + key + ":1", []string{id, hrID}},
		{"caseDefinitionId=" + key + ":2", nil},
		{"createdOn=" + urlQuery(created), []string{id}},
		{"createdBefore=2000-01-01T00:00Z", nil},
		{"createdAfter=2000-01-01T00:00Z", []string{id, hrID}},
		{"dueBefore=2100-01-01T00:00Z", nil},
		{"dueAfter=2000-01-01T00:00Z", nil},
		{"dueOn=2000-01-01T00:00Z", nil},
		{"withoutDueDate=true", []string{id, hrID}},
		{"excludeSubTasks=true", []string{id, hrID}},
		{"active=true", []string{id, hrID}},
		{"active=false", nil},
		{"tenantId=acme", nil},
		{"tenantIdLike=ac", nil},
		{"withoutTenantId=true", []string{id, hrID}},
		{"candidateOrAssigned=hana", []string{hrID}},
		{"candidateOrAssigned=lisi", []string{id}},
		{"category=x", nil},
		{"sort=priority&order=desc", []string{hrID, id}},
		{"sort=name&order=desc", []string{id, hrID}},
		{"size=1", []string{id}},
		{"start=1", []string{hrID}},
	} {
		r := e.call(t, "GET", "/cmmn-runtime/tasks?"+c.query, "admin", nil)
		if r.Status != http.StatusOK {
			t.Errorf("%s: %d %s", c.query, r.Status, r.Body)
			continue
		}
		m := r.obj(t)
		var ids []string
		for _, x := range m["data"].([]any) {
			ids = append(ids, x.(map[string]any)["id"].(string))
		}
		want := c.want
		if strings.HasPrefix(c.query, "sort=priority") {
			ids = sortedIDs(ids) // equal priorities: the order is by id
			want = sortedIDs(want)
		}
		if fmt.Sprint(ids) != fmt.Sprint(want) {
			t.Errorf("%s: %v, want %v", c.query, ids, want)
		}
	}
	// hana sees the task of her group, as a candidate.
	if r := e.call(t, "GET", "/cmmn-runtime/tasks?candidateUser=hana", "hana", nil); r.obj(t)["total"] != 1.0 {
		t.Fatalf("hana: %s", r.Body)
	}

	// PUT: the seed's body (parentTaskId 3 is no task here: the hr task's id instead).
	body := strings.Replace(seedTaskUpdate, `"3"`, `"`+hrID+`"`, 1)
	r = e.call(t, "PUT", one, "lisi", body)
	hasShape(t, "updated task", seedTask, r)
	up := r.obj(t)
	if up["name"] != "New task name" || up["description"] != "New task description" || up["assignee"] != "assignee" ||
		up["owner"] != "owner" || up["delegationState"] != "resolved" || up["priority"] != 20.0 || up["dueDate"] == nil ||
		up["parentTaskId"] != hrID || up["parentTaskUrl"] == nil {
		t.Fatalf("updated: %s", r.Body)
	}
	// lisi is no longer the assignee; the owner acts on it now. null clears.
	r = e.call(t, "PUT", one, "owner", `{"dueDate": null, "parentTaskId": null, "category": "leave", "formKey": "leaveForm", "tenantId": "acme", "assignee": "lisi"}`)
	up = r.obj(t)
	if r.Status != 200 || up["dueDate"] != nil || up["parentTaskId"] != nil || up["category"] != "leave" || up["formKey"] != "leaveForm" ||
		up["tenantId"] != "acme" || up["name"] != "New task name" {
		t.Fatalf("cleared: %d %s", r.Status, r.Body)
	}
	for q, n := range map[string]float64{"category=leave": 1, "tenantId=acme": 1, "tenantIdLike=CM": 1, "withoutTenantId=true": 1, "owner=owner": 1, "ownerLike=wn": 1, "involvedUser=owner": 1, "excludeSubTasks=true": 2} {
		if r := e.call(t, "GET", "/cmmn-runtime/tasks?"+q, "admin", nil); r.obj(t)["total"] != n {
			t.Errorf("%s after the update: %s", q, r.Body)
		}
	}

	// Variables: local (the task's) and global (the instance's).
	vars := one + "/variables"
	r = e.call(t, "POST", vars, "lisi", seedTaskVarBody)
	if r.Status != http.StatusCreated {
		t.Fatalf("create variable: %d %s", r.Status, r.Body)
	}
	hasShape(t, "created variables", seedTaskVariables, r)
	errorShape(t, e.call(t, "POST", vars, "lisi", seedTaskVarBody), http.StatusConflict)
	// The seed's list example (its elements are string variables but for the binary
	// one, checked below).
	hasShape(t, "task variables", seedTaskVariables, e.call(t, "GET", vars+"?scope=local", "lisi", nil))
	r = e.call(t, "POST", vars, "lisi", upload(t, "test.bin", []byte{1, 2, 3}, "name", "test", "scope", "local"))
	if r.Status != http.StatusCreated || r.obj(t)["valueUrl"] == nil {
		t.Fatalf("binary: %d %s", r.Status, r.Body)
	}
	r = e.call(t, "GET", vars, "lisi", nil)
	hasShape(t, "binary task variable", seedTaskVariables[strings.Index(seedTaskVariables, `{
        "name": "test"`):strings.Index(seedTaskVariables, `},
    {
        "name": "initiator"`)+1], e.call(t, "GET", vars+"/test", "lisi", nil))
	scopes := map[string]int{}
	for _, v := range r.json(t).([]any) {
		scopes[v.(map[string]any)["scope"].(string)]++
	}
	if scopes["local"] != 2 || scopes["global"] == 0 {
		t.Fatalf("scopes %v: %s", scopes, r.Body)
	}
	if r := e.call(t, "GET", vars+"?scope=local", "lisi", nil); len(r.json(t).([]any)) != 2 {
		t.Fatalf("local: %s", r.Body)
	}
	if r := e.call(t, "GET", vars+"?scope=global", "lisi", nil); len(r.json(t).([]any)) != scopes["global"] {
		t.Fatalf("global: %s", r.Body)
	}
	r = e.call(t, "GET", vars+"/myTaskVariable", "lisi", nil)
	hasShape(t, "task variable", seedTaskVariable, r)
	if v := r.obj(t); v["value"] != "Hello World" || v["scope"] != "local" {
		t.Fatalf("variable %s", r.Body)
	}
	if r := e.call(t, "GET", vars+"/days", "lisi", nil); r.obj(t)["scope"] != "global" {
		t.Fatalf("global by name: %s", r.Body)
	}
	if r := e.call(t, "GET", vars+"/test/data", "lisi", nil); r.Status != 200 || string(r.Body) != "\x01\x02\x03" {
		t.Fatalf("data: %d %q", r.Status, r.Body)
	}
	r = e.call(t, "PUT", vars+"/myTaskVariable", "lisi", strings.Replace(seedTaskVarPut, "Hello World", "Bye", 1))
	hasShape(t, "updated variable", seedTaskVariable, r)
	if r := e.call(t, "GET", vars+"/myTaskVariable?scope=local", "lisi", nil); r.obj(t)["value"] != "Bye" {
		t.Fatalf("after PUT: %s", r.Body)
	}
	if r := e.call(t, "PUT", vars+"/test", "lisi", upload(t, "t.bin", []byte{9}, "scope", "local")); r.Status != 200 {
		t.Fatalf("binary PUT: %d %s", r.Status, r.Body)
	}
	if r := e.call(t, "GET", vars+"/test/data", "lisi", nil); string(r.Body) != "\x09" {
		t.Fatalf("data after PUT: %q", r.Body)
	}
	r = e.call(t, "PUT", vars+"/note", "lisi", `{"scope": "global", "value": "x"}`)
	errorShape(t, r, http.StatusNotFound)
	r = e.call(t, "POST", vars, "lisi", `[{"name": "note", "scope": "global", "value": "from the task"}]`)
	if r.Status != http.StatusCreated {
		t.Fatalf("global create: %d %s", r.Status, r.Body)
	}
	if r := e.call(t, "GET", "/cmmn-runtime/case-instances/"+inst+"/variables/note", "admin", nil); r.obj(t)["value"] != "from the task" {
		t.Fatalf("the instance's note: %s", r.Body)
	}
	if r := e.call(t, "DELETE", vars+"/note?scope=global", "lisi", nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete global: %d %s", r.Status, r.Body)
	}
	if r := e.call(t, "DELETE", vars+"/myTaskVariable", "lisi", nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	errorShape(t, e.call(t, "GET", vars+"/myTaskVariable?scope=local", "lisi", nil), http.StatusNotFound)
	if r := e.call(t, "GET", "/cmmn-runtime/tasks?includeTaskLocalVariables=true&caseInstanceId="+inst, "lisi", nil); len(r.obj(t)["data"].([]any)[0].(map[string]any)["variables"].([]any)) != 1 {
		t.Fatalf("includeTaskLocalVariables: %s", r.Body)
	}
	if r := e.call(t, "DELETE", vars, "lisi", nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete all: %d %s", r.Status, r.Body)
	}
	if r := e.call(t, "GET", vars+"?scope=local", "lisi", nil); len(r.json(t).([]any)) != 0 {
		t.Fatalf("after delete all: %s", r.Body)
	}

	// Identity links.
	links := one + "/identitylinks"
	r = e.call(t, "GET", links, "lisi", nil)
	hasShape(t, "task links", seedTaskLinks, r)
	if n := len(r.json(t).([]any)); n != 2 { // assignee lisi, owner owner
		t.Fatalf("links: %s", r.Body)
	}
	r = e.call(t, "POST", links, "lisi", seedLinkGroup)
	if r.Status != http.StatusCreated {
		t.Fatalf("link group: %d %s", r.Status, r.Body)
	}
	hasShape(t, "created link", seedTaskLinkCreated, r)
	r = e.call(t, "POST", links, "lisi", seedLinkUser)
	if r.Status != http.StatusCreated || r.obj(t)["userId"] != "kermit" {
		t.Fatalf("link user: %d %s", r.Status, r.Body)
	}
	if r := e.call(t, "GET", links+"/users", "lisi", nil); len(r.json(t).([]any)) != 3 {
		t.Fatalf("users: %s", r.Body)
	}
	r = e.call(t, "GET", links+"/groups", "lisi", nil)
	hasShape(t, "group links", seedTaskLinks, r)
	if len(r.json(t).([]any)) != 1 {
		t.Fatalf("groups: %s", r.Body)
	}
	r = e.call(t, "GET", links+"/groups/sales/candidate", "lisi", nil)
	hasShape(t, "one link", seedTaskLinks[1:len(seedTaskLinks)-1], r)
	// kermit, now a candidate, sees the task (claimed by lisi, so he may not act).
	if r := e.call(t, "GET", "/cmmn-runtime/tasks?candidateOrAssigned=kermit", "admin", nil); r.obj(t)["total"] != 0.0 {
		t.Fatalf("kermit, a candidate of an assigned task: %s", r.Body)
	}
	if r := e.call(t, "GET", "/cmmn-runtime/tasks?involvedUser=kermit", "admin", nil); r.obj(t)["total"] != 1.0 {
		t.Fatalf("kermit involved: %s", r.Body)
	}
	if r := e.call(t, "DELETE", links+"/users/kermit/candidate", "lisi", nil); r.Status != http.StatusNoContent {
		t.Fatalf("unlink: %d %s", r.Status, r.Body)
	}
	errorShape(t, e.call(t, "GET", links+"/users/kermit/candidate", "lisi", nil), http.StatusNotFound)
	if r := e.call(t, "DELETE", links+"/users/owner/owner", "lisi", nil); r.Status != http.StatusNoContent {
		t.Fatalf("unlink owner: %d %s", r.Status, r.Body)
	}

	// Actions: claim (the seed's body: an admin claims for userWhoClaims), unclaim,
	// delegate, resolve, complete.
	errorShape(t, e.call(t, "POST", one, "lisi", seedClaim), http.StatusForbidden) // not an admin
	if r := e.call(t, "PUT", one, "lisi", `{"assignee": null}`); r.Status != 200 {
		t.Fatalf("unassign: %d %s", r.Status, r.Body)
	}
	// Unassigned now; lisi is no candidate (the task was assigned directly): only
	// an admin acts on it.
	if r := e.call(t, "POST", one, "admin", seedClaim); r.Status != http.StatusOK {
		t.Fatalf("claim: %d %s", r.Status, r.Body)
	}
	errorShape(t, e.call(t, "POST", one, "admin", `{"action": "claim", "assignee": "kermit"}`), http.StatusConflict)
	if r := e.call(t, "POST", one, "userWhoClaims", `{"action": "delegate", "assignee": "kermit"}`); r.Status != http.StatusOK {
		t.Fatalf("delegate: %d %s", r.Status, r.Body)
	}
	if r := e.call(t, "GET", "/cmmn-runtime/tasks?delegationState=pending", "admin", nil); r.obj(t)["total"] != 1.0 {
		t.Fatalf("pending: %s", r.Body)
	}
	if r := e.call(t, "POST", one, "kermit", `{"action": "resolve"}`); r.Status != http.StatusOK {
		t.Fatalf("resolve: %d %s", r.Status, r.Body)
	}
	if r := e.call(t, "GET", one, "userWhoClaims", nil); r.obj(t)["delegationState"] != "resolved" || r.obj(t)["assignee"] != "userWhoClaims" {
		t.Fatalf("resolved: %s", r.Body)
	}
	// DELETE: the task is part of a case instance.
	errorShape(t, e.call(t, "DELETE", one+"?cascadeHistory=true&deleteReason=x", "admin", nil), http.StatusForbidden)
	// Complete: the seed's body (the first outcome, approve; days 5 → hr's task next).
	if r := e.call(t, "POST", one, "userWhoClaims", seedComplete); r.Status != http.StatusOK || len(r.Body) != 0 {
		t.Fatalf("complete: %d %s", r.Status, r.Body)
	}
	errorShape(t, e.call(t, "GET", one, "admin", nil), http.StatusNotFound)
	e.waitTask(t, "caseInstanceId="+inst+"&taskDefinitionKey=task-hr000001")
}

// urlQuery escapes a query value ("+" of an offset).
func urlQuery(s string) string { return strings.ReplaceAll(s, "+", "%2B") }

func sortedIDs(ids []string) []string {
	out := append([]string(nil), ids...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if len(out[j]) < len(out[i]) || len(out[j]) == len(out[i]) && out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// TestTaskSessionLeaveApproval is a Flowable-style client session over this API
// alone: start the leave approval, the manager approves, then an HR member finds the
// HR task by candidateUser, claims it, raises its priority, adds a group link and
// completes it with an outcome and variables; the instance ends with them.
func TestTaskSessionLeaveApproval(t *testing.T) {
	e, key := taskEnv(t)
	r := e.call(t, "POST", "/cmmn-runtime/case-instances", "lisi", `{"caseDefinitionKey": "`+key+`", "variables": [
		{"name": "applicant", "value": "张三"}, {"name": "days", "value": 5}, {"name": "reason", "value": "家事"}]}`)
	if r.Status != http.StatusCreated {
		t.Fatalf("start: %d %s", r.Status, r.Body)
	}
	inst := r.obj(t)["id"].(string)
	waitFor := func(user, query string) map[string]any {
		deadline := time.Now().Add(10 * time.Second)
		for {
			r := e.call(t, "GET", "/cmmn-runtime/tasks?"+query, user, nil)
			if m := r.obj(t); m["total"] == 1.0 {
				return m["data"].([]any)[0].(map[string]any)
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: no task for %s", user, query)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	mgr := waitFor("lisi", "assignee=lisi&caseInstanceId="+inst)
	if r := e.call(t, "POST", "/cmmn-runtime/tasks/"+mgr["id"].(string), "lisi", `{"action": "complete", "outcome": "approve"}`); r.Status != 200 {
		t.Fatalf("manager: %d %s", r.Status, r.Body)
	}
	hr := waitFor("hana", "candidateUser=hana")
	one := "/cmmn-runtime/tasks/" + hr["id"].(string)
	if hr["caseInstanceId"] != inst || hr["assignee"] != nil {
		t.Fatalf("hr task %v", hr)
	}
	if r := e.call(t, "POST", one, "hana", `{"action": "claim", "assignee": "hana"}`); r.Status != 200 {
		t.Fatalf("claim: %d %s", r.Status, r.Body)
	}
	// Claimed: someone else's claim is a conflict; the task leaves candidateUser.
	errorShape(t, e.call(t, "POST", one, "admin", `{"action": "claim", "assignee": "lisi"}`), http.StatusConflict)
	if r := e.call(t, "GET", "/cmmn-runtime/tasks?candidateUser=hana", "hana", nil); r.obj(t)["total"] != 0.0 {
		t.Fatalf("claimed task still a candidate's: %s", r.Body)
	}
	if r := e.call(t, "PUT", one, "hana", `{"priority": 80}`); r.Status != 200 || r.obj(t)["priority"] != 80.0 {
		t.Fatalf("priority: %d %s", r.Status, r.Body)
	}
	if r := e.call(t, "POST", one+"/identitylinks", "hana", `{"groupId": "sales", "type": "candidate"}`); r.Status != 201 {
		t.Fatalf("link: %d %s", r.Status, r.Body)
	}
	if r := e.call(t, "GET", "/cmmn-runtime/tasks?minimumPriority=80&candidateOrAssigned=hana", "hana", nil); r.obj(t)["total"] != 1.0 {
		t.Fatalf("after the update: %s", r.Body)
	}
	r = e.call(t, "POST", one, "hana", `{"action": "complete", "outcome": "approve", "variables": [
		{"name": "hrComment", "value": "ok"}, {"name": "approvedDays", "type": "integer", "value": 5}],
		"transientVariables": [{"name": "scratch", "value": 1}]}`)
	if r.Status != 200 {
		t.Fatalf("complete: %d %s", r.Status, r.Body)
	}
	errorShape(t, e.call(t, "GET", one, "hana", nil), http.StatusNotFound)
	// The instance ends (read over the API alone: its historic case instance).
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := e.call(t, "GET", "/cmmn-history/historic-case-instances/"+inst, "admin", nil)
		if hc := r.obj(t); r.Status == 200 && hc["endTime"] != nil {
			if hc["state"] != "completed" {
				t.Fatalf("historic case instance: %s", r.Body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("instance not ended: %d %s", r.Status, r.Body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// History: the HR task, ended, with its priority and outcome's assignee; the
	// instance's variables with their types, the transient one not among them.
	r = e.call(t, "GET", "/cmmn-history/historic-task-instances/"+hr["id"].(string), "admin", nil)
	if ht := r.obj(t); r.Status != 200 || ht["endTime"] == nil || ht["assignee"] != "hana" || ht["priority"] != 80.0 {
		t.Fatalf("historic task: %d %s", r.Status, r.Body)
	}
	r = e.call(t, "GET", "/cmmn-history/historic-variable-instances?caseInstanceId="+inst, "admin", nil)
	if r.Status != 200 {
		t.Fatalf("historic variables: %d %s", r.Status, r.Body)
	}
	hist := map[string]map[string]any{}
	for _, d := range r.obj(t)["data"].([]any) {
		v := d.(map[string]any)["variable"].(map[string]any)
		hist[v["name"].(string)] = v
	}
	if hist["hrComment"]["value"] != "ok" || hist["approvedDays"]["value"] != 5.0 || hist["approvedDays"]["type"] != "integer" ||
		hist["days"]["value"] != 5.0 || hist["scratch"] != nil {
		t.Fatalf("historic variables: %s", r.Body)
	}
}

// TestTaskBadInput: malformed bodies, unknown properties, wrong types, unknown ids,
// bad parameters and other people's tasks answer the seed's statuses in the API's
// error shape; nothing answers 500.
func TestTaskBadInput(t *testing.T) {
	e, key := taskEnv(t)
	inst := e.startLeave(t, key, "lisi", 2)
	id := e.waitTask(t, "caseInstanceId="+inst)["id"].(string)
	one := "/cmmn-runtime/tasks/" + id
	list := "/cmmn-runtime/tasks?"
	for _, c := range []struct {
		method, path, user string
		body               any
		status             int
	}{
		// List parameters.
		{"GET", list + "priority=high", "lisi", nil, 400},
		{"GET", list + "minimumPriority=1.5", "lisi", nil, 400},
		{"GET", list + "maximumPriority=99999999999", "lisi", nil, 400},
		{"GET", list + "unassigned=yes", "lisi", nil, 400},
		{"GET", list + "active=1", "lisi", nil, 400},
		{"GET", list + "withoutDueDate=maybe", "lisi", nil, 400},
		{"GET", list + "includeTaskLocalVariables=TRUE", "lisi", nil, 400},
		{"GET", list + "createdBefore=yesterday", "lisi", nil, 400},
		{"GET", list + "dueAfter=2020-13-01T00:00Z", "lisi", nil, 400},
		{"GET", list + "delegationState=done", "lisi", nil, 400},
		{"GET", list + "sort=bogus", "lisi", nil, 400},
		{"GET", list + "order=up", "lisi", nil, 400},
		{"GET", list + "start=-1", "lisi", nil, 400},
		{"GET", list + "size=x", "lisi", nil, 400},
		{"GET", list, "", nil, 401},
		// Unknown tasks.
		{"GET", "/cmmn-runtime/tasks/123", "lisi", nil, 404},
		{"GET", "/cmmn-runtime/tasks/09688be5-3c78-11ea-8548-38c986587585", "lisi", nil, 404},
		{"PUT", "/cmmn-runtime/tasks/123", "lisi", `{"priority": 1}`, 404},
		{"POST", "/cmmn-runtime/tasks/123", "lisi", seedClaim, 404},
		{"DELETE", "/cmmn-runtime/tasks/123", "lisi", nil, 404},
		{"GET", "/cmmn-runtime/tasks/123/variables", "lisi", nil, 404},
		{"GET", "/cmmn-runtime/tasks/123/identitylinks", "lisi", nil, 404},
		// Someone else's task.
		{"GET", one, "dora", nil, 403},
		{"PUT", one, "dora", `{"priority": 1}`, 403},
		{"POST", one, "dora", `{"action": "complete"}`, 403},
		{"GET", one + "/variables", "dora", nil, 403},
		{"POST", one + "/identitylinks", "dora", seedLinkUser, 403},
		// PUT bodies.
		{"PUT", one, "lisi", `{`, 400},
		{"PUT", one, "lisi", ``, 400},
		{"PUT", one, "lisi", `[]`, 415},
		{"PUT", one, "lisi", `{"bogus": 1}`, 415},
		{"PUT", one, "lisi", `{"priority": "high"}`, 415},
		{"PUT", one, "lisi", `{"priority": 1.5}`, 415},
		{"PUT", one, "lisi", `{"name": 5}`, 415},
		{"PUT", one, "lisi", `{"name": null}`, 400},
		{"PUT", one, "lisi", `{"dueDate": "tomorrow"}`, 400},
		{"PUT", one, "lisi", `{"assignee": "nobody"}`, 400},
		{"PUT", one, "lisi", `{"owner": "nobody"}`, 400},
		{"PUT", one, "lisi", `{"delegationState": "done"}`, 400},
		{"PUT", one, "lisi", `{"parentTaskId": "x"}`, 400},
		{"PUT", one, "lisi", `{"parentTaskId": "123"}`, 400},
		{"PUT", one, "lisi", `{"parentTaskId": "` + id + `"}`, 400},
		{"PUT", one, "lisi", `{"name": "` + strings.Repeat("n", 256) + `"}`, 400},
		// Actions.
		{"POST", one, "lisi", `{}`, 400},
		{"POST", one, "lisi", `{"action": "fly"}`, 400},
		{"POST", one, "lisi", `{"action": 1}`, 415},
		{"POST", one, "lisi", `{"action": "claim", "bogus": 1}`, 415},
		{"POST", one, "lisi", `{"action": "delegate"}`, 400},
		{"POST", one, "lisi", `{"action": "delegate", "assignee": "nobody"}`, 400},
		{"POST", one, "lisi", `{"action": "claim", "outcome": "approve"}`, 400},
		{"POST", one, "lisi", `{"action": "resolve"}`, 409},
		{"POST", one, "lisi", `{"action": "complete", "outcome": "maybe"}`, 400},
		{"POST", one, "lisi", `{"action": "complete", "variables": {"name": "x"}}`, 415},
		{"POST", one, "lisi", `{"action": "complete", "variables": [{"value": 1}]}`, 400},
		{"POST", one, "lisi", `{"action": "complete", "variables": [{"name": "x", "type": "integer", "value": "abc"}]}`, 400},
		{"POST", one, "lisi", `{"action": "claim", "assignee": "lisi"}`, 409}, // already hers
		{"POST", one, "lisi", `{"action": "claim", "assignee": "dora"}`, 403}, // for another: admins only
		{"DELETE", one + "?cascadeHistory=perhaps", "lisi", nil, 400},
		{"DELETE", one, "lisi", nil, 403},
		// Variables.
		{"GET", one + "/variables?scope=all", "lisi", nil, 400},
		{"GET", one + "/variables/nosuch", "lisi", nil, 404},
		{"GET", one + "/variables/nosuch/data", "lisi", nil, 404},
		{"GET", one + "/variables/days/data", "lisi", nil, 404}, // not binary
		{"POST", one + "/variables", "lisi", `[]`, 400},
		{"POST", one + "/variables", "lisi", `{}`, 415},
		{"POST", one + "/variables", "lisi", `[{"value": 1}]`, 400},
		{"POST", one + "/variables", "lisi", `[{"name": "a", "scope": "everywhere"}]`, 400},
		{"POST", one + "/variables", "lisi", `[{"name": "a", "type": "weird", "value": 1}]`, 400},
		{"POST", one + "/variables", "lisi", `[{"name": "a", "value": 1, "extra": 1}]`, 415},
		{"POST", one + "/variables", "lisi", `[{"name": "days", "scope": "global", "value": 1}]`, 409},
		{"POST", one + "/variables", "lisi", upload(t, "", nil, "name", "b"), 400},
		{"PUT", one + "/variables/nosuch", "lisi", `{"value": 1}`, 404},
		{"PUT", one + "/variables/a", "lisi", `{"name": "b", "value": 1}`, 400},
		{"PUT", one + "/variables/a", "lisi", `{"value": 1, "scope": 3}`, 415},
		{"DELETE", one + "/variables/nosuch", "lisi", nil, 404},
		{"DELETE", one + "/variables/nosuch?scope=global", "lisi", nil, 404},
		{"DELETE", one + "/variables/a?scope=x", "lisi", nil, 400},
		// Identity links.
		{"GET", one + "/identitylinks/robots", "lisi", nil, 404},
		{"GET", one + "/identitylinks/users/lisi/candidate", "lisi", nil, 404},
		{"GET", one + "/identitylinks/robots/lisi/candidate", "lisi", nil, 404},
		{"POST", one + "/identitylinks", "lisi", `{}`, 400},
		{"POST", one + "/identitylinks", "lisi", `{"userId": "kermit"}`, 400},
		{"POST", one + "/identitylinks", "lisi", `{"userId": "kermit", "groupId": "sales", "type": "candidate"}`, 400},
		{"POST", one + "/identitylinks", "lisi", `{"userId": "kermit", "type": "watcher"}`, 400},
		{"POST", one + "/identitylinks", "lisi", `{"groupId": "sales", "type": "owner"}`, 400},
		{"POST", one + "/identitylinks", "lisi", `{"userId": "nobody", "type": "candidate"}`, 400},
		{"POST", one + "/identitylinks", "lisi", `{"userId": 5, "type": "candidate"}`, 415},
		{"POST", one + "/identitylinks", "lisi", `{"userId": "kermit", "type": "candidate", "x": 1}`, 415},
		{"DELETE", one + "/identitylinks/users/kermit/candidate", "lisi", nil, 404},
		{"DELETE", one + "/identitylinks/groups/sales/owner", "lisi", nil, 404},
		// Methods.
		{"PATCH", one, "lisi", nil, 405},
		{"PUT", "/cmmn-runtime/tasks", "lisi", `{}`, 405},
	} {
		r := e.call(t, c.method, c.path, c.user, c.body)
		if r.Status != c.status {
			t.Errorf("%s %s %v: %d, want %d: %s", c.method, c.path, c.body, r.Status, c.status, r.Body)
			continue
		}
		errorShape(t, r, c.status)
	}
	// A refused completion wrote nothing to the instance.
	r := e.call(t, "POST", one, "lisi", `{"action": "complete", "outcome": "maybe", "variables": [{"name": "leaked", "value": 1}]}`)
	errorShape(t, r, http.StatusBadRequest)
	if r := e.call(t, "GET", "/cmmn-runtime/case-instances/"+inst+"/variables/leaked", "admin", nil); r.Status != http.StatusNotFound {
		t.Fatalf("a refused completion wrote its variables: %d %s", r.Status, r.Body)
	}
	// The task is still open and lisi's.
	if r := e.call(t, "GET", one, "lisi", nil); r.obj(t)["assignee"] != "lisi" || r.obj(t)["priority"] != 50.0 {
		t.Fatalf("after the bad requests: %s", r.Body)
	}
}

// TestTaskConcurrentUpdate: two updates racing on one task never both win silently:
// each answers 200 or 409, and the task keeps one of the values written.
func TestTaskConcurrentUpdate(t *testing.T) {
	e, key := taskEnv(t)
	inst := e.startLeave(t, key, "lisi", 2)
	one := "/cmmn-runtime/tasks/" + e.waitTask(t, "caseInstanceId="+inst)["id"].(string)
	statuses := make(chan int, 20)
	for i := range 20 {
		go func() {
			r := e.call(t, "PUT", one, "lisi", fmt.Sprintf(`{"priority": %d}`, i))
			statuses <- r.Status
		}()
	}
	for range 20 {
		if s := <-statuses; s != 200 && s != 409 {
			t.Fatalf("concurrent update answered %d", s)
		}
	}
	if p := e.call(t, "GET", one, "lisi", nil).obj(t)["priority"].(float64); p < 0 || p > 19 {
		t.Fatalf("priority %v", p)
	}
}
