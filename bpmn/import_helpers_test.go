package bpmn

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"flowcraft/engine"
	"flowcraft/engine/templates"
	"flowcraft/scripting"
)

// importFile imports testdata/import/<name>.
func importFile(t testing.TB, name string, opts Options) *Result {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "import", name))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Import(bytes.NewReader(b), opts)
	if err != nil {
		t.Fatalf("import %s: %v", name, err)
	}
	return res
}

// procOf is the definition made from the BPMN process id.
func procOf(t testing.TB, res *Result, bpmnID string) *Imported {
	t.Helper()
	for i := range res.Processes {
		if res.Processes[i].BPMNID == bpmnID {
			return &res.Processes[i]
		}
	}
	t.Fatalf("no process %s among %d", bpmnID, len(res.Processes))
	return nil
}

// taskOf is the task made from the BPMN element id.
func taskOf(t testing.TB, imp *Imported, bpmnID string) *engine.Task {
	t.Helper()
	id, ok := imp.TaskIDs[bpmnID]
	if !ok {
		t.Fatalf("element %s made no task (tasks of: %v)", bpmnID, imp.TaskIDs)
	}
	tk := imp.Process.Task(id)
	if tk == nil {
		t.Fatalf("task %s of %s is not in the process", id, bpmnID)
	}
	return tk
}

// value is a parameter's value (nil when unset).
func value(tk *engine.Task, key string) any {
	if p := tk.Parameters[key]; p != nil {
		return p.Value
	}
	return nil
}

// asJSON renders v for comparisons.
func asJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func wantJSON(t testing.TB, what string, got any, want string) {
	t.Helper()
	var w any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad want %s: %v", want, err)
	}
	var g any
	_ = json.Unmarshal([]byte(asJSON(got)), &g)
	if asJSON(g) != asJSON(w) {
		t.Errorf("%s = %s, want %s", what, asJSON(got), asJSON(w))
	}
}

// note finds a report entry about the element id whose text contains sub.
func note(notes []Note, id, sub string) *Note {
	for i, n := range notes {
		if n.ID == id && strings.Contains(n.How+n.Why, sub) {
			return &notes[i]
		}
	}
	return nil
}

func wantApprox(t testing.TB, rep Report, id, sub string) {
	t.Helper()
	if note(rep.Approximated, id, sub) == nil {
		t.Errorf("no approximated note on %s containing %q; approximated: %+v", id, sub, rep.Approximated)
	}
}

func wantDropped(t testing.TB, rep Report, id, sub string) {
	t.Helper()
	if note(rep.Dropped, id, sub) == nil {
		t.Errorf("no dropped note on %s containing %q; dropped: %+v", id, sub, rep.Dropped)
	}
}

func wantNoNote(t testing.TB, rep Report, id string) {
	t.Helper()
	for _, n := range append(append([]Note{}, rep.Approximated...), rep.Dropped...) {
		if n.ID == id {
			t.Errorf("unexpected note on %s: %+v", id, n)
		}
	}
}

// registry is the built-in templates.
var registry = templates.Builtin()

// validate checks the definition as the server would on create. Definitions with a
// template this checkout lacks (external-task before the external-worker branch) are
// checked without it.
func validate(t testing.TB, p *engine.Process) {
	t.Helper()
	var missing []string
	for _, tk := range p.Tasks {
		if _, ok := registry.Get(tk.Template); !ok {
			missing = append(missing, tk.Template)
		}
	}
	if len(missing) > 0 {
		t.Logf("not validated: templates %v are not built in this checkout", missing)
		return
	}
	cp := cloneProcess(t, p)
	v := engine.NewValidator(registry, scripting.New(scripting.Options{}))
	v.Normalize(cp)
	if err := v.Validate(cp); err != nil {
		var ve *engine.ValidationError
		if errors.As(err, &ve) {
			t.Fatalf("%s does not validate: %+v\n%s", p.Name, ve.Problems, asJSON(p))
		}
		t.Fatalf("%s does not validate: %v", p.Name, err)
	}
}

func cloneProcess(t testing.TB, p *engine.Process) *engine.Process {
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var cp engine.Process
	if err := json.Unmarshal(b, &cp); err != nil {
		t.Fatal(err)
	}
	return &cp
}

// exprBuilt reports whether the expression translations are built (the
// expressions side's branch merged); rows that need them skip before.
func exprBuilt() bool {
	_, err := translateExpression(testJS, "", "${a}")
	return err == nil
}

func needExpr(t *testing.T) {
	t.Helper()
	if !exprBuilt() {
		t.Skip("the expression, script and timer translations are not built in this checkout")
	}
}

func mustRead(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "import", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// wantCode checks that err is ErrInvalid with the code.
func wantCode(t testing.TB, err error, code engine.Code) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", code)
	}
	var e *engine.Error
	if !errors.As(err, &e) || e.Code != code || !errors.Is(err, engine.ErrInvalid) {
		t.Fatalf("error %v, want ErrInvalid %s", err, code)
	}
}
