package engine_test

import (
	"context"
	"testing"
	"time"

	"flowcraft/engine"
)

// TestIdleStatesKept: an instance waiting at an external task keeps its state in
// memory when its actor ends, and the commands that wake it (a variable write, the
// completion) take it from there instead of reading the store; a command that fails
// after changing the state makes the actor read it again. With IdleStates < 0 every
// command reads the store. Either way the instance ends with the same variables.
func TestIdleStatesKept(t *testing.T) {
	for _, c := range []struct {
		name                 string
		opts                 engine.RuntimeOptions
		wantLoaded, wantKept int64
	}{
		// set (kept), create (kept, fails: read again), complete (kept)
		{"kept", engine.RuntimeOptions{}, 1, 3},
		// set, create and its reading again, complete
		{"off", engine.RuntimeOptions{IdleStates: -1}, 4, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			h := openHarnessOpts(t, t.TempDir(), c.opts)
			pid := h.deploy(extFlow(map[string]any{"topic": "keep"}, nil))
			res, err := h.rt.StartInstance(ctx, pid, map[string]any{}, engine.StartOptions{})
			if err != nil {
				t.Fatal(err)
			}
			id := res.Instance.ID
			j := h.fetchOne("w1", "keep")
			m := h.rt.Metrics()
			// Between commands the instance's actor ends (it waits): the next command
			// starts a new one, which takes the state up.
			idle := func() {
				t.Helper()
				for deadline := time.Now().Add(10 * time.Second); h.rt.ActiveInstances() > 0; time.Sleep(time.Millisecond) {
					if time.Now().After(deadline) {
						t.Fatal("the instance's actor does not end")
					}
				}
			}
			idle()
			loaded, kept := m.StatesLoaded.Load(), m.StatesKept.Load()
			if _, err := h.rt.SetVariables(ctx, id, map[string]any{"note": "set while waiting"}); err != nil {
				t.Fatal(err)
			}
			idle()
			_, err = h.rt.CreateVariables(ctx, id, []engine.Variable{{Name: "note", Value: "again"}})
			coded(t, err, engine.ErrConflict, engine.CodeVariableExists)
			idle()
			if err := h.rt.ExternalTasks().Complete(ctx, j.ID, "w1", []*engine.Variable{{Name: "ok", Value: true}}, nil); err != nil {
				t.Fatal(err)
			}
			if v := h.wait(id); v.Status != engine.StatusDone {
				t.Fatalf("status %s: %s", v.Status, v.Error)
			}
			if d := m.StatesLoaded.Load() - loaded; d != c.wantLoaded {
				t.Errorf("states read from the store: %d, want %d", d, c.wantLoaded)
			}
			if d := m.StatesKept.Load() - kept; d != c.wantKept {
				t.Errorf("states kept in memory: %d, want %d", d, c.wantKept)
			}
			vars, err := h.rt.Variables(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			jsonEq(t, vars, map[string]any{"note": "set while waiting", "ok": true})
		})
	}
}
