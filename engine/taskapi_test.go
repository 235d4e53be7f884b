package engine_test

import (
	"context"
	"errors"
	"testing"

	"flowcraft/engine"
)

// TestTaskAPIRights: only an assignee, owner, candidate or admin works a task through
// the task API; a candidate added by hand may claim it and finds it in the inbox; a
// claim for another user is an admin's; a closed task is not found; task-local
// variables keep their types and names are unique.
func TestTaskAPIRights(t *testing.T) {
	h := newHarness(t)
	u := h.people()
	admin := &engine.User{ID: "root", Role: engine.RoleAdmin}
	ctx := context.Background()
	id := h.start(h.deploy(approvalFlow(map[string]any{"assignees": []any{"a"}})), nil)
	tid := h.openTasks(id, u["a"])[0].ID

	if _, err := h.tasks.OpenTask(ctx, u["c"], tid); !errors.Is(err, engine.ErrForbidden) {
		t.Fatalf("a stranger opens the task: %v", err)
	}
	prio := 90
	if _, err := h.tasks.UpdateTask(ctx, u["c"], tid, engine.TaskUpdate{Priority: &prio}); !errors.Is(err, engine.ErrForbidden) {
		t.Fatalf("a stranger updates the task: %v", err)
	}
	if _, err := h.tasks.ClaimFor(ctx, u["a"], tid, "b"); !errors.Is(err, engine.ErrForbidden) {
		t.Fatalf("a claims for b: %v", err)
	}
	if _, err := h.tasks.ClaimFor(ctx, admin, tid, "b"); !errors.Is(err, engine.ErrConflict) {
		t.Fatalf("an admin claims a's task for b: %v", err)
	}
	// c becomes a candidate; the task is a's, so c may read it but not claim it.
	if _, err := h.tasks.AddCandidate(ctx, u["a"], tid, "c", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := h.tasks.AddCandidate(ctx, u["a"], tid, "c", ""); !errors.Is(err, engine.ErrConflict) {
		t.Fatalf("a candidate twice: %v", err)
	}
	if _, err := h.tasks.OpenTask(ctx, u["c"], tid); err != nil {
		t.Fatalf("a candidate opens the task: %v", err)
	}
	empty := ""
	if _, err := h.tasks.UpdateTask(ctx, u["a"], tid, engine.TaskUpdate{Assignee: &empty, Priority: &prio}); err != nil {
		t.Fatal(err)
	}
	if n := h.openTasks2(u["c"]); n != 1 {
		t.Fatalf("c's inbox after the task was given back: %d tasks", n)
	}
	if _, err := h.tasks.ClaimFor(ctx, u["c"], tid, "c"); err != nil {
		t.Fatalf("c claims: %v", err)
	}
	// Local variables.
	if _, err := h.tasks.SetTaskVariables(ctx, u["c"], tid, []engine.Variable{{Name: "n", Type: engine.VarLong, Value: "9007199254740993"}}, "create", 1<<20); err != nil {
		t.Fatal(err)
	}
	if _, err := h.tasks.SetTaskVariables(ctx, u["c"], tid, []engine.Variable{{Name: "n", Value: 1.0}}, "create", 1<<20); !errors.Is(err, engine.ErrConflict) {
		t.Fatalf("create an existing variable: %v", err)
	}
	if _, err := h.tasks.SetTaskVariables(ctx, u["c"], tid, []engine.Variable{{Name: "m", Value: 1.0}}, "update", 1<<20); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("update a missing variable: %v", err)
	}
	v, err := h.tasks.TaskVariable(ctx, u["c"], tid, "n")
	if err != nil || v.Value != int64(9007199254740993) || v.Type != engine.VarLong {
		t.Fatalf("local variable: %+v %v", v, err)
	}
	if err := h.tasks.DeleteTaskVariables(ctx, u["c"], tid, "m"); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("delete a missing variable: %v", err)
	}
	ht, err := h.tasks.OpenTask(ctx, u["c"], tid)
	if err != nil || ht.Priority != 90 || ht.Assignee != "c" {
		t.Fatalf("task %+v %v", ht, err)
	}
	h.decide(u["c"], ht, "approve")
	if _, err := h.tasks.OpenTask(ctx, u["c"], tid); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("a completed task through the task API: %v", err)
	}
	if _, err := h.tasks.HumanTask(ctx, u["c"], tid); err != nil {
		t.Fatalf("the native API still reads it: %v", err)
	}
}
