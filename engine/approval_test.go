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

// people creates users a, b, c (group g1: a, b) and returns them.
func (h *harness) people() map[string]*engine.User {
	h.t.Helper()
	ctx := context.Background()
	id := identity.New(h.store, identity.Options{BcryptCost: bcrypt.MinCost}, time.Now, discardLog())
	if _, err := id.CreateGroup(ctx, &engine.Group{ID: "g1"}); err != nil {
		h.t.Fatal(err)
	}
	out := map[string]*engine.User{}
	for _, u := range []*engine.User{{ID: "a", Groups: []string{"g1"}}, {ID: "b", Groups: []string{"g1"}}, {ID: "c"}} {
		created, err := id.CreateUser(ctx, u, "password1")
		if err != nil {
			h.t.Fatal(err)
		}
		out[u.ID] = created
	}
	return out
}

func approvalFlow(params map[string]any) string {
	ap := task_("ap", "approval", "end")
	for k, v := range params {
		ap.p(k, v)
	}
	return def("approval", task_("start", "manual", "ap"), ap, task_("end", "end"))
}

// openTasks waits until the instance waits and returns its open human tasks.
func (h *harness) openTasks(id engine.ID, u *engine.User) []*engine.HumanTask {
	h.t.Helper()
	h.waitStatus(id, engine.StatusWaiting)
	list, _, err := h.tasks.Inbox(context.Background(), u, engine.InboxFilter{Page: engine.Page{Limit: 100}})
	if err != nil {
		h.t.Fatal(err)
	}
	var mine []*engine.HumanTask
	for _, t := range list {
		if t.InstanceID == id {
			mine = append(mine, t)
		}
	}
	return mine
}

func (h *harness) decide(u *engine.User, t *engine.HumanTask, outcome string) {
	h.t.Helper()
	if _, err := h.tasks.CompleteTask(context.Background(), u, t.ID, engine.TaskInput{Outcome: outcome, Comment: u.ID + " says " + outcome}); err != nil {
		h.t.Fatalf("%s decides %s: %v", u.ID, outcome, err)
	}
}

func TestApprovalModes(t *testing.T) {
	h := newHarness(t)
	u := h.people()
	outcomeOf := func(id engine.ID) (string, int) {
		v := h.wait(id)
		out := v.Output.(map[string]any)
		return out["outcome"].(string), len(out["decisions"].([]any))
	}

	t.Run("any: group candidates, first decision wins", func(t *testing.T) {
		id := h.start(h.deploy(approvalFlow(map[string]any{"candidateGroups": []any{"g1"}, "mode": "any"})), nil)
		if got := h.openTasks(id, u["c"]); len(got) != 0 {
			t.Fatalf("c is not in g1 but sees %d tasks", len(got))
		}
		ts := h.openTasks(id, u["b"])
		if len(ts) != 1 {
			t.Fatalf("b sees %d tasks", len(ts))
		}
		h.decide(u["b"], ts[0], "approve")
		if o, n := outcomeOf(id); o != "approve" || n != 1 {
			t.Fatalf("outcome %s with %d decisions", o, n)
		}
	})

	t.Run("all: everyone approves", func(t *testing.T) {
		id := h.start(h.deploy(approvalFlow(map[string]any{"assignees": []any{"c"}, "candidateGroups": []any{"g1"}, "mode": "all"})), nil)
		for _, name := range []string{"c", "a", "b"} {
			ts := h.openTasks(id, u[name])
			if len(ts) != 1 {
				t.Fatalf("%s sees %d tasks", name, len(ts))
			}
			h.decide(u[name], ts[0], "approve")
		}
		if o, n := outcomeOf(id); o != "approve" || n != 3 {
			t.Fatalf("outcome %s with %d decisions", o, n)
		}
	})

	t.Run("all with veto: one reject ends it", func(t *testing.T) {
		id := h.start(h.deploy(approvalFlow(map[string]any{"assignees": []any{"a", "b", "c"}, "mode": "all"})), nil)
		h.decide(u["a"], h.openTasks(id, u["a"])[0], "approve")
		h.decide(u["b"], h.openTasks(id, u["b"])[0], "reject")
		if o, n := outcomeOf(id); o != "reject" || n != 2 {
			t.Fatalf("outcome %s with %d decisions", o, n)
		}
		if left := h.openTasks2(u["c"]); left != 0 {
			t.Fatalf("c still has %d open tasks after the veto", left)
		}
	})

	t.Run("all with majority", func(t *testing.T) {
		id := h.start(h.deploy(approvalFlow(map[string]any{"assignees": []any{"a", "b", "c"}, "mode": "all", "rejectRule": "majority"})), nil)
		h.decide(u["a"], h.openTasks(id, u["a"])[0], "reject")
		h.decide(u["b"], h.openTasks(id, u["b"])[0], "approve")
		h.decide(u["c"], h.openTasks(id, u["c"])[0], "approve")
		if o, n := outcomeOf(id); o != "approve" || n != 3 {
			t.Fatalf("outcome %s with %d decisions", o, n)
		}
	})

	t.Run("sequential: one after another", func(t *testing.T) {
		id := h.start(h.deploy(approvalFlow(map[string]any{"assignees": []any{"b", "a"}, "mode": "sequential"})), nil)
		if n := len(h.openTasks(id, u["a"])); n != 0 {
			t.Fatalf("a has a task before b decided: %d", n)
		}
		h.decide(u["b"], h.openTasks(id, u["b"])[0], "approve")
		h.decide(u["a"], h.openTasks(id, u["a"])[0], "approve")
		if o, n := outcomeOf(id); o != "approve" || n != 2 {
			t.Fatalf("outcome %s with %d decisions", o, n)
		}
	})

	t.Run("sequential: a reject stops the chain", func(t *testing.T) {
		id := h.start(h.deploy(approvalFlow(map[string]any{"assignees": []any{"a", "b"}, "mode": "sequential"})), nil)
		h.decide(u["a"], h.openTasks(id, u["a"])[0], "reject")
		if o, n := outcomeOf(id); o != "reject" || n != 1 {
			t.Fatalf("outcome %s with %d decisions", o, n)
		}
	})
}

// openTasks2 counts all open tasks of a user.
func (h *harness) openTasks2(u *engine.User) int {
	_, total, err := h.tasks.Inbox(context.Background(), u, engine.InboxFilter{Page: engine.Page{Limit: 1}})
	if err != nil {
		h.t.Fatal(err)
	}
	return total
}

// TestApprovalSurvivesRestart: a waiting approval is decided after the engine restarted.
func TestApprovalSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	h := openHarness(t, dir)
	u := h.people()
	pid := h.deploy(approvalFlow(map[string]any{"assignees": []any{"a", "b"}, "mode": "sequential", "content": "please {{ trigger.what }}"}))
	id := h.start(pid, map[string]any{"what": "sign"})
	h.decide(u["a"], h.openTasks(id, u["a"])[0], "approve")
	h.openTasks(id, u["b"])
	h.close()

	h = openHarness(t, dir)
	ts := h.openTasks(id, u["b"])
	if len(ts) != 1 || ts[0].Content != "please sign" {
		t.Fatalf("after restart b has %v", ts)
	}
	h.decide(u["b"], ts[0], "approve")
	if v := h.wait(id); v.Status != engine.StatusDone || v.Output.(map[string]any)["outcome"] != "approve" {
		t.Fatalf("after restart: %s %v", v.Status, v.Output)
	}
}

// TestApprovalCanceledWithInstance: canceling the instance closes its open tasks.
func TestApprovalCanceledWithInstance(t *testing.T) {
	h := newHarness(t)
	u := h.people()
	id := h.start(h.deploy(approvalFlow(map[string]any{"assignees": []any{"a"}})), nil)
	ts := h.openTasks(id, u["a"])
	if _, err := h.rt.Act(context.Background(), id, engine.ActionCancel); err != nil {
		t.Fatal(err)
	}
	if n := h.openTasks2(u["a"]); n != 0 {
		t.Fatalf("%d open tasks after cancel", n)
	}
	got, _ := h.tasks.HumanTask(context.Background(), u["a"], ts[0].ID)
	if got.Status != engine.TaskCanceled {
		t.Fatalf("task status %s", got.Status)
	}
}

// Issue 12 item 12: after delegate → resolve → unclaim the former owner has no
// rights left over the task; rights follow the current state.
func TestDelegationOwnerLosesRightsAfterUnclaim(t *testing.T) {
	h := newHarness(t)
	u := h.people()
	ctx := context.Background()
	id := h.start(h.deploy(approvalFlow(map[string]any{"candidateUsers": []any{"a", "b"}})), nil)
	tid := h.openTasks(id, u["a"])[0].ID
	steps := []struct {
		name string
		do   func() (*engine.HumanTask, error)
	}{
		{"a claims", func() (*engine.HumanTask, error) { return h.tasks.Claim(ctx, u["a"], tid) }},
		{"a delegates to c", func() (*engine.HumanTask, error) { return h.tasks.Delegate(ctx, u["a"], tid, "c", "") }},
		{"c resolves", func() (*engine.HumanTask, error) { return h.tasks.Resolve(ctx, u["c"], tid, "done") }},
		{"a unclaims", func() (*engine.HumanTask, error) { return h.tasks.Unclaim(ctx, u["a"], tid) }},
		{"b claims", func() (*engine.HumanTask, error) { return h.tasks.Claim(ctx, u["b"], tid) }},
	}
	for _, s := range steps {
		if _, err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
	ht, err := h.tasks.HumanTask(ctx, u["b"], tid)
	if err != nil {
		t.Fatal(err)
	}
	if ht.Owner != "" || ht.Delegation != "" || ht.MayAct(u["a"]) || ht.MayAct(u["c"]) {
		t.Fatalf("after unclaim and b's claim: owner %q, delegation %q, a may act %v, c may act %v",
			ht.Owner, ht.Delegation, ht.MayAct(u["a"]), ht.MayAct(u["c"]))
	}
	if _, err := h.tasks.CompleteTask(ctx, u["a"], tid, engine.TaskInput{Outcome: "approve"}); !errors.Is(err, engine.ErrConflict) {
		t.Fatalf("a completes b's task: %v, want a conflict", err)
	}
	if _, err := h.tasks.Delegate(ctx, u["a"], tid, "c", ""); err == nil {
		t.Fatal("a delegated b's task")
	}
	if _, err := h.tasks.HumanTask(ctx, u["c"], tid); !errors.Is(err, engine.ErrForbidden) {
		t.Fatalf("the former delegate reads the task: %v", err)
	}
	h.decide(u["b"], ht, "approve")
	if v := h.wait(id); v.Status != engine.StatusDone {
		t.Fatalf("status %s", v.Status)
	}
}
