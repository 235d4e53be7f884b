package web_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// leaveWithForm is examples/leave-approval.json whose manager approval also asks who
// takes over the work (form field handover).
func leaveWithForm(t *testing.T) map[string]any {
	var def map[string]any
	if err := json.Unmarshal(example(t, "leave-approval.json"), &def); err != nil {
		t.Fatal(err)
	}
	for _, tk := range def["tasks"].([]any) {
		if tm := tk.(map[string]any); tm["instId"] == "task-mgr00001" {
			tm["parameters"].(map[string]any)["form"] = map[string]any{"value": []any{
				map[string]any{"key": "handover", "label": map[string]any{"zh": "工作交接人", "en": "Handover to"}, "type": "text", "required": true}}}
		}
	}
	return def
}

// TestLeaveApprovalFlatSubmit runs the leave approval end to end through the API with
// the seed's flat submit body: examples/leave-approval.json with outcome and comment,
// and a copy whose approval has a form with its field key (handover) beside them. The
// approval's runtime shows its resolved parameters as input and the data that reached
// it as incoming.
func TestLeaveApprovalFlatSubmit(t *testing.T) {
	e, pid := leaveEnv(t)
	id := e.startLeave(t, pid, 2)
	tid := e.taskOf(t, "lisi", id)["id"].(string)
	if r := e.call(t, "POST", "/api/taskInst/"+tid, "lisi", map[string]any{"outcome": "approve", "comment": "同意"}); r.Status != http.StatusOK {
		t.Fatalf("flat submit: %d %s", r.Status, r.Body)
	}
	if out := e.instance(t, id, "done")["output"].(map[string]any); out["approved"] != true || out["days"] != float64(2) {
		t.Errorf("output %v", out)
	}

	pid = e.createProcess(t, leaveWithForm(t))
	id = e.startLeave(t, pid, 2)
	tid = e.taskOf(t, "lisi", id)["id"].(string)
	task := e.call(t, "GET", "/api/taskInst/"+tid, "lisi", nil).json(t)["response"].(map[string]any)
	if form, _ := task["form"].([]any); len(form) != 1 || form[0].(map[string]any)["key"] != "handover" {
		t.Fatalf("task form %v", task["form"])
	}
	r := e.call(t, "POST", "/api/taskInst/"+tid, "lisi", map[string]any{"outcome": "approve", "comment": "同意"})
	if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), `"field":"handover"`) {
		t.Fatalf("without the required handover: %d %s", r.Status, r.Body)
	}
	r = e.call(t, "POST", "/api/taskInst/"+tid, "lisi", map[string]any{"outcome": "approve", "comment": "同意", "handover": "王五"})
	if r.Status != http.StatusOK {
		t.Fatalf("flat submit: %d %s", r.Status, r.Body)
	}
	done := r.json(t)["response"].(map[string]any)
	if done["status"] != "done" || done["outcome"] != "approve" || done["comment"] != "同意" ||
		!reflect.DeepEqual(done["formData"], map[string]any{"handover": "王五"}) {
		t.Errorf("completed task %v", done)
	}
	inst := e.instance(t, id, "done")
	if out := inst["output"].(map[string]any); out["approved"] != true || out["days"] != float64(2) {
		t.Errorf("output %v", out)
	}
	for _, tk := range inst["tasks"].([]any) {
		tm := tk.(map[string]any)
		if tm["instId"] != "task-mgr00001" {
			continue
		}
		rt := tm["runtimes"].([]any)[0].(map[string]any)
		out := rt["output"].(map[string]any)
		if out["outcome"] != "approve" || out["comment"] != "同意" || !reflect.DeepEqual(out["form"], map[string]any{"handover": "王五"}) {
			t.Errorf("approval output %v", out)
		}
		in := rt["input"].(map[string]any)
		if in["content"] != "张三 请假 2 天：家事" || !reflect.DeepEqual(in["assignees"], []any{"lisi"}) || in["mode"] != "any" {
			t.Errorf("approval runtime input (its resolved parameters) %v", in)
		}
		if !reflect.DeepEqual(rt["incoming"], map[string]any{"days": float64(2), "long": false}) {
			t.Errorf("approval runtime incoming %v", rt["incoming"])
		}
	}
}

// TestTaskSubmitRefusesUnknownKeys: every key of the flat body that is neither a form
// field nor outcome/comment is a coded problem of its own; the old nested shape is
// one of them ("form"); a reserved key of the wrong type is a wrong_type. Nothing is
// completed.
func TestTaskSubmitRefusesUnknownKeys(t *testing.T) {
	e, pid := leaveEnv(t)
	id := e.startLeave(t, pid, 1)
	tid := e.taskOf(t, "lisi", id)["id"].(string)
	r := e.call(t, "POST", "/api/taskInst/"+tid, "lisi", map[string]any{"outcome": "approve", "handover": "王五", "key1": "value1",
		"form": map[string]any{"handover": "王五"}})
	if r.Status != http.StatusBadRequest {
		t.Fatalf("unknown keys: %d %s", r.Status, r.Body)
	}
	var fields []string
	for _, x := range r.json(t)["errors"].([]any) {
		p := x.(map[string]any)
		if p["code"] != "unknown_field" || p["params"].(map[string]any)["field"] != p["field"] {
			t.Errorf("problem %v", p)
		}
		fields = append(fields, p["field"].(string))
	}
	sort.Strings(fields)
	if !reflect.DeepEqual(fields, []string{"form", "handover", "key1"}) {
		t.Errorf("problems on %v, want form, handover and key1 (the example's approval has no form)", fields)
	}
	r = e.call(t, "POST", "/api/taskInst/"+tid, "lisi", map[string]any{"outcome": true})
	if m := r.json(t); r.Status != http.StatusBadRequest || m["code"] != "wrong_type" || m["params"].(map[string]any)["field"] != "outcome" {
		t.Errorf("outcome true: %d %s", r.Status, r.Body)
	}
	r = e.call(t, "POST", "/api/taskInst/"+tid, "lisi", `["approve"]`)
	if r.Status != http.StatusBadRequest {
		t.Errorf("an array body: %d %s", r.Status, r.Body)
	}
	if got := e.taskOf(t, "lisi", id); got["status"] != "open" {
		t.Errorf("task after refused submits: %v", got["status"])
	}
}

// TestReservedFormKeyRefused: a definition whose approval form names a field outcome
// or comment is refused at validation with a coded problem.
func TestReservedFormKeyRefused(t *testing.T) {
	e := newTestEnv(t)
	def := map[string]any{"name": "Bad form", "tasks": []any{
		map[string]any{"instId": "task-start001", "template": "manual", "connections": []any{map[string]any{"to": "task-ap000001"}}},
		map[string]any{"instId": "task-ap000001", "template": "approval", "connections": []any{map[string]any{"to": "task-end00001"}},
			"parameters": map[string]any{"assignees": map[string]any{"value": []any{"lisi"}},
				"form": map[string]any{"value": []any{map[string]any{"key": "comment", "type": "textarea"}}}}},
		map[string]any{"instId": "task-end00001", "template": "end"},
	}}
	r := e.call(t, "POST", "/api/process", "admin", def)
	if r.Status != http.StatusBadRequest {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	errs := r.json(t)["errors"].([]any)
	p := errs[0].(map[string]any)
	if len(errs) != 1 || p["code"] != "reserved_form_key" || p["taskId"] != "task-ap000001" || p["field"] != "parameters.form" ||
		p["params"].(map[string]any)["key"] != "comment" {
		t.Errorf("problems %v", errs)
	}
}

// TestSeedSubmitBodyWithoutOutcome: the seed's example body has form values only
// ({"key1": "value1", "key2": "value2"}): it completes the task with its first
// outcome, the one that passes.
func TestSeedSubmitBodyWithoutOutcome(t *testing.T) {
	e, _ := leaveEnv(t)
	def := leaveWithForm(t)
	for _, tk := range def["tasks"].([]any) {
		if tm := tk.(map[string]any); tm["instId"] == "task-mgr00001" {
			tm["parameters"].(map[string]any)["form"] = map[string]any{"value": []any{
				map[string]any{"key": "key1", "type": "text"}, map[string]any{"key": "key2", "type": "text"}}}
		}
	}
	pid := e.createProcess(t, def)
	id := e.startLeave(t, pid, 1)
	tid := e.taskOf(t, "lisi", id)["id"].(string)
	r := e.call(t, "POST", "/api/taskInst/"+tid, "lisi", `{"key1": "value1", "key2": "value2"}`)
	if r.Status != http.StatusOK {
		t.Fatalf("the seed's body: %d %s", r.Status, r.Body)
	}
	done := r.json(t)["response"].(map[string]any)
	if done["outcome"] != "approve" || !reflect.DeepEqual(done["formData"], map[string]any{"key1": "value1", "key2": "value2"}) {
		t.Errorf("completed task %v", done)
	}
	if out := e.instance(t, id, "done")["output"].(map[string]any); out["approved"] != true {
		t.Errorf("output %v", out)
	}
}
