package diagram_test

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"strings"
	"testing"

	"flowcraft/diagram"
	"flowcraft/engine"
)

func leave(t *testing.T) *engine.Process {
	t.Helper()
	b, err := os.ReadFile("../examples/leave-approval.json")
	if err != nil {
		t.Fatal(err)
	}
	var p engine.Process
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	return &p
}

// TestSVGDrawsEveryTaskAndConnection: well-formed XML, one node per task at its
// position, one edge per connection, gateways as diamonds.
func TestSVGDrawsEveryTaskAndConnection(t *testing.T) {
	p := leave(t)
	out := diagram.SVG(p, diagram.Options{})
	if err := xml.Unmarshal(out, new(struct{ XMLName xml.Name })); err != nil {
		t.Fatalf("not XML: %v\n%s", err, out)
	}
	s := string(out)
	edges := 0
	for _, task := range p.Tasks {
		if !strings.Contains(s, `data-task-id="`+task.InstID+`"`) {
			t.Errorf("task %s not drawn", task.InstID)
		}
		edges += len(task.Connections)
	}
	if got := strings.Count(s, `class="edge"`); got != edges {
		t.Errorf("%d edges drawn, want %d", got, edges)
	}
	for _, task := range p.Tasks {
		if strings.HasSuffix(task.Template, "gateway") && len(task.Positions) == 2 {
			// The diamond's top vertex is the middle of the box's top edge.
			want := "M" + strings.TrimSuffix(strings.TrimSuffix(jsonNum(task.Positions[0]+28), ".0"), ".00") + " "
			if !strings.Contains(s, want) {
				t.Errorf("gateway %s not a diamond at %v (want %q)", task.InstID, task.Positions, want)
			}
		}
	}
	if !strings.HasPrefix(s, `<svg xmlns="http://www.w3.org/2000/svg"`) {
		t.Errorf("not an svg document: %.80s", s)
	}
}

func jsonNum(f float64) string { b, _ := json.Marshal(f); return string(b) }

// TestSVGStatusColours: the instance diagram marks each task's status.
func TestSVGStatusColours(t *testing.T) {
	p := leave(t)
	first := p.Tasks[0].InstID
	s := string(diagram.SVG(p, diagram.Options{Status: map[string]string{first: "done"}}))
	if !strings.Contains(s, `data-task-id="`+first+`" data-template="`+p.Tasks[0].Template+`" data-status="done"`) {
		t.Errorf("status not marked: %s", s)
	}
	if strings.Count(s, "data-status=") != 1 {
		t.Errorf("only the task with a status is marked")
	}
}

// TestSVGEscapesNames: names and labels cannot inject markup.
func TestSVGEscapesNames(t *testing.T) {
	p := &engine.Process{Name: `<script>x</script>`, Tasks: []*engine.Task{
		{InstID: `a"b`, Name: `<b>&`, Template: "script", Connections: []engine.Connection{{To: "c", Label: "<i>"}}},
		{InstID: "c", Template: "end"},
	}}
	out := diagram.SVG(p, diagram.Options{})
	if err := xml.Unmarshal(out, new(struct{ XMLName xml.Name })); err != nil {
		t.Fatalf("not XML: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "<script>") || strings.Contains(string(out), "<b>") {
		t.Errorf("unescaped: %s", out)
	}
	if len(diagram.SVG(&engine.Process{}, diagram.Options{})) == 0 {
		t.Error("empty process draws nothing")
	}
}
