package flowable_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"flowcraft/engine"
	"flowcraft/flowable"
)

// The external worker API's scenarios (external_job*.go) through app.Test on the real
// server: every endpoint, its bad input in Flowable's statuses and error shape.

const ext = "!" + flowable.ExternalPrefix

// externalDef: manual → external-task (topic) → end, a BPMN error NOT_FOUND routed to
// task-oops0001 (a script) → end; other failures fail the instance.
func externalDef(name, topic string) *engine.Process {
	var p engine.Process
	if err := json.Unmarshal([]byte(`{"name": "`+name+`", "tasks": [
	{"instId": "task-start001", "name": "Start", "template": "manual", "positions": [0, 0], "connections": [{"to": "task-ext00001"}]},
	{"instId": "task-ext00001", "name": "Check stock", "template": "external-task", "positions": [200, 0], "connections": [{"to": "task-end00001"}],
	 "parameters": {"topic": {"value": "`+topic+`"}},
	 "errorHandler": {"strategy": "fail", "routes": [{"errorCode": "NOT_FOUND", "target": "task-oops0001"}]}},
	{"instId": "task-oops0001", "name": "Out of stock", "template": "script", "positions": [200, 200], "connections": [{"to": "task-end00001"}],
	 "parameters": {"code": {"value": "return {routed: true}"}}},
	{"instId": "task-end00001", "name": "End", "template": "end", "positions": [400, 0]}]}`), &p); err != nil {
		panic(err)
	}
	return &p
}

// startExternal defines externalDef (once per key) and starts an instance with
// variables; it returns the key and the instance id.
func (e *testEnv) startExternal(t *testing.T, topic string) (string, string) {
	t.Helper()
	key := e.define(t, externalDef("External "+topic, topic))
	inst := e.start(t, "dora", `{"caseDefinitionKey": "`+key+`", "variables": [{"name": "sku", "type": "string", "value": "A-1"}, {"name": "qty", "type": "integer", "value": 2}]}`)
	return key, inst["id"].(string)
}

// extErrorShape checks an error of the external worker API: the status, the package's
// {statusCode, errorMessage} and Flowable's ErrorInfo {message, exception}.
func extErrorShape(t *testing.T, r reply, status int) map[string]any {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	m := r.obj(t)
	if m["statusCode"] != float64(status) || m["errorMessage"] == "" || m["message"] == "" || m["exception"] != m["errorMessage"] || len(m) != 4 {
		t.Fatalf("error body %s, want {statusCode: %d, errorMessage, message, exception}", r.Body, status)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("error content type %q", ct)
	}
	return m
}

// acquire locks the jobs of a topic for a worker; it must answer 200.
func (e *testEnv) acquire(t *testing.T, worker, topic, lock string, n int) []map[string]any {
	t.Helper()
	r := e.call(t, "POST", ext+"/acquire/jobs", "admin", `{"topic": "`+topic+`", "lockDuration": "`+lock+`", "numberOfTasks": `+jsonInt(n)+`, "workerId": "`+worker+`"}`)
	if r.Status != 200 {
		t.Fatalf("acquire: %d %s", r.Status, r.Body)
	}
	var out []map[string]any
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatalf("acquire answered %s", r.Body)
	}
	return out
}

// waitAcquire acquires until a job comes (a job appears when the instance reaches the
// node; a failed one again after its retry timeout).
func (e *testEnv) waitAcquire(t *testing.T, worker, topic, lock string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if jobs := e.acquire(t, worker, topic, lock, 1); len(jobs) == 1 {
			return jobs[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no job of topic %s came", topic)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func jsonInt(n int) string { b, _ := json.Marshal(n); return string(b) }

// variablesOf reads an instance's process variables by name.
func (e *testEnv) variablesOf(t *testing.T, inst string) map[string]*engine.Variable {
	t.Helper()
	id, _ := engine.ParseID(inst)
	vars, err := e.st.Runtime.ListVariables(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*engine.Variable{}
	for _, v := range vars {
		out[v.Name] = v
	}
	return out
}

// TestExternalJobScenario: a job is listed, acquired with the instance's variables,
// refused to other workers and to bad input, and completed with typed variables that
// become process variables; then it is gone.
func TestExternalJobScenario(t *testing.T) {
	e := newTestEnv(t)
	key, inst := e.startExternal(t, "stock")

	list := func(query string) map[string]any {
		t.Helper()
		r := e.call(t, "GET", ext+"/jobs"+query, "admin", nil)
		if r.Status != 200 {
			t.Fatalf("list %s: %d %s", query, r.Status, r.Body)
		}
		return r.obj(t)
	}
	deadline := time.Now().Add(10 * time.Second)
	for list("?processInstanceId=" + inst)["total"] != 1.0 {
		if time.Now().After(deadline) {
			t.Fatalf("no job listed: %s", e.call(t, "GET", ext+"/jobs", "admin", nil).Body)
		}
		time.Sleep(10 * time.Millisecond)
	}
	l := list("?processInstanceId=" + inst)
	for _, k := range []string{"data", "total", "start", "sort", "order", "size"} {
		if _, ok := l[k]; !ok {
			t.Errorf("list lacks %s: %v", k, l)
		}
	}
	open := l["data"].([]any)[0].(map[string]any)
	if open["lockOwner"] != nil || open["lockExpirationTime"] != nil || open["retries"] != 3.0 {
		t.Errorf("open job %v", open)
	}

	job := e.waitAcquire(t, "worker-1", "stock", "PT10M")
	id := job["id"].(string)
	want := map[string]any{"id": id, "correlationId": id, "processInstanceId": inst, "processDefinitionId": key + ":1",
		"scopeId": nil, "subScopeId": nil, "scopeDefinitionId": nil, "scopeType": nil, "elementId": "task-ext00001",
		"retries": 3.0, "exceptionMessage": nil, "dueDate": nil, "tenantId": "", "lockOwner": "worker-1",
		"url": "http://flow.example:8080" + flowable.ExternalPrefix + "/jobs/" + id}
	for k, v := range want {
		if job[k] != v {
			t.Errorf("%s = %v, want %v", k, job[k], v)
		}
	}
	for _, k := range []string{"executionId", "elementName", "createTime", "lockExpirationTime", "variables"} {
		if _, ok := job[k]; !ok {
			t.Errorf("acquired job lacks %s", k)
		}
	}
	lockUntil, err := time.Parse(time.RFC3339, job["lockExpirationTime"].(string))
	if err != nil || lockUntil.Before(time.Now().Add(9*time.Minute)) {
		t.Errorf("lockExpirationTime %v (%v)", job["lockExpirationTime"], err)
	}
	vars := map[string]any{}
	for _, v := range job["variables"].([]any) {
		m := v.(map[string]any)
		vars[m["name"].(string)+":"+m["type"].(string)] = m["value"]
	}
	if vars["sku:string"] != "A-1" || vars["qty:integer"] != 2.0 {
		t.Errorf("variables %v", job["variables"])
	}
	// The url resolves to the job; a worker's second acquisition gets nothing.
	if r := e.call(t, "GET", ext+"/jobs/"+id, "admin", nil); r.Status != 200 || r.obj(t)["lockOwner"] != "worker-1" {
		t.Fatalf("get: %d %s", r.Status, r.Body)
	}
	if jobs := e.acquire(t, "worker-2", "stock", "PT10M", 10); len(jobs) != 0 {
		t.Fatalf("a locked job was acquired again: %v", jobs)
	}
	if l := list("?locked=true"); l["total"] != 1.0 {
		t.Errorf("locked: %v", l)
	}
	if l := list("?unlocked=true"); l["total"] != 0.0 {
		t.Errorf("unlocked: %v", l)
	}

	complete := ext + "/acquire/jobs/" + id + "/complete"
	bad := []struct {
		name, path, body string
		status           int
	}{
		{"another worker", complete, `{"workerId": "worker-2"}`, 403},
		{"no workerId", complete, `{"variables": []}`, 400},
		{"empty workerId", complete, `{"workerId": ""}`, 400},
		{"workerId too long", complete, `{"workerId": "` + strings.Repeat("w", 256) + `"}`, 400},
		{"unknown job", ext + "/acquire/jobs/12345/complete", `{"workerId": "worker-1"}`, 404},
		{"not an id", ext + "/acquire/jobs/nope/complete", `{"workerId": "worker-1"}`, 404},
		{"variable without a name", complete, `{"workerId": "worker-1", "variables": [{"type": "string", "value": "x"}]}`, 400},
		{"unknown variable type", complete, `{"workerId": "worker-1", "variables": [{"name": "x", "type": "serializable", "value": "x"}]}`, 400},
		{"unsupported variable type", complete, `{"workerId": "worker-1", "variables": [{"name": "x", "type": "color", "value": "red"}]}`, 400},
		{"integer not a number", complete, `{"workerId": "worker-1", "variables": [{"name": "x", "type": "integer", "value": "many"}]}`, 400},
		{"integer past 32 bits", complete, `{"workerId": "worker-1", "variables": [{"name": "x", "type": "integer", "value": 4294967296}]}`, 400},
		{"date not a date", complete, `{"workerId": "worker-1", "variables": [{"name": "x", "type": "date", "value": "tomorrow"}]}`, 400},
		{"boolean text", complete, `{"workerId": "worker-1", "variables": [{"name": "x", "type": "boolean", "value": "yes"}]}`, 400},
		{"variables not a list", complete, `{"workerId": "worker-1", "variables": {"x": 1}}`, 400},
		{"workerId a number", complete, `{"workerId": 7}`, 400},
		{"malformed", complete, `{"workerId": `, 400},
		{"trailing data", complete, `{"workerId": "worker-1"} {}`, 400},
		{"empty body", complete, ` `, 400},
		{"too deep", complete, `{"workerId": "worker-1", "variables": [{"name": "x", "type": "json", "value": ` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}]}`, 400},
		{"terminate a BPMN job", ext + "/acquire/jobs/" + id + "/cmmnTerminate", `{"workerId": "worker-1"}`, 400},
		{"terminate another's", ext + "/acquire/jobs/" + id + "/cmmnTerminate", `{"workerId": "worker-2"}`, 403},
		{"bpmnError without errorCode", ext + "/acquire/jobs/" + id + "/bpmnError", `{"workerId": "worker-1", "errorCode": null}`, 400},
		{"bpmnError by another", ext + "/acquire/jobs/" + id + "/bpmnError", `{"workerId": "worker-2", "errorCode": "NOT_FOUND"}`, 403},
		{"fail by another", ext + "/acquire/jobs/" + id + "/fail", `{"workerId": "worker-2"}`, 403},
		{"unacquire by another", ext + "/unacquire/jobs/" + id, `{"workerId": "worker-2"}`, 403},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			extErrorShape(t, e.call(t, "POST", c.path, "admin", c.body), c.status)
		})
	}
	extErrorShape(t, e.call(t, "POST", complete, "admin", nil, "Content-Type", "text/plain"), 415)
	if m := extErrorShape(t, e.call(t, "POST", complete, "admin", `{"workerId": "worker-2"}`), 403); m["exception"] != "worker-2 does not hold a lock on the requested job" || m["message"] != "Forbidden" {
		t.Errorf("lock error %v", m)
	}
	if m := extErrorShape(t, e.call(t, "POST", ext+"/acquire/jobs/12345/complete", "admin", `{"workerId": "w"}`), 404); m["exception"] != "Could not find external worker job with id '12345'." || m["message"] != "Not found" {
		t.Errorf("not found %v", m)
	}

	// Unknown properties are ignored (as Spring's Jackson does); the client's null
	// valueUrl is read.
	r := e.call(t, "POST", complete, "admin", `{"workerId": "worker-1", "future": true, "variables": [
		{"name": "greeting", "type": "string", "value": "hi", "valueUrl": null},
		{"name": "count", "type": "integer", "value": 42},
		{"name": "big", "type": "long", "value": 1099511627776},
		{"name": "ratio", "type": "double", "value": 0.5},
		{"name": "small", "type": "short", "value": 7},
		{"name": "ok", "type": "boolean", "value": true},
		{"name": "order", "type": "json", "value": {"lines": [{"sku": "x", "qty": 2}]}},
		{"name": "when", "type": "date", "value": "2024-05-01T10:00:00Z"},
		{"name": "day", "type": "localDate", "value": "2024-05-02"},
		{"name": "at", "type": "localDateTime", "value": "2024-05-03T08:30:00"},
		{"name": "uid", "type": "uuid", "value": "0f8fad5b-d9cb-469f-a165-70867728950e"},
		{"name": "inferred", "value": 3},
		{"name": "none", "type": "string", "value": null}]}`)
	if r.Status != http.StatusNoContent || len(r.Body) != 0 {
		t.Fatalf("complete: %d %s", r.Status, r.Body)
	}
	e.waitStatus(t, inst, engine.StatusDone)
	got := e.variablesOf(t, inst)
	wantVars := []struct {
		name, typ string
		value     any
	}{
		{"greeting", "string", "hi"}, {"count", "integer", int64(42)}, {"big", "long", int64(1099511627776)}, {"ratio", "double", 0.5},
		{"small", "short", int64(7)}, {"ok", "boolean", true}, {"uid", "string", "0f8fad5b-d9cb-469f-a165-70867728950e"},
		{"inferred", "integer", int64(3)}, {"none", "string", nil}, {"sku", "string", "A-1"},
		{"when", "date", time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)}, {"day", "date", time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)},
		{"at", "date", time.Date(2024, 5, 3, 8, 30, 0, 0, time.UTC)},
	}
	for _, w := range wantVars {
		v := got[w.name]
		if v == nil || v.Type != w.typ || v.Value != w.value {
			if tv, ok := w.value.(time.Time); !(ok && v != nil && v.Type == w.typ && tv.Equal(v.Value.(time.Time))) {
				t.Errorf("variable %s = %+v, want %s %v", w.name, v, w.typ, w.value)
			}
		}
	}
	if o := got["order"]; o == nil || o.Type != "json" || mustString(t, o.Value) != `{"lines":[{"qty":2,"sku":"x"}]}` {
		t.Errorf("order %+v", o)
	}
	// Completed: gone, as Flowable deletes it.
	extErrorShape(t, e.call(t, "GET", ext+"/jobs/"+id, "admin", nil), 404)
	extErrorShape(t, e.call(t, "POST", complete, "admin", `{"workerId": "worker-1"}`), 404)
	if l := list(""); l["total"] != 0.0 {
		t.Errorf("jobs left: %v", l)
	}
}

func mustString(t *testing.T, v any) string {
	t.Helper()
	return string(mustJSON(t, v))
}

// TestExternalJobAcquireBadInput: acquire's bad requests, each a 400 (415 for a body
// that is not JSON) in the API's shape, Flowable's checks first.
func TestExternalJobAcquireBadInput(t *testing.T) {
	e := newTestEnv(t)
	acquire := ext + "/acquire/jobs"
	for _, c := range []struct {
		name, body, says string
	}{
		{"no topic", `{"lockDuration": "PT1M", "workerId": "w"}`, "topic is required"},
		{"empty topic", `{"topic": "", "lockDuration": "PT1M", "workerId": "w"}`, "topic is required"},
		{"no lockDuration", `{"topic": "t", "workerId": "w"}`, "lockDuration is required"},
		{"null lockDuration", `{"topic": "t", "lockDuration": null, "workerId": "w"}`, "lockDuration is required"},
		{"lockDuration not ISO", `{"topic": "t", "lockDuration": "10 minutes", "workerId": "w"}`, "ISO-8601"},
		{"lockDuration in months", `{"topic": "t", "lockDuration": "P1M", "workerId": "w"}`, "ISO-8601"},
		{"lockDuration zero", `{"topic": "t", "lockDuration": "PT0S", "workerId": "w"}`, "positive"},
		{"lockDuration negative", `{"topic": "t", "lockDuration": "-PT1M", "workerId": "w"}`, "positive"},
		{"lockDuration past a year", `{"topic": "t", "lockDuration": "P366D", "workerId": "w"}`, "at most"},
		{"lockDuration past time.Duration", `{"topic": "t", "lockDuration": "P999999D", "workerId": "w"}`, "longer"},
		{"lockDuration a boolean", `{"topic": "t", "lockDuration": true, "workerId": "w"}`, "ISO-8601"},
		{"no workerId", `{"topic": "t", "lockDuration": "PT1M"}`, "workerId is required"},
		{"numberOfTasks 0", `{"topic": "t", "lockDuration": "PT1M", "workerId": "w", "numberOfTasks": 0}`, "smaller than 1"},
		{"numberOfTasks negative", `{"topic": "t", "lockDuration": "PT1M", "workerId": "w", "numberOfTasks": -2}`, "smaller than 1"},
		{"numberOfTasks huge", `{"topic": "t", "lockDuration": "PT1M", "workerId": "w", "numberOfTasks": 1001}`, "at most 1000"},
		{"numberOfTasks a fraction", `{"topic": "t", "lockDuration": "PT1M", "workerId": "w", "numberOfTasks": 1.5}`, "numberOfTasks"},
		{"numberOfTasks text", `{"topic": "t", "lockDuration": "PT1M", "workerId": "w", "numberOfTasks": "3"}`, "numberOfTasks"},
		{"numberOfRetries negative", `{"topic": "t", "lockDuration": "PT1M", "workerId": "w", "numberOfRetries": -1}`, "numberOfRetries"},
		{"topic a number", `{"topic": 5, "lockDuration": "PT1M", "workerId": "w"}`, "topic"},
		{"an array", `[]`, "JSON"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := extErrorShape(t, e.call(t, "POST", acquire, "admin", c.body), 400)
			if !strings.Contains(m["errorMessage"].(string), c.says) {
				t.Errorf("message %q does not say %q", m["errorMessage"], c.says)
			}
		})
	}
	extErrorShape(t, e.call(t, "POST", acquire, "admin", `topic=t`, "Content-Type", "application/x-www-form-urlencoded"), 415)
	// Nothing to acquire: [], also for a numeric lockDuration (seconds, as Jackson
	// reads one), numberOfRetries 0 (Flowable's loop does not run) and another scope.
	for _, body := range []string{
		`{"topic": "nothing", "lockDuration": "PT1M", "workerId": "w"}`,
		`{"topic": "nothing", "lockDuration": 60, "workerId": "w", "numberOfTasks": 1000, "numberOfRetries": 5, "scopeType": null}`,
		`{"topic": "nothing", "lockDuration": "PT1M", "workerId": "w", "numberOfRetries": 0}`,
		`{"topic": "nothing", "lockDuration": "PT1M", "workerId": "w", "scopeType": "cmmn"}`,
	} {
		if r := e.call(t, "POST", acquire, "admin", body); r.Status != 200 || string(r.Body) != "[]" {
			t.Errorf("%s: %d %s", body, r.Status, r.Body)
		}
	}
}

// TestExternalJobFailures: a failure without retries counts one down and frees the job
// at once; with retries and a retry timeout the job waits; with retries 0 it becomes
// an incident (gone from this API; the instance fails by its strategy).
func TestExternalJobFailures(t *testing.T) {
	e := newTestEnv(t)
	_, inst := e.startExternal(t, "flaky")
	job := e.waitAcquire(t, "worker-1", "flaky", "PT10M")
	id := job["id"].(string)
	fail := ext + "/acquire/jobs/" + id + "/fail"
	for _, c := range []struct{ name, body string }{
		{"negative retries", `{"workerId": "worker-1", "retries": -1}`},
		{"retries past Integer", `{"workerId": "worker-1", "retries": 2147483648}`},
		{"retries a fraction", `{"workerId": "worker-1", "retries": 1.5}`},
		{"retryTimeout not ISO", `{"workerId": "worker-1", "retryTimeout": "soon"}`},
		{"retryTimeout negative", `{"workerId": "worker-1", "retryTimeout": "-PT1M"}`},
		{"retryTimeout past a year", `{"workerId": "worker-1", "retryTimeout": "P400D"}`},
		{"no workerId", `{"errorMessage": "x"}`},
		{"errorMessage a number", `{"workerId": "worker-1", "errorMessage": 5}`},
	} {
		t.Run(c.name, func(t *testing.T) { extErrorShape(t, e.call(t, "POST", fail, "admin", c.body), 400) })
	}

	// Without retries: one fewer (3 → 2), unlocked, acquirable at once, the message kept.
	if r := e.call(t, "POST", fail, "admin", `{"workerId": "worker-1", "errorMessage": "stock system down", "errorDetails": "timeout after 30s"}`); r.Status != 204 {
		t.Fatalf("fail: %d %s", r.Status, r.Body)
	}
	got := e.call(t, "GET", ext+"/jobs/"+id, "admin", nil).obj(t)
	if got["retries"] != 2.0 || got["exceptionMessage"] != "stock system down" || got["lockOwner"] != nil {
		t.Errorf("after a failure: %v", got)
	}
	if l := e.call(t, "GET", ext+"/jobs?withException=true", "admin", nil).obj(t); l["total"] != 1.0 {
		t.Errorf("withException: %v", l)
	}
	if l := e.call(t, "GET", ext+"/jobs?exceptionMessage=stock%20system%20down", "admin", nil).obj(t); l["total"] != 1.0 {
		t.Errorf("exceptionMessage: %v", l)
	}
	again := e.waitAcquire(t, "worker-2", "flaky", "PT10M")
	if again["id"] != id || again["retries"] != 2.0 || again["exceptionMessage"] != "stock system down" {
		t.Fatalf("acquired again: %v", again)
	}
	// A retry timeout keeps it from workers meanwhile.
	if r := e.call(t, "POST", fail, "admin", `{"workerId": "worker-2", "errorMessage": "still down", "retries": 1, "retryTimeout": "PT1H"}`); r.Status != 204 {
		t.Fatalf("fail: %d %s", r.Status, r.Body)
	}
	if jobs := e.acquire(t, "worker-3", "flaky", "PT1M", 5); len(jobs) != 0 {
		t.Fatalf("acquired during its retry timeout: %v", jobs)
	}
	if got := e.call(t, "GET", ext+"/jobs/"+id, "admin", nil).obj(t); got["retries"] != 1.0 || got["exceptionMessage"] != "still down" {
		t.Errorf("after the second failure: %v", got)
	}

	// Retries 0: an incident (the task waits with it as its error until an admin's
	// retry, strategy fail); Flowable's dead-letter job, gone from this API.
	_, inst2 := e.startExternal(t, "fatal")
	j2 := e.waitAcquire(t, "worker-1", "fatal", "PT10M")
	if r := e.call(t, "POST", ext+"/acquire/jobs/"+j2["id"].(string)+"/fail", "admin", `{"workerId": "worker-1", "errorMessage": "fatal", "retries": 0}`); r.Status != 204 {
		t.Fatalf("fail: %d %s", r.Status, r.Body)
	}
	e.waitIncident(t, j2["id"].(string), "fatal")
	extErrorShape(t, e.call(t, "GET", ext+"/jobs/"+j2["id"].(string), "admin", nil), 404)
	extErrorShape(t, e.call(t, "POST", ext+"/acquire/jobs/"+j2["id"].(string)+"/complete", "admin", `{"workerId": "worker-1"}`), 404)
	if l := e.call(t, "GET", ext+"/jobs?processInstanceId="+inst2, "admin", nil).obj(t); l["total"] != 0.0 {
		t.Errorf("an incident is listed: %v", l)
	}
	e.waitStatus(t, inst2, engine.StatusWaiting)
	_ = inst
}

// waitIncident waits until a job is an incident with a message.
func (e *testEnv) waitIncident(t *testing.T, job, msg string) {
	t.Helper()
	id, _ := engine.ParseID(job)
	deadline := time.Now().Add(10 * time.Second)
	for {
		j, err := e.st.Runtime.ExternalTasks().Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if j.State == engine.ExternalIncident && j.ErrorMessage == msg && j.Retries != nil && *j.Retries == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s is %+v, want an incident", job, j)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestExternalJobBPMNError: a BPMN error with a routed code goes on at the route's
// target (the variables written); an unrouted code fails the task by its strategy.
func TestExternalJobBPMNError(t *testing.T) {
	e := newTestEnv(t)
	_, inst := e.startExternal(t, "lookup")
	job := e.waitAcquire(t, "worker-1", "lookup", "PT10M")
	if r := e.call(t, "POST", ext+"/acquire/jobs/"+job["id"].(string)+"/bpmnError", "admin",
		`{"workerId": "worker-1", "errorCode": "NOT_FOUND", "variables": [{"name": "reason", "type": "string", "value": "no such sku"}]}`); r.Status != 204 {
		t.Fatalf("bpmnError: %d %s", r.Status, r.Body)
	}
	e.waitStatus(t, inst, engine.StatusDone)
	if v := e.variablesOf(t, inst)["reason"]; v == nil || v.Value != "no such sku" {
		t.Errorf("reason %+v", v)
	}
	id, _ := engine.ParseID(inst)
	view, err := e.st.Runtime.Describe(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(mustJSON(t, view)), "task-oops0001") {
		t.Errorf("the route's target did not run: %s", mustJSON(t, view))
	}

	_, inst2 := e.startExternal(t, "lookup")
	job2 := e.waitAcquire(t, "worker-1", "lookup", "PT10M")
	if r := e.call(t, "POST", ext+"/acquire/jobs/"+job2["id"].(string)+"/bpmnError", "admin", `{"workerId": "worker-1", "errorCode": "OTHER"}`); r.Status != 204 {
		t.Fatalf("bpmnError: %d %s", r.Status, r.Body)
	}
	e.waitStatus(t, inst2, engine.StatusFailed)
}

// TestExternalJobLockExpiry: a lock that expires frees the job for another worker; the
// first worker's late completion is refused (403) and the second's counts.
func TestExternalJobLockExpiry(t *testing.T) {
	e := newTestEnv(t)
	_, inst := e.startExternal(t, "slow")
	first := e.waitAcquire(t, "worker-a", "slow", "PT0.2S")
	second := e.waitAcquire(t, "worker-b", "slow", "PT10M")
	if second["id"] != first["id"] || second["lockOwner"] != "worker-b" {
		t.Fatalf("handed over: %v then %v", first, second)
	}
	complete := ext + "/acquire/jobs/" + first["id"].(string) + "/complete"
	extErrorShape(t, e.call(t, "POST", complete, "admin", `{"workerId": "worker-a"}`), 403)
	if r := e.call(t, "POST", complete, "admin", `{"workerId": "worker-b", "variables": [{"name": "by", "type": "string", "value": "b"}]}`); r.Status != 204 {
		t.Fatalf("complete: %d %s", r.Status, r.Body)
	}
	e.waitStatus(t, inst, engine.StatusDone)
}

// TestExternalJobUnacquire: a worker gives one lock back, or all of its locks.
func TestExternalJobUnacquire(t *testing.T) {
	e := newTestEnv(t)
	for range 3 {
		e.startExternal(t, "batch")
	}
	deadline := time.Now().Add(10 * time.Second)
	var jobs []map[string]any
	for len(jobs) < 3 {
		jobs = append(jobs, e.acquire(t, "worker-1", "batch", "PT10M", 3-len(jobs))...)
		if time.Now().After(deadline) {
			t.Fatalf("acquired %d of 3", len(jobs))
		}
	}
	extErrorShape(t, e.call(t, "POST", ext+"/unacquire/jobs/"+jobs[0]["id"].(string), "admin", `{}`), 400)
	if r := e.call(t, "POST", ext+"/unacquire/jobs/"+jobs[0]["id"].(string), "admin", `{"workerId": "worker-1"}`); r.Status != 204 {
		t.Fatalf("unacquire: %d %s", r.Status, r.Body)
	}
	if got := e.acquire(t, "worker-2", "batch", "PT10M", 5); len(got) != 1 || got[0]["id"] != jobs[0]["id"] {
		t.Fatalf("after unacquiring one: %v", got)
	}
	extErrorShape(t, e.call(t, "POST", ext+"/unacquire/jobs", "admin", `{"tenantId": "x"}`), 400)
	if r := e.call(t, "POST", ext+"/unacquire/jobs", "admin", `{"workerId": "worker-1"}`); r.Status != 204 {
		t.Fatalf("unacquire all: %d %s", r.Status, r.Body)
	}
	if got := e.acquire(t, "worker-3", "batch", "PT10M", 5); len(got) != 2 {
		t.Fatalf("after unacquiring all of worker-1's: %v", got)
	}
}

// TestExternalJobList: the list's filters, paging and sorting, and its bad parameters.
func TestExternalJobList(t *testing.T) {
	e := newTestEnv(t)
	key, inst := e.startExternal(t, "listed")
	e.startExternal(t, "listed")
	deadline := time.Now().Add(10 * time.Second)
	for e.call(t, "GET", ext+"/jobs", "admin", nil).obj(t)["total"] != 2.0 {
		if time.Now().After(deadline) {
			t.Fatal("two jobs never listed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	job := e.waitAcquire(t, "worker-1", "listed", "PT10M")
	id := job["id"].(string)
	count := func(query string) float64 {
		t.Helper()
		r := e.call(t, "GET", ext+"/jobs"+query, "admin", nil)
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", query, r.Status, r.Body)
		}
		return r.obj(t)["total"].(float64)
	}
	for q, want := range map[string]float64{
		"": 2, "?id=" + id: 1, "?id=999": 0, "?id=x": 0,
		"?processInstanceId=" + job["processInstanceId"].(string): 1,
		"?executionId=" + job["executionId"].(string):             1, "?executionId=1": 0,
		"?processDefinitionId=" + key + ":1": 1, "?processDefinitionId=" + key + ":2": 0, "?processDefinitionId=nope": 0,
		"?elementId=task-ext00001": 2, "?elementId=task-other": 0, "?elementName=Check%20stock": 0,
		"?scopeType=bpmn": 2, "?scopeType=cmmn": 0, "?scopeId=1": 0, "?subScopeId=1": 0, "?scopeDefinitionId=x": 0,
		"?tenantId=": 2, "?tenantId=acme": 0, "?withoutTenantId=true": 2, "?tenantIdLike=%25": 2, "?tenantIdLike=a%25": 0,
		"?locked=true": 1, "?unlocked=true": 1, "?locked=true&unlocked=true": 0, "?locked=false": 2,
		"?withException=true": 0, "?withException=false": 2, "?exceptionMessage=x": 0,
		"?unknownParameter=1": 2,
	} {
		if got := count(q); got != want {
			t.Errorf("%s: total %v, want %v", q, got, want)
		}
	}
	_ = inst
	r := e.call(t, "GET", ext+"/jobs?size=1&start=1&sort=createTime&order=desc", "admin", nil).obj(t)
	if r["size"] != 1.0 || r["start"] != 1.0 || r["sort"] != "createTime" || r["order"] != "desc" || r["total"] != 2.0 || len(r["data"].([]any)) != 1 {
		t.Errorf("page %v", r)
	}
	asc := ids(t, e.call(t, "GET", ext+"/jobs?sort=id", "admin", nil))
	desc := ids(t, e.call(t, "GET", ext+"/jobs?sort=id&order=desc", "admin", nil))
	if len(asc) != 2 || len(desc) != 2 || asc[0] != desc[1] || asc[0] > asc[1] && len(asc[0]) == len(asc[1]) {
		t.Errorf("sorted %v, %v", asc, desc)
	}
	if r := e.call(t, "GET", ext+"/jobs?size=0", "admin", nil).obj(t); r["total"] != 2.0 || len(r["data"].([]any)) != 0 {
		t.Errorf("size 0: %v", r)
	}
	for _, q := range []string{"?start=-1", "?size=x", "?sort=priority", "?order=up", "?locked=yes", "?withException=1", "?withoutTenantId=TRUE"} {
		extErrorShape(t, e.call(t, "GET", ext+"/jobs"+q, "admin", nil), 400)
	}
}

// TestExternalJobAuth: credentials (401), roles (403: the worker role or admin only),
// unknown routes (404) and methods (405), all in the API's shape.
func TestExternalJobAuth(t *testing.T) {
	e := newTestEnv(t)
	r := e.call(t, "GET", ext+"/jobs", "", nil)
	extErrorShape(t, r, 401)
	if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Basic ") {
		t.Errorf("WWW-Authenticate %q", r.Header.Get("WWW-Authenticate"))
	}
	extErrorShape(t, e.call(t, "POST", ext+"/acquire/jobs", "Bearer fc_nothing", `{}`), 401)
	for _, u := range []string{"dora", "lisi"} {
		extErrorShape(t, e.call(t, "GET", ext+"/jobs", u, nil), 403)
		extErrorShape(t, e.call(t, "POST", ext+"/acquire/jobs", u, `{"topic": "t", "lockDuration": "PT1M", "workerId": "w"}`), 403)
	}
	extErrorShape(t, e.call(t, "GET", ext+"/nope", "admin", nil), 404)
	extErrorShape(t, e.call(t, "GET", ext, "admin", nil), 404)
	r = e.call(t, "GET", ext+"/acquire/jobs", "admin", nil)
	extErrorShape(t, r, 405)
	if r.Header.Get("Allow") != "POST" {
		t.Errorf("Allow %q", r.Header.Get("Allow"))
	}
	extErrorShape(t, e.call(t, "DELETE", ext+"/jobs/1", "admin", nil), 405)
}

// TestExternalJobWorkerRole: a worker account (password or API token) uses this API;
// it is what the role is for.
func TestExternalJobWorkerRole(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	if _, err := e.st.Identity.CreateUser(ctx, &engine.User{ID: "w1", Name: "Worker", Role: "worker"}, testPassword); err != nil {
		t.Skipf("the worker role is not on this branch yet: %v", err)
	}
	secret, _, err := e.st.Identity.CreateToken(ctx, "w1", "worker-7", 0)
	if err != nil {
		t.Fatal(err)
	}
	e.startExternal(t, "roles")
	for _, auth := range []string{basic("w1"), "Bearer " + secret} {
		if r := e.call(t, "GET", ext+"/jobs", auth, nil); r.Status != 200 {
			t.Fatalf("list as a worker: %d %s", r.Status, r.Body)
		}
		if r := e.call(t, "POST", ext+"/acquire/jobs", auth, `{"topic": "roles", "lockDuration": "PT1M", "workerId": "w"}`); r.Status != 200 {
			t.Fatalf("acquire as a worker: %d %s", r.Status, r.Body)
		}
	}
}

// TestExternalJobOpenAPI: the API's OpenAPI document lists exactly its routes.
func TestExternalJobOpenAPI(t *testing.T) {
	e := newTestEnv(t)
	r := e.call(t, "GET", ext+"/openapi.json", "lisi", nil)
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	doc := r.obj(t)
	if s := doc["servers"].([]any)[0].(map[string]any)["url"]; s != "http://flow.example:8080"+flowable.ExternalPrefix {
		t.Errorf("server url %v", s)
	}
	documented := map[string]bool{}
	for path, item := range doc["paths"].(map[string]any) {
		for method := range item.(map[string]any) {
			documented[strings.ToUpper(method)+" "+flowable.ExternalPrefix+path] = true
		}
	}
	served := map[string]bool{}
	for _, rt := range e.app.GetRoutes(true) {
		if !strings.HasPrefix(rt.Path, flowable.ExternalPrefix+"/") || rt.Method == "HEAD" || rt.Method == "USE" || strings.HasSuffix(rt.Path, "/*") {
			continue
		}
		p := rt.Path
		for _, seg := range []string{":jobId"} {
			p = strings.ReplaceAll(p, seg, "{jobId}")
		}
		served[rt.Method+" "+p] = true
	}
	for k := range served {
		if !documented[k] {
			t.Errorf("undocumented: %s", k)
		}
	}
	for k := range documented {
		if !served[k] {
			t.Errorf("documented, not served: %s", k)
		}
	}
	if len(served) != 10 {
		t.Errorf("%d routes served: %v", len(served), served)
	}
}
