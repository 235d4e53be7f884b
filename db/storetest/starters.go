package storetest

import (
	"slices"
	"time"

	"flowcraft/engine"
)

// Seed 003's core fields: business keys and tenants of instances, tenants and
// categories of definitions, definition versions, candidate starters.

func testBusinessKeysAndTenants(f *fixture) {
	a := f.process("proc-aaaaaaaa", func(p *engine.Process) { p.TenantID = "acme" })
	commit := func(at time.Duration, key, tenant string) *run {
		f.Helper()
		r := f.newInstance(a.ID, engine.StatusDone, at)
		r.in.BusinessKey, r.in.TenantID = key, tenant
		f.must(f.s.CommitStep(f.ctx, &engine.Step{Instance: r.in, New: true, Nodes: r.nodes}), "commit")
		return r
	}
	r1 := commit(1*time.Hour, "order-17", "acme")
	r2 := commit(2*time.Hour, "order-170", "")
	r3 := commit(3*time.Hour, "", "acme")
	r4 := commit(4*time.Hour, "Refund_9", "globex")

	in, err := f.s.GetInstance(f.ctx, r1.in.ID)
	if err != nil || in.BusinessKey != "order-17" || in.TenantID != "acme" {
		f.Errorf("instance read back: %+v %v", in, err)
	}
	in, _, _, err = f.s.LoadInstance(f.ctx, r4.in.ID)
	if err != nil || in.BusinessKey != "Refund_9" || in.TenantID != "globex" {
		f.Errorf("instance loaded: %+v %v", in, err)
	}
	list := func(what string, flt engine.InstanceFilter, want ...*run) {
		f.Helper()
		flt.Limit = 10
		got, total, err := f.s.ListInstances(f.ctx, flt)
		f.must(err, what)
		wantIDs := ids(want, func(r *run) engine.ID { return r.in.ID })
		if gotIDs := ids(got, instID); !slices.Equal(gotIDs, wantIDs) || total != len(want) {
			f.Errorf("%s: %v (total %d), want %v", what, gotIDs, total, wantIDs)
		}
	}
	list("business key, exact", engine.InstanceFilter{BusinessKey: "order-17"}, r1)
	list("business key, unknown", engine.InstanceFilter{BusinessKey: "order-1"})
	list("business key like, a substring", engine.InstanceFilter{BusinessKeyLike: "der-17"}, r2, r1)
	list("business key like, % a prefix", engine.InstanceFilter{BusinessKeyLike: "order%"}, r2, r1)
	list("business key like, % at the end", engine.InstanceFilter{BusinessKeyLike: "%17"}, r1)
	list("business key like, _ is literal", engine.InstanceFilter{BusinessKeyLike: "%_%"}, r4)
	list("business key like, no key never matches", engine.InstanceFilter{BusinessKeyLike: "%"}, r4, r2, r1)
	list("tenant", engine.InstanceFilter{TenantID: "acme"}, r3, r1)
	list("tenant like", engine.InstanceFilter{TenantIDLike: "glo%"}, r4)
	list("without tenant", engine.InstanceFilter{WithoutTenantID: true}, r2)
	list("business key and tenant", engine.InstanceFilter{BusinessKeyLike: "order", TenantID: "acme"}, r1)
}

func testDefinitionLabelsAndVersions(f *fixture) {
	a := f.process("proc-aaaaaaaa", func(p *engine.Process) { p.Name, p.TenantID, p.Category = "Leave", "acme", "hr" })
	f.process("proc-bbbbbbbb", func(p *engine.Process) { p.Name, p.Category = "Order", "sales" })
	got, err := f.s.GetProcess(f.ctx, a.ID)
	if err != nil || got.TenantID != "acme" || got.Category != "hr" {
		f.Fatalf("tenant and category read back: %+v %v", got, err)
	}
	// Version 2 changes the category; version 1 keeps its own.
	next := sampleProcess(a.ID)
	next.Name, next.TenantID, next.Category, next.Version, next.UpdateAt = "Leave v2", "acme", "people", 2, secs(10)
	f.must(f.s.ReplaceProcess(f.ctx, next, "dora"), "replace")
	if got, err := f.s.GetProcess(f.ctx, a.ID); err != nil || got.Category != "people" || got.TenantID != "acme" {
		f.Errorf("after replace: %+v %v", got, err)
	}
	if old, err := f.s.ProcessAt(f.ctx, a.ID, 1); err != nil || old.Category != "hr" {
		f.Errorf("version 1: %+v %v", old, err)
	}

	check := func(what string, vf engine.VersionFilter, want ...string) {
		f.Helper()
		if vf.Limit == 0 {
			vf.Limit = 10
		}
		ps, total, err := f.s.ListDefinitionVersions(f.ctx, vf)
		f.must(err, what)
		var got []string
		for _, p := range ps {
			if len(p.Tasks) != 0 {
				f.Errorf("%s: a version carries its tasks", what)
			}
			got = append(got, p.ID+":"+string(rune('0'+p.Version))+":"+p.Category+":"+p.TenantID)
		}
		if !slices.Equal(got, want) || total != len(want) {
			f.Errorf("%s: %q (total %d), want %q", what, got, total, want)
		}
	}
	byID := engine.Page{Sort: "id"}
	check("all, by id", engine.VersionFilter{Page: byID},
		"proc-aaaaaaaa:1:hr:acme", "proc-aaaaaaaa:2:people:acme", "proc-bbbbbbbb:1:sales:")
	check("default order: by name", engine.VersionFilter{},
		"proc-aaaaaaaa:1:hr:acme", "proc-aaaaaaaa:2:people:acme", "proc-bbbbbbbb:1:sales:")
	check("latest", engine.VersionFilter{Latest: true, Page: byID}, "proc-aaaaaaaa:2:people:acme", "proc-bbbbbbbb:1:sales:")
	check("key", engine.VersionFilter{Key: a.ID, Page: engine.Page{Sort: "version", Desc: true}}, "proc-aaaaaaaa:2:people:acme", "proc-aaaaaaaa:1:hr:acme")
	check("key like", engine.VersionFilter{KeyLike: "%bbb%"}, "proc-bbbbbbbb:1:sales:")
	check("version", engine.VersionFilter{Version: 1, Page: byID}, "proc-aaaaaaaa:1:hr:acme", "proc-bbbbbbbb:1:sales:")
	check("name", engine.VersionFilter{Name: "Leave v2"}, "proc-aaaaaaaa:2:people:acme")
	check("name like", engine.VersionFilter{NameLike: "Leave%", Page: byID}, "proc-aaaaaaaa:1:hr:acme", "proc-aaaaaaaa:2:people:acme")
	check("category", engine.VersionFilter{Category: "hr"}, "proc-aaaaaaaa:1:hr:acme")
	check("category like", engine.VersionFilter{CategoryLike: "%e%", Page: byID}, "proc-aaaaaaaa:2:people:acme", "proc-bbbbbbbb:1:sales:")
	check("category not equals", engine.VersionFilter{CategoryNotEquals: "hr", Page: byID}, "proc-aaaaaaaa:2:people:acme", "proc-bbbbbbbb:1:sales:")
	check("tenant", engine.VersionFilter{TenantID: "acme", Page: byID}, "proc-aaaaaaaa:1:hr:acme", "proc-aaaaaaaa:2:people:acme")
	check("by category", engine.VersionFilter{Page: engine.Page{Sort: "category"}},
		"proc-aaaaaaaa:1:hr:acme", "proc-aaaaaaaa:2:people:acme", "proc-bbbbbbbb:1:sales:")
	_, _, err = f.s.ListDefinitionVersions(f.ctx, engine.VersionFilter{Page: engine.Page{Limit: 1, Sort: "nope"}})
	f.wantErr(err, engine.ErrInvalid, "sort versions by an unknown field")

	// The category of one version changes in place, without a new version.
	f.must(f.s.SetProcessCategory(f.ctx, a.ID, 1, "archive", "dora"), "set the category of version 1")
	f.must(f.s.SetProcessCategory(f.ctx, a.ID, 2, "current", "dora"), "set the category of version 2")
	check("categories set", engine.VersionFilter{Key: a.ID, Page: byID}, "proc-aaaaaaaa:1:archive:acme", "proc-aaaaaaaa:2:current:acme")
	if got, err := f.s.GetProcess(f.ctx, a.ID); err != nil || got.Version != 2 || got.Category != "current" {
		f.Errorf("head after setting its category: %+v %v", got, err)
	}
	f.wantErr(f.s.SetProcessCategory(f.ctx, a.ID, 3, "x", "dora"), engine.ErrNotFound, "a version that never was")
	f.wantErr(f.s.SetProcessCategory(f.ctx, "proc-nothere", 1, "x", "dora"), engine.ErrNotFound, "a missing process")

	// Processes filter by tenant and category.
	ps, total, err := f.s.ListProcesses(f.ctx, engine.ProcessFilter{TenantID: "acme", Category: "current", Page: engine.Page{Limit: 10}})
	if err != nil || total != 1 || ps[0].ID != a.ID || ps[0].TenantID != "acme" {
		f.Errorf("processes of tenant acme, category current: %+v %d %v", ps, total, err)
	}
}

func testCandidateStarters(f *fixture) {
	open := f.process("proc-open0001", func(p *engine.Process) { p.Name = "Open" })
	byUser := f.process("proc-user0001", func(p *engine.Process) { p.Name = "By user" })
	byGroup := f.process("proc-group001", func(p *engine.Process) { p.Name = "By group" })
	f.process("proc-hook0001", func(p *engine.Process) { p.Name, p.TriggerApp = "Hook", "webhook" })

	if s, err := f.s.ListStarters(f.ctx, open.ID); err != nil || len(s) != 0 {
		f.Errorf("a new process lists starters: %v %v", s, err)
	}
	_, err := f.s.ListStarters(f.ctx, "proc-nothere")
	f.wantErr(err, engine.ErrNotFound, "starters of a missing process")
	f.wantErr(f.s.AddStarter(f.ctx, "proc-nothere", engine.Starter{UserID: "ann"}, "dora"), engine.ErrNotFound, "add to a missing process")

	f.must(f.s.AddStarter(f.ctx, byUser.ID, engine.Starter{UserID: "ann"}, "dora"), "add ann")
	f.must(f.s.AddStarter(f.ctx, byUser.ID, engine.Starter{UserID: "ann"}, "dora"), "add ann again")
	f.must(f.s.AddStarter(f.ctx, byUser.ID, engine.Starter{GroupID: "ann"}, "dora"), "add the group named ann")
	f.must(f.s.AddStarter(f.ctx, byUser.ID, engine.Starter{UserID: "abe"}, "dora"), "add abe")
	f.must(f.s.AddStarter(f.ctx, byGroup.ID, engine.Starter{GroupID: "hr"}, "dora"), "add hr")
	s, err := f.s.ListStarters(f.ctx, byUser.ID)
	want := []engine.Starter{{UserID: "abe"}, {UserID: "ann"}, {GroupID: "ann"}}
	if err != nil || !slices.Equal(s, want) {
		f.Errorf("starters: %v %v, want %v (users first, each sorted, no duplicates)", s, err, want)
	}

	startable := func(what string, u *engine.User, want ...string) {
		f.Helper()
		ps, total, err := f.s.ListProcesses(f.ctx, engine.ProcessFilter{StartableBy: u, Page: engine.Page{Limit: 10, Sort: "name"}})
		f.must(err, what)
		var got []string
		for _, p := range ps {
			got = append(got, p.Name)
		}
		if !slices.Equal(got, want) || total != len(want) {
			f.Errorf("%s: %q (total %d), want %q", what, got, total, want)
		}
		vs, _, err := f.s.ListDefinitionVersions(f.ctx, engine.VersionFilter{StartableBy: u, Page: engine.Page{Limit: 10, Sort: "name"}})
		f.must(err, what+" (versions)")
		got = got[:0]
		for _, p := range vs {
			got = append(got, p.Name)
		}
		if !slices.Equal(got, want) {
			f.Errorf("%s, versions: %q, want %q", what, got, want)
		}
	}
	startable("a listed user", &engine.User{ID: "ann"}, "By user", "Open")
	startable("a listed designer: webhook processes too", &engine.User{ID: "ann", Role: engine.RoleDesigner}, "By user", "Hook", "Open")
	startable("a member of a listed group", &engine.User{ID: "zoe", Groups: []string{"sales", "hr"}}, "By group", "Open")
	startable("a user named like a listed group", &engine.User{ID: "hr"}, "Open")
	startable("a member of a group named like a listed user", &engine.User{ID: "zed", Groups: []string{"abe"}}, "Open")
	startable("a member of the group ann", &engine.User{ID: "zed", Groups: []string{"ann"}}, "By user", "Open")
	startable("nobody listed", &engine.User{ID: "bob"}, "Open")
	// Among given processes only (the processes page asks once for its rows).
	ps, total, err := f.s.ListProcesses(f.ctx, engine.ProcessFilter{StartableBy: &engine.User{ID: "bob"},
		IDs: []string{byUser.ID, byGroup.ID, "proc-nothere"}, Page: engine.Page{Limit: 10}})
	if f.must(err, "startable among ids"); len(ps) != 0 || total != 0 {
		f.Errorf("bob among the listed processes: %d (total %d), want none", len(ps), total)
	}
	ps, _, err = f.s.ListProcesses(f.ctx, engine.ProcessFilter{StartableBy: &engine.User{ID: "ann"},
		IDs: []string{byUser.ID, byGroup.ID}, Page: engine.Page{Limit: 10}})
	if f.must(err, "startable among ids"); len(ps) != 1 || ps[0].ID != byUser.ID {
		f.Errorf("ann among the listed processes: %v, want %s only", ps, byUser.ID)
	}
	if ps, _, err := f.s.ListProcesses(f.ctx, engine.ProcessFilter{IDs: []string{}, Page: engine.Page{Limit: 10}}); err != nil || len(ps) != 0 {
		f.Errorf("no ids: %d processes, %v", len(ps), err)
	}

	f.must(f.s.RemoveStarter(f.ctx, byGroup.ID, engine.Starter{GroupID: "hr"}, "dora"), "remove hr")
	f.wantErr(f.s.RemoveStarter(f.ctx, byGroup.ID, engine.Starter{GroupID: "hr"}, "dora"), engine.ErrNotFound, "remove hr again")
	f.wantErr(f.s.RemoveStarter(f.ctx, byUser.ID, engine.Starter{UserID: "hr"}, "dora"), engine.ErrNotFound, "remove a user never listed")
	f.wantErr(f.s.RemoveStarter(f.ctx, "proc-nothere", engine.Starter{UserID: "ann"}, "dora"), engine.ErrNotFound, "remove from a missing process")
	startable("no list left: everyone", &engine.User{ID: "bob"}, "By group", "Open")

	// Deleting a process deletes its starters.
	f.must(f.s.DeleteProcess(f.ctx, byUser.ID, false, "dora"), "delete")
	f.process(byUser.ID, func(p *engine.Process) { p.Name = "By user" })
	if s, err := f.s.ListStarters(f.ctx, byUser.ID); err != nil || len(s) != 0 {
		f.Errorf("a process made again under a deleted one's id lists its starters: %v %v", s, err)
	}
}
