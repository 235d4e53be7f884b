package web_test

import (
	"net/http"
	"testing"
)

// TestBPMNCamunda7EndToEnd is issue 17's acceptance test: a model written the way
// Camunda Modeler 7 writes it (bpmn: prefix, camunda: extensions, DI, two pools)
// with a script task calling execution.setVariable, an exclusive gateway with a JUEL
// condition and a default flow, a user task with camunda:assignee and
// camunda:formData fields, a timer catch event and a call activity to the second
// process of the file is imported through POST /api/process/import, started through
// the REST API with a payload, its user task completed through the inbox API, and
// the instance ends done with the variables the model sets, after its timer and the
// called process (a child instance that ended done). The process's candidate starters
// (camunda:candidateStarterUsers/Groups) are applied. A small amount takes the default
// flow and ends without a task.
func TestBPMNCamunda7EndToEnd(t *testing.T) {
	e := newTestEnv(t)
	r := e.call(t, "POST", "/api/process/import?strict=true", "dora", bpmnFile(t, "camunda7-loan.bpmn"), "Content-Type", "application/xml")
	if r.Status != http.StatusCreated {
		t.Fatalf("import: %d %s", r.Status, r.Body)
	}
	var got struct{ Response importAnswer }
	decodeReply(t, r.Body, &got)
	if len(got.Response.Processes) != 2 || got.Response.Processes[0].BPMNID != "Process_Loan" || got.Response.Processes[1].BPMNID != "Process_Notify" {
		t.Fatalf("processes %s", r.Body)
	}
	loan := got.Response.Processes[0].ID
	if def := e.definition(t, loan); def["name"] != "Loan request" || def["historyTimeToLive"] != 30.0 {
		t.Errorf("definition: name %v, historyTimeToLive %v", def["name"], def["historyTimeToLive"])
	}

	st := e.call(t, "GET", "/api/process/"+loan+"/starters", "dora", nil)
	if st.Status != http.StatusOK || jsonText(t, st.json(t)["response"].(map[string]any)["list"]) != `[{"userId":"dora"},{"groupId":"loans"}]` {
		t.Errorf("candidate starters: %d %s", st.Status, st.Body)
	}
	if r := e.call(t, "POST", "/api/process/"+loan, "lisi", map[string]any{"amount": 1.0}); r.Status != http.StatusForbidden {
		t.Errorf("lisi, no candidate starter, starts: %d %s", r.Status, r.Body)
	}

	start := func(amount float64) string {
		t.Helper()
		r := e.call(t, "POST", "/api/process/"+loan, "dora", map[string]any{"amount": amount, "applicant": "张三"})
		if r.Status != http.StatusCreated {
			t.Fatalf("start: %d %s", r.Status, r.Body)
		}
		return r.json(t)["response"].(map[string]any)["id"].(string)
	}
	variables := func(id string) map[string]any {
		t.Helper()
		r := e.call(t, "GET", "/api/processInst/"+id+"/variables", "admin", nil)
		if r.Status != http.StatusOK {
			t.Fatalf("variables: %d %s", r.Status, r.Body)
		}
		return r.json(t)["response"].(map[string]any)
	}

	t.Run("high risk: review in the inbox, wait, notify", func(t *testing.T) {
		id := start(5000)
		task := e.taskOf(t, "lisi", id)
		if task["name"] != "Review the request" || task["processId"] != loan {
			t.Errorf("task %v", task)
		}
		tid := task["id"].(string)
		detail := e.call(t, "GET", "/api/taskInst/"+tid, "lisi", nil)
		if detail.Status != http.StatusOK {
			t.Fatalf("task: %d %s", detail.Status, detail.Body)
		}
		fields := map[string]bool{}
		for _, f := range detail.json(t)["response"].(map[string]any)["form"].([]any) {
			fields[f.(map[string]any)["key"].(string)] = true
		}
		if !fields["approved"] || !fields["note"] {
			t.Errorf("form fields %v, want approved and note", fields)
		}
		if r := e.call(t, "POST", "/api/taskInst/"+tid, "lisi", map[string]any{"approved": true, "note": "fine"}); r.Status != http.StatusOK {
			t.Fatalf("complete: %d %s", r.Status, r.Body)
		}
		inst := e.instance(t, id, "done")
		ran := map[string]string{}
		for _, x := range inst["tasks"].([]any) {
			task := x.(map[string]any)
			ran[task["name"].(string)], _ = task["status"].(string)
		}
		if ran["Cooling-off"] != "done" || ran["Notify the applicant"] != "done" {
			t.Errorf("the timer and the call activity: %v", ran)
		}
		children := e.call(t, "GET", "/api/processInst?parent="+id, "admin", nil).json(t)["response"].(map[string]any)["list"].([]any)
		if len(children) != 1 || children[0].(map[string]any)["processId"] != got.Response.Processes[1].ID || children[0].(map[string]any)["status"] != "done" {
			t.Errorf("the called process's instance: %v", children)
		}
		v := variables(id)
		for k, want := range map[string]any{"amount": 5000.0, "applicant": "张三", "risk": "high", "reviewer": "lisi", "approved": true, "note": "fine"} {
			if v[k] != want {
				t.Errorf("variable %s = %#v, want %#v (all: %v)", k, v[k], want, v)
			}
		}
	})

	t.Run("low risk: the default flow", func(t *testing.T) {
		id := start(10)
		e.instance(t, id, "done")
		v := variables(id)
		if v["risk"] != "low" || v["approved"] != nil {
			t.Errorf("variables %v", v)
		}
		for _, task := range e.inbox(t, "lisi", "") {
			if task["processInstId"] == id {
				t.Errorf("the default flow made a task: %v", task)
			}
		}
	})
}
