package engine_test

import (
	"context"
	"strings"
	"testing"

	"flowcraft/engine"
)

// scriptErrFlow: start → pay (a script with code and errorHandler eh) → end, and
// declined (a handler that returns what it received) → end.
func scriptErrFlow(code string, eh map[string]any) string {
	pay := script("pay", code, "end")
	if eh != nil {
		pay.set("errorHandler", eh)
	}
	return def("script-error",
		task_("start", "manual", "pay"),
		pay,
		script("declined", "return {got: input, by: nodes.pay ? 'pay' : ''}", "end"),
		task_("end", "end"),
	)
}

// TestScriptBusinessErrorRouted: a script that throws {errorCode, errorMessage} (or an
// Error with an errorCode) follows errorHandler.routes like an external task's BPMN
// error: the target receives {errorCode, errorMessage}, and the task is not retried.
func TestScriptBusinessErrorRouted(t *testing.T) {
	h := newHarness(t)
	eh := map[string]any{"retry": 2, "routes": []any{map[string]any{"errorCode": "CARD_DECLINED", "target": "declined"}}}
	for _, code := range []string{
		`throw {errorCode: "CARD_DECLINED", errorMessage: "card ending 42 declined"}`,
		`const e = new Error("card ending 42 declined"); e.errorCode = "CARD_DECLINED"; throw e`,
		// in a function the script calls, after it wrote a variable
		"vars.tried = true;\nfunction charge() { throw {errorCode: 'CARD_DECLINED', errorMessage: 'card ending 42 declined'}; }\ncharge();",
	} {
		pid := h.deploy(scriptErrFlow(code, eh))
		v := h.run(pid, map[string]any{"amount": 10})
		if v.Status != engine.StatusDone {
			t.Fatalf("%s: status %s %s", code, v.Status, v.Error)
		}
		pay := task(v, "pay").Runtimes
		if len(pay) != 1 || pay[0].Status != engine.StatusFailed || pay[0].Error != "BPMN error CARD_DECLINED: card ending 42 declined" {
			t.Fatalf("%s: the failed task: %d runtimes, %+v", code, len(pay), pay[0])
		}
		got := task(v, "declined").Runtimes
		if len(got) != 1 {
			t.Fatalf("%s: declined ran %d times", code, len(got))
		}
		jsonEq(t, got[0].Output.(map[string]any)["got"], map[string]any{"errorCode": "CARD_DECLINED", "errorMessage": "card ending 42 declined"})
	}
}

// TestScriptBusinessErrorUnrouted: a coded error without a matching route fails the
// task with its message and the strategy applies (fail, goto), without retries.
func TestScriptBusinessErrorUnrouted(t *testing.T) {
	h := newHarness(t)
	code := `throw {errorCode: "CARD_DECLINED", errorMessage: "insufficient funds"}`
	other := []any{map[string]any{"errorCode": "OTHER", "target": "declined"}}
	pid := h.deploy(scriptErrFlow(code, map[string]any{"retry": 2, "routes": other}))
	v := h.run(pid, nil)
	if v.Status != engine.StatusFailed || !strings.Contains(v.Error, "BPMN error CARD_DECLINED: insufficient funds") {
		t.Fatalf("status %s %q", v.Status, v.Error)
	}
	if n := len(task(v, "pay").Runtimes); n != 1 {
		t.Fatalf("a coded error was retried: %d runtimes", n)
	}
	if d := task(v, "declined"); d != nil && len(d.Runtimes) != 0 {
		t.Fatal("routed to another code's target")
	}
	pid = h.deploy(scriptErrFlow(code, map[string]any{"strategy": "goto", "target": "declined", "routes": other}))
	v = h.run(pid, nil)
	if v.Status != engine.StatusDone {
		t.Fatalf("goto: %s %s", v.Status, v.Error)
	}
	jsonEq(t, task(v, "declined").Runtimes[0].Output.(map[string]any)["got"],
		map[string]any{"error": "BPMN error CARD_DECLINED: insufficient funds", "taskId": "pay"})
}

// TestScriptOrdinaryErrorsNotRouted: what is not an object with a non-blank string
// errorCode is an ordinary failure — retried, never routed, even by a catch-all route.
func TestScriptOrdinaryErrorsNotRouted(t *testing.T) {
	h := newHarness(t)
	eh := map[string]any{"retry": 1, "routes": []any{map[string]any{"errorCode": "", "target": "declined"}}}
	for code, msg := range map[string]string{
		`throw "CARD_DECLINED"`:                            "CARD_DECLINED",
		`throw {errorCode: 42, errorMessage: "numeric"}`:   `{"errorCode":42,"errorMessage":"numeric"}`,
		`throw {errorCode: "  ", errorMessage: "blank"}`:   "blank",
		`throw {errorCode: "x".repeat(300)}`:               "xxxx",
		`throw new Error("plain")`:                         "Error: plain",
		`throw {code: "CARD_DECLINED", message: "not it"}`: "not it",
	} {
		pid := h.deploy(scriptErrFlow(code, eh))
		v := h.run(pid, nil)
		if v.Status != engine.StatusFailed || !strings.Contains(v.Error, msg) || strings.Contains(v.Error, "BPMN error") {
			t.Fatalf("%s: status %s %q", code, v.Status, v.Error)
		}
		if n := len(task(v, "pay").Runtimes); n != 2 {
			t.Errorf("%s: %d runtimes, want 2 (retried once)", code, n)
		}
		if d := task(v, "declined"); d != nil && len(d.Runtimes) != 0 {
			t.Errorf("%s: routed", code)
		}
	}
}

// TestScriptBusinessErrorInLoop: an iteration's coded error routes the task.
func TestScriptBusinessErrorInLoop(t *testing.T) {
	h := newHarness(t)
	for _, parallel := range []bool{false, true} {
		pay := script("pay", `if (item === 2) throw {errorCode: "CARD_DECLINED", errorMessage: "item " + item}; return item;`, "end").
			set("loopHandler", map[string]any{"mode": "forEach", "items": "{{ [1, 2, 3] }}", "parallel": parallel}).
			set("errorHandler", map[string]any{"routes": []any{map[string]any{"errorCode": "CARD_DECLINED", "target": "declined"}}})
		pid := h.deploy(def("loop-error", task_("start", "manual", "pay"), pay,
			script("declined", "return input", "end"), task_("end", "end")))
		v := h.run(pid, nil)
		if v.Status != engine.StatusDone {
			t.Fatalf("parallel %v: %s %s", parallel, v.Status, v.Error)
		}
		jsonEq(t, task(v, "declined").Runtimes[0].Output, map[string]any{"errorCode": "CARD_DECLINED", "errorMessage": "item 2"})
	}
}

// TestParameterBusinessErrorRouted: a {{ }} parameter that throws {errorCode} routes
// its task too (here an external task's topic, and an end task's output).
func TestParameterBusinessErrorRouted(t *testing.T) {
	h := newHarness(t)
	throw := "{{ (() => { throw {errorCode: 'NO_ROUTE', errorMessage: 'region ' + trigger.region + ' has no route'} })() }}"
	routes := map[string]any{"routes": []any{map[string]any{"errorCode": "NO_ROUTE", "target": "declined"}}}
	for name, tk := range map[string]tk{
		"external task": task_("pay", "external-task", "end").p("topic", throw).set("errorHandler", routes),
		"end task":      task_("pay", "end").p("output", throw).set("errorHandler", routes),
	} {
		pid := h.deploy(def("param-error", task_("start", "manual", "pay"), tk,
			script("declined", "return input", "end"), task_("end", "end")))
		v := h.run(pid, map[string]any{"region": "north"})
		if v.Status != engine.StatusDone {
			t.Fatalf("%s: %s %s", name, v.Status, v.Error)
		}
		jsonEq(t, task(v, "declined").Runtimes[0].Output, map[string]any{"errorCode": "NO_ROUTE", "errorMessage": "region north has no route"})
	}
}

// TestChildBusinessErrorReachesParent: a child instance that fails with a coded error
// no route of its own takes (its ErrorCode) fails the parent's subprocess task with the
// same code, which the parent's routes take (a BPMN call activity's boundary error
// event); an ordinary failure of the child stays an ordinary failure.
func TestChildBusinessErrorReachesParent(t *testing.T) {
	h := newHarness(t)
	child := h.deploy(def("child", task_("start", "manual", "pay"),
		script("pay", `if (trigger.n > 1) throw {errorCode: "CARD_DECLINED", errorMessage: "declined"}; throw new Error("plain")`, "end"),
		task_("end", "end")))
	routes := map[string]any{"routes": []any{map[string]any{"errorCode": "CARD_DECLINED", "target": "declined"}}}
	parent := h.deploy(def("parent", task_("start", "manual", "call"),
		task_("call", "subprocess", "end").p("processId", child).p("input", "{{ ({n: trigger.n}) }}").set("errorHandler", routes),
		script("declined", "return {code: input.errorCode}", "end"), task_("end", "end")))

	v := h.run(parent, map[string]any{"n": 2})
	if v.Status != engine.StatusDone {
		t.Fatalf("coded: %s %s", v.Status, v.Error)
	}
	jsonEq(t, task(v, "declined").Runtimes[0].Output, map[string]any{"code": "CARD_DECLINED"})
	kids, _, err := h.rt.ListInstances(context.Background(), engine.InstanceFilter{ParentID: v.ID, Page: engine.Page{Limit: 5}})
	if err != nil || len(kids) != 1 || kids[0].Status != engine.StatusFailed || kids[0].ErrorCode != "CARD_DECLINED" {
		t.Fatalf("the child: %+v %v", kids, err)
	}

	v = h.run(parent, map[string]any{"n": 1})
	if v.Status != engine.StatusFailed || v.ErrorCode != "" || !strings.Contains(v.Error, "plain") {
		t.Fatalf("plain: %s %q %q", v.Status, v.ErrorCode, v.Error)
	}
}
