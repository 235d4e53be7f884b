package bpmn

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"flowcraft/engine"
	"flowcraft/scripting"
)

// TestScriptBpmnError: a Camunda/Flowable script's BpmnError becomes flowcraft's coded
// error (scripting.Error.Code), which errorHandler.routes take.
func TestScriptBpmnError(t *testing.T) {
	for _, tc := range []struct{ name, body, code, msg string }{
		{"camunda", `throw new org.camunda.bpm.engine.delegate.BpmnError("CARD_DECLINED", "card " + card + " declined");`, "CARD_DECLINED", "card 42 declined"},
		{"camunda, code only", `if (amount > 100) { throw new org.camunda.bpm.engine.delegate.BpmnError("TOO_MUCH"); }`, "TOO_MUCH", ""},
		{"flowable", `throw new org.flowable.engine.delegate.BpmnError('NO_STOCK', 'sold out')`, "NO_STOCK", "sold out"},
		{"activiti", `throw new org.activiti.engine.delegate.BpmnError('A1')`, "A1", ""},
		{"Java.type", "var BpmnError = Java.type('org.camunda.bpm.engine.delegate.BpmnError');\nthrow new BpmnError('J1', 'via Java.type');", "J1", "via Java.type"},
		{"Java.type, double quotes", `const E = Java.type("org.flowable.engine.delegate.BpmnError"); throw new E("J2")`, "J2", ""},
		{"caught and rethrown", `try { throw new org.camunda.bpm.engine.delegate.BpmnError("R", "m") } catch (e) { execution.setVariable("code", e.getErrorCode()); throw e }`, "R", "m"},
		{"a number code", `throw new org.camunda.bpm.engine.delegate.BpmnError(42)`, "42", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runImportedScript(t, tc.body, "", map[string]any{"card": 42.0, "amount": 500.0})
			var se *scripting.Error
			if !errors.As(err, &se) || se.Code != tc.code || se.CodeMessage != tc.msg {
				t.Fatalf("got %v (%+v), want code %q message %q", err, se, tc.code, tc.msg)
			}
		})
	}
	// org without a BpmnError class is an ordinary process variable.
	res, err := runImportedScript(t, `execution.setVariable("n", org.name)`, "", map[string]any{"org": map[string]any{"name": "acme"}})
	if err != nil || res.Vars["n"] != "acme" {
		t.Fatalf("org as a variable: %v %v", res.Vars, err)
	}
	// Java for anything else is still refused, also beside a BpmnError.
	for _, body := range []string{
		`var S = Java.type('java.lang.System'); throw new (Java.type('org.camunda.bpm.engine.delegate.BpmnError'))('X')`,
		`Java.type('org.camunda.bpm.engine.delegate.BpmnErrorX')`,
	} {
		if _, err := scriptParams(testJS, "javascript", body, ""); err == nil || !strings.Contains(err.Error(), "Java classes") {
			t.Errorf("%s: %v", body, err)
		}
	}
}

// TestImportRunsScriptBpmnError: a Camunda model whose script task throws a BpmnError
// follows the task's boundary error event for that code (the handler receives
// {errorCode, errorMessage}); another code, with no boundary event, fails the instance.
func TestImportRunsScriptBpmnError(t *testing.T) {
	res := mustImport(t, defs(`<bpmn:error id="Error_Declined" name="Declined" errorCode="CARD_DECLINED"/>
	<bpmn:process id="Pay" name="Pay" isExecutable="true">
	  <bpmn:startEvent id="Start"/>
	  <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Charge"/>
	  <bpmn:scriptTask id="Charge" name="Charge" scriptFormat="javascript"><bpmn:script>if (amount &gt; limit) {
  throw new org.camunda.bpm.engine.delegate.BpmnError(code, "amount " + amount + " over " + limit);
}
execution.setVariable("charged", true);</bpmn:script></bpmn:scriptTask>
	  <bpmn:boundaryEvent id="OnDeclined" attachedToRef="Charge"><bpmn:errorEventDefinition errorRef="Error_Declined"/></bpmn:boundaryEvent>
	  <bpmn:sequenceFlow id="f2" sourceRef="Charge" targetRef="Done"/>
	  <bpmn:endEvent id="Done"/>
	  <bpmn:sequenceFlow id="f3" sourceRef="OnDeclined" targetRef="Notify"/>
	  <bpmn:scriptTask id="Notify" name="Notify" scriptFormat="javascript"><bpmn:script>execution.setVariable("declined", true)</bpmn:script></bpmn:scriptTask>
	  <bpmn:sequenceFlow id="f4" sourceRef="Notify" targetRef="DeclinedEnd"/>
	  <bpmn:endEvent id="DeclinedEnd"/>
	</bpmn:process>`))
	imp := procOf(t, res, "Pay")
	wantNoNote(t, res.Report, "Charge")
	st := runStack(t)
	ctx := context.Background()
	def, err := st.Definitions.Create(ctx, imp.Process, "tester")
	if err != nil {
		t.Fatal(err)
	}
	run := func(payload map[string]any) *engine.InstanceView {
		t.Helper()
		r, err := st.Runtime.StartInstance(ctx, def.ID, payload, engine.StartOptions{By: "tester", Wait: 20 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if !r.Ended {
			t.Fatalf("%v: not ended: %s", payload, r.Instance.Status)
		}
		v, err := st.Runtime.Describe(ctx, r.Instance.ID)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	runs := func(v *engine.InstanceView, bpmnID string) []*engine.NodeRun {
		for _, tv := range v.Tasks {
			if tv.InstID == imp.TaskIDs[bpmnID] {
				return tv.Runtimes
			}
		}
		return nil
	}
	// Within the limit: the normal path.
	v := run(map[string]any{"amount": 10.0, "limit": 100.0, "code": "CARD_DECLINED"})
	if v.Status != engine.StatusDone || len(runs(v, "Done")) != 1 || len(runs(v, "Notify")) != 0 {
		t.Fatalf("normal path: %s %s", v.Status, v.Error)
	}
	// Over it: the boundary event's path, with the error as the handler's input.
	v = run(map[string]any{"amount": 500.0, "limit": 100.0, "code": "CARD_DECLINED"})
	if v.Status != engine.StatusDone || len(runs(v, "DeclinedEnd")) != 1 || len(runs(v, "Done")) != 0 {
		t.Fatalf("error path: %s %s", v.Status, v.Error)
	}
	notify := runs(v, "Notify")
	wantJSON(t, "handler input", notify[0].Incoming, `{"errorCode": "CARD_DECLINED", "errorMessage": "amount 500 over 100"}`)
	if c := runs(v, "Charge"); len(c) != 1 || c[0].Status != engine.StatusFailed || c[0].Error != "BPMN error CARD_DECLINED: amount 500 over 100" {
		t.Fatalf("the throwing task: %+v", c)
	}
	// A code no boundary event catches: the task fails, and the instance with it.
	v = run(map[string]any{"amount": 500.0, "limit": 100.0, "code": "OTHER"})
	if v.Status != engine.StatusFailed || !strings.Contains(v.Error, "BPMN error OTHER") || len(runs(v, "Notify")) != 0 {
		t.Fatalf("uncaught: %s %q", v.Status, v.Error)
	}
}

// TestImportScriptFlwNoted: Flowable's flw scripting API is not mapped, and the
// report says so (its flw.bpmn.throwError would not reach a boundary event).
func TestImportScriptFlwNoted(t *testing.T) {
	res := mustImport(t, defs(`<bpmn:process id="p" name="p" isExecutable="true">
	  <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="Flw"/>
	  <bpmn:scriptTask id="Flw" scriptFormat="javascript"><bpmn:script>flw.bpmn.throwError("CREDIT_REJECTED", "no")</bpmn:script></bpmn:scriptTask>
	  <bpmn:sequenceFlow id="f2" sourceRef="Flw" targetRef="Plain"/>
	  <bpmn:scriptTask id="Plain" scriptFormat="javascript"><bpmn:script>// flw is only named in a comment
execution.setVariable("a", 1)</bpmn:script></bpmn:scriptTask>
	  <bpmn:sequenceFlow id="f3" sourceRef="Plain" targetRef="e"/><bpmn:endEvent id="e"/>
	</bpmn:process>`))
	wantApprox(t, res.Report, "Flw", "flw scripting API")
	wantNoNote(t, res.Report, "Plain")
}
