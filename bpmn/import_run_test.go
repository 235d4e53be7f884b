package bpmn

import (
	"context"
	"testing"
	"time"

	"flowcraft/engine"
	"flowcraft/stack"
)

// runStack is an engine on a temporary SQLite file.
func runStack(t *testing.T) *stack.Stack {
	t.Helper()
	ctx := context.Background()
	st, err := stack.Open(ctx, stack.Config{DataDir: t.TempDir(), NoScheduler: true, NoHTTP: true,
		Runtime: engine.RuntimeOptions{JobPoll: 20 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		st.Close(ctx)
	})
	return st
}

// TestImportRunsScriptAndGateway imports a Camunda-7-style model — a script task
// using execution.setVariable, an exclusive gateway with JUEL conditions and a
// default flow, a milestone and a timer catch event — creates it and runs it to its
// end on the engine, once per path of the gateway.
func TestImportRunsScriptAndGateway(t *testing.T) {
	needExpr(t)
	res := importFile(t, "camunda7_runnable.bpmn", Options{Strict: true})
	imp := procOf(t, res, "Process_Fees")
	st := runStack(t)
	ctx := context.Background()
	def, err := st.Definitions.Create(ctx, imp.Process, "tester")
	if err != nil {
		t.Fatal(err)
	}
	if def.HistoryTTLDays != 7 {
		t.Errorf("historyTimeToLive %d", def.HistoryTTLDays)
	}
	for _, c := range []struct {
		payload map[string]any
		path    string
		fee     float64
	}{
		{map[string]any{"amount": 5000.0, "customer": "acme"}, "Vip", 50},
		{map[string]any{"amount": 2000.0, "customer": "other"}, "Big", 20},
		{map[string]any{"amount": 10.0, "customer": "other"}, "Small", 5},
	} {
		// The payload's fields are process variables (payloadAsVariables): the script
		// reads amount and customer by name.
		r, err := st.Runtime.StartInstance(ctx, def.ID, c.payload, engine.StartOptions{By: "tester", Wait: 20 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if !r.Ended || r.Instance.Status != engine.StatusDone {
			t.Fatalf("%v: instance %s ended %v", c.payload, r.Instance.Status, r.Ended)
		}
		view, err := st.Runtime.Describe(ctx, r.Instance.ID)
		if err != nil {
			t.Fatal(err)
		}
		ran := map[string]string{}
		for _, tv := range view.Tasks {
			for _, rt := range tv.Runtimes {
				ran[tv.InstID] = rt.Status
			}
		}
		for _, b := range []string{"Vip", "Big", "Small"} {
			want := ""
			if b == c.path {
				want = engine.StatusDone
			}
			if got := ran[imp.TaskIDs[b]]; got != want {
				t.Errorf("%v: %s ran %q, want %q", c.payload, b, got, want)
			}
		}
		for _, b := range []string{"Charged", "Pause", "End"} {
			if ran[imp.TaskIDs[b]] != engine.StatusDone {
				t.Errorf("%v: %s did not run: %v", c.payload, b, ran)
			}
		}
		vars, err := st.Runtime.Variables(ctx, r.Instance.ID)
		if err != nil {
			t.Fatal(err)
		}
		if vars["fee"] != c.fee {
			t.Errorf("%v: fee %v, want %v", c.payload, vars["fee"], c.fee)
		}
	}
}
