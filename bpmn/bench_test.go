package bpmn

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// model2000 writes a Camunda-style model of about 2,000 BPMN elements (flow nodes
// and sequence flows, with a shape per node and an edge per flow when withDI): a
// chain of blocks, each an exclusive gateway splitting to a user task and a script
// task that join again.
func model2000(withDI bool) []byte {
	var sb, di strings.Builder
	sb.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="big" targetNamespace="http://bpmn.io/schema/bpmn">
<bpmn:process id="Big" name="Big" isExecutable="true">
<bpmn:startEvent id="start"/>
`)
	elements := 1
	shape := func(id string, x, y, w, h int) {
		if withDI {
			fmt.Fprintf(&di, `<bpmndi:BPMNShape id="%s_di" bpmnElement="%s"><dc:Bounds x="%d" y="%d" width="%d" height="%d"/></bpmndi:BPMNShape>
`, id, id, x, y, w, h)
		}
	}
	flow := func(id, from, to, cond string) {
		elements++
		if cond != "" {
			fmt.Fprintf(&sb, `<bpmn:sequenceFlow id="%s" sourceRef="%s" targetRef="%s"><bpmn:conditionExpression>%s</bpmn:conditionExpression></bpmn:sequenceFlow>
`, id, from, to, cond)
		} else {
			fmt.Fprintf(&sb, `<bpmn:sequenceFlow id="%s" sourceRef="%s" targetRef="%s"/>
`, id, from, to)
		}
		if withDI {
			fmt.Fprintf(&di, `<bpmndi:BPMNEdge id="%s_di" bpmnElement="%s"><di:waypoint x="0" y="0"/><di:waypoint x="10" y="10"/></bpmndi:BPMNEdge>
`, id, id)
		}
	}
	shape("start", 0, 100, 36, 36)
	prev := "start"
	for i := 0; elements < 1990; i++ {
		x := 100 + i*600
		g, a, b, j := fmt.Sprintf("g%d", i), fmt.Sprintf("a%d", i), fmt.Sprintf("b%d", i), fmt.Sprintf("j%d", i)
		fmt.Fprintf(&sb, `<bpmn:exclusiveGateway id="%s" default="fb%d"/>
<bpmn:userTask id="%s" name="Approve %d" camunda:assignee="demo" camunda:candidateGroups="a, b"/>
<bpmn:scriptTask id="%s" name="Compute %d" scriptFormat="javascript"><bpmn:script>execution.setVariable("n", %d);</bpmn:script></bpmn:scriptTask>
<bpmn:exclusiveGateway id="%s"/>
`, g, i, a, i, b, i, i, j)
		elements += 4
		shape(g, x, 95, 50, 50)
		shape(a, x+100, 0, 100, 80)
		shape(b, x+100, 200, 100, 80)
		shape(j, x+300, 95, 50, 50)
		flow(fmt.Sprintf("fg%d", i), prev, g, "")
		flow(fmt.Sprintf("fa%d", i), g, a, "${n &gt; 10}")
		flow(fmt.Sprintf("fb%d", i), g, b, "")
		flow(fmt.Sprintf("fja%d", i), a, j, "")
		flow(fmt.Sprintf("fjb%d", i), b, j, "")
		prev = j
	}
	sb.WriteString(`<bpmn:endEvent id="end"/>
`)
	shape("end", 100000, 100, 36, 36)
	flow("fend", prev, "end", "")
	sb.WriteString("</bpmn:process>\n")
	if withDI {
		sb.WriteString(`<bpmndi:BPMNDiagram id="dia"><bpmndi:BPMNPlane id="plane" bpmnElement="Big">
`)
		sb.WriteString(di.String())
		sb.WriteString("</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\n")
	}
	sb.WriteString("</bpmn:definitions>\n")
	return []byte(sb.String())
}

// BenchmarkImport2000: importing a 2,000-element model with its diagram (the issue's
// bound: under a second per import).
func BenchmarkImport2000(b *testing.B) {
	doc := model2000(true)
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, err := Import(bytes.NewReader(doc), Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImport2000NoDI: the same model without a diagram, laid out by the
// designer's auto-layout.
func BenchmarkImport2000NoDI(b *testing.B) {
	doc := model2000(false)
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, err := Import(bytes.NewReader(doc), Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestModel2000 checks the benchmark's model: about 2,000 elements, all mapped into
// one valid definition.
func TestModel2000(t *testing.T) {
	for _, withDI := range []bool{true, false} {
		res, err := Import(bytes.NewReader(model2000(withDI)), Options{})
		if err != nil {
			t.Fatal(err)
		}
		total := res.Report.Mapped + len(res.Report.Approximated) + len(res.Report.Dropped)
		if total < 1990 || total > 2010 {
			t.Errorf("%d elements", total)
		}
		if exprBuilt() && len(res.Report.Dropped) > 0 {
			t.Errorf("dropped: %+v", res.Report.Dropped[:1])
		}
		validate(t, res.Processes[0].Process)
	}
}
