package bpmn

import (
	"encoding/xml"
	"strings"
	"testing"
)

// The OMG XSD's sequences for the elements Export writes, as ranks: a child must not
// come after a child of a higher rank. A cheap guard for go test without npm (the XSD
// itself is checked by TestExportThirdParty); an element Export starts writing must be
// added here, with its place in the schema.
var (
	baseRanks     = map[string]int{"documentation": 0, "extensionElements": 1}
	flowElemRanks = map[string]int{"auditing": 2, "monitoring": 3, "categoryValueRef": 4}
	flowNodeRanks = map[string]int{"incoming": 5, "outgoing": 6}
	activityRanks = map[string]int{"ioSpecification": 7, "property": 8, "dataInputAssociation": 9, "dataOutputAssociation": 10,
		"resourceRole": 11, "standardLoopCharacteristics": 12, "multiInstanceLoopCharacteristics": 12,
		"script": 13, "rendering": 13} // tScriptTask's script, tUserTask's rendering
	catchRanks = map[string]int{"property": 7, "dataOutput": 8, "dataOutputAssociation": 9, "outputSet": 10,
		"messageEventDefinition": 11, "timerEventDefinition": 11, "errorEventDefinition": 11, "eventDefinitionRef": 12}
	throwRanks = map[string]int{"property": 7, "dataInput": 8, "dataInputAssociation": 9, "inputSet": 10,
		"terminateEventDefinition": 11, "messageEventDefinition": 11, "eventDefinitionRef": 12}
)

func merged(ms ...map[string]int) map[string]int {
	out := map[string]int{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// schemaRanks gives, per element, the ranks of the children it may have.
func schemaRanks() map[string]map[string]int {
	activity := merged(baseRanks, flowElemRanks, flowNodeRanks, activityRanks)
	catch := merged(baseRanks, flowElemRanks, flowNodeRanks, catchRanks)
	throw := merged(baseRanks, flowElemRanks, flowNodeRanks, throwRanks)
	gateway := merged(baseRanks, flowElemRanks, flowNodeRanks)
	flowElements := map[string]int{}
	r := map[string]map[string]int{
		"definitions":                 {"import": 0, "extension": 1, "process": 2, "message": 2, "error": 2, "BPMNDiagram": 3, "relationship": 4},
		"sequenceFlow":                merged(baseRanks, flowElemRanks, map[string]int{"conditionExpression": 5}),
		"timerEventDefinition":        merged(baseRanks, map[string]int{"timeDate": 2, "timeDuration": 2, "timeCycle": 2}),
		"messageEventDefinition":      merged(baseRanks, map[string]int{"operationRef": 2}),
		"errorEventDefinition":        baseRanks,
		"terminateEventDefinition":    baseRanks,
		"standardLoopCharacteristics": merged(baseRanks, map[string]int{"loopCondition": 2}),
		"multiInstanceLoopCharacteristics": merged(baseRanks, map[string]int{"loopCardinality": 2, "loopDataInputRef": 3,
			"loopDataOutputRef": 4, "inputDataItem": 5, "outputDataItem": 6, "complexBehaviorDefinition": 7, "completionCondition": 8}),
		"extensionElements": {"process": 0, "task": 0}, // flowcraft's (any element of another namespace)
		"BPMNDiagram":       {"BPMNPlane": 0, "BPMNLabelStyle": 1},
		"BPMNPlane":         {"BPMNShape": 1, "BPMNEdge": 1},
		"BPMNShape":         {"Bounds": 0, "BPMNLabel": 1},
		"BPMNEdge":          {"waypoint": 0, "BPMNLabel": 1},
	}
	for _, e := range []string{"task", "scriptTask", "serviceTask", "userTask", "callActivity"} {
		r[e], flowElements[e] = activity, 6
	}
	for _, e := range []string{"startEvent", "intermediateCatchEvent", "boundaryEvent"} {
		r[e], flowElements[e] = catch, 6
	}
	for _, e := range []string{"endEvent", "intermediateThrowEvent"} {
		r[e], flowElements[e] = throw, 6
	}
	for _, e := range []string{"exclusiveGateway", "parallelGateway", "inclusiveGateway"} {
		r[e], flowElements[e] = gateway, 6
	}
	flowElements["sequenceFlow"] = 6
	r["process"] = merged(baseRanks, map[string]int{"auditing": 2, "monitoring": 3, "property": 4, "laneSet": 5, "artifact": 7}, flowElements)
	return r
}

// TestExportSchemaOrder: in every export, every element's children come in the order
// of the OMG XSD's sequences and are children the schema allows there; timer event
// definitions hold one time; sequence flows name source and target.
func TestExportSchemaOrder(t *testing.T) {
	ranks := schemaRanks()
	for _, c := range append(exportDefinitions(t), templateDefinitions()...) {
		var root xnode
		if err := xml.Unmarshal(mustExport(t, c.p), &root); err != nil {
			t.Fatal(err)
		}
		var walk func(n *xnode, path string)
		walk = func(n *xnode, path string) {
			path += "/" + n.XMLName.Local
			allowed, known := ranks[n.XMLName.Local]
			if n.XMLName.Space == NSFlowcraft {
				return
			}
			if !known && len(n.Children) > 0 {
				t.Errorf("%s: %s: element with children the guard does not know", c.name, path)
			}
			last := -1
			for _, k := range n.Children {
				rank, ok := allowed[k.XMLName.Local]
				switch {
				case !ok:
					t.Errorf("%s: %s: child %s not allowed (or not in the guard's table)", c.name, path, k.XMLName.Local)
				case rank < last:
					t.Errorf("%s: %s: child %s comes too late (XSD sequence)", c.name, path, k.XMLName.Local)
				default:
					last = rank
				}
			}
			switch n.XMLName.Local {
			case "timerEventDefinition":
				if len(n.Children) > 1 {
					t.Errorf("%s: %s: more than one time", c.name, path)
				}
			case "sequenceFlow":
				if n.get("@sourceRef") == "" || n.get("@targetRef") == "" {
					t.Errorf("%s: %s: no sourceRef or targetRef", c.name, path)
				}
			case "definitions":
				if n.get("@targetNamespace") == "" {
					t.Errorf("%s: no targetNamespace", c.name)
				}
			}
			for _, k := range n.Children {
				walk(k, path)
			}
		}
		walk(&root, "")
		if !strings.Contains(root.XMLName.Space, "BPMN/20100524/MODEL") {
			t.Errorf("%s: root in %q", c.name, root.XMLName.Space)
		}
	}
}
