package storetest

import (
	"slices"

	"flowcraft/engine"
)

// testDefinitionVersionFilters: the filters of seed 003's case definition and
// deployment lists beyond A2's (tenant like, without tenant, the process's current
// enabled flag, categories that are empty, the start form, sorts by update time).
func testDefinitionVersionFilters(f *fixture) {
	a := f.process("proc-aaaaaaaa", func(p *engine.Process) {
		p.Name, p.TenantID, p.Category = "Leave", "acme", "hr"
		p.InputDataSchema = []byte(`{"type":"object"}`)
	})
	f.process("proc-bbbbbbbb", func(p *engine.Process) { p.Name = "Order" })
	next := sampleProcess(a.ID)
	next.Name, next.TenantID, next.Version, next.UpdateAt, next.Enabled = "Leave v2", "acme", 2, secs(10), false
	f.must(f.s.ReplaceProcess(f.ctx, next, "dora"), "replace")

	check := func(what string, vf engine.VersionFilter, want ...string) {
		f.Helper()
		vf.Limit = 10
		ps, total, err := f.s.ListDefinitionVersions(f.ctx, vf)
		f.must(err, what)
		var got []string
		for _, p := range ps {
			got = append(got, p.ID+":"+string(rune('0'+p.Version)))
		}
		if !slices.Equal(got, want) || total != len(want) {
			f.Errorf("%s: %q (total %d), want %q", what, got, total, want)
		}
	}
	byID := engine.Page{Sort: "id"}
	no, yes := false, true
	check("tenant like", engine.VersionFilter{TenantIDLike: "ac%", Page: byID}, "proc-aaaaaaaa:1", "proc-aaaaaaaa:2")
	check("tenant like, the default tenant is one too", engine.VersionFilter{TenantIDLike: "%", Page: byID}, "proc-aaaaaaaa:1", "proc-aaaaaaaa:2", "proc-bbbbbbbb:1")
	check("without tenant", engine.VersionFilter{WithoutTenantID: true}, "proc-bbbbbbbb:1")
	check("category like, no category matches no pattern", engine.VersionFilter{CategoryLike: "%"}, "proc-aaaaaaaa:1")
	check("category not equals keeps no category", engine.VersionFilter{CategoryNotEquals: "hr", Page: byID}, "proc-aaaaaaaa:2", "proc-bbbbbbbb:1")
	// Version 2 disabled the process: all its versions count as disabled now.
	check("process disabled", engine.VersionFilter{ProcessEnabled: &no, Page: byID}, "proc-aaaaaaaa:1", "proc-aaaaaaaa:2")
	check("process enabled", engine.VersionFilter{ProcessEnabled: &yes}, "proc-bbbbbbbb:1")
	check("enabled as of the version", engine.VersionFilter{Enabled: &yes, Page: byID}, "proc-aaaaaaaa:1", "proc-bbbbbbbb:1")
	check("by id, descending: key and version", engine.VersionFilter{Page: engine.Page{Sort: "id", Desc: true}},
		"proc-bbbbbbbb:1", "proc-aaaaaaaa:2", "proc-aaaaaaaa:1")
	check("by update time, newest first", engine.VersionFilter{Page: engine.Page{Sort: "updateAt", Desc: true}},
		"proc-aaaaaaaa:2", "proc-aaaaaaaa:1", "proc-bbbbbbbb:1")

	ps, _, err := f.s.ListDefinitionVersions(f.ctx, engine.VersionFilter{Key: a.ID, Page: engine.Page{Limit: 10, Sort: "version"}})
	f.must(err, "versions of a")
	if len(ps) != 2 || string(ps[0].InputDataSchema) != `{"type":"object"}` {
		f.Errorf("version 1 carries its input data schema: %+v", ps)
	}
}
