package engine_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"flowcraft/engine"
	"flowcraft/identity"
)

// TestReassignFreesATaskOfSomeoneWhoLeft: a claims a task and is disabled; the task
// blocks its instance (b, a candidate, cannot claim it) until an admin sees it
// flagged and returns it to its candidates; then b decides and the instance ends.
func TestReassignFreesATaskOfSomeoneWhoLeft(t *testing.T) {
	h := newHarness(t)
	u := h.people()
	ctx := context.Background()
	ids := identity.New(h.store, identity.Options{BcryptCost: bcrypt.MinCost}, time.Now, discardLog())
	admin, err := ids.CreateUser(ctx, &engine.User{ID: "root", Role: engine.RoleAdmin}, "password1")
	if err != nil {
		t.Fatal(err)
	}
	id := h.start(h.deploy(approvalFlow(map[string]any{"candidateUsers": []any{"a", "b"}})), nil)
	tid := h.openTasks(id, u["a"])[0].ID
	if _, err := h.tasks.Claim(ctx, u["a"], tid); err != nil {
		t.Fatal(err)
	}
	yes := true
	if _, err := ids.UpdateUser(ctx, "a", identity.UserInput{Disabled: &yes}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.tasks.Claim(ctx, u["b"], tid); !errors.Is(err, engine.ErrConflict) {
		t.Fatalf("b claims a's task: %v, want a conflict", err)
	}

	if _, _, err := h.tasks.AdminTasks(ctx, u["b"], engine.AdminTaskFilter{Page: engine.Page{Limit: 10}}); !errors.Is(err, engine.ErrForbidden) {
		t.Fatalf("a user lists every task: %v, want forbidden", err)
	}
	list, total, err := h.tasks.AdminTasks(ctx, admin, engine.AdminTaskFilter{Orphaned: true, Page: engine.Page{Limit: 10}})
	if err != nil {
		t.Fatal(err)
	}
	if total != 1 || len(list) != 1 || list[0].ID != tid || list[0].Left != engine.LeftDisabled {
		t.Fatalf("orphaned tasks: %d %+v, want task %s flagged disabled", total, list, tid)
	}

	for _, bad := range []struct {
		name string
		by   *engine.User
		to   string
		kind error
	}{
		{"a user reassigns", u["b"], "c", engine.ErrForbidden},
		{"to an unknown user", admin, "nobody", engine.ErrInvalid},
		{"to a disabled user", admin, "a", engine.ErrInvalid},
	} {
		if _, err := h.tasks.Reassign(ctx, bad.by, tid, bad.to, ""); !errors.Is(err, bad.kind) {
			t.Errorf("%s: %v, want %v", bad.name, err, bad.kind)
		}
	}
	back, err := h.tasks.Reassign(ctx, admin, tid, "", "a has left")
	if err != nil {
		t.Fatal(err)
	}
	if back.Assignee != "" || back.History[len(back.History)-1].Action != "reassign" {
		t.Fatalf("returned to the candidates: assignee %q, history %+v", back.Assignee, back.History)
	}
	if _, err := h.tasks.Reassign(ctx, admin, tid, "", ""); !errors.Is(err, engine.ErrConflict) {
		t.Fatalf("return a task with its candidates already: %v, want a conflict", err)
	}
	if _, err := h.tasks.Claim(ctx, u["b"], tid); err != nil {
		t.Fatalf("b claims the freed task: %v", err)
	}
	// The admin hands it to c, who is no candidate: c decides.
	to, err := h.tasks.Reassign(ctx, admin, tid, "c", "")
	if err != nil {
		t.Fatal(err)
	}
	if to.Assignee != "c" || !to.MayAct(u["c"]) || to.MayAct(u["b"]) {
		t.Fatalf("reassigned to c: assignee %q", to.Assignee)
	}
	if _, err := h.tasks.Reassign(ctx, admin, tid, "c", ""); !errors.Is(err, engine.ErrConflict) {
		t.Fatalf("reassign to its assignee: %v, want a conflict", err)
	}
	h.decide(u["c"], to, "approve")
	if v := h.wait(id); v.Status != engine.StatusDone {
		t.Fatalf("status %s", v.Status)
	}
	if _, err := h.tasks.Reassign(ctx, admin, tid, "b", ""); !errors.Is(err, engine.ErrConflict) {
		t.Fatalf("reassign a done task: %v, want a conflict", err)
	}
}

// TestReassignDirectTaskHasNoCandidates: a task assigned directly cannot go back to
// candidates, but can go to another user.
func TestReassignDirectTaskHasNoCandidates(t *testing.T) {
	h := newHarness(t)
	u := h.people()
	ctx := context.Background()
	admin := &engine.User{ID: "root", Role: engine.RoleAdmin}
	id := h.start(h.deploy(approvalFlow(map[string]any{"assignees": []any{"a"}})), nil)
	tid := h.openTasks(id, u["a"])[0].ID
	if _, err := h.tasks.Reassign(ctx, admin, tid, "", ""); !errors.Is(err, engine.ErrConflict) {
		t.Fatalf("return a direct task: %v, want a conflict", err)
	}
	if _, err := h.tasks.Reassign(ctx, admin, tid, "b", ""); err != nil {
		t.Fatal(err)
	}
	if got := h.openTasks(id, u["b"]); len(got) != 1 || got[0].ID != tid {
		t.Fatalf("b's open tasks: %+v", got)
	}
}
