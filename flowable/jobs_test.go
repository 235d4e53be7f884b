package flowable_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"flowcraft/engine"
)

// seedJob is the job of Flowable's CMMN management API (its REST documentation: the
// seed says the jobs API is the BPMN engine's management API with cmmn-management).
const seedJob = `{
    "id" : "8",
    "url" : "http://localhost:8182/management/jobs/8",
    "caseInstanceId" : "5",
    "caseInstanceUrl" : "http://localhost:8182/cmmn-runtime/case-instances/5",
    "caseDefinitionId" : "timerCase:1:4",
    "caseDefinitionUrl" : "http://localhost:8182/cmmn-repository/case-definitions/timerCase%3A1%3A4",
    "planItemInstanceId" : "7",
    "elementId" : "scriptTask1",
    "elementName" : "Script task",
    "handlerType" : "cmmn-trigger-timer",
    "retries" : 3,
    "exceptionMessage" : null,
    "dueDate" : "2023-06-04T22:05:05.474+0000",
    "createTime" : "2023-06-03T22:05:05.474+0000",
    "lockOwner" : "node1",
    "lockExpirationTime" : "2023-06-03T22:05:05.474+0000",
    "tenantId" : ""
}`

// timerDef waits an hour on a delay: its instances have a timer job.
func timerDef(name string) *engine.Process {
	var p engine.Process
	if err := json.Unmarshal([]byte(`{"name": "`+name+`", "tasks": [
	{"instId": "task-start001", "template": "manual", "positions": [0, 0], "connections": [{"to": "task-wait0001"}]},
	{"instId": "task-wait0001", "name": "Wait", "template": "delay", "positions": [200, 0], "connections": [{"to": "task-end00001"}],
	 "parameters": {"duration": {"value": "1h"}}},
	{"instId": "task-end00001", "template": "end", "positions": [400, 0]}]}`), &p); err != nil {
		panic(err)
	}
	return &p
}

// jobOf waits for the one job of an instance.
func (e *testEnv) jobOf(t *testing.T, inst string) *engine.Job {
	t.Helper()
	id, err := engine.ParseID(inst)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		jobs, _, err := e.st.Jobs.List(context.Background(), engine.JobFilter{InstanceID: id, Page: engine.Page{Limit: 10}})
		if err != nil {
			t.Fatal(err)
		}
		if len(jobs) == 1 {
			return jobs[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("instance %s has %d jobs", inst, len(jobs))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitStatus waits until an instance has a status.
func (e *testEnv) waitStatus(t *testing.T, inst, status string) {
	t.Helper()
	id, _ := engine.ParseID(inst)
	deadline := time.Now().Add(10 * time.Second)
	for {
		in, err := e.st.Runtime.Describe(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if in.Status == status {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("instance %s is %s, want %s", inst, in.Status, status)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// jobFixture: four instances of a timer definition, their jobs one in each queue:
// timer (A: due in an hour), suspended (B), dead (C: error "boom"), executable (D: due
// an hour ago, leased by another node until tomorrow).
type jobFixture struct {
	key            string
	a, b, c, d     string // instance ids
	ja, jb, jc, jd string // their job ids
}

func newJobFixture(t *testing.T, e *testEnv) jobFixture {
	t.Helper()
	f := jobFixture{key: e.define(t, timerDef("Timer Case"))}
	for _, p := range []*string{&f.a, &f.b, &f.c, &f.d} {
		*p = e.start(t, "dora", `{"caseDefinitionKey": "`+f.key+`"}`)["id"].(string)
	}
	for _, p := range []struct{ inst, job *string }{{&f.a, &f.ja}, {&f.b, &f.jb}, {&f.c, &f.jc}, {&f.d, &f.jd}} {
		*p.job = e.jobOf(t, *p.inst).ID.String()
	}
	bid, _ := engine.ParseID(f.b)
	if _, err := e.st.Runtime.Act(context.Background(), bid, engine.ActionSuspend); err != nil {
		t.Fatal(err)
	}
	e.waitStatus(t, f.b, engine.StatusSuspended)
	db, err := sql.Open("sqlite", "file:"+e.st.Store.Path()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now()
	for _, s := range []struct {
		q    string
		args []any
	}{
		{`UPDATE job SET status = 'dead', attempts = max_attempts, error = 'boom' WHERE id = ?`, []any{f.jc}},
		{`UPDATE job SET due_at = ?, lock_owner = 'node-9', lock_expiry = ? WHERE id = ?`,
			[]any{now.Add(-time.Hour).UnixMilli(), now.Add(24 * time.Hour).UnixMilli(), f.jd}},
	} {
		if _, err := db.Exec(s.q, s.args...); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// TestJobsScenario: the four job resources list, read, filter and act on the job
// table by queue, answering Flowable's job shape.
func TestJobsScenario(t *testing.T) {
	e := newTestEnv(t)
	f := newJobFixture(t, e)
	const m = "/cmmn-management/"
	for _, c := range []struct {
		col, job, inst string
	}{{"timer-jobs", f.ja, f.a}, {"suspended-jobs", f.jb, f.b}, {"deadletter-jobs", f.jc, f.c}, {"jobs", f.jd, f.d}} {
		r := e.call(t, "GET", m+c.col, "admin", nil)
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", c.col, r.Status, r.Body)
		}
		hasShape(t, c.col, `{"data": [`+seedJob+`], "total": 1, "start": 0, "sort": "id", "order": "asc", "size": 1}`, r)
		got := r.obj(t)
		if got["total"] != 1.0 {
			t.Fatalf("%s: %s", c.col, r.Body)
		}
		j := got["data"].([]any)[0].(map[string]any)
		if j["id"] != c.job || j["caseInstanceId"] != c.inst || j["caseDefinitionId"] != f.key+":1" || j["elementId"] != "task-wait0001" ||
			j["handlerType"] != "timer" || j["url"] != "http://flow.example:8080"+prefix+m+c.col+"/"+c.job ||
			!strings.HasPrefix(j["planItemInstanceId"].(string), c.inst+"-") {
			t.Errorf("%s: %s", c.col, r.Body)
		}
		one := e.call(t, "GET", m+c.col+"/"+c.job, "admin", nil)
		hasShape(t, c.col+" one", seedJob, one)
		if one.obj(t)["id"] != c.job {
			t.Errorf("%s one: %s", c.col, one.Body)
		}
		// Another queue's resource does not know the job.
		other := "jobs"
		if c.col == "jobs" {
			other = "timer-jobs"
		}
		errorShape(t, e.call(t, "GET", m+other+"/"+c.job, "admin", nil), 404)
	}
	dead := e.call(t, "GET", m+"deadletter-jobs/"+f.jc, "admin", nil).obj(t)
	if dead["exceptionMessage"] != "boom" || dead["retries"] != 0.0 {
		t.Errorf("dead letter job: %v", dead)
	}
	locked := e.call(t, "GET", m+"jobs/"+f.jd, "admin", nil).obj(t)
	if locked["lockOwner"] != "node-9" || locked["lockExpirationTime"] == nil {
		t.Errorf("locked job: %v", locked)
	}
	trace := e.call(t, "GET", m+"deadletter-jobs/"+f.jc+"/exception-stacktrace", "admin", nil)
	if trace.Status != 200 || string(trace.Body) != "boom" || !strings.HasPrefix(trace.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("stack trace: %d %q %s", trace.Status, trace.Body, trace.Header.Get("Content-Type"))
	}
	errorShape(t, e.call(t, "GET", m+"timer-jobs/"+f.ja+"/exception-stacktrace", "admin", nil), 404)

	// Filters.
	for _, c := range []struct {
		path string
		want []string
	}{
		{"timer-jobs?caseInstanceId=" + f.a, []string{f.ja}},
		{"timer-jobs?caseInstanceId=" + f.b, nil},
		{"timer-jobs?caseInstanceId=nope", nil},
		{"timer-jobs?id=" + f.ja, []string{f.ja}},
		{"timer-jobs?caseDefinitionId=" + f.key + ":1", []string{f.ja}},
		{"timer-jobs?caseDefinitionId=" + f.key + ":2", nil},
		{"timer-jobs?elementId=task-wait0001", []string{f.ja}},
		{"timer-jobs?elementId=task-other", nil},
		{"timer-jobs?timersOnly=true", []string{f.ja}},
		{"timer-jobs?messagesOnly=true", nil},
		{"timer-jobs?timersOnly=false", []string{f.ja}},
		{"timer-jobs?dueAfter=" + time.Now().Format(time.RFC3339), []string{f.ja}},
		{"timer-jobs?dueBefore=" + time.Now().Format(time.RFC3339), nil},
		{"timer-jobs?withException=true", nil},
		{"timer-jobs?withoutScopeId=true", nil},
		{"deadletter-jobs?withException=true", []string{f.jc}},
		{"deadletter-jobs?exceptionMessage=boom", []string{f.jc}},
		{"deadletter-jobs?exceptionMessage=bang", nil},
		{"jobs?locked=true", []string{f.jd}},
		{"jobs?unlocked=true", nil},
		{"timer-jobs?unlocked=true", []string{f.ja}},
		{"timer-jobs?start=1", nil},
		{"timer-jobs?size=0", nil},
		{"jobs?sort=dueDate&order=desc", []string{f.jd}},
		{"timer-jobs?planItemInstanceId=" + f.a + "-1", nil},
	} {
		r := e.call(t, "GET", m+c.path, "admin", nil)
		if r.Status != 200 {
			t.Errorf("%s: %d %s", c.path, r.Status, r.Body)
			continue
		}
		if got := ids(t, r); strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s: %v, want %v", c.path, got, c.want)
		}
	}
	if r := e.call(t, "GET", m+"timer-jobs?size=0", "admin", nil).obj(t); r["total"] != 1.0 || r["size"] != 0.0 {
		t.Errorf("size=0: %v", r)
	}

	// Actions: a leased job is running: 409; a dead letter moved back runs, as does a
	// timer executed now; a deleted job is gone.
	errorShape(t, e.call(t, "POST", m+"jobs/"+f.jd, "admin", `{"action": "execute"}`), 409)
	if r := e.call(t, "POST", m+"deadletter-jobs/"+f.jc, "admin", `{"action": "move"}`); r.Status != 204 {
		t.Fatalf("move: %d %s", r.Status, r.Body)
	}
	e.waitStatus(t, f.c, engine.StatusDone)
	if r := e.call(t, "POST", m+"timer-jobs/"+f.ja, "admin", `{"action": "execute"}`); r.Status != 204 {
		t.Fatalf("execute: %d %s", r.Status, r.Body)
	}
	e.waitStatus(t, f.a, engine.StatusDone)
	if r := e.call(t, "DELETE", m+"suspended-jobs/"+f.jb, "admin", nil); r.Status != 204 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	errorShape(t, e.call(t, "GET", m+"suspended-jobs/"+f.jb, "admin", nil), 404)
	errorShape(t, e.call(t, "DELETE", m+"suspended-jobs/"+f.jb, "admin", nil), 404)
	if r := e.call(t, "GET", m+"suspended-jobs", "admin", nil).obj(t); r["total"] != 0.0 {
		t.Errorf("after delete: %v", r)
	}
}

// TestJobsBadInput: malformed requests answer the API's statuses in its error shape;
// nothing 500s.
func TestJobsBadInput(t *testing.T) {
	e := newTestEnv(t)
	f := newJobFixture(t, e)
	const m = "/cmmn-management/"
	for _, c := range []struct {
		method, path, user, body string
		status                   int
	}{
		{"GET", "jobs", "", "", 401},
		{"GET", "jobs", "dora", "", 403},
		{"GET", "deadletter-jobs", "lisi", "", 403},
		{"POST", "timer-jobs/" + f.ja, "dora", `{"action": "execute"}`, 403},
		{"GET", "jobs?timersOnly=yes", "admin", "", 400},
		{"GET", "jobs?timersOnly=true&messagesOnly=true", "admin", "", 400},
		{"GET", "jobs?locked=true&unlocked=true", "admin", "", 400},
		{"GET", "jobs?withException=1", "admin", "", 400},
		{"GET", "jobs?dueBefore=tomorrow", "admin", "", 400},
		{"GET", "jobs?dueAfter=2020-13-01T00:00:00Z", "admin", "", 400},
		{"GET", "jobs?sort=name", "admin", "", 400},
		{"GET", "jobs?order=up", "admin", "", 400},
		{"GET", "jobs?start=-1", "admin", "", 400},
		{"GET", "jobs?size=ten", "admin", "", 400},
		{"GET", "jobs?withoutScopeId=maybe", "admin", "", 400},
		{"GET", "jobs/abc", "admin", "", 404},
		{"GET", "jobs/0", "admin", "", 404},
		{"GET", "jobs/99999999999", "admin", "", 404},
		{"GET", "deadletter-jobs/" + f.ja + "/exception-stacktrace", "admin", "", 404},
		{"PUT", "jobs/" + f.jd, "admin", `{}`, 405},
		{"POST", "suspended-jobs/" + f.jb, "admin", `{"action": "move"}`, 405},
		{"POST", "jobs", "admin", `{}`, 405},
		{"POST", "timer-jobs/" + f.ja, "admin", `{"action": "fly"}`, 400},
		{"POST", "timer-jobs/" + f.ja, "admin", `{}`, 400},
		{"POST", "timer-jobs/" + f.ja, "admin", `{"action": ""}`, 400},
		{"POST", "deadletter-jobs/" + f.jc, "admin", `{"action": "execute"}`, 400},
		{"POST", "deadletter-jobs/" + f.jc, "admin", `{"action": "moveToHistoryJob"}`, 400},
		{"POST", "jobs/" + f.jd, "admin", `{"action": "move"}`, 400},
		{"POST", "timer-jobs/" + f.ja, "admin", `{"action": 1}`, 415},
		{"POST", "timer-jobs/" + f.ja, "admin", `{"action": "execute", "retries": 3}`, 415},
		{"POST", "timer-jobs/" + f.ja, "admin", `[]`, 415},
		{"POST", "timer-jobs/" + f.ja, "admin", `{"action": `, 400},
		{"POST", "timer-jobs/99999999999", "admin", `{"action": "execute"}`, 404},
		{"POST", "deadletter-jobs/" + f.ja, "admin", `{"action": "move"}`, 404},
		{"POST", "jobs/" + f.ja, "admin", `{"action": "execute"}`, 404},
		{"DELETE", "jobs/" + f.ja, "admin", "", 404},
		{"DELETE", "deadletter-jobs/xyz", "admin", "", 404},
		{"GET", "history-jobs", "admin", "", 404},
	} {
		var body any
		if c.body != "" {
			body = c.body
		}
		r := e.call(t, c.method, m+c.path, c.user, body)
		if r.Status != c.status {
			t.Errorf("%s %s as %q: %d %s, want %d", c.method, c.path, c.user, r.Status, r.Body, c.status)
			continue
		}
		errorShape(t, r, c.status)
	}
	// Nothing changed: the timer is still waiting.
	if r := e.call(t, "GET", m+"timer-jobs/"+f.ja, "admin", nil); r.Status != http.StatusOK {
		t.Errorf("the timer job: %d %s", r.Status, r.Body)
	}
}
