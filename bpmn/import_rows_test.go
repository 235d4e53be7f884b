package bpmn

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"flowcraft/diagram"
	"flowcraft/engine"
)

// One test per row of DESIGN §9's mapping, named after the row. The models are the
// files of testdata/import (written as each modeler writes them) and small inline
// documents for the rows no file needs.

// importString imports an inline document.
func importString(t testing.TB, doc string, opts Options) (*Result, error) {
	t.Helper()
	return Import(strings.NewReader(doc), opts)
}

// defs wraps process content in a Camunda-7-style document.
func defs(process string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
` + process + `
</bpmn:definitions>`
}

func mustImport(t testing.TB, doc string) *Result {
	t.Helper()
	res, err := importString(t, doc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestImportRow_StartNone(t *testing.T) {
	res := importFile(t, "camunda7_invoice.bpmn", Options{})
	imp := procOf(t, res, "Process_Invoice")
	tk := taskOf(t, imp, "StartEvent_1")
	if tk.Template != "manual" || imp.Process.Tasks[0] != tk || tk.Name != "Invoice received" {
		t.Fatalf("start: %+v", tk)
	}
	wantJSON(t, "positions", tk.Positions, `[132, 132]`) // the card centred on the event
	wantJSON(t, "connections", tk.Connections, `[{"to": "`+imp.TaskIDs["Activity_Prepare"]+`"}]`)
	// camunda:formData on the start event is the input schema.
	wantJSON(t, "inputDataSchema", json.RawMessage(imp.Process.InputDataSchema), `{"type": "object", "required": ["amount"],
		"properties": {"amount": {"type": "number", "title": "Amount"}, "customer": {"type": "string", "title": "Customer"}}}`)
	wantNoNote(t, res.Report, "StartEvent_1")
}

func TestImportRow_StartTimer(t *testing.T) {
	// timeDate: a yearly cron at that minute (approximated).
	res := mustImport(t, defs(`<bpmn:process id="p" name="p">
	  <bpmn:startEvent id="s"><bpmn:timerEventDefinition><bpmn:timeDate>2026-03-01T08:30:00Z</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:startEvent>
	  <bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e"/><bpmn:endEvent id="e"/></bpmn:process>`))
	imp := procOf(t, res, "p")
	tk := taskOf(t, imp, "s")
	if tk.Template != "cron-timer" || value(tk, "cron") != "30 8 1 3 *" || value(tk, "timezone") != "UTC" {
		t.Fatalf("timeDate start: %s", asJSON(tk))
	}
	wantApprox(t, res.Report, "s", "every year")
	validate(t, imp.Process)

	// timeCycle goes through cronFromTimeCycle.
	needExpr(t)
	res = importFile(t, "camunda8_order.bpmn", Options{})
	imp = procOf(t, res, "Process_Order")
	tk = taskOf(t, imp, "StartEvent_Hourly")
	want, err := cronFromTimeCycle("R/PT1H")
	if err != nil {
		t.Fatal(err)
	}
	if tk.Template != "cron-timer" || value(tk, "cron") != want {
		t.Fatalf("timeCycle start: %s", asJSON(tk))
	}
	wantNoNote(t, res.Report, "StartEvent_Hourly")
}

func TestImportRow_StartMessage(t *testing.T) {
	res := importFile(t, "flowable_leave.bpmn20.xml", Options{})
	imp := procOf(t, res, "leaveProcess")
	tk := taskOf(t, imp, "startLeave")
	if tk.Template != "webhook" || imp.Process.Tasks[0] != tk {
		t.Fatalf("message start: %s", asJSON(tk))
	}
	if note(res.Report.Dropped, "startLeave", "") != nil {
		t.Errorf("message start dropped: %+v", res.Report.Dropped)
	}
}

func TestImportRow_StartSignalConditional(t *testing.T) {
	for _, def := range []string{`<bpmn:signalEventDefinition/>`, `<bpmn:conditionalEventDefinition><bpmn:condition>${x}</bpmn:condition></bpmn:conditionalEventDefinition>`} {
		res := mustImport(t, defs(`<bpmn:process id="p" name="p"><bpmn:startEvent id="s">`+def+`</bpmn:startEvent>
		  <bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e"/><bpmn:endEvent id="e"/></bpmn:process>`))
		imp := procOf(t, res, "p")
		if tk := taskOf(t, imp, "s"); tk.Template != "manual" {
			t.Fatalf("%s start: %s", def, asJSON(tk))
		}
		wantApprox(t, res.Report, "s", "started by hand")
		validate(t, imp.Process)
	}
}

func TestImportRow_SeveralStartEvents(t *testing.T) {
	res := importFile(t, "signavio_semantic.bpmn", Options{})
	imp := procOf(t, res, "sid-onboarding")
	if tk := taskOf(t, imp, "sid-start"); tk.Template != "manual" || imp.Process.Tasks[0] != tk {
		t.Fatalf("first none start is not the trigger: %s", asJSON(tk))
	}
	if _, ok := imp.TaskIDs["sid-start2"]; ok {
		t.Error("the second start event made a task")
	}
	wantDropped(t, res.Report, "sid-start2", "one trigger")
	validate(t, imp.Process)
	// Strict refuses what would be dropped.
	_, err := importString(t, mustRead(t, "signavio_semantic.bpmn"), Options{Strict: true})
	wantCode(t, err, engine.CodeBPMNDropped)
}

func TestImportRow_NoStartEvent(t *testing.T) {
	res := importFile(t, "bpmnio_nostart.bpmn", Options{})
	imp := procOf(t, res, "Process_plain")
	p := imp.Process
	tr := p.Tasks[0]
	if tr.Template != "manual" || len(tr.Connections) != 1 || tr.Connections[0].To != imp.TaskIDs["Activity_A"] {
		t.Fatalf("added trigger: %s", asJSON(tr))
	}
	wantApprox(t, res.Report, "Process_plain", "no start event")
	// The milestone ends its branch: an end is added after it.
	ms := taskOf(t, imp, "Event_Half")
	if ms.Template != "milestone" || len(ms.Connections) != 1 || p.Task(ms.Connections[0].To).Template != "end" {
		t.Fatalf("milestone: %s", asJSON(ms))
	}
	// No diagram: the designer's auto-layout.
	var nodes []diagram.LayoutNode
	var edges []diagram.LayoutEdge
	for _, tk := range p.Tasks {
		w, h := cardSize(tk.Template)
		nodes = append(nodes, diagram.LayoutNode{ID: tk.InstID, W: w, H: h})
		for _, c := range tk.Connections {
			edges = append(edges, diagram.LayoutEdge{From: tk.InstID, To: c.To})
		}
	}
	pos := diagram.Layout(nodes, edges, diagram.LayoutOptions{})
	for _, tk := range p.Tasks {
		if got := [2]float64{tk.Positions[0], tk.Positions[1]}; got != pos[tk.InstID] {
			t.Errorf("%s at %v, auto-layout puts it at %v", tk.InstID, got, pos[tk.InstID])
		}
	}
	validate(t, p)
}

func TestImportRow_EndNone(t *testing.T) {
	res := importFile(t, "camunda7_invoice.bpmn", Options{})
	imp := procOf(t, res, "Process_Invoice")
	tk := taskOf(t, imp, "End_Done")
	if tk.Template != "end" || value(tk, "terminate") != nil || len(tk.Connections) != 0 {
		t.Fatalf("end: %s", asJSON(tk))
	}
	wantJSON(t, "positions", tk.Positions, `[1162, 132]`)
	wantNoNote(t, res.Report, "End_Done")
}

func TestImportRow_EndTerminate(t *testing.T) {
	res := importFile(t, "signavio_semantic.bpmn", Options{})
	tk := taskOf(t, procOf(t, res, "sid-onboarding"), "sid-end")
	if tk.Template != "end" || value(tk, "terminate") != true {
		t.Fatalf("terminate end: %s", asJSON(tk))
	}
	wantNoNote(t, res.Report, "sid-end")
}

func TestImportRow_EndError(t *testing.T) {
	res := importFile(t, "activiti_claims.bpmn", Options{})
	tk := taskOf(t, procOf(t, res, "claims"), "rejected")
	if tk.Template != "end" {
		t.Fatalf("error end: %s", asJSON(tk))
	}
	wantApprox(t, res.Report, "rejected", `error "FRAUD" is not raised`)
}

func TestImportRow_AbstractAndManualTask(t *testing.T) {
	res := importFile(t, "signavio_semantic.bpmn", Options{})
	imp := procOf(t, res, "sid-onboarding")
	for _, id := range []string{"sid-desk", "sid-accounts"} {
		tk := taskOf(t, imp, id)
		if tk.Template != "script" || value(tk, "code") != "return input" {
			t.Fatalf("%s is not a pass-through: %s", id, asJSON(tk))
		}
	}
	wantNoNote(t, res.Report, "sid-desk")
}

func TestImportRow_SendReceiveTask(t *testing.T) {
	res := importFile(t, "signavio_semantic.bpmn", Options{})
	imp := procOf(t, res, "sid-onboarding")
	for id, how := range map[string]string{"sid-welcome": "no message is sent", "sid-ack": "does not wait", "sid-rules": "no rule"} {
		if tk := taskOf(t, imp, id); tk.Template != "script" || value(tk, "code") != "return input" {
			t.Fatalf("%s: %s", id, asJSON(tk))
		}
		wantApprox(t, res.Report, id, how)
	}
}

func TestImportRow_ScriptTask(t *testing.T) {
	needExpr(t)
	res := importFile(t, "camunda7_invoice.bpmn", Options{})
	tk := taskOf(t, procOf(t, res, "Process_Invoice"), "Activity_Prepare")
	want, err := scriptParams(testJS, "javascript", "var amount = execution.getVariable(\"amount\");\nexecution.setVariable(\"total\", amount * 2);", "")
	if err != nil {
		t.Fatal(err)
	}
	if tk.Template != "script" || asJSON(value(tk, "code")) != asJSON(want["code"]) {
		t.Fatalf("script: %s, want %s", asJSON(tk), asJSON(want))
	}
	wantNoNote(t, res.Report, "Activity_Prepare")
	// Another language is reported; a pass-through keeps the flow.
	res = mustImport(t, defs(`<bpmn:process id="p" name="p"><bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="g"/>
	  <bpmn:scriptTask id="g" scriptFormat="groovy"><bpmn:script>println "hi"</bpmn:script></bpmn:scriptTask></bpmn:process>`))
	if tk := taskOf(t, procOf(t, res, "p"), "g"); value(tk, "code") != "return input" {
		t.Fatalf("groovy: %s", asJSON(tk))
	}
	wantDropped(t, res.Report, "g", "groovy")
}

func TestImportRow_ExternalTask(t *testing.T) {
	res := importFile(t, "camunda7_invoice.bpmn", Options{})
	tk := taskOf(t, procOf(t, res, "Process_Invoice"), "Activity_Book")
	if tk.Template != "external-task" || value(tk, "topic") != "booking" || value(tk, "priority") != 10.0 {
		t.Fatalf("camunda external: %s", asJSON(tk))
	}
	res = importFile(t, "flowable_leave.bpmn20.xml", Options{})
	tk = taskOf(t, procOf(t, res, "leaveProcess"), "syncHR")
	if tk.Template != "external-task" || value(tk, "topic") != "hr-sync" {
		t.Fatalf("flowable external worker: %s", asJSON(tk))
	}
	wantApprox(t, res.Report, "syncHR", "flowable:async ignored")
	res = importFile(t, "camunda8_order.bpmn", Options{})
	tk = taskOf(t, procOf(t, res, "Process_Order"), "Task_Charge")
	if tk.Template != "external-task" || value(tk, "topic") != "charge-card" || value(tk, "retries") != 5.0 {
		t.Fatalf("zeebe task definition: %s", asJSON(tk))
	}
}

func TestImportRow_HTTPConnector(t *testing.T) {
	res := importFile(t, "camunda7_invoice.bpmn", Options{})
	tk := taskOf(t, procOf(t, res, "Process_Invoice"), "Activity_Notify")
	if tk.Template != "http-request" || value(tk, "method") != "POST" || value(tk, "body") != `{"total": 1}` {
		t.Fatalf("http connector: %s", asJSON(tk))
	}
	wantJSON(t, "headers", value(tk, "headers"), `{"Content-Type": "application/json"}`)
	if exprBuilt() {
		js, _ := translateExpression(testJS, "", "${invoiceId}")
		if value(tk, "url") != "https://hooks.example.com/invoices/{{ "+js+" }}" {
			t.Errorf("url %v", value(tk, "url"))
		}
		wantNoNote(t, res.Report, "Activity_Notify")
	}
	// Flowable's HTTP task.
	res = importFile(t, "flowable_leave.bpmn20.xml", Options{})
	tk = taskOf(t, procOf(t, res, "leaveProcess"), "callCalendar")
	if tk.Template != "http-request" || value(tk, "method") != "POST" || value(tk, "url") != "https://calendar.example.com/blocks" {
		t.Fatalf("flowable http: %s", asJSON(tk))
	}
	wantJSON(t, "headers", value(tk, "headers"), `{"Content-Type": "application/json", "X-Source": "flowable"}`)
}

func TestImportRow_JavaClass(t *testing.T) {
	doc := defs(`<bpmn:process id="p" name="p"><bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="j"/>
	  <bpmn:serviceTask id="j" name="Java" camunda:class="com.acme.Charge"/><bpmn:sequenceFlow id="f2" sourceRef="j" targetRef="d"/>
	  <bpmn:serviceTask id="d" camunda:delegateExpression="${chargeDelegate}"/></bpmn:process>`)
	res := mustImport(t, doc)
	imp := procOf(t, res, "p")
	for _, id := range []string{"j", "d"} {
		if tk := taskOf(t, imp, id); value(tk, "code") != "return input" {
			t.Fatalf("%s: %s", id, asJSON(tk))
		}
		wantDropped(t, res.Report, id, "Java code")
	}
	validate(t, imp.Process)
	_, err := importString(t, doc, Options{Strict: true})
	wantCode(t, err, engine.CodeBPMNDropped)
	if !strings.Contains(err.Error(), "com.acme.Charge") {
		t.Errorf("strict error does not name the element: %v", err)
	}
	// Its params name the elements without the English reason, which the
	// "error.bpmn_dropped" message of another language could not translate.
	var e *engine.Error
	if errors.As(err, &e) {
		if el, _ := e.Params["elements"].(string); !strings.Contains(el, "serviceTask") || strings.Contains(el, "cannot run") {
			t.Errorf("strict error's elements param = %q", el)
		}
	}
}

func TestImportRow_UserTask(t *testing.T) {
	res := importFile(t, "camunda7_invoice.bpmn", Options{})
	imp := procOf(t, res, "Process_Invoice")
	tk := taskOf(t, imp, "Activity_Approve")
	if tk.Template != "approval" {
		t.Fatalf("user task: %s", asJSON(tk))
	}
	// ${initiator} with camunda:initiator="initiator" on the start: the starter.
	if value(tk, "assignees") != "{{ instance.startedBy }}" {
		t.Errorf("assignees %v", value(tk, "assignees"))
	}
	wantJSON(t, "candidateGroups", value(tk, "candidateGroups"), `["managers", "finance"]`)
	wantJSON(t, "form", value(tk, "form"), `[
		{"key": "approved", "label": "Approved?", "type": "boolean", "required": true},
		{"key": "note", "label": "Note", "type": "text", "required": false},
		{"key": "booked", "label": "Booked on", "type": "date", "required": false},
		{"key": "category", "label": "Category", "type": "select", "required": false,
		 "options": [{"value": "travel", "label": "Travel"}, {"value": "office", "label": "Office"}]}]`)
	if value(tk, "priority") != 60.0 || value(tk, "content") != "Check the invoice and approve it." {
		t.Errorf("priority/content: %s", asJSON(tk.Parameters))
	}
	wantJSON(t, "positions", tk.Positions, `[512, 132]`)
	wantApprox(t, res.Report, "Activity_Approve", "camunda:asyncBefore ignored")
	if exprBuilt() {
		if value(tk, "dueIn") != float64(3*24*3600*1000) {
			t.Errorf("dueIn %v", value(tk, "dueIn"))
		}
	}
	// Flowable: assignee expression, candidate users, formProperty.
	res = importFile(t, "flowable_leave.bpmn20.xml", Options{})
	tk = taskOf(t, procOf(t, res, "leaveProcess"), "approveLeave")
	wantJSON(t, "candidateUsers", value(tk, "candidateUsers"), `["kermit", "gonzo"]`)
	wantJSON(t, "form", value(tk, "form"), `[
		{"key": "days", "label": "Days", "type": "number", "required": true},
		{"key": "reason", "label": "Reason", "type": "text", "required": false},
		{"key": "kind", "label": "Kind", "type": "select", "required": true,
		 "options": [{"value": "annual", "label": "Annual leave"}, {"value": "sick", "label": "Sick leave"}]}]`)
	if exprBuilt() {
		js, _ := translateExpression(testJS, "", "${manager}")
		if value(tk, "assignees") != "{{ "+js+" }}" {
			t.Errorf("assignees %v", value(tk, "assignees"))
		}
	}
	// Camunda 8: zeebe:assignmentDefinition.
	res = importFile(t, "camunda8_order.bpmn", Options{})
	tk = taskOf(t, procOf(t, res, "Process_Order"), "Task_Review")
	wantJSON(t, "assignees", value(tk, "assignees"), `["demo"]`)
	wantJSON(t, "candidateGroups", value(tk, "candidateGroups"), `["reviewers", "managers"]`)
	wantApprox(t, res.Report, "Task_Review", "form is not imported")
	// Nobody named: the starter, said in the report.
	res = mustImport(t, defs(`<bpmn:process id="p" name="p"><bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="u"/>
	  <bpmn:userTask id="u" name="Do it"/></bpmn:process>`))
	imp = procOf(t, res, "p")
	if tk := taskOf(t, imp, "u"); value(tk, "assignees") != "{{ instance.startedBy }}" {
		t.Fatalf("unassigned: %s", asJSON(tk))
	}
	wantApprox(t, res.Report, "u", "user who started")
	validate(t, imp.Process)
}

func TestImportRow_UserTaskPotentialOwner(t *testing.T) {
	res := importFile(t, "activiti_claims.bpmn", Options{})
	tk := taskOf(t, procOf(t, res, "claims"), "assess")
	wantJSON(t, "candidateUsers", value(tk, "candidateUsers"), `["kermit"]`)
	wantJSON(t, "candidateGroups", value(tk, "candidateGroups"), `["management", "adjusters"]`)
	if value(tk, "assignees") != nil {
		t.Errorf("assignees %v", value(tk, "assignees"))
	}
	// humanPerformer is the assignee.
	res = mustImport(t, defs(`<bpmn:process id="p" name="p"><bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="u"/>
	  <bpmn:userTask id="u"><bpmn:humanPerformer><bpmn:resourceAssignmentExpression><bpmn:formalExpression>fozzie</bpmn:formalExpression></bpmn:resourceAssignmentExpression></bpmn:humanPerformer></bpmn:userTask></bpmn:process>`))
	wantJSON(t, "assignees", value(taskOf(t, procOf(t, res, "p"), "u"), "assignees"), `["fozzie"]`)
}

func TestImportRow_UserTaskMultiInstance(t *testing.T) {
	for seq, mode := range map[string]string{"false": "all", "true": "sequential"} {
		res := mustImport(t, defs(`<bpmn:process id="p" name="p"><bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="u"/>
		  <bpmn:userTask id="u" camunda:assignee="${approver}"><bpmn:multiInstanceLoopCharacteristics isSequential="`+seq+`" camunda:collection="approvers" camunda:elementVariable="approver"/></bpmn:userTask></bpmn:process>`))
		imp := procOf(t, res, "p")
		tk := taskOf(t, imp, "u")
		if value(tk, "assignees") != "{{ vars.approvers }}" || value(tk, "mode") != mode || tk.LoopHandler.Mode != "" {
			t.Fatalf("isSequential=%s: %s", seq, asJSON(tk))
		}
		wantNoNote(t, res.Report, "u")
		validate(t, imp.Process)
	}
}

func TestImportRow_CallActivity(t *testing.T) {
	res := importFile(t, "camunda7_invoice.bpmn", Options{})
	imp := procOf(t, res, "Process_Invoice")
	tk := taskOf(t, imp, "Activity_Archive")
	if tk.Template != "subprocess" || value(tk, "processId") != "bpmn:Process_Archive" || value(tk, "input") != "{{ vars }}" {
		t.Fatalf("call activity: %s", asJSON(tk))
	}
	if imp.CalledElements[tk.InstID] != "Process_Archive" {
		t.Errorf("CalledElements %v", imp.CalledElements)
	}
	procOf(t, res, "Process_Archive") // the called process is a definition of its own
	wantNoNote(t, res.Report, "Activity_Archive")
	// A called flowcraft id is kept; a process outside the document is reported.
	res = mustImport(t, defs(`<bpmn:process id="p" name="p"><bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="c"/>
	  <bpmn:callActivity id="c" calledElement="proc-abcd1234"><bpmn:extensionElements><camunda:in source="a" target="b"/></bpmn:extensionElements></bpmn:callActivity>
	  <bpmn:sequenceFlow id="f2" sourceRef="c" targetRef="c2"/><bpmn:callActivity id="c2" calledElement="Elsewhere"/></bpmn:process>`))
	imp = procOf(t, res, "p")
	tk = taskOf(t, imp, "c")
	if value(tk, "processId") != "proc-abcd1234" || value(tk, "input") != "{{ ({b: vars.a}) }}" || imp.CalledElements[tk.InstID] != "" {
		t.Fatalf("call of a flowcraft id: %s", asJSON(tk))
	}
	if tk := taskOf(t, imp, "c2"); value(tk, "processId") != "bpmn:Elsewhere" || imp.CalledElements[tk.InstID] != "Elsewhere" {
		t.Fatalf("call outside: %s", asJSON(tk))
	}
	wantApprox(t, res.Report, "c2", "not in this document")
	validate(t, imp.Process)
}

func TestImportRow_EmbeddedSubprocess(t *testing.T) {
	res := importFile(t, "activiti_claims.bpmn", Options{})
	imp := procOf(t, res, "claims")
	id := func(b string) string { return imp.TaskIDs[b] }
	if _, ok := imp.TaskIDs["investigate"]; ok {
		t.Error("the subprocess made a task")
	}
	// Flowing into the subprocess continues at its start's successor; its end
	// continues after it.
	wantJSON(t, "assess", taskOf(t, imp, "assess").Connections, `[{"to": "`+id("collect")+`"}]`)
	wantJSON(t, "interview", taskOf(t, imp, "interview").Connections, `[{"to": "`+id("assessed")+`"}]`)
	// The error boundary on the subprocess: every task inside routes the error.
	for _, b := range []string{"collect", "interview"} {
		wantJSON(t, b+" errorHandler", taskOf(t, imp, b).ErrorHandler, `{"routes": [{"errorCode": "FRAUD", "target": "`+id("rejected")+`"}]}`)
	}
	wantApprox(t, res.Report, "investigate", "flattened")
	validate(t, imp.Process)
	// Nested, without start events, leaving by two flows: the inner nodes without
	// incoming flows are its entries, a parallel gateway its exit.
	res = mustImport(t, defs(`<bpmn:process id="p" name="p"><bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="sp"/>
	  <bpmn:subProcess id="sp"><bpmn:subProcess id="inner"><bpmn:task id="a"/></bpmn:subProcess></bpmn:subProcess>
	  <bpmn:sequenceFlow id="f1" sourceRef="sp" targetRef="x"/><bpmn:sequenceFlow id="f2" sourceRef="sp" targetRef="y"/><bpmn:task id="x"/><bpmn:task id="y"/></bpmn:process>`))
	imp = procOf(t, res, "p")
	wantJSON(t, "start", taskOf(t, imp, "s").Connections, `[{"to": "`+imp.TaskIDs["a"]+`"}]`)
	a := taskOf(t, imp, "a")
	exit := imp.Process.Task(a.Connections[0].To)
	if exit == nil || exit.Template != "parallel-gateway" || asJSON(exit.Connections) != asJSON([]engine.Connection{{To: imp.TaskIDs["x"]}, {To: imp.TaskIDs["y"]}}) {
		t.Fatalf("exit: %s", asJSON(exit))
	}
	validate(t, imp.Process)
}

func TestImportRow_EventSubprocessTransaction(t *testing.T) {
	res := mustImport(t, defs(`<bpmn:process id="p" name="p"><bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="tx"/>
	  <bpmn:transaction id="tx"><bpmn:task id="inner"/></bpmn:transaction><bpmn:sequenceFlow id="f2" sourceRef="tx" targetRef="e"/><bpmn:endEvent id="e"/>
	  <bpmn:subProcess id="ev" triggeredByEvent="true"><bpmn:startEvent id="es"><bpmn:errorEventDefinition/></bpmn:startEvent></bpmn:subProcess></bpmn:process>`))
	imp := procOf(t, res, "p")
	wantDropped(t, res.Report, "ev", "event subprocesses")
	wantDropped(t, res.Report, "tx", "no transaction")
	if tk := taskOf(t, imp, "tx"); value(tk, "code") != "return input" || tk.Connections[0].To != imp.TaskIDs["e"] {
		t.Fatalf("transaction: %s", asJSON(tk))
	}
	validate(t, imp.Process)
}

func TestImportRow_Gateways(t *testing.T) {
	res := importFile(t, "camunda7_invoice.bpmn", Options{})
	imp := procOf(t, res, "Process_Invoice")
	gw := taskOf(t, imp, "Gateway_Amount")
	if gw.Template != "exclusive-gateway" || len(gw.Connections) != 2 {
		t.Fatalf("exclusive: %s", asJSON(gw))
	}
	// The source's <outgoing> order (small before large), not the document's.
	small, large := gw.Connections[0], gw.Connections[1]
	if small.To != imp.TaskIDs["Activity_Book"] || !small.Default || small.Label != "small" || small.Condition != "" {
		t.Errorf("default connection: %+v", small)
	}
	if large.To != imp.TaskIDs["Activity_Approve"] || large.Label != "large" || large.Default {
		t.Errorf("conditional connection: %+v", large)
	}
	wantJSON(t, "positions", gw.Positions, `[422, 132]`)
	res = importFile(t, "flowable_leave.bpmn20.xml", Options{})
	imp = procOf(t, res, "leaveProcess")
	if fork := taskOf(t, imp, "fork"); fork.Template != "parallel-gateway" || len(fork.Connections) != 2 {
		t.Fatalf("parallel: %s", asJSON(fork))
	}
	inc := taskOf(t, imp, "notify")
	if inc.Template != "inclusive-gateway" || !inc.Connections[1].Default || inc.Connections[1].To != imp.TaskIDs["endLeave"] {
		t.Fatalf("inclusive: %s", asJSON(inc))
	}
	// complexGateway: inclusive, approximated.
	res = mustImport(t, defs(`<bpmn:process id="p" name="p"><bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="c"/>
	  <bpmn:complexGateway id="c"/></bpmn:process>`))
	if tk := taskOf(t, procOf(t, res, "p"), "c"); tk.Template != "inclusive-gateway" {
		t.Fatalf("complex: %s", asJSON(tk))
	}
	wantApprox(t, res.Report, "c", "inclusive gateway")
}

func TestImportRow_EventBasedGateway(t *testing.T) {
	res := importFile(t, "activiti_claims.bpmn", Options{})
	imp := procOf(t, res, "claims")
	gw := taskOf(t, imp, "waitDocs")
	if gw.Template != "exclusive-gateway" || !gw.Connections[0].Default || gw.Connections[1].Condition != "false" {
		t.Fatalf("event-based gateway: %s", asJSON(gw))
	}
	wantApprox(t, res.Report, "waitDocs", "first flow")
	validate(t, imp.Process)
}

func TestImportRow_ConditionExpressions(t *testing.T) {
	needExpr(t)
	for _, c := range []struct{ file, proc, flow, lang, text string }{
		{"camunda7_invoice.bpmn", "Process_Invoice", "Flow_Big", "", "${amount > 1000}"},
		{"camunda8_order.bpmn", "Process_Order", "Flow_Review", "", "= amount > 1000"},
		{"flowable_leave.bpmn20.xml", "leaveProcess", "flowLong", "", "${days > 10}"},
	} {
		res := importFile(t, c.file, Options{})
		imp := procOf(t, res, c.proc)
		want, err := translateExpression(testJS, c.lang, c.text)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, tk := range imp.Process.Tasks {
			for _, cn := range tk.Connections {
				if cn.Condition == want {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("%s: no connection with condition %q", c.flow, want)
		}
		wantNoNote(t, res.Report, c.flow)
		validate(t, imp.Process)
	}
	// javascript is kept as written.
	res := mustImport(t, defs(`<bpmn:process id="p" name="p"><bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="g"/>
	  <bpmn:exclusiveGateway id="g" default="f2"/><bpmn:sequenceFlow id="f1" sourceRef="g" targetRef="a"><bpmn:conditionExpression language="javascript">vars.x &gt; 1</bpmn:conditionExpression></bpmn:sequenceFlow>
	  <bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="b"/><bpmn:task id="a"/><bpmn:task id="b"/></bpmn:process>`))
	if c := taskOf(t, procOf(t, res, "p"), "g").Connections[0]; c.Condition != "vars.x > 1" {
		t.Errorf("javascript condition: %+v", c)
	}
}

func TestImportRow_TimerCatchEvent(t *testing.T) {
	needExpr(t)
	res := importFile(t, "camunda7_invoice.bpmn", Options{})
	tk := taskOf(t, procOf(t, res, "Process_Invoice"), "Event_Wait")
	want, err := timerParams(testJS, "timeDuration", "PT5M")
	if err != nil {
		t.Fatal(err)
	}
	if tk.Template != "delay" || asJSON(value(tk, "duration")) != asJSON(want["duration"]) {
		t.Fatalf("timer catch: %s, want %s", asJSON(tk), asJSON(want))
	}
	wantNoNote(t, res.Report, "Event_Wait")
}

func TestImportRow_IntermediateThrowNone(t *testing.T) {
	res := importFile(t, "activiti_claims.bpmn", Options{})
	imp := procOf(t, res, "claims")
	tk := taskOf(t, imp, "assessed")
	if tk.Template != "milestone" || tk.Connections[0].To != imp.TaskIDs["waitDocs"] {
		t.Fatalf("throw none: %s", asJSON(tk))
	}
	wantNoNote(t, res.Report, "assessed")
}

func TestImportRow_LinkEvents(t *testing.T) {
	res := importFile(t, "activiti_claims.bpmn", Options{})
	imp := procOf(t, res, "claims")
	// docsIn → (link throw "payment") ⇒ (link catch "payment") → pay.
	wantJSON(t, "docsIn", taskOf(t, imp, "docsIn").Connections, `[{"to": "`+imp.TaskIDs["pay"]+`"}]`)
	for _, id := range []string{"toPay", "fromPay"} {
		if _, ok := imp.TaskIDs[id]; ok {
			t.Errorf("link event %s made a task", id)
		}
		wantNoNote(t, res.Report, id)
	}
}

func TestImportRow_OtherIntermediateEvents(t *testing.T) {
	res := importFile(t, "activiti_claims.bpmn", Options{})
	tk := taskOf(t, procOf(t, res, "claims"), "docsIn")
	if value(tk, "code") != "return input" {
		t.Fatalf("message catch: %s", asJSON(tk))
	}
	wantDropped(t, res.Report, "docsIn", "cannot wait for a message")
	res = mustImport(t, defs(`<bpmn:process id="p" name="p"><bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="x"/>
	  <bpmn:intermediateThrowEvent id="x"><bpmn:signalEventDefinition/></bpmn:intermediateThrowEvent></bpmn:process>`))
	wantDropped(t, res.Report, "x", "cannot throw a signal")
}

func TestImportRow_BoundaryTimer(t *testing.T) {
	needExpr(t)
	res := importFile(t, "camunda7_invoice.bpmn", Options{})
	imp := procOf(t, res, "Process_Invoice")
	tk := taskOf(t, imp, "Activity_Book")
	if tk.Timeout != 600000 || tk.ErrorHandler.Strategy != "goto" || tk.ErrorHandler.Target != imp.TaskIDs["Activity_Remind"] {
		t.Fatalf("boundary timer: %s", asJSON(tk))
	}
	wantNoNote(t, res.Report, "Event_Timeout")
	// Non-interrupting: approximated.
	res = mustImport(t, defs(`<bpmn:process id="p" name="p"><bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="u"/>
	  <bpmn:userTask id="u" camunda:assignee="a"/><bpmn:boundaryEvent id="b" attachedToRef="u" cancelActivity="false"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
	  <bpmn:sequenceFlow id="f2" sourceRef="b" targetRef="r"/><bpmn:task id="r"/></bpmn:process>`))
	imp = procOf(t, res, "p")
	if tk := taskOf(t, imp, "u"); tk.Timeout != 3600000 || tk.ErrorHandler.Target != imp.TaskIDs["r"] {
		t.Fatalf("non-interrupting: %s", asJSON(tk))
	}
	wantApprox(t, res.Report, "b", "non-interrupting")
	validate(t, imp.Process)
}

func TestImportRow_BoundaryError(t *testing.T) {
	res := importFile(t, "camunda7_invoice.bpmn", Options{})
	imp := procOf(t, res, "Process_Invoice")
	wantJSON(t, "routes", taskOf(t, imp, "Activity_Book").ErrorHandler.Routes, `[{"errorCode": "BOOK_FAILED", "target": "`+imp.TaskIDs["End_Failed"]+`"}]`)
	wantNoNote(t, res.Report, "Event_BookError")
	// A boundary event without outgoing flow ends there.
	res = mustImport(t, defs(`<bpmn:process id="p" name="p"><bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="a"/>
	  <bpmn:task id="a"/><bpmn:boundaryEvent id="b" attachedToRef="a"><bpmn:errorEventDefinition/></bpmn:boundaryEvent></bpmn:process>`))
	imp = procOf(t, res, "p")
	rt := taskOf(t, imp, "a").ErrorHandler.Routes
	if len(rt) != 1 || rt[0].ErrorCode != "" || imp.Process.Task(rt[0].Target).Template != "end" {
		t.Fatalf("catch-all boundary: %s", asJSON(rt))
	}
	validate(t, imp.Process)
	// A boundary event with two flows: a parallel gateway continues at both.
	res = mustImport(t, defs(`<bpmn:process id="p" name="p"><bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="a"/>
	  <bpmn:task id="a"/><bpmn:boundaryEvent id="b" attachedToRef="a"><bpmn:errorEventDefinition/></bpmn:boundaryEvent>
	  <bpmn:sequenceFlow id="f1" sourceRef="b" targetRef="x"/><bpmn:sequenceFlow id="f2" sourceRef="b" targetRef="y"/><bpmn:task id="x"/><bpmn:task id="y"/></bpmn:process>`))
	imp = procOf(t, res, "p")
	rt = taskOf(t, imp, "a").ErrorHandler.Routes
	fork := taskOf(t, imp, "b")
	if len(rt) != 1 || rt[0].Target != fork.InstID || fork.Template != "parallel-gateway" ||
		asJSON(fork.Connections) != asJSON([]engine.Connection{{To: imp.TaskIDs["x"]}, {To: imp.TaskIDs["y"]}}) {
		t.Fatalf("boundary with two flows: %s %s", asJSON(rt), asJSON(fork))
	}
	validate(t, imp.Process)
	// Other boundary kinds are dropped.
	res = importFile(t, "flowable_leave.bpmn20.xml", Options{})
	wantDropped(t, res.Report, "cancelSignal", "boundary signal")
}

func TestImportRow_StandardLoop(t *testing.T) {
	needExpr(t)
	res := importFile(t, "flowable_leave.bpmn20.xml", Options{})
	tk := taskOf(t, procOf(t, res, "leaveProcess"), "countDown")
	want, _ := translateExpression(testJS, "", "${n > 0}")
	if tk.LoopHandler.Mode != "while" || tk.LoopHandler.Condition != want || tk.LoopHandler.Max != 10 {
		t.Fatalf("standard loop: %s", asJSON(tk.LoopHandler))
	}
}

func TestImportRow_MultiInstance(t *testing.T) {
	res := importFile(t, "signavio_semantic.bpmn", Options{})
	tk := taskOf(t, procOf(t, res, "sid-onboarding"), "sid-accounts")
	wantJSON(t, "loopHandler", tk.LoopHandler, `{"mode": "forEach", "items": "{{ Array.from({length: 3}, (_, i) => i) }}", "parallel": true}`)
	res = mustImport(t, defs(`<bpmn:process id="p" name="p"><bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="a"/>
	  <bpmn:task id="a"><bpmn:multiInstanceLoopCharacteristics isSequential="true" camunda:collection="rows" camunda:elementVariable="row"/></bpmn:task></bpmn:process>`))
	imp := procOf(t, res, "p")
	wantJSON(t, "loopHandler", taskOf(t, imp, "a").LoopHandler, `{"mode": "forEach", "items": "{{ vars.rows }}"}`)
	wantApprox(t, res.Report, "a", "each element reads as item")
	validate(t, imp.Process)
}

func TestImportRow_LanesAndAnnotations(t *testing.T) {
	res := importFile(t, "bizagi_pools.bpmn", Options{})
	imp := procOf(t, res, "Proc_Shop")
	var meta struct {
		BPMN struct {
			Lanes []struct {
				ID, Name string
				Tasks    []string
			}
			Annotations []struct {
				ID, Text string
				Tasks    []string
			}
		}
	}
	if err := json.Unmarshal(imp.Process.Metadata, &meta); err != nil {
		t.Fatal(err)
	}
	l := meta.BPMN.Lanes
	if len(l) != 2 || l[0].Name != "Sales" || asJSON(l[0].Tasks) != asJSON([]string{imp.TaskIDs["Start_Shop"], imp.TaskIDs["Task_Check"]}) ||
		asJSON(l[1].Tasks) != asJSON([]string{imp.TaskIDs["Task_Ship"]}) {
		t.Errorf("lanes: %s", asJSON(l))
	}
	a := meta.BPMN.Annotations
	if len(a) != 1 || a[0].Text != "Ship within a day" || asJSON(a[0].Tasks) != asJSON([]string{imp.TaskIDs["Task_Ship"]}) {
		t.Errorf("annotations: %s", asJSON(a))
	}
	for _, id := range []string{"Lane_Sales", "Lane_Store", "Note_1", "Assoc_1"} {
		wantNoNote(t, res.Report, id)
	}
	wantApprox(t, res.Report, "DO_Order", "metadata")
}

func TestImportRow_CollaborationPools(t *testing.T) {
	res := importFile(t, "bizagi_pools.bpmn", Options{})
	if len(res.Processes) != 2 {
		t.Fatalf("%d processes", len(res.Processes))
	}
	shop := procOf(t, res, "Proc_Shop")
	if shop.Process.Name != "Shop" { // the process has no name: the pool's
		t.Errorf("name %q", shop.Process.Name)
	}
	if tk := taskOf(t, shop, "Start_Shop"); tk.Template != "webhook" {
		t.Errorf("message start: %s", asJSON(tk))
	}
	if !strings.Contains(string(shop.Process.Metadata), `"messageFlows":[{"id":"Msg_Order"`) {
		t.Errorf("message flow not kept: %s", shop.Process.Metadata)
	}
	wantApprox(t, res.Report, "Msg_Order", "messages between pools are not sent")
	wantApprox(t, res.Report, "http://www.bizagi.com/bpmn20", "ignored")
	for _, imp := range res.Processes {
		validate(t, imp.Process)
	}
}

func TestImportRow_HistoryTimeToLive(t *testing.T) {
	res := importFile(t, "camunda7_invoice.bpmn", Options{})
	if d := procOf(t, res, "Process_Invoice").Process.HistoryTTLDays; d != 30 {
		t.Errorf("P30D: %d", d)
	}
	if d := procOf(t, res, "Process_Archive").Process.HistoryTTLDays; d != 180 {
		t.Errorf("180: %d", d)
	}
}

func TestImportRow_CandidateStarters(t *testing.T) {
	res := importFile(t, "camunda7_invoice.bpmn", Options{})
	var meta map[string]json.RawMessage
	_ = json.Unmarshal(procOf(t, res, "Process_Invoice").Process.Metadata, &meta)
	wantJSON(t, "candidateStarters", meta[MetaCandidateStarters], `{"users": ["demo"], "groups": ["sales", "finance"]}`)
	wantApprox(t, res.Report, "Process_Invoice", "candidate starters")
}

func TestImportRow_NotExecutable(t *testing.T) {
	res := importFile(t, "activiti_claims.bpmn", Options{})
	procOf(t, res, "claims")
	wantApprox(t, res.Report, "claims", "isExecutable is false")
}

func TestImportRow_AsyncFlags(t *testing.T) {
	res := importFile(t, "camunda7_invoice.bpmn", Options{})
	wantApprox(t, res.Report, "Activity_Approve", "camunda:asyncBefore ignored")
	res = importFile(t, "flowable_leave.bpmn20.xml", Options{})
	wantApprox(t, res.Report, "syncHR", "flowable:async ignored")
}

func TestImportRow_InputOutputMappings(t *testing.T) {
	// External task: the input parameters join what the worker receives.
	res := mustImport(t, defs(`<bpmn:process id="p" name="p"><bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="x"/>
	  <bpmn:serviceTask id="x" camunda:type="external" camunda:topic="t"><bpmn:extensionElements><camunda:inputOutput>
	    <camunda:inputParameter name="a">1</camunda:inputParameter>
	    <camunda:inputParameter name="l"><camunda:list><camunda:value>x</camunda:value></camunda:list></camunda:inputParameter>
	    <camunda:outputParameter name="o">${r}</camunda:outputParameter>
	  </camunda:inputOutput></bpmn:extensionElements></bpmn:serviceTask></bpmn:process>`))
	tk := taskOf(t, procOf(t, res, "p"), "x")
	if value(tk, "variables") != `{{ ({...trigger, ...vars, a: "1"}) }}` {
		t.Errorf("variables %v", value(tk, "variables"))
	}
	wantApprox(t, res.Report, "x", "input l (a list) is not applied")
	wantApprox(t, res.Report, "x", "output mappings are not applied")
	needExpr(t)
	// Camunda 8's ioMapping, FEEL sources.
	res = importFile(t, "camunda8_order.bpmn", Options{})
	tk = taskOf(t, procOf(t, res, "Process_Order"), "Task_Charge")
	js, _ := translateExpression(testJS, "", "=amount")
	if value(tk, "variables") != "{{ ({...trigger, ...vars, total: "+js+"}) }}" {
		t.Errorf("variables %v", value(tk, "variables"))
	}
	wantNoNote(t, res.Report, "Task_Charge")
	// Script task: the inputs are local variables of the script.
	res = mustImport(t, defs(`<bpmn:process id="p" name="p"><bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="x"/>
	  <bpmn:scriptTask id="x" scriptFormat="javascript"><bpmn:extensionElements><camunda:inputOutput>
	    <camunda:inputParameter name="rate">${base * 2}</camunda:inputParameter></camunda:inputOutput></bpmn:extensionElements>
	    <bpmn:script>execution.setVariable("fee", rate / 100);</bpmn:script></bpmn:scriptTask></bpmn:process>`))
	tk = taskOf(t, procOf(t, res, "p"), "x")
	if code, _ := value(tk, "code").(string); !strings.Contains(code, "var rate = (") {
		t.Errorf("code %s", code)
	}
	wantNoNote(t, res.Report, "x")
}

func TestImportRow_Ids(t *testing.T) {
	res := mustImport(t, defs(`<bpmn:process id="proc-abcd1234" name="Kept"><bpmn:startEvent id="task-start001"/><bpmn:sequenceFlow id="f" sourceRef="task-start001" targetRef="Other"/>
	  <bpmn:task id="Other"/></bpmn:process>`))
	imp := procOf(t, res, "proc-abcd1234")
	p := imp.Process
	if p.ID != "proc-abcd1234" || p.Tasks[0].InstID != "task-start001" {
		t.Fatalf("ids not kept: %s %s", p.ID, p.Tasks[0].InstID)
	}
	other := imp.TaskIDs["Other"]
	if other == "Other" || !taskIDForm.MatchString(other) {
		t.Fatalf("generated id %q", other)
	}
	var meta struct {
		BPMN struct {
			ProcessID string            `json:"processId"`
			IDs       map[string]string `json:"ids"`
		} `json:"bpmn"`
	}
	_ = json.Unmarshal(p.Metadata, &meta)
	if meta.BPMN.ProcessID != "proc-abcd1234" || meta.BPMN.IDs[other] != "Other" || meta.BPMN.IDs["task-start001"] != "" {
		t.Errorf("metadata: %s", p.Metadata)
	}
	// Start payload fields become process variables (DESIGN §9).
	if !p.PayloadAsVariables {
		t.Errorf("payloadAsVariables %v, metadata %s", p.PayloadAsVariables, p.Metadata)
	}
	// A BPMN process id of another form leaves the id to the server.
	res = importFile(t, "camunda7_invoice.bpmn", Options{})
	if id := procOf(t, res, "Process_Invoice").Process.ID; id != "" {
		t.Errorf("id %q", id)
	}
}

func TestImportRow_PositionsFromDiagram(t *testing.T) {
	res := importFile(t, "flowable_leave.bpmn20.xml", Options{})
	imp := procOf(t, res, "leaveProcess")
	// fork: a 40×40 diamond at (320, 158): its centre (340, 178) is the centre of the
	// designer's 56×56 diamond.
	wantJSON(t, "fork", taskOf(t, imp, "fork").Positions, `[312, 150]`)
	// approveLeave: 100×80 at (175, 138) → centre (225, 178) → card 136×56.
	wantJSON(t, "approveLeave", taskOf(t, imp, "approveLeave").Positions, `[157, 150]`)
}

func TestImportRow_UnknownNamespace(t *testing.T) {
	res := importFile(t, "signavio_semantic.bpmn", Options{})
	wantApprox(t, res.Report, "http://www.signavio.com", "namespace are ignored")
	// Strict does not refuse what is ignored (approximated, not dropped).
	doc := strings.Replace(mustRead(t, "signavio_semantic.bpmn"), `<semantic:startEvent id="sid-start2" name="Rehired">
      <semantic:outgoing>sid-f1b</semantic:outgoing>
      <semantic:signalEventDefinition id="sid-sig"/>
    </semantic:startEvent>`, "", 1)
	doc = strings.Replace(doc, `<semantic:sequenceFlow id="sid-f1b" sourceRef="sid-start2" targetRef="sid-accounts"/>`, "", 1)
	if _, err := importString(t, doc, Options{Strict: true}); err != nil {
		t.Fatalf("strict: %v", err)
	}
}

func TestImportRow_ReportCountsEveryElement(t *testing.T) {
	res := importFile(t, "bizagi_pools.bpmn", Options{})
	// collaboration, 2 participants, messageFlow, 2 processes, 3 lanes, 6 flow nodes,
	// 4 flows, dataObject, group, textAnnotation, association, namespace: 24.
	total := res.Report.Mapped + len(res.Report.Approximated) + len(res.Report.Dropped)
	if total != 24 {
		t.Errorf("report counts %d elements, want 24: %s", total, asJSON(res.Report))
	}
}

func TestImportRow_DataAssociations(t *testing.T) {
	res := mustImport(t, defs(`<bpmn:process id="p" name="p"><bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="a"/>
	  <bpmn:dataObjectReference id="ref" dataObjectRef="obj"/><bpmn:dataObject id="obj"/>
	  <bpmn:task id="a"><bpmn:property id="prop"/><bpmn:dataInputAssociation id="dia"><bpmn:sourceRef>ref</bpmn:sourceRef><bpmn:targetRef>prop</bpmn:targetRef></bpmn:dataInputAssociation></bpmn:task></bpmn:process>`))
	wantApprox(t, res.Report, "a", "property, dataInputAssociation ignored")
	wantApprox(t, res.Report, "ref", "metadata")
	wantApprox(t, res.Report, "obj", "metadata")
	validate(t, procOf(t, res, "p").Process)
}
