package engine_test

import (
	"context"
	"errors"
	"testing"

	"flowcraft/engine"
)

// TestStartAnEarlierVersion: StartOptions.Version starts that version of a definition
// (seed 003 starts a case definition by its id, a version), the current one too; a
// version the definition never had is ErrNotFound.
func TestStartAnEarlierVersion(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	pid := h.deploy(`{"name": "v", "tasks": [
	{"instId": "task-start001", "template": "manual", "connections": [{"to": "task-end00001"}]},
	{"instId": "task-end00001", "template": "end", "parameters": {"output": {"value": "one"}}}]}`)
	p, err := h.defs.Get(ctx, pid)
	if err != nil {
		t.Fatal(err)
	}
	p.Tasks[1].Parameters["output"].Value = "two"
	if _, err := h.defs.Replace(ctx, pid, p, "tester"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		version, ran int
		output       string
	}{{1, 1, "one"}, {2, 2, "two"}, {0, 2, "two"}} {
		res, err := h.rt.StartInstance(ctx, pid, map[string]any{}, engine.StartOptions{By: "tester", Version: c.version})
		if err != nil {
			t.Fatalf("version %d: %v", c.version, err)
		}
		v := h.wait(res.Instance.ID)
		if v.Version != c.ran || v.Output != c.output {
			t.Errorf("version %d: ran %d with output %v, want %d and %s", c.version, v.Version, v.Output, c.ran, c.output)
		}
	}
	for _, bad := range []int{3, -1} {
		_, err := h.rt.StartInstance(ctx, pid, map[string]any{}, engine.StartOptions{By: "tester", Version: bad})
		if !errors.Is(err, engine.ErrNotFound) {
			t.Errorf("version %d: %v, want ErrNotFound", bad, err)
		}
	}
}
