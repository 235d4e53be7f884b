package camunda_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"flowcraft/engine"
)

// fetchBody is a fetchAndLock body for one topic.
func fetchBody(worker, topic string, extra string) string {
	return fmt.Sprintf(`{"workerId": %q, "maxTasks": 5, "usePriority": true%s, "topics": [{"topicName": %q, "lockDuration": 60000}]}`, worker, extra, topic)
}

// fetchOne fetches the one task of topic as worker, failing unless exactly one comes.
func (e *testEnv) fetchOne(t *testing.T, worker, topic string) map[string]any {
	t.Helper()
	r := e.call(t, "POST", "/external-task/fetchAndLock", e.worker, strings.Replace(fetchBody(worker, topic, ""), `"maxTasks": 5`, `"maxTasks": 1`, 1))
	if r.Status != http.StatusOK {
		t.Fatalf("fetchAndLock: %d %s", r.Status, r.Body)
	}
	l := r.list(t)
	if len(l) != 1 {
		t.Fatalf("fetchAndLock: %d tasks, want 1: %s", len(l), r.Body)
	}
	return l[0].(map[string]any)
}

// TestFetchAndComplete: a fetched task carries Camunda's LockedExternalTaskDto fields
// and the instance's variables in Camunda's typed form; completing it with typed
// variables writes them into the process variables (types kept) and the flow goes on.
func TestFetchAndComplete(t *testing.T) {
	e := newTestEnv(t)
	pid := e.deploy(t, externalDef("charge", "charge"))
	inst := e.start(t, pid, map[string]any{"amount": 42, "customer": "Ada"})
	e.waitJob(t, inst)

	// Nothing for another topic; an immediate answer without asyncResponseTimeout.
	if r := e.call(t, "POST", "/external-task/fetchAndLock", e.worker, fetchBody("w1", "other", "")); r.Status != 200 || string(r.Body) != "[]" {
		t.Fatalf("other topic: %d %s", r.Status, r.Body)
	}
	task := e.fetchOne(t, "w1", "charge")
	for _, k := range []string{"activityId", "activityInstanceId", "errorMessage", "errorDetails", "executionId", "id", "lockExpirationTime",
		"processDefinitionId", "processDefinitionKey", "processDefinitionVersionTag", "processInstanceId", "retries", "suspended", "workerId",
		"topicName", "tenantId", "variables", "priority", "businessKey", "extensionProperties"} {
		if _, ok := task[k]; !ok {
			t.Errorf("locked task lacks %s: %v", k, task)
		}
	}
	if task["workerId"] != "w1" || task["topicName"] != "charge" || task["activityId"] != "task-ext00001" ||
		task["processInstanceId"] != inst.String() || task["processDefinitionKey"] != pid || task["businessKey"] != "order-42" ||
		task["retries"] != nil || task["errorMessage"] != nil || task["suspended"] != false {
		t.Errorf("locked task: %v", task)
	}
	if s, _ := task["lockExpirationTime"].(string); !camundaDate.MatchString(s) {
		t.Errorf("lockExpirationTime %q is not Camunda's date format", s)
	}
	vars, _ := task["variables"].(map[string]any)
	if v, _ := vars["customer"].(map[string]any); v["type"] != "String" || v["value"] != "Ada" {
		t.Errorf("variable customer: %v (all: %v)", v, vars)
	}
	id := task["id"].(string)

	// Another fetch finds nothing: the task is locked.
	if r := e.call(t, "POST", "/external-task/fetchAndLock", e.worker, fetchBody("w2", "charge", "")); string(r.Body) != "[]" {
		t.Fatalf("locked task fetched again: %s", r.Body)
	}
	// The wrong worker: Camunda's 400 RestException (BadUserRequestException).
	camundaError(t, e.call(t, "POST", "/external-task/"+id+"/complete", e.worker, `{"workerId": "w2"}`), 400, "RestException",
		"External Task "+id+" cannot be completed by worker 'w2'. It is locked by worker 'w1'.")

	body := `{"workerId": "w1", "variables": {
		"approved": {"value": true, "type": "Boolean"},
		"total": {"value": 12345678901, "type": "Long"},
		"note": {"value": "paid", "type": "String"},
		"receipt": {"value": "{\"no\": 7, \"lines\": [1, 2]}", "type": "Json"},
		"paidAt": {"value": "2026-01-01T10:00:00.000+0100", "type": "Date"},
		"obj": {"value": "{\"a\": 1}", "type": "Object", "valueInfo": {"objectTypeName": "java.util.HashMap", "serializationDataFormat": "application/json"}},
		"nothing": {"value": null, "type": "Null"},
		"blob": {"value": "aGVsbG8=", "type": "Bytes"},
		"scratch": {"value": "x", "type": "String", "valueInfo": {"transient": true}}}}`
	if r := e.call(t, "POST", "/external-task/"+id+"/complete", e.worker, body); r.Status != http.StatusNoContent {
		t.Fatalf("complete: %d %s", r.Status, r.Body)
	}
	e.waitStatus(t, inst, engine.StatusDone)
	for name, want := range map[string]string{"approved": engine.VarBoolean, "total": engine.VarLong, "note": engine.VarString,
		"receipt": engine.VarJSON, "paidAt": engine.VarDate, "obj": engine.VarJSON, "blob": engine.VarBinary} {
		if v := e.variable(t, inst, name); v.Type != want {
			t.Errorf("variable %s has type %s, want %s", name, v.Type, want)
		}
	}
	if v := e.variable(t, inst, "total"); v.Value != int64(12345678901) {
		t.Errorf("total = %#v", v.Value)
	}
	if v := e.variable(t, inst, "paidAt"); !v.Value.(time.Time).Equal(time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("paidAt = %v", v.Value)
	}
	if v := e.variable(t, inst, "receipt"); fmt.Sprint(v.Value) != "map[lines:[1 2] no:7]" {
		t.Errorf("receipt = %#v", v.Value)
	}
	if _, err := e.st.Runtime.GetVariable(context.Background(), inst, "scratch"); err == nil {
		t.Errorf("a transient variable was kept")
	}
	// The task is gone: completing again or reading it is a 404.
	camundaError(t, e.call(t, "POST", "/external-task/"+id+"/complete", e.worker, `{"workerId": "w1"}`), 404, "RestException", "External task with id "+id+" does not exist")
	camundaError(t, e.call(t, "GET", "/external-task/"+id, e.worker, nil), 404, "RestException", "does not exist")
}

// TestBadInput: every bad request answers Camunda's status and {type, message}.
func TestBadInput(t *testing.T) {
	e := newTestEnv(t)
	pid := e.deploy(t, externalDef("charge", "charge"))
	inst := e.start(t, pid, nil)
	e.waitJob(t, inst)
	id := e.fetchOne(t, "w1", "charge")["id"].(string)

	cases := []struct {
		name, method, path, body string
		status                   int
		typ, msg                 string
	}{
		{"fetch without workerId", "POST", "/external-task/fetchAndLock", `{"maxTasks": 1, "topics": [{"topicName": "charge", "lockDuration": 1000}]}`, 400, "NullValueException", "workerId is null"},
		{"fetch negative maxTasks", "POST", "/external-task/fetchAndLock", `{"workerId": "w", "maxTasks": -1, "topics": []}`, 400, "InvalidRequestException", "maxResults"},
		{"fetch zero lockDuration", "POST", "/external-task/fetchAndLock", `{"workerId": "w", "maxTasks": 1, "topics": [{"topicName": "charge", "lockDuration": 0}]}`, 400, "InvalidRequestException", "lockTime"},
		{"fetch without lockDuration", "POST", "/external-task/fetchAndLock", `{"workerId": "w", "maxTasks": 1, "topics": [{"topicName": "charge"}]}`, 400, "InvalidRequestException", "lockTime"},
		{"fetch lockDuration as text", "POST", "/external-task/fetchAndLock", `{"workerId": "w", "maxTasks": 1, "topics": [{"topicName": "charge", "lockDuration": "1m"}]}`, 400, "MismatchedInputException", "lockDuration"},
		{"fetch without topicName", "POST", "/external-task/fetchAndLock", `{"workerId": "w", "maxTasks": 1, "topics": [{"lockDuration": 1000}]}`, 400, "InvalidRequestException", "topicName"},
		{"fetch unknown topic filter", "POST", "/external-task/fetchAndLock", `{"workerId": "w", "maxTasks": 1, "topics": [{"topicName": "charge", "lockDuration": 1000, "priorityAbove": 3}]}`, 400, "UnrecognizedPropertyException", "priorityAbove"},
		{"fetch unknown property", "POST", "/external-task/fetchAndLock", `{"workerId": "w", "maxTasks": 1, "topics": [], "colour": "red"}`, 400, "UnrecognizedPropertyException", "colour"},
		{"fetch timeout over 30 min", "POST", "/external-task/fetchAndLock", `{"workerId": "w", "maxTasks": 1, "asyncResponseTimeout": 1800001, "topics": []}`, 400, "InvalidRequestException", "1800000"},
		{"fetch process variable filter", "POST", "/external-task/fetchAndLock", `{"workerId": "w", "maxTasks": 1, "topics": [{"topicName": "charge", "lockDuration": 1000, "processVariables": {"a": 1}}]}`, 400, "InvalidRequestException", "processVariables"},
		{"fetch sorting desc", "POST", "/external-task/fetchAndLock", `{"workerId": "w", "maxTasks": 1, "sorting": [{"sortBy": "createTime", "sortOrder": "desc"}], "topics": []}`, 400, "InvalidRequestException", "desc"},
		{"fetch bad JSON", "POST", "/external-task/fetchAndLock", `{"workerId": `, 400, "JsonParseException", "JSON"},
		{"fetch JSON array", "POST", "/external-task/fetchAndLock", `[1]`, 400, "MismatchedInputException", ""},
		{"complete unknown task", "POST", "/external-task/424242/complete", `{"workerId": "w1"}`, 404, "RestException", "External task with id 424242 does not exist"},
		{"complete non-id", "POST", "/external-task/abc/complete", `{"workerId": "w1"}`, 404, "RestException", "External task with id abc does not exist"},
		{"complete wrong worker", "POST", "/external-task/" + id + "/complete", `{"workerId": "w9"}`, 400, "RestException", "cannot be completed by worker 'w9'. It is locked by worker 'w1'."},
		{"complete without worker", "POST", "/external-task/" + id + "/complete", `{}`, 400, "RestException", "workerId is null"},
		{"complete unknown type", "POST", "/external-task/" + id + "/complete", `{"workerId": "w1", "variables": {"x": {"value": 1, "type": "Decimal"}}}`, 400, "InvalidRequestException", "Unsupported value type 'Decimal'"},
		{"complete bad integer", "POST", "/external-task/" + id + "/complete", `{"workerId": "w1", "variables": {"x": {"value": "many", "type": "Integer"}}}`, 400, "InvalidRequestException", "Integer"},
		{"complete bad date", "POST", "/external-task/" + id + "/complete", `{"workerId": "w1", "variables": {"x": {"value": "yesterday", "type": "Date"}}}`, 400, "InvalidRequestException", "Date"},
		{"complete java object", "POST", "/external-task/" + id + "/complete", `{"workerId": "w1", "variables": {"x": {"value": "rO0=", "type": "Object", "valueInfo": {"serializationDataFormat": "application/x-java-serialized-object"}}}}`, 400, "InvalidRequestException", "not supported"},
		{"complete unknown variable field", "POST", "/external-task/" + id + "/complete", `{"workerId": "w1", "variables": {"x": {"value": 1, "kind": "Integer"}}}`, 400, "UnrecognizedPropertyException", "kind"},
		{"failure negative retries", "POST", "/external-task/" + id + "/failure", `{"workerId": "w1", "retries": -1}`, 400, "InvalidRequestException", "retries"},
		{"failure negative timeout", "POST", "/external-task/" + id + "/failure", `{"workerId": "w1", "retries": 1, "retryTimeout": -5}`, 400, "InvalidRequestException", "retry"},
		{"failure unknown task", "POST", "/external-task/424242/failure", `{"workerId": "w1", "retries": 1}`, 404, "RestException", "does not exist"},
		{"failure wrong worker", "POST", "/external-task/" + id + "/failure", `{"workerId": "w9", "retries": 1}`, 400, "RestException", "Failure of External Task " + id + " cannot be reported by worker 'w9'"},
		{"bpmnError without code", "POST", "/external-task/" + id + "/bpmnError", `{"workerId": "w1"}`, 400, "RestException", "errorCode is null"},
		{"bpmnError unknown task", "POST", "/external-task/424242/bpmnError", `{"workerId": "w1", "errorCode": "x"}`, 404, "RestException", "does not exist"},
		{"bpmnError wrong worker", "POST", "/external-task/" + id + "/bpmnError", `{"workerId": "w9", "errorCode": "x"}`, 400, "RestException", "Bpmn error of External Task " + id + " cannot be reported by worker 'w9'"},
		{"extendLock zero", "POST", "/external-task/" + id + "/extendLock", `{"workerId": "w1", "newDuration": 0}`, 400, "RestException", "lockExpirationTime"},
		{"extendLock wrong worker", "POST", "/external-task/" + id + "/extendLock", `{"workerId": "w9", "newDuration": 1000}`, 400, "RestException", "The lock of the External Task " + id + " cannot be extended by worker 'w9'"},
		{"extendLock unknown task", "POST", "/external-task/424242/extendLock", `{"workerId": "w1", "newDuration": 1000}`, 404, "RestException", "does not exist"},
		{"unlock unknown task", "POST", "/external-task/424242/unlock", "", 404, "RestException", "does not exist"},
		{"retries null", "PUT", "/external-task/" + id + "/retries", `{}`, 400, "RestException", "cannot be null"},
		{"retries negative", "PUT", "/external-task/" + id + "/retries", `{"retries": -2}`, 400, "BadUserRequestException", "negative"},
		{"retries unknown task", "PUT", "/external-task/424242/retries", `{"retries": 2}`, 404, "RestException", "does not exist"},
		{"get unknown task", "GET", "/external-task/424242", "", 404, "RestException", "does not exist"},
		{"errorDetails unknown task", "GET", "/external-task/424242/errorDetails", "", 404, "RestException", "does not exist"},
		{"list bad boolean", "GET", "/external-task?locked=yes", "", 400, "InvalidRequestException", "locked"},
		{"list bad sortBy", "GET", "/external-task?sortBy=colour&sortOrder=asc", "", 400, "InvalidRequestException", "sortBy"},
		{"list sortBy alone", "GET", "/external-task?sortBy=id", "", 400, "InvalidRequestException", "sortBy and sortOrder required"},
		{"list bad sortOrder", "GET", "/external-task?sortBy=id&sortOrder=up", "", 400, "InvalidRequestException", "sortOrder"},
		{"list bad firstResult", "GET", "/external-task?firstResult=-1", "", 400, "InvalidRequestException", "firstResult"},
		{"list too many", "GET", "/external-task?maxResults=5000", "", 400, "BadUserRequestException", "Max results limit"},
		{"list bad priority", "GET", "/external-task?priorityHigherThanOrEquals=high", "", 400, "InvalidRequestException", "priorityHigherThanOrEquals"},
		{"count bad boolean", "GET", "/external-task/count?noRetriesLeft=1", "", 400, "InvalidRequestException", "noRetriesLeft"},
		{"query unknown property", "POST", "/external-task", `{"topic": "x"}`, 400, "UnrecognizedPropertyException", "topic"},
		// A worker account may use only /engine-rest/external-task (identity.Admit).
		{"unknown route", "GET", "/process-instance", "", 403, "AuthorizationException", "only the external worker APIs"},
		{"wrong method", "DELETE", "/external-task/" + id, "", 405, "NotAllowedException", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body any
			if c.body != "" {
				body = c.body
			}
			camundaError(t, e.call(t, c.method, c.path, e.worker, body), c.status, c.typ, c.msg)
		})
	}
	// An unknown route elsewhere under /engine-rest is a 404 for an admin.
	camundaError(t, e.call(t, "GET", "/process-instance", "admin", nil), 404, "NotFoundException", "")
	// A body that is not JSON by its type: 415.
	r := e.call(t, "POST", "/external-task/"+id+"/complete", e.worker, nil)
	if r.Status != http.StatusBadRequest { // no body, no content type: {} → workerId is null
		t.Errorf("complete without body: %d %s", r.Status, r.Body)
	}
	camundaError(t, e.call(t, "POST", "/external-task/"+id+"/complete", e.worker, `workerId=w1`, "Content-Type", "text/plain"), 415, "NotSupportedException", "")
	// None of these changed the task: still locked by w1, no retries set.
	j, err := e.st.Runtime.ExternalTasks().Get(context.Background(), mustID(t, id))
	if err != nil || j.WorkerID != "w1" || j.Retries != nil {
		t.Fatalf("task after bad input: %+v %v", j, err)
	}
}

func mustID(t *testing.T, s string) engine.ID {
	t.Helper()
	var id engine.ID
	if _, err := fmt.Sscan(s, (*int64)(&id)); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestAuth: no credentials or bad ones are 401 with a challenge; designers and users
// are 403 (least privilege); a worker (or admin) gets in, also with an API token.
func TestAuth(t *testing.T) {
	e := newTestEnv(t)
	body := fetchBody("w1", "charge", "")
	camundaError(t, e.call(t, "POST", "/external-task/fetchAndLock", "", body), 401, "AuthenticationException", "")
	if r := e.call(t, "POST", "/external-task/fetchAndLock", "", body); r.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("401 without a challenge")
	}
	camundaError(t, e.call(t, "POST", "/external-task/fetchAndLock", "Basic "+"YWRtaW46bm9wZQ==", body), 401, "AuthenticationException", "")
	camundaError(t, e.call(t, "POST", "/external-task/fetchAndLock", "Digest abc", body), 401, "AuthenticationException", "")
	camundaError(t, e.call(t, "POST", "/external-task/fetchAndLock", "Bearer fc_nope", body), 401, "AuthenticationException", "")
	camundaError(t, e.call(t, "POST", "/external-task/fetchAndLock", "dora", body), 403, "AuthorizationException", "worker")
	camundaError(t, e.call(t, "GET", "/external-task", "lisi", nil), 403, "AuthorizationException", "worker")
	for _, who := range []string{"admin", e.worker} {
		if r := e.call(t, "POST", "/external-task/fetchAndLock", who, body); r.Status != 200 {
			t.Errorf("%s: %d %s", who, r.Status, r.Body)
		}
	}
	secret, _, err := e.st.Identity.CreateToken(context.Background(), e.worker, "worker token", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if r := e.call(t, "POST", "/external-task/fetchAndLock", "Bearer "+secret, body); r.Status != 200 {
		t.Errorf("bearer token: %d %s", r.Status, r.Body)
	}
	if r := e.call(t, "POST", "/external-task/fetchAndLock", "Basic "+base64.StdEncoding.EncodeToString([]byte(e.worker+":"+secret)), body); r.Status != 200 && e.worker == "wanda" {
		t.Logf("token as Basic password: %d (identity decides)", r.Status)
	}
	if e.worker != "wanda" {
		t.Log("the worker role is not on this branch yet: worker calls were made as admin")
	}
}

// TestFailureRetriesAndIncident: a failure with retries unlocks the task for another
// try (after retryTimeout) and keeps the error; errorDetails reads the details; a
// failure with no retries left makes an incident (listed by noRetriesLeft); setting
// retries opens it again.
func TestFailureRetriesAndIncident(t *testing.T) {
	e := newTestEnv(t)
	pid := e.deploy(t, externalDef("charge", "charge"))
	inst := e.start(t, pid, nil)
	e.waitJob(t, inst)
	id := e.fetchOne(t, "w1", "charge")["id"].(string)

	if r := e.call(t, "POST", "/external-task/"+id+"/failure", e.worker,
		`{"workerId": "w1", "errorMessage": "down", "errorDetails": "stack\ntrace", "retries": 2, "retryTimeout": 0}`); r.Status != 204 {
		t.Fatalf("failure: %d %s", r.Status, r.Body)
	}
	r := e.call(t, "GET", "/external-task/"+id, e.worker, nil)
	got := r.obj(t)
	if got["retries"] != float64(2) || got["errorMessage"] != "down" {
		t.Fatalf("after failure: %s", r.Body)
	}
	if r := e.call(t, "GET", "/external-task/"+id+"/errorDetails", e.worker, nil); r.Status != 200 || string(r.Body) != "stack\ntrace" ||
		!strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("errorDetails: %d %q %s", r.Status, r.Body, r.Header.Get("Content-Type"))
	}
	// Fetched again (by another worker), with the last error.
	task := e.fetchOne(t, "w2", "charge")
	if task["id"] != id || task["retries"] != float64(2) || task["errorDetails"] != "stack\ntrace" {
		t.Fatalf("refetched: %v", task)
	}
	// No retries left: an incident.
	if r := e.call(t, "POST", "/external-task/"+id+"/failure", e.worker, `{"workerId": "w2", "errorMessage": "still down", "retries": 0}`); r.Status != 204 {
		t.Fatalf("last failure: %d %s", r.Status, r.Body)
	}
	if j := e.waitJobState(t, mustID(t, id), func(j *engine.ExternalJob) bool { return j.State == engine.ExternalIncident }); j.ErrorMessage != "still down" {
		t.Errorf("incident: %+v", j)
	}
	e.waitStatus(t, inst, engine.StatusWaiting) // the task waits on with its incident
	if r := e.call(t, "GET", "/external-task/count?noRetriesLeft=true", e.worker, nil); r.obj(t)["count"] != float64(1) {
		t.Fatalf("incidents: %s", r.Body)
	}
	if r := e.call(t, "POST", "/external-task/fetchAndLock", e.worker, fetchBody("w3", "charge", "")); string(r.Body) != "[]" {
		t.Fatalf("an incident was fetched: %s", r.Body)
	}
	// An admin's retry: retries 1 opens the task again.
	if r := e.call(t, "PUT", "/external-task/"+id+"/retries", "admin", `{"retries": 1}`); r.Status != 204 {
		t.Fatalf("set retries: %d %s", r.Status, r.Body)
	}
	task = e.fetchOne(t, "w3", "charge")
	if r := e.call(t, "POST", "/external-task/"+task["id"].(string)+"/complete", e.worker, `{"workerId": "w3"}`); r.Status != 204 {
		t.Fatalf("complete after retry: %d %s", r.Status, r.Body)
	}
	e.waitStatus(t, inst, engine.StatusDone)
}

// TestBPMNErrorRoutes: a BPMN error with a routed code goes to its target and writes
// the variables sent.
func TestBPMNErrorRoutes(t *testing.T) {
	e := newTestEnv(t)
	pid := e.deploy(t, externalDef("charge", "charge"))
	inst := e.start(t, pid, nil)
	e.waitJob(t, inst)
	id := e.fetchOne(t, "w1", "charge")["id"].(string)
	if r := e.call(t, "POST", "/external-task/"+id+"/bpmnError", e.worker,
		`{"workerId": "w1", "errorCode": "card_declined", "errorMessage": "declined", "variables": {"reason": {"value": "limit", "type": "String"}}}`); r.Status != 204 {
		t.Fatalf("bpmnError: %d %s", r.Status, r.Body)
	}
	v := e.waitStatus(t, inst, engine.StatusDone)
	if v.EndTaskInstID != "" && v.EndTaskInstID != "task-declined" {
		t.Errorf("ended at %s, want task-declined", v.EndTaskInstID)
	}
	if got := e.variable(t, inst, "reason"); got.Value != "limit" {
		t.Errorf("reason = %v", got.Value)
	}
}

// TestLockExtendUnlockAndQueries: extendLock moves the expiry; unlock frees the task;
// the list, count and single reads answer Camunda's ExternalTaskDto with filters.
func TestLockExtendUnlockAndQueries(t *testing.T) {
	e := newTestEnv(t)
	pid := e.deploy(t, externalDef("charge", "charge"))
	var insts []engine.ID
	for range 3 {
		inst := e.start(t, pid, nil)
		e.waitJob(t, inst)
		insts = append(insts, inst)
	}
	id := e.fetchOne(t, "w1", "charge")["id"].(string)
	_ = e.call(t, "POST", "/external-task/fetchAndLock", e.worker, `{"workerId": "w1", "maxTasks": 0, "topics": [{"topicName": "charge", "lockDuration": 1000}]}`)
	before := e.call(t, "GET", "/external-task/"+id, e.worker, nil).obj(t)["lockExpirationTime"].(string)
	if r := e.call(t, "POST", "/external-task/"+id+"/extendLock", e.worker, `{"workerId": "w1", "newDuration": 3600000}`); r.Status != 204 {
		t.Fatalf("extendLock: %d %s", r.Status, r.Body)
	}
	after := e.call(t, "GET", "/external-task/"+id, e.worker, nil).obj(t)["lockExpirationTime"].(string)
	tb, _ := time.Parse("2006-01-02T15:04:05.000-0700", before)
	ta, _ := time.Parse("2006-01-02T15:04:05.000-0700", after)
	if !ta.After(tb) {
		t.Errorf("lock expiry %s → %s", before, after)
	}

	count := func(q string) float64 {
		t.Helper()
		r := e.call(t, "GET", "/external-task/count"+q, e.worker, nil)
		if r.Status != 200 {
			t.Fatalf("count%s: %d %s", q, r.Status, r.Body)
		}
		return r.obj(t)["count"].(float64)
	}
	for q, want := range map[string]float64{"": 3, "?locked=true": 1, "?notLocked=true": 2, "?locked=false": 3, "?workerId=w1": 1,
		"?topicName=charge": 3, "?topicName=other": 0, "?processInstanceId=" + insts[1].String(): 1, "?processDefinitionId=" + pid: 3,
		"?activityId=task-ext00001": 3, "?withRetriesLeft=true": 3, "?noRetriesLeft=true": 0, "?externalTaskId=" + id: 1,
		"?externalTaskIdIn=" + id + ",1": 1, "?priorityHigherThanOrEquals=1": 0, "?priorityLowerThanOrEquals=0": 3, "?suspended=true": 0} {
		if got := count(q); got != want {
			t.Errorf("count%s = %v, want %v", q, got, want)
		}
	}
	r := e.call(t, "GET", "/external-task?sortBy=id&sortOrder=desc&firstResult=1&maxResults=1", e.worker, nil)
	l := r.list(t)
	if r.Status != 200 || len(l) != 1 {
		t.Fatalf("list page: %d %s", r.Status, r.Body)
	}
	dto := l[0].(map[string]any)
	for _, k := range []string{"activityId", "activityInstanceId", "errorMessage", "executionId", "id", "lockExpirationTime", "processDefinitionId",
		"processDefinitionKey", "processInstanceId", "tenantId", "retries", "suspended", "workerId", "topicName", "priority", "businessKey"} {
		if _, ok := dto[k]; !ok {
			t.Errorf("ExternalTaskDto lacks %s: %v", k, dto)
		}
	}
	if r := e.call(t, "POST", "/external-task/count", e.worker, `{"locked": true, "sorting": [{"sortBy": "id", "sortOrder": "asc"}]}`); r.obj(t)["count"] != float64(1) {
		t.Errorf("POST count: %s", r.Body)
	}
	if r := e.call(t, "POST", "/external-task?maxResults=2", e.worker, `{"topicName": "charge", "sorting": [{"sortBy": "createTime", "sortOrder": "asc"}]}`); len(r.list(t)) != 2 {
		t.Errorf("POST query: %s", r.Body)
	}

	if r := e.call(t, "POST", "/external-task/"+id+"/unlock", e.worker, nil); r.Status != 204 {
		t.Fatalf("unlock: %d %s", r.Status, r.Body)
	}
	if got := count("?locked=true"); got != 0 {
		t.Errorf("locked after unlock: %v", got)
	}
	// Completing after the unlock: the worker no longer holds the lock.
	camundaError(t, e.call(t, "POST", "/external-task/"+id+"/complete", e.worker, `{"workerId": "w1"}`), 400, "RestException", "It is locked by worker 'null'.")
}

// TestLongPolling: a fetch with asyncResponseTimeout waits for a task created after it
// began and answers with it; without one it answers []; a poll in flight ends with
// Camunda's shutdown error when the API closes.
func TestLongPolling(t *testing.T) {
	e := newTestEnv(t)
	pid := e.deploy(t, externalDef("charge", "charge"))
	base := e.listen(t)
	type result struct {
		status int
		body   string
	}
	poll := func(worker string, timeoutMs int) <-chan result {
		ch := make(chan result, 1)
		go func() {
			req, _ := http.NewRequest("POST", base+"/external-task/fetchAndLock",
				strings.NewReader(fetchBody(worker, "charge", fmt.Sprintf(`, "asyncResponseTimeout": %d`, timeoutMs))))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", basic(e.worker))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				ch <- result{status: -1, body: err.Error()}
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			ch <- result{resp.StatusCode, string(b)}
		}()
		return ch
	}
	waiting := poll("w1", 60000)
	select {
	case r := <-waiting:
		t.Fatalf("the poll answered before any task existed: %d %s", r.status, r.body)
	case <-time.After(300 * time.Millisecond):
	}
	inst := e.start(t, pid, nil)
	select {
	case r := <-waiting:
		if r.status != 200 || !strings.Contains(r.body, `"processInstanceId":"`+inst.String()+`"`) {
			t.Fatalf("long poll: %d %s", r.status, r.body)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the long poll did not receive the task")
	}

	// Shutdown: polls in flight end with Camunda's 500.
	var wg sync.WaitGroup
	inflight := poll("w2", 60000)
	wg.Add(1)
	go func() { defer wg.Done(); time.Sleep(200 * time.Millisecond); e.api.Close() }()
	select {
	case r := <-inflight:
		if r.status != 500 || !strings.Contains(r.body, "Request rejected due to shutdown of application server.") {
			t.Fatalf("poll at shutdown: %d %s", r.status, r.body)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("closing the API did not end the poll")
	}
	wg.Wait()
}

// TestFetchVariablesFilter: topics' variables lists choose what comes back (null: all,
// []: none), and the process filters select tasks: a key that is not the process's
// matches nothing; a version tag (flowcraft has none) matches nothing.
func TestFetchVariablesFilter(t *testing.T) {
	e := newTestEnv(t)
	pid := e.deploy(t, externalDef("charge", "charge"))
	for range 3 {
		e.waitJob(t, e.start(t, pid, map[string]any{"a": 1, "b": "x"}))
	}
	fetch := func(topic string) []any {
		t.Helper()
		r := e.call(t, "POST", "/external-task/fetchAndLock", e.worker, `{"workerId": "w", "maxTasks": 1, "topics": [`+topic+`]}`)
		if r.Status != 200 {
			t.Fatalf("fetch %s: %d %s", topic, r.Status, r.Body)
		}
		return r.list(t)
	}
	if l := fetch(`{"topicName": "charge", "lockDuration": 1000, "processDefinitionKey": "proc-other"}`); len(l) != 0 {
		t.Errorf("another process's key fetched %v", l)
	}
	if l := fetch(`{"topicName": "charge", "lockDuration": 1000, "processDefinitionVersionTag": "v1"}`); len(l) != 0 {
		t.Errorf("a version tag fetched %v", l)
	}
	if l := fetch(`{"topicName": "charge", "lockDuration": 1000, "processDefinitionId": "` + pid + `", "variables": ["b"]}`); len(l) != 1 ||
		fmt.Sprint(l[0].(map[string]any)["variables"]) != "map[b:map[type:String value:x valueInfo:map[]]]" {
		t.Errorf("variables [b]: %v", l)
	}
	if l := fetch(`{"topicName": "charge", "lockDuration": 1000, "variables": []}`); len(l) != 1 || len(l[0].(map[string]any)["variables"].(map[string]any)) != 0 {
		t.Errorf("variables []: %v", l)
	}
	if l := fetch(`{"topicName": "charge", "lockDuration": 1000}`); len(l) != 1 {
		t.Errorf("all variables: %v", l)
	} else if v := l[0].(map[string]any)["variables"].(map[string]any); fmt.Sprint(v["a"]) != "map[type:Integer value:1 valueInfo:map[]]" {
		t.Errorf("variables (all): %v", v)
	}
	// errorDetails of a task without a failure: 204.
	id := l0id(t, e)
	if r := e.call(t, "GET", "/external-task/"+id+"/errorDetails", e.worker, nil); r.Status != 204 {
		t.Errorf("errorDetails without a failure: %d %s", r.Status, r.Body)
	}
}

func l0id(t *testing.T, e *testEnv) string {
	t.Helper()
	r := e.call(t, "GET", "/external-task?maxResults=1", e.worker, nil)
	l := r.list(t)
	if len(l) == 0 {
		t.Fatalf("no tasks: %s", r.Body)
	}
	return l[0].(map[string]any)["id"].(string)
}

// TestErrorsBeforeRouting: a body over the server's limit, refused before any handler
// runs, still answers Camunda's error shape (web.Config.PrefixErrors).
func TestErrorsBeforeRouting(t *testing.T) {
	e := newTestEnv(t)
	base := e.listen(t)
	host := strings.TrimPrefix(strings.TrimSuffix(base, prefix), "http://")
	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Minute))
	fmt.Fprintf(conn, "POST %s/external-task/fetchAndLock HTTP/1.1\r\nHost: %s\r\nAuthorization: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
		prefix, host, basic(e.worker), 300<<10)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	camundaError(t, reply{Status: resp.StatusCode, Header: resp.Header, Body: b}, http.StatusRequestEntityTooLarge, "InvalidRequestException", "")
}
