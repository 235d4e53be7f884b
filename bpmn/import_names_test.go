package bpmn

import (
	"testing"

	"flowcraft/engine"
	"flowcraft/scripting"
)

// TestImportUnnamedElementsShowTheirID: an element without a name is named by its id,
// as Camunda's Modeler, Cockpit and Tasklist show it, not by the template's label the
// validator gives a task drawn without a name; named elements keep their names.
func TestImportUnnamedElementsShowTheirID(t *testing.T) {
	res := mustImport(t, defs(`<bpmn:process id="p" name="p" isExecutable="true">
	  <bpmn:startEvent id="StartEvent_1"/>
	  <bpmn:sequenceFlow id="f1" sourceRef="StartEvent_1" targetRef="Activity_0x1"/>
	  <bpmn:scriptTask id="Activity_0x1" scriptFormat="javascript"><bpmn:script>execution.setVariable("a", 1)</bpmn:script></bpmn:scriptTask>
	  <bpmn:sequenceFlow id="f2" sourceRef="Activity_0x1" targetRef="Gateway_1"/>
	  <bpmn:exclusiveGateway id="Gateway_1" default="f3"/>
	  <bpmn:sequenceFlow id="f3" sourceRef="Gateway_1" targetRef="Named"/>
	  <bpmn:userTask id="Named" name="  Check it  "/>
	  <bpmn:sequenceFlow id="f4" sourceRef="Named" targetRef="Event_end"/>
	  <bpmn:endEvent id="Event_end"/>
	</bpmn:process>`))
	imp := procOf(t, res, "p")
	for id, want := range map[string]string{"StartEvent_1": "StartEvent_1", "Activity_0x1": "Activity_0x1",
		"Gateway_1": "Gateway_1", "Named": "Check it", "Event_end": "Event_end"} {
		if got := taskOf(t, imp, id).Name; got != want {
			t.Errorf("%s: name %q, want %q", id, got, want)
		}
	}
	// The validator keeps them; a task drawn without a name still gets the label.
	cp := cloneProcess(t, imp.Process)
	v := engine.NewValidator(registry, scripting.New(scripting.Options{}))
	cp.Tasks = append(cp.Tasks, &engine.Task{Template: "script"})
	v.Normalize(cp)
	if got := cp.Task(imp.TaskIDs["Activity_0x1"]).Name; got != "Activity_0x1" {
		t.Errorf("normalized: %q", got)
	}
	spec, _ := registry.Get("script")
	if got := cp.Tasks[len(cp.Tasks)-1].Name; got == "" || got != spec.Spec().Label.Zh {
		t.Errorf("a task without a name: %q, want the template's label", got)
	}
}
