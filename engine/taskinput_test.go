package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"flowcraft/engine"
)

// TestTaskInputFlatJSON: the submit body is the seed's flat object: outcome and
// comment are reserved keys, every other key is a form value.
func TestTaskInputFlatJSON(t *testing.T) {
	var in engine.TaskInput
	if err := json.Unmarshal([]byte(`{"outcome": "approve", "comment": "好", "days": 3, "reason": "家中有事", "urgent": true}`), &in); err != nil {
		t.Fatal(err)
	}
	want := engine.TaskInput{Outcome: "approve", Comment: "好", Form: map[string]any{"days": 3.0, "reason": "家中有事", "urgent": true}}
	if !reflect.DeepEqual(in, want) {
		t.Fatalf("decoded %+v, want %+v", in, want)
	}
	b, _ := json.Marshal(in)
	var flat map[string]any
	json.Unmarshal(b, &flat)
	if !reflect.DeepEqual(flat, map[string]any{"outcome": "approve", "comment": "好", "days": 3.0, "reason": "家中有事", "urgent": true}) {
		t.Errorf("encoded %s", b)
	}
	var bare engine.TaskInput
	if err := json.Unmarshal([]byte(`{"outcome": "reject", "comment": null}`), &bare); err != nil || bare.Outcome != "reject" || bare.Comment != "" || bare.Form != nil {
		t.Errorf("without form values: %+v %v", bare, err)
	}
	for _, body := range []string{`{"outcome": 1}`, `{"outcome": "approve", "comment": {"text": "x"}}`} {
		var bad engine.TaskInput
		var te *json.UnmarshalTypeError
		if err := json.Unmarshal([]byte(body), &bad); !errors.As(err, &te) || (te.Field != "outcome" && te.Field != "comment") {
			t.Errorf("%s: %v, want a type error naming the reserved key", body, err)
		}
	}
}

// TestCompleteTaskFlatForm: the form values of the flat body are checked against the
// task's form (problems on the field's own key, one per unknown key) and reach the
// approval's output.
func TestCompleteTaskFlatForm(t *testing.T) {
	h := newHarness(t)
	u := h.people()
	form := []any{
		map[string]any{"key": "days", "type": "number", "required": true},
		map[string]any{"key": "reason", "type": "text"},
	}
	id := h.start(h.deploy(approvalFlow(map[string]any{"assignees": []any{"a"}, "form": form})), nil)
	ts := h.openTasks(id, u["a"])
	if len(ts) != 1 {
		t.Fatalf("%d tasks", len(ts))
	}
	ctx := context.Background()
	_, err := h.tasks.CompleteTask(ctx, u["a"], ts[0].ID, engine.TaskInput{Outcome: "approve",
		Form: map[string]any{"reason": "ok", "daze": 2.0, "form": map[string]any{"days": 2.0}}})
	var ve *engine.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("unknown keys: %v", err)
	}
	got := map[string]engine.Code{}
	for _, p := range ve.Problems {
		got[p.Field] = p.Code
	}
	if !reflect.DeepEqual(got, map[string]engine.Code{"days": engine.CodeRequired, "daze": engine.CodeUnknownField, "form": engine.CodeUnknownField}) {
		t.Fatalf("problems %+v", ve.Problems)
	}
	if _, err := h.tasks.CompleteTask(ctx, u["a"], ts[0].ID, engine.TaskInput{Outcome: "approve", Comment: "同意",
		Form: map[string]any{"days": 2.0, "reason": "ok"}}); err != nil {
		t.Fatal(err)
	}
	v := h.wait(id)
	out := v.Output.(map[string]any)
	if out["outcome"] != "approve" || out["comment"] != "同意" || !reflect.DeepEqual(out["form"], map[string]any{"days": 2.0, "reason": "ok"}) {
		t.Errorf("approval output %v", out)
	}
}

// TestApprovalRefusesReservedFormKeyAtRunTime: a form computed at run time cannot
// name a field outcome or comment either: the approval fails instead of waiting for
// a value nobody can submit.
func TestApprovalRefusesReservedFormKeyAtRunTime(t *testing.T) {
	h := newHarness(t)
	h.people()
	id := h.start(h.deploy(approvalFlow(map[string]any{"assignees": []any{"a"},
		"form": "{{ [{key: 'comment', type: 'textarea'}] }}"})), nil)
	v := h.wait(id)
	if v.Status != engine.StatusFailed || !strings.Contains(v.Error, `"comment"`) {
		t.Fatalf("instance %s: %s", v.Status, v.Error)
	}
}

// TestValidationRefusesReservedFormKey: a definition whose approval form has a field
// named outcome or comment is refused with a coded problem.
func TestValidationRefusesReservedFormKey(t *testing.T) {
	h := newHarness(t)
	var p engine.Process
	src := approvalFlow(map[string]any{"assignees": []any{"a"}, "form": []any{map[string]any{"key": "outcome", "type": "text"}}})
	if err := json.Unmarshal([]byte(src), &p); err != nil {
		t.Fatal(err)
	}
	_, err := h.defs.Create(context.Background(), &p, "tester")
	var ve *engine.ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].Code != engine.CodeReservedFormKey ||
		ve.Problems[0].Params["key"] != "outcome" || ve.Problems[0].TaskID != "ap" {
		t.Fatalf("create: %v", err)
	}
}

// TestValidationOfErrorRoutes: error routes need known targets and distinct codes, and
// a route's target counts as reached (a task only an error leads to is not unreachable).
func TestValidationOfErrorRoutes(t *testing.T) {
	h := newHarness(t)
	create := func(routes []any) error {
		var p engine.Process
		src := def("routes",
			task_("t", "manual", "s"),
			script("s", "return 1", "e").set("errorHandler", map[string]any{"routes": routes}),
			script("onErr", "return 2", "e"),
			task_("e", "end"))
		if err := json.Unmarshal([]byte(src), &p); err != nil {
			t.Fatal(err)
		}
		_, err := h.defs.Create(context.Background(), &p, "tester")
		return err
	}
	if err := create([]any{map[string]any{"errorCode": "E1", "target": "onErr"}}); err != nil {
		t.Fatalf("a routed-only task must count as reached: %v", err)
	}
	for name, c := range map[string]struct {
		routes []any
		code   engine.Code
	}{
		"unknown target": {[]any{map[string]any{"errorCode": "E1", "target": "nope"}}, engine.CodeUnknownTask},
		"no target":      {[]any{map[string]any{"errorCode": "E1"}}, engine.CodeRequired},
		"code twice": {[]any{map[string]any{"errorCode": "E1", "target": "onErr"},
			map[string]any{"errorCode": "E1", "target": "e"}}, engine.CodeDuplicate},
	} {
		var ve *engine.ValidationError
		if err := create(c.routes); !errors.As(err, &ve) || !hasCode(ve, c.code) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func hasCode(ve *engine.ValidationError, code engine.Code) bool {
	for _, p := range ve.Problems {
		if p.Code == code {
			return true
		}
	}
	return false
}
