package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"flowcraft/engine"
)

const simpleFlow = `{"name": "simple", "engine": "%s", "tasks": [{"instId": "s", "template": "manual", "connections": [{"to": "e"}]},
	{"instId": "e", "template": "end"}]}`

// starterCodeOf is the code of an engine error ("" for none).
func starterCodeOf(err error) engine.Code {
	var e *engine.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// TestCandidateStartersAreEnforced: a process without candidate starters may be
// started by hand by every user; with some, only by the users listed and the members
// of the groups listed (roles do not matter), others get ErrForbidden not_starter.
// Starts not by hand (webhooks, schedules, subprocesses: no Caller) are not checked.
func TestCandidateStartersAreEnforced(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	pid := h.deploy(strings.Replace(simpleFlow, "%s", engine.EngineStandard, 1))
	ann := &engine.User{ID: "ann", Role: engine.RoleUser}
	bob := &engine.User{ID: "bob", Role: engine.RoleUser, Groups: []string{"sales"}}
	cid := &engine.User{ID: "cid", Role: engine.RoleUser, Groups: []string{"hr"}}
	admin := &engine.User{ID: "root", Role: engine.RoleAdmin}
	start := func(u *engine.User) error {
		_, err := h.rt.StartInstance(ctx, pid, map[string]any{}, engine.StartOptions{By: u.ID, Caller: u})
		return err
	}
	for _, u := range []*engine.User{ann, bob, cid, admin} {
		if err := start(u); err != nil {
			t.Fatalf("no candidate starters: %s may not start: %v", u.ID, err)
		}
	}
	if _, err := h.defs.AddStarter(ctx, pid, engine.Starter{UserID: "ann"}, "tester"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.defs.AddStarter(ctx, pid, engine.Starter{GroupID: "hr"}, "tester"); err != nil {
		t.Fatal(err)
	}
	for _, u := range []*engine.User{ann, cid} {
		if err := start(u); err != nil {
			t.Errorf("%s is a candidate starter but may not start: %v", u.ID, err)
		}
		if ok, err := h.defs.MayStart(ctx, pid, u); err != nil || !ok {
			t.Errorf("MayStart(%s) = %v, %v", u.ID, ok, err)
		}
	}
	for _, u := range []*engine.User{bob, admin} {
		err := start(u)
		if !errors.Is(err, engine.ErrForbidden) || starterCodeOf(err) != engine.CodeNotStarter {
			t.Errorf("%s is no candidate starter, start: %v (code %q)", u.ID, err, starterCodeOf(err))
		}
		if ok, err := h.defs.MayStart(ctx, pid, u); err != nil || ok {
			t.Errorf("MayStart(%s) = %v, %v", u.ID, ok, err)
		}
	}
	if _, err := h.rt.StartInstance(ctx, pid, map[string]any{}, engine.StartOptions{By: "bob"}); err != nil {
		t.Errorf("a start not by hand is checked: %v", err)
	}
	if err := h.defs.RemoveStarter(ctx, pid, engine.Starter{UserID: "ann"}, "tester"); err != nil {
		t.Fatal(err)
	}
	if err := h.defs.RemoveStarter(ctx, pid, engine.Starter{GroupID: "hr"}, "tester"); err != nil {
		t.Fatal(err)
	}
	if err := start(bob); err != nil {
		t.Errorf("the list is empty again, yet bob may not start: %v", err)
	}

	// Bad starters.
	for _, s := range []engine.Starter{{}, {UserID: " "}, {UserID: "a", GroupID: "b"}, {UserID: strings.Repeat("x", engine.MaxKeyLen+1)}} {
		if _, err := h.defs.AddStarter(ctx, pid, s, "tester"); !errors.Is(err, engine.ErrInvalid) {
			t.Errorf("add %+v: %v, want ErrInvalid", s, err)
		}
	}
	if err := h.defs.RemoveStarter(ctx, pid, engine.Starter{UserID: "nobody"}, "tester"); !errors.Is(err, engine.ErrNotFound) ||
		starterCodeOf(err) != engine.CodeUnknownStarter {
		t.Errorf("remove one never listed: %v", err)
	}
	if _, err := h.defs.Starters(ctx, "proc-nothere"); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("starters of a missing process: %v", err)
	}
}

// TestBusinessKeyAndTenant: the business key and tenant of a start are kept by both
// engines, found by the instance filters, and checked; an instance takes its
// definition's tenant, and a definition with a tenant starts no other tenant's.
func TestBusinessKeyAndTenant(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for _, eng := range []string{engine.EngineStandard, engine.EngineFast} {
		pid := h.deploy(strings.Replace(simpleFlow, "%s", eng, 1))
		res, err := h.rt.StartInstance(ctx, pid, map[string]any{}, engine.StartOptions{By: "ann", BusinessKey: "order-" + eng,
			TenantID: "", Wait: 20 * time.Second})
		if err != nil || !res.Ended {
			t.Fatalf("%s: start: %v", eng, err)
		}
		v := h.describe(res.Instance.ID)
		if v.BusinessKey != "order-"+eng || v.TenantID != "" {
			t.Errorf("%s: instance %+v", eng, v.Instance)
		}
		// A fast instance is written after it ended: wait for the row.
		var list []*engine.Instance
		var total int
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			list, total, err = h.rt.ListInstances(ctx, engine.InstanceFilter{BusinessKey: "order-" + eng, Page: engine.Page{Limit: 5}})
			if err != nil || total == 1 && len(list) == 1 || time.Now().After(deadline) {
				break
			}
		}
		if err != nil || total != 1 || list[0].ID != res.Instance.ID || list[0].BusinessKey != "order-"+eng {
			t.Errorf("%s: by business key: %v %d %v", eng, list, total, err)
		}
	}

	var p engine.Process
	if err := json.Unmarshal([]byte(strings.Replace(simpleFlow, "%s", engine.EngineStandard, 1)), &p); err != nil {
		t.Fatal(err)
	}
	p.TenantID, p.Category = "acme", "hr"
	created, err := h.defs.Create(ctx, &p, "tester")
	if err != nil {
		t.Fatal(err)
	}
	res, err := h.rt.StartInstance(ctx, created.ID, map[string]any{}, engine.StartOptions{By: "ann", BusinessKey: "k"})
	if err != nil || res.Instance.TenantID != "acme" {
		t.Fatalf("an instance of a tenant's definition: %+v, %v", res, err)
	}
	if _, err := h.rt.StartInstance(ctx, created.ID, map[string]any{}, engine.StartOptions{By: "ann", TenantID: "acme"}); err != nil {
		t.Errorf("start naming the definition's tenant: %v", err)
	}
	if _, err := h.rt.StartInstance(ctx, created.ID, map[string]any{}, engine.StartOptions{By: "ann", TenantID: "globex"}); !errors.Is(err, engine.ErrInvalid) {
		t.Errorf("start naming another tenant: %v", err)
	}
	long := strings.Repeat("k", engine.MaxKeyLen+1)
	if _, err := h.rt.StartInstance(ctx, created.ID, map[string]any{}, engine.StartOptions{By: "ann", BusinessKey: long}); !errors.Is(err, engine.ErrInvalid) {
		t.Errorf("a business key too long: %v", err)
	}

	// The tenant stays with every later version; the category is the version's own.
	next := *created
	next.TenantID, next.Category = "globex", "people"
	replaced, err := h.defs.Replace(ctx, created.ID, &next, "tester")
	if err != nil || replaced.TenantID != "acme" || replaced.Category != "people" {
		t.Fatalf("replace: %+v, %v", replaced, err)
	}
	if err := h.defs.SetCategory(ctx, created.ID, 1, "archive", "tester"); err != nil {
		t.Fatal(err)
	}
	vs, total, err := h.defs.ListVersions(ctx, engine.VersionFilter{Key: created.ID, Page: engine.Page{Limit: 5, Sort: "version"}})
	if err != nil || total != 2 || vs[0].Category != "archive" || vs[1].Category != "people" || vs[0].TenantID != "acme" {
		t.Errorf("versions: %+v %d %v", vs, total, err)
	}
	if err := h.defs.SetCategory(ctx, created.ID, 1, strings.Repeat("c", engine.MaxKeyLen+1), "tester"); !errors.Is(err, engine.ErrInvalid) {
		t.Errorf("a category too long: %v", err)
	}
}
