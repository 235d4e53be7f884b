package bpmn

import (
	"encoding/json"
	"sync/atomic"
	"testing"

	"flowcraft/scripting"
)

// testJS compiles (and, for tests that run translations, runs) JavaScript in this
// package's tests, as Import's own checker does.
var testJS = newChecker()

// countingChecker counts the compilations it is asked for.
type countingChecker struct {
	Checker
	n atomic.Int64
}

func (c *countingChecker) CheckScript(code string) []scripting.Problem {
	c.n.Add(1)
	return c.Checker.CheckScript(code)
}

func (c *countingChecker) CheckExpression(expr string) []scripting.Problem {
	c.n.Add(1)
	return c.Checker.CheckExpression(expr)
}

// TestImportUsesCallersChecker: the JavaScript an import makes is checked by the
// Checker of its Options; without one the import makes its own, with the same result.
func TestImportUsesCallersChecker(t *testing.T) {
	chk := &countingChecker{Checker: scripting.New(scripting.Options{})}
	own := importFile(t, "camunda7_runnable.bpmn", Options{Strict: true, Checker: chk})
	if chk.n.Load() == 0 {
		t.Fatal("the caller's checker was not used")
	}
	def := importFile(t, "camunda7_runnable.bpmn", Options{Strict: true})
	a, b := procOf(t, own, "Process_Fees"), procOf(t, def, "Process_Fees")
	if len(a.Process.Tasks) != len(b.Process.Tasks) {
		t.Fatalf("%d tasks with the caller's checker, %d with the import's own", len(a.Process.Tasks), len(b.Process.Tasks))
	}
	for i := range a.Process.Tasks {
		x, y := a.Process.Tasks[i], b.Process.Tasks[i]
		if x.Template != y.Template || x.Name != y.Name || !jsonSame(x.Parameters, y.Parameters) {
			t.Errorf("task %d differs: %s %s %v / %s %s %v", i, x.Template, x.Name, x.Parameters, y.Template, y.Name, y.Parameters)
		}
	}
}

func jsonSame(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
