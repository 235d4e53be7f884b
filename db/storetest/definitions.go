package storetest

import (
	"fmt"
	"slices"

	"flowcraft/engine"
)

func testProcessCRUD(f *fixture) {
	p := f.process("proc-aaaaaaaa", func(p *engine.Process) { p.Description = "the first" })
	f.wantErr(f.s.InsertProcess(f.ctx, sampleProcess(p.ID)), engine.ErrConflict, "insert a taken id")

	got, err := f.s.GetProcess(f.ctx, p.ID)
	f.must(err, "get process")
	if got.Name != p.Name || got.Description != "the first" || got.Creator != "dora" || !got.Enabled || got.Version != 1 ||
		got.TriggerApp != "manual" || string(got.Extension) != `{"color":"blue"}` || got.CreateAt != p.CreateAt {
		f.Errorf("round trip: %+v", got)
	}
	if len(got.Tasks) != 1 || got.Tasks[0].InstID != "task-a" || got.Tasks[0].Positions[1] != 2 {
		f.Errorf("tasks round trip: %+v", got.Tasks)
	}
	_, err = f.s.GetProcess(f.ctx, "proc-nothere")
	f.wantErr(err, engine.ErrNotFound, "get a missing process")

	v, enabled, err := f.s.ProcessHead(f.ctx, p.ID)
	if err != nil || v != 1 || !enabled {
		f.Errorf("head: %d %v %v", v, enabled, err)
	}
	_, _, err = f.s.ProcessHead(f.ctx, "proc-nothere")
	f.wantErr(err, engine.ErrNotFound, "head of a missing process")
}

func testProcessReplaceAndVersions(f *fixture) {
	p := f.process("proc-aaaaaaaa")
	for v := 2; v <= 3; v++ {
		next := *p
		next.Version, next.Name, next.UpdateAt = v, fmt.Sprintf("version %d", v), ms(0)+int64(v)
		f.must(f.s.ReplaceProcess(f.ctx, &next, "admin"), fmt.Sprintf("replace with version %d", v))
	}
	stale := *p
	stale.Version, stale.Name = 3, "stale"
	f.wantErr(f.s.ReplaceProcess(f.ctx, &stale, "admin"), engine.ErrConflict, "replace from a stale version")
	missing := sampleProcess("proc-nothere")
	missing.Version = 2
	f.wantErr(f.s.ReplaceProcess(f.ctx, missing, "admin"), engine.ErrNotFound, "replace a missing process")

	cur, err := f.s.GetProcess(f.ctx, p.ID)
	if err != nil || cur.Version != 3 || cur.Name != "version 3" {
		f.Fatalf("current after two replacements: %+v %v", cur, err)
	}
	// Earlier versions, newest first, and pages of them.
	vs, total, err := f.s.ListProcessVersions(f.ctx, p.ID, engine.Page{Limit: 10})
	f.must(err, "list versions")
	if total != 2 || len(vs) != 2 || vs[0].Version != 2 || vs[1].Version != 1 || vs[1].Definition.Name != p.Name ||
		vs[0].ReplacedBy != "admin" || len(vs[1].Definition.Tasks) != 1 {
		f.Errorf("versions: %+v total %d", vs, total)
	}
	vs, total, err = f.s.ListProcessVersions(f.ctx, p.ID, engine.Page{Limit: 1, Offset: 1})
	if err != nil || total != 2 || len(vs) != 1 || vs[0].Version != 1 {
		f.Errorf("second page of versions: %+v %d %v", vs, total, err)
	}
	vs, _, err = f.s.ListProcessVersions(f.ctx, p.ID, engine.Page{Limit: 10, Sort: "version"})
	if err != nil || len(vs) != 2 || vs[0].Version != 1 {
		f.Errorf("versions oldest first: %+v %v", vs, err)
	}
	_, _, err = f.s.ListProcessVersions(f.ctx, p.ID, engine.Page{Limit: 10, Sort: "bogus"})
	f.wantErr(err, engine.ErrInvalid, "sort versions by an unknown field")

	// ProcessAt: the current row or an earlier version.
	for v, name := range map[int]string{1: p.Name, 2: "version 2", 3: "version 3"} {
		got, err := f.s.ProcessAt(f.ctx, p.ID, v)
		if err != nil || got.Version != v || got.Name != name || len(got.Tasks) != 1 {
			f.Errorf("process at version %d: %+v %v", v, got, err)
		}
	}
	_, err = f.s.ProcessAt(f.ctx, p.ID, 4)
	f.wantErr(err, engine.ErrNotFound, "a version that never was")
	_, err = f.s.ProcessAt(f.ctx, "proc-nothere", 1)
	f.wantErr(err, engine.ErrNotFound, "a version of a missing process")
}

func testListProcesses(f *fixture) {
	off := false
	f.process("proc-alpha001", func(p *engine.Process) { p.Name, p.Creator = "Alpha leave request", "ann" })
	f.process("proc-beta0001", func(p *engine.Process) { p.Name, p.Description, p.UpdateAt = "Beta", "refund of 50% fees", secs(1) })
	f.process("proc-gamma001", func(p *engine.Process) { p.Name, p.Enabled, p.UpdateAt = "Gamma_report", false, secs(5) })
	f.process("proc-delta001", func(p *engine.Process) { p.Name, p.UpdateAt = "Delta", secs(3) })

	list := func(pf engine.ProcessFilter) ([]string, int) {
		f.Helper()
		if pf.Limit == 0 {
			pf.Limit = 10
		}
		ps, total, err := f.s.ListProcesses(f.ctx, pf)
		f.must(err, "list processes")
		var names []string
		for _, p := range ps {
			if len(p.Tasks) != 0 {
				f.Errorf("list carries the tasks of %s", p.ID)
			}
			names = append(names, p.Name)
		}
		return names, total
	}
	check := func(what string, pf engine.ProcessFilter, want ...string) {
		f.Helper()
		got, total := list(pf)
		if !slices.Equal(got, want) || total != len(want) {
			f.Errorf("%s: %q (total %d), want %q", what, got, total, want)
		}
	}
	byName := engine.Page{Sort: "name"}
	check("all by name", engine.ProcessFilter{Page: byName}, "Alpha leave request", "Beta", "Delta", "Gamma_report")
	check("by name, descending", engine.ProcessFilter{Page: engine.Page{Sort: "name", Desc: true}}, "Gamma_report", "Delta", "Beta", "Alpha leave request")
	check("exact name", engine.ProcessFilter{Name: "Beta"}, "Beta")
	check("name like, any case", engine.ProcessFilter{NameLike: "LEAVE", Page: byName}, "Alpha leave request")
	check("search finds ids", engine.ProcessFilter{Search: "gamma0", Page: byName}, "Gamma_report")
	check("search finds descriptions", engine.ProcessFilter{Search: "refund", Page: byName}, "Beta")
	check("% is no wildcard", engine.ProcessFilter{Search: "%", Page: byName}, "Beta")
	check("_ is no wildcard", engine.ProcessFilter{NameLike: "_", Page: byName}, "Gamma_report")
	check("name like: % is the wildcard", engine.ProcessFilter{NameLike: "al%", Page: byName}, "Alpha leave request")
	check("name like: % at the end only is a prefix", engine.ProcessFilter{NameLike: "leave%", Page: byName})
	check("name like: % inside", engine.ProcessFilter{NameLike: "%a_r%", Page: byName}, "Gamma_report")
	check("name like: _ stays literal beside %", engine.ProcessFilter{NameLike: "%_%", Page: byName}, "Gamma_report")
	check("disabled only", engine.ProcessFilter{Enabled: &off, Page: byName}, "Gamma_report")
	check("creator", engine.ProcessFilter{Creator: "ann"}, "Alpha leave request")
	check("default order: by last update", engine.ProcessFilter{}, "Alpha leave request", "Beta", "Delta", "Gamma_report")
	check("default order, descending", engine.ProcessFilter{Page: engine.Page{Desc: true}}, "Gamma_report", "Delta", "Beta", "Alpha leave request")

	got, total := list(engine.ProcessFilter{Page: engine.Page{Sort: "name", Limit: 2, Offset: 1}})
	if !slices.Equal(got, []string{"Beta", "Delta"}) || total != 4 {
		f.Errorf("a page: %q of %d", got, total)
	}
	_, _, err := f.s.ListProcesses(f.ctx, engine.ProcessFilter{Page: engine.Page{Limit: 10, Sort: "name; DROP TABLE workflow"}})
	f.wantErr(err, engine.ErrInvalid, "sort by an unknown field")
}

func testDeleteProcess(f *fixture) {
	p := f.process("proc-aaaaaaaa")
	next := *p
	next.Version = 2
	f.must(f.s.ReplaceProcess(f.ctx, &next, "admin"), "replace")
	running := f.instance(p.ID, engine.StatusRunning, 0)

	f.wantErr(f.s.DeleteProcess(f.ctx, p.ID, false, "admin"), engine.ErrConflict, "delete with an unfinished instance")
	if _, err := f.s.GetProcess(f.ctx, p.ID); err != nil {
		f.Fatalf("a refused delete removed the process: %v", err)
	}
	f.must(f.s.DeleteProcess(f.ctx, p.ID, true, "admin"), "delete with cascade")
	_, err := f.s.GetInstance(f.ctx, running.in.ID)
	f.wantErr(err, engine.ErrNotFound, "an instance of a deleted process")
	if vs, total, err := f.s.ListProcessVersions(f.ctx, p.ID, engine.Page{Limit: 10}); err != nil || total != 0 || len(vs) != 0 {
		f.Errorf("versions of a deleted process: %v %d %v", vs, total, err)
	}
	f.wantErr(f.s.DeleteProcess(f.ctx, p.ID, false, "admin"), engine.ErrNotFound, "delete twice")

	// Finished instances do not hold a delete back; they go with the process.
	q := f.process("proc-bbbbbbbb")
	done := f.instance(q.ID, engine.StatusDone, 0)
	f.must(f.s.DeleteProcess(f.ctx, q.ID, false, "admin"), "delete with only finished instances")
	_, err = f.s.GetInstance(f.ctx, done.in.ID)
	f.wantErr(err, engine.ErrNotFound, "a finished instance of a deleted process")
}

func testTriggerTokens(f *fixture) {
	hook := f.process("proc-hook0001", func(p *engine.Process) { p.TriggerApp, p.TriggerToken = "webhook", engine.NewSecret() })
	manual := f.process("proc-manual01")
	dup := sampleProcess("proc-hook0002")
	dup.TriggerApp, dup.TriggerToken = "webhook", hook.TriggerToken
	f.wantErr(f.s.InsertProcess(f.ctx, dup), engine.ErrConflict, "a second process with the same token")
	f.process("proc-manual02") // empty tokens are not unique

	got, err := f.s.ProcessByTriggerToken(f.ctx, hook.TriggerToken)
	if err != nil || got.ID != hook.ID || len(got.Tasks) != 1 {
		f.Fatalf("by token: %+v %v", got, err)
	}
	for _, tok := range []string{"", engine.NewSecret()} {
		_, err := f.s.ProcessByTriggerToken(f.ctx, tok)
		f.wantErr(err, engine.ErrNotFound, fmt.Sprintf("token %q", tok))
	}

	fresh := engine.NewSecret()
	f.must(f.s.SetTriggerToken(f.ctx, hook.ID, fresh, "dora"), "rotate the token")
	_, err = f.s.ProcessByTriggerToken(f.ctx, hook.TriggerToken)
	f.wantErr(err, engine.ErrNotFound, "the old token after a rotation")
	if got, err := f.s.ProcessByTriggerToken(f.ctx, fresh); err != nil || got.Version != 1 {
		f.Errorf("the new token: %+v %v (a rotation makes no version)", got, err)
	}
	for _, id := range []string{manual.ID, "proc-missing0"} {
		f.wantErr(f.s.SetTriggerToken(f.ctx, id, engine.NewSecret(), "dora"), engine.ErrNotFound, "set the token of "+id)
	}
	other := f.process("proc-hook0003", func(p *engine.Process) { p.TriggerApp, p.TriggerToken = "webhook", engine.NewSecret() })
	f.wantErr(f.s.SetTriggerToken(f.ctx, other.ID, fresh, "dora"), engine.ErrConflict, "rotate to a token in use")

	// An edit made from a copy read before the rotation keeps the rotated token.
	edit := *hook
	edit.Version, edit.Name = 2, "edited"
	f.must(f.s.ReplaceProcess(f.ctx, &edit, "dora"), "edit a webhook process")
	if got, err := f.s.ProcessByTriggerToken(f.ctx, fresh); err != nil || got.Name != "edited" {
		f.Errorf("after an edit from a stale copy, the rotated token: %+v %v", got, err)
	}
}
