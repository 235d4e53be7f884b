package engine_test

import (
	"context"
	"encoding/json"
	"testing"

	"flowcraft/engine"
)

// TestPayloadAsVariablesApprovalForm: a definition with payloadAsVariables (what the
// BPMN import sets) gets Camunda's and Flowable's variable semantics: the start
// payload's fields become process variables (explicit start variables win), and so do
// an approval's form values when it is decided. Without the flag neither happens.
func TestPayloadAsVariablesApprovalForm(t *testing.T) {
	h := newHarness(t)
	u := h.people()
	flow := func(asVars bool) string {
		ap := task_("ap", "approval", "check").p("assignees", []any{"a"}).
			p("form", []any{map[string]any{"key": "approved", "label": "Approved", "type": "boolean"}})
		d := map[string]any{"name": "bpmn vars", "tasks": []tk{
			task_("start", "manual", "ap"), ap,
			script("check", "return {sawAmount: vars.amount, sawApproved: vars.approved}", "end"),
			task_("end", "end")}}
		d["payloadAsVariables"] = asVars
		b, _ := json.Marshal(d)
		return string(b)
	}
	vars := func(id engine.ID) map[string]any {
		t.Helper()
		v, err := h.rt.Variables(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		name   string
		asVars bool
	}{{"payloadAsVariables", true}, {"without", false}} {
		t.Run(c.name, func(t *testing.T) {
			pid := h.deploy(flow(c.asVars))
			res, err := h.rt.StartInstance(context.Background(), pid, map[string]any{"amount": 5000.0, "who": "payload"},
				engine.StartOptions{By: "tester", Vars: map[string]any{"who": "explicit"}})
			if err != nil {
				t.Fatal(err)
			}
			id := res.Instance.ID
			ts := h.openTasks(id, u["a"])
			if len(ts) != 1 {
				t.Fatalf("a has %d tasks", len(ts))
			}
			if _, err := h.tasks.CompleteTask(context.Background(), u["a"], ts[0].ID,
				engine.TaskInput{Outcome: "approve", Form: map[string]any{"approved": true}}); err != nil {
				t.Fatal(err)
			}
			h.wait(id)
			v := vars(id)
			if c.asVars {
				if v["amount"] != 5000.0 || v["who"] != "explicit" || v["approved"] != true {
					t.Errorf("variables %v: want amount 5000, who explicit, approved true", v)
				}
			} else if v["amount"] != nil || v["approved"] != nil || v["who"] != "explicit" {
				t.Errorf("variables %v: want only who", v)
			}
		})
	}
}
