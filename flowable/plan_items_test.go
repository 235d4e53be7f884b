package flowable_test

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// startLeave starts the leave approval (deployed here) as user and returns the
// instance id; it waits at the manager's approval (lisi's task).
func (e *testEnv) startLeave(t *testing.T, key, user string, days int) string {
	t.Helper()
	r := e.call(t, "POST", "!/api/process/"+key, user, `{"applicant": "张三", "days": `+strconv.Itoa(days)+`, "reason": "家事"}`)
	if r.Status != 201 {
		t.Fatalf("start: %d %s", r.Status, r.Body)
	}
	id := r.obj(t)["response"].(map[string]any)["id"].(string)
	deadline := time.Now().Add(10 * time.Second)
	for {
		items := e.call(t, "GET", "/cmmn-runtime/plan-item-instances?caseInstanceId="+id+"&planItemDefinitionId=task-mgr00001&state=active", "admin", nil)
		if items.obj(t)["total"] == 1.0 {
			return id
		}
		if time.Now().After(deadline) {
			t.Fatalf("the approval never waited: %s", items.Body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestPlanItemsScenario runs the seed's plan item requests: list with filters, get,
// and PUT actions (trigger completes the waiting approval; the others answer 400).
func TestPlanItemsScenario(t *testing.T) {
	e := newTestEnv(t)
	d := e.deploy(t, "leave-approval.json", example(t, "leave-approval.json"))
	key := strings.TrimSuffix(d["id"].(string), "-1")
	inst := e.startLeave(t, key, "lisi", 2)
	other := e.startLeave(t, key, "dora", 2)

	list := e.call(t, "GET", "/cmmn-runtime/plan-item-instances?caseInstanceId="+inst, "lisi", nil)
	hasShape(t, "GET plan-item-instances", seedPlanItemList, list)
	m := list.obj(t)
	if m["total"] != 3.0 || m["sort"] != "createTime" || m["order"] != "asc" {
		t.Fatalf("plan items: %s", list.Body)
	}
	data := m["data"].([]any)
	first, last := data[0].(map[string]any), data[2].(map[string]any)
	if first["planItemDefinitionId"] != "task-start001" || first["state"] != "completed" || first["completedTime"] == nil {
		t.Errorf("first plan item %v", first)
	}
	if last["planItemDefinitionId"] != "task-mgr00001" || last["planItemDefinitionType"] != "humantask" || last["state"] != "active" ||
		last["caseDefinitionId"] != key+":1" || last["startUserId"] != "lisi" || last["name"] != "经理审批" {
		t.Errorf("approval plan item %v", last)
	}
	for _, c := range []struct {
		query string
		total float64
	}{
		{"", 6}, {"caseDefinitionId=" + key + ":1", 6}, {"caseDefinitionId=" + key + ":2", 0}, {"caseDefinitionId=nope", 0},
		{"caseInstanceId=" + other, 3}, {"caseInstanceId=12", 0}, {"caseInstanceId=x", 0},
		{"id=" + last["id"].(string), 1}, {"id=1-2", 0}, {"stageInstanceId=x", 0},
		{"planItemDefinitionId=task-calc0001", 2}, {"planItemDefinitionType=humantask", 2},
		{"planItemDefinitionTypes=humantask,scripttask", 4}, {"state=active", 2}, {"state=completed", 4}, {"state=enabled", 0},
		{"name=计算天数", 2}, {"elementId=task-start001", 2}, {"referenceId=x", 0}, {"referenceType=x", 0},
		{"createdBefore=2999-01-01T00:00Z", 6}, {"createdAfter=2999-01-01T00:00:00%2B08:00", 0}, {"createdAfter=2000-01-01T00:00:00.000Z", 6},
		{"createdAfter=2000-01-01T00:00+08:00", 6}, {"createdBefore=2000-01-01T00:00:00-0500", 0},
		{"startUserId=lisi", 3}, {"starUserId=dora", 3}, {"tenantId=", 6}, {"tenantId=acme", 0}, {"withoutTenantId=true", 6},
		{"sort=name&order=desc", 6}, {"size=2&start=5", 6},
	} {
		r := e.call(t, "GET", "/cmmn-runtime/plan-item-instances?"+c.query, "admin", nil)
		if r.Status != 200 || r.obj(t)["total"] != c.total {
			t.Errorf("?%s: %d %s (want total %v)", c.query, r.Status, r.Body, c.total)
		}
	}
	// A user sees the plan items of the instances they started.
	if r := e.call(t, "GET", "/cmmn-runtime/plan-item-instances", "lisi", nil); r.obj(t)["total"] != 3.0 {
		t.Errorf("lisi's plan items: %s", r.Body)
	}
	if r := e.call(t, "GET", "/cmmn-runtime/plan-item-instances?caseInstanceId="+other, "lisi", nil); r.obj(t)["total"] != 0.0 {
		t.Errorf("lisi sees dora's instance: %s", r.Body)
	}

	id := last["id"].(string)
	got := e.call(t, "GET", "/cmmn-runtime/plan-item-instances/"+id, "lisi", nil)
	hasShape(t, "GET plan-item-instance", seedPlanItem, got)
	for _, f := range []string{"url", "caseDefinitionUrl"} {
		u := strings.TrimPrefix(got.obj(t)[f].(string), "http://flow.example:8080"+prefix)
		if r := e.call(t, "GET", u, "admin", nil); r.Status != 200 {
			t.Errorf("%s %s: %d", f, u, r.Status)
		}
	}
	if r := e.call(t, "GET", "/cmmn-runtime/plan-item-instances/"+id, "dora", nil); r.Status != 200 {
		t.Errorf("designers see every instance's plan items: %d", r.Status)
	}
	otherItem := e.call(t, "GET", "/cmmn-runtime/plan-item-instances?caseInstanceId="+other+"&state=active", "admin", nil).obj(t)["data"].([]any)[0].(map[string]any)["id"].(string)
	errorShape(t, e.call(t, "GET", "/cmmn-runtime/plan-item-instances/"+otherItem, "lisi", nil), 404)

	for action, why := range map[string]string{"start": "activation", "enable": "activation", "disable": "activation", "evaluateCriteria": "sentries", "jump": "unknown action"} {
		r := e.call(t, "PUT", "/cmmn-runtime/plan-item-instances/"+id, "lisi", `{"action": "`+action+`"}`)
		errorShape(t, r, 400)
		if !strings.Contains(r.obj(t)["errorMessage"].(string), why) {
			t.Errorf("%s: %s", action, r.Body)
		}
	}
	done := data[1].(map[string]any)["id"].(string)
	r := e.call(t, "PUT", "/cmmn-runtime/plan-item-instances/"+done, "lisi", `{"action": "trigger"}`)
	errorShape(t, r, 400)
	if !strings.Contains(r.obj(t)["errorMessage"].(string), "not waiting") {
		t.Errorf("trigger a done node: %s", r.Body)
	}
	// dora may not decide lisi's approval: the engine's rule, 403.
	errorShape(t, e.call(t, "PUT", "/cmmn-runtime/plan-item-instances/"+id, "dora", `{"action": "trigger"}`), 403)

	trig := e.call(t, "PUT", "/cmmn-runtime/plan-item-instances/"+id, "lisi", `{"action": "trigger"}`)
	if trig.Status != 200 {
		t.Fatalf("trigger: %d %s", trig.Status, trig.Body)
	}
	// The approval took its first outcome (approve); 2 days: the instance ended, so
	// its plan items left the runtime resources.
	deadline := time.Now().Add(10 * time.Second)
	for {
		inst := e.call(t, "GET", "!/api/processInst/"+inst, "lisi", nil).obj(t)
		if inst["status"] == "done" {
			if out := inst["output"].(map[string]any); out["approved"] != true {
				t.Fatalf("output %v", out)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("instance did not end: %v", inst["status"])
		}
		time.Sleep(20 * time.Millisecond)
	}
	errorShape(t, e.call(t, "GET", "/cmmn-runtime/plan-item-instances/"+id, "lisi", nil), 404)
}
