package storetest

import (
	"bytes"
	"fmt"
	"slices"
	"time"

	"flowcraft/engine"
)

// testTypedVariables: every type round-trips with its type and value (a long with
// every digit, a date to the millisecond, a binary variable's content read apart);
// rewriting a binary variable without Data keeps its content; another type drops it.
func testTypedVariables(f *fixture) {
	p := f.process("proc-aaaaaaaa")
	r := f.newInstance(p.ID, engine.StatusRunning, 0)
	day := time.Date(2024, 3, 5, 8, 30, 0, 123e6, time.UTC)
	want := []engine.Variable{
		{Name: "s", Type: engine.VarString, Value: "text"},
		{Name: "sh", Type: engine.VarShort, Value: int64(-7)},
		{Name: "i", Type: engine.VarInteger, Value: int64(123)},
		{Name: "l", Type: engine.VarLong, Value: int64(9007199254740993)},
		{Name: "d", Type: engine.VarDouble, Value: 2.5},
		{Name: "b", Type: engine.VarBoolean, Value: true},
		{Name: "t", Type: engine.VarDate, Value: day},
		{Name: "j", Type: engine.VarJSON, Value: map[string]any{"a": []any{1.0, "x"}}},
		{Name: "n", Type: engine.VarNull},
		{Name: "ns", Type: engine.VarString}, // a typed null
		{Name: "bin", Type: engine.VarBinary, ContentType: "image/png", Data: []byte{0, 1, 2, 255}},
	}
	vars := map[string]*engine.Variable{}
	for _, v := range want {
		t, err := engine.NewVariable(v, 0)
		f.must(err, "variable "+v.Name)
		vars[v.Name] = t
	}
	f.must(f.s.CommitStep(f.ctx, &engine.Step{Instance: r.in, New: true, Nodes: r.nodes, Vars: vars}), "commit typed variables")
	check := func(what string, got map[string]*engine.Variable) {
		f.Helper()
		if len(got) != len(want) {
			f.Errorf("%s: %d variables, want %d", what, len(got), len(want))
		}
		for _, w := range want {
			g := got[w.Name]
			switch {
			case g == nil:
				f.Errorf("%s: %s is missing", what, w.Name)
			case g.Type != w.Type || fmt.Sprint(g.Value) != fmt.Sprint(w.Value) || g.Data != nil:
				f.Errorf("%s: %s = %s %#v (data %v), want %s %#v", what, w.Name, g.Type, g.Value, g.Data, w.Type, w.Value)
			case w.Type == engine.VarBinary && (g.ContentType != "image/png" || g.Size != 4):
				f.Errorf("%s: binary %s is %s of %d bytes", what, w.Name, g.ContentType, g.Size)
			}
		}
	}
	_, _, loaded, err := f.s.LoadInstance(f.ctx, r.in.ID)
	f.must(err, "load")
	check("LoadInstance", loaded)
	got, err := f.s.Variables(f.ctx, r.in.ID)
	f.must(err, "variables")
	check("Variables", got)
	if tm, ok := got["t"].Value.(time.Time); !ok || !tm.Equal(day) {
		f.Errorf("the date came back as %#v", got["t"].Value)
	}
	data, err := f.s.VariableData(f.ctx, r.in.ID, "bin")
	if err != nil || !bytes.Equal(data, []byte{0, 1, 2, 255}) {
		f.Errorf("binary content: %v %v", data, err)
	}
	_, err = f.s.VariableData(f.ctx, r.in.ID, "nope")
	f.wantErr(err, engine.ErrNotFound, "the content of a missing variable")
	_, err = f.s.Variables(f.ctx, f.id())
	f.wantErr(err, engine.ErrNotFound, "the variables of a missing instance")

	// Written again without Data (its content unchanged), the binary variable keeps it.
	again := *got["bin"]
	f.must(f.s.CommitStep(f.ctx, &engine.Step{Instance: r.in, Vars: map[string]*engine.Variable{"bin": &again}}), "rewrite the binary variable")
	if data, err := f.s.VariableData(f.ctx, r.in.ID, "bin"); err != nil || len(data) != 4 {
		f.Errorf("binary content after a rewrite without data: %v %v", data, err)
	}
	// As a string, it loses its content.
	f.must(f.s.CommitStep(f.ctx, &engine.Step{Instance: r.in, Vars: map[string]*engine.Variable{"bin": {Name: "bin", Type: engine.VarString, Value: "now text"}}}), "retype")
	if data, err := f.s.VariableData(f.ctx, r.in.ID, "bin"); err != nil || len(data) != 0 {
		f.Errorf("content after the binary variable became a string: %v %v", data, err)
	}
}

// testVariableConditions: instance lists by variable conditions, every operator
// with the types it takes, conditions combined with each other and with the
// instance's own filters, paging, and bad conditions refused as ErrInvalid.
func testVariableConditions(f *fixture) {
	a, b := f.process("proc-aaaaaaaa"), f.process("proc-bbbbbbbb")
	type row struct {
		pid  string
		vars map[string]any
	}
	rows := []row{
		{a.ID, map[string]any{"days": 2, "name": "Zhang San", "ok": true, "when": "2024-01-01T00:00:00Z", "amount": 10.5}},
		{a.ID, map[string]any{"days": 5, "name": "zhang si", "ok": false, "when": "2024-06-01T12:00:00+08:00", "amount": 99.0}},
		{a.ID, map[string]any{"days": 3.0, "name": "Li Si", "ok": true, "when": "2025-01-01T00:00Z", "amount": 3}},
		{b.ID, map[string]any{"days": "7", "name": "Wang_Wu%", "obj": map[string]any{"x": 1.0}, "when": "1969-12-31T23:30:00Z"}},
		{b.ID, map[string]any{"days": int64(1) << 40, "other": "Zhang San"}},
	}
	typesOf := map[string]string{"when": engine.VarDate}
	var runs []*run
	for i, rw := range rows {
		r := f.newInstance(rw.pid, engine.StatusRunning, time.Duration(i)*time.Minute)
		vars := map[string]*engine.Variable{}
		for k, v := range rw.vars {
			t, err := engine.NewVariable(engine.Variable{Name: k, Type: typesOf[k], Value: v}, 0)
			f.must(err, "variable "+k)
			vars[k] = t
		}
		f.must(f.s.CommitStep(f.ctx, &engine.Step{Instance: r.in, New: true, Nodes: r.nodes, Vars: vars}), "commit")
		runs = append(runs, r)
	}
	// want lists the rows (by index) an instance list must return, newest first.
	list := func(flt engine.InstanceFilter) ([]engine.ID, int, error) {
		if flt.Limit == 0 {
			flt.Limit = 50
		}
		got, total, err := f.s.ListInstances(f.ctx, flt)
		return ids(got, instID), total, err
	}
	want := func(idx ...int) []engine.ID {
		slices.Sort(idx)
		slices.Reverse(idx)
		out := []engine.ID{}
		for _, i := range idx {
			out = append(out, runs[i].in.ID)
		}
		return out
	}
	cases := []struct {
		conds []engine.VarCondition
		want  []int
	}{
		// Numbers: inferred (integer, long) or declared; every numeric type compares.
		{[]engine.VarCondition{{Name: "days", Operation: engine.OpEquals, Value: 5.0}}, []int{1}},
		{[]engine.VarCondition{{Name: "days", Operation: engine.OpNotEquals, Value: 5.0}}, []int{0, 2, 4}},
		{[]engine.VarCondition{{Name: "days", Operation: engine.OpGreaterThan, Value: 3.0}}, []int{1, 4}},
		{[]engine.VarCondition{{Name: "days", Operation: engine.OpGreaterThanOrEquals, Value: 3.0}}, []int{1, 2, 4}},
		{[]engine.VarCondition{{Name: "days", Operation: engine.OpLessThan, Value: 3.0}}, []int{0}},
		{[]engine.VarCondition{{Name: "days", Operation: engine.OpLessThanOrEquals, Value: 3, Type: engine.VarInteger}}, []int{0, 2}},
		{[]engine.VarCondition{{Name: "days", Operation: engine.OpGreaterThan, Value: "1000000", Type: engine.VarLong}}, []int{4}},
		{[]engine.VarCondition{{Name: "amount", Operation: engine.OpGreaterThan, Value: 10.0, Type: engine.VarDouble}}, []int{0, 1}},
		{[]engine.VarCondition{{Name: "amount", Operation: engine.OpEquals, Value: 3, Type: engine.VarShort}}, []int{2}},
		// Strings: the string "7" is not the number 7.
		{[]engine.VarCondition{{Name: "days", Operation: engine.OpEquals, Value: "7"}}, []int{3}},
		{[]engine.VarCondition{{Name: "name", Operation: engine.OpEquals, Value: "Zhang San"}}, []int{0}},
		{[]engine.VarCondition{{Name: "name", Operation: engine.OpEquals, Value: "zhang san"}}, nil},
		{[]engine.VarCondition{{Name: "name", Operation: engine.OpNotEquals, Value: "Zhang San"}}, []int{1, 2, 3}},
		{[]engine.VarCondition{{Name: "name", Operation: engine.OpEqualsIgnoreCase, Value: "ZHANG SAN"}}, []int{0}},
		{[]engine.VarCondition{{Name: "name", Operation: engine.OpNotEqualsIgnoreCase, Value: "zhang SAN"}}, []int{1, 2, 3}},
		{[]engine.VarCondition{{Name: "name", Operation: engine.OpLike, Value: "Zhang%"}}, []int{0}},
		{[]engine.VarCondition{{Name: "name", Operation: engine.OpLike, Value: "%si"}}, []int{1}},
		{[]engine.VarCondition{{Name: "name", Operation: engine.OpLike, Value: "%an%"}}, []int{0, 1, 3}},
		{[]engine.VarCondition{{Name: "name", Operation: engine.OpLike, Value: "Wang_Wu%"}}, []int{3}}, // _ is itself
		{[]engine.VarCondition{{Name: "name", Operation: engine.OpLike, Value: "Wang?Wu%"}}, nil},
		{[]engine.VarCondition{{Name: "name", Operation: engine.OpLike, Value: "Li Si"}}, []int{2}}, // no %: equals
		{[]engine.VarCondition{{Name: "name", Operation: engine.OpLessThan, Value: "M"}}, []int{2}},
		{[]engine.VarCondition{{Name: "name", Operation: engine.OpGreaterThanOrEquals, Value: "Wang"}}, []int{1, 3, 0}},
		// Booleans.
		{[]engine.VarCondition{{Name: "ok", Operation: engine.OpEquals, Value: true}}, []int{0, 2}},
		{[]engine.VarCondition{{Name: "ok", Operation: engine.OpNotEquals, Value: true}}, []int{1}},
		// Dates: ISO text with an offset, without seconds.
		{[]engine.VarCondition{{Name: "when", Operation: engine.OpEquals, Value: "2024-06-01T04:00Z", Type: engine.VarDate}}, []int{1}},
		{[]engine.VarCondition{{Name: "when", Operation: engine.OpGreaterThan, Value: "2024-03-01T00:00:00+08:00", Type: engine.VarDate}}, []int{1, 2}},
		{[]engine.VarCondition{{Name: "when", Operation: engine.OpLessThanOrEquals, Value: "2024-06-01T04:00:00Z", Type: engine.VarDate}}, []int{0, 1, 3}},
		{[]engine.VarCondition{{Name: "when", Operation: engine.OpGreaterThan, Value: "2024-06-01T03:59:59.999Z", Type: engine.VarDate}}, []int{1, 2}},
		{[]engine.VarCondition{{Name: "when", Operation: engine.OpGreaterThan, Value: "2024-06-01T04:00:00Z", Type: engine.VarDate}}, []int{2}},
		{[]engine.VarCondition{{Name: "when", Operation: engine.OpGreaterThanOrEquals, Value: "2024-06-01T04:00:00Z", Type: engine.VarDate}}, []int{1, 2}},
		{[]engine.VarCondition{{Name: "when", Operation: engine.OpLessThan, Value: "2024-06-01T04:00:00.001Z", Type: engine.VarDate}}, []int{0, 1, 3}},
		{[]engine.VarCondition{{Name: "when", Operation: engine.OpLessThan, Value: "2024-06-01T04:00:00Z", Type: engine.VarDate}}, []int{0, 3}},
		{[]engine.VarCondition{{Name: "when", Operation: engine.OpNotEquals, Value: "2024-06-01T04:00Z", Type: engine.VarDate}}, []int{0, 2, 3}},
		{[]engine.VarCondition{{Name: "when", Operation: engine.OpLessThan, Value: "1970-01-01T00:10Z", Type: engine.VarDate}}, []int{3}},
		{[]engine.VarCondition{{Name: "when", Operation: engine.OpGreaterThan, Value: "1969-12-31T23:00Z", Type: engine.VarDate}}, []int{0, 1, 2, 3}},
		{[]engine.VarCondition{{Name: "when", Operation: engine.OpGreaterThan, Value: "1969-12-31T23:45Z", Type: engine.VarDate}}, []int{0, 1, 2}},
		{[]engine.VarCondition{{Name: "when", Operation: engine.OpLessThanOrEquals, Value: "1969-12-31T23:30Z", Type: engine.VarDate}}, []int{3}},
		{[]engine.VarCondition{{Name: "when", Operation: engine.OpEquals, Value: "1969-12-31T23:30Z", Type: engine.VarDate}}, []int{3}},
		{[]engine.VarCondition{{Name: "when", Operation: engine.OpGreaterThan, Value: "1969-12-31T22:00Z", Type: engine.VarDate}}, []int{0, 1, 2, 3}},
		{[]engine.VarCondition{{Name: "when", Operation: engine.OpLessThan, Value: "1969-12-31T22:30Z", Type: engine.VarDate}}, nil},
		// No name with equals: any variable of that value.
		{[]engine.VarCondition{{Operation: engine.OpEquals, Value: "Zhang San"}}, []int{0, 4}},
		// Several conditions: all hold.
		{[]engine.VarCondition{{Name: "days", Operation: engine.OpGreaterThan, Value: 1.0}, {Name: "ok", Operation: engine.OpEquals, Value: true}}, []int{0, 2}},
		// A variable the instance does not have never matches, not even notEquals.
		{[]engine.VarCondition{{Name: "missing", Operation: engine.OpNotEquals, Value: 1.0}}, nil},
	}
	for _, tc := range cases {
		got, total, err := list(engine.InstanceFilter{Variables: tc.conds})
		if w := want(tc.want...); err != nil || !slices.Equal(got, w) || total != len(w) {
			f.Errorf("%+v: %v (total %d) %v; want %v", tc.conds, got, total, err, w)
		}
	}
	// With the instance's own filters, and paged.
	got, total, err := list(engine.InstanceFilter{ProcessID: a.ID, Variables: []engine.VarCondition{{Name: "days", Operation: engine.OpGreaterThan, Value: 1.0}}})
	if w := want(0, 1, 2); err != nil || !slices.Equal(got, w) || total != 3 {
		f.Errorf("days > 1 of %s: %v %d %v; want %v", a.ID, got, total, err, w)
	}
	got, total, err = list(engine.InstanceFilter{Variables: []engine.VarCondition{{Name: "days", Operation: engine.OpGreaterThan, Value: 1.0}},
		Page: engine.Page{Limit: 2, Offset: 1}})
	if w := want(1, 2); err != nil || !slices.Equal(got, w) || total != 4 {
		f.Errorf("days > 1, second page of 2: %v %d %v; want %v", got, total, err, w)
	}
	got, _, err = list(engine.InstanceFilter{Variables: []engine.VarCondition{{Name: "days", Operation: engine.OpGreaterThan, Value: 1.0}},
		Page: engine.Page{Sort: "startAt"}})
	if w := []engine.ID{runs[0].in.ID, runs[1].in.ID, runs[2].in.ID, runs[4].in.ID}; err != nil || !slices.Equal(got, w) {
		f.Errorf("days > 1 by start ascending: %v %v", got, err)
	}

	// Totals follow updates, retypes, deleted variables and deleted instances.
	set := func(r *run, deleted []string, vars ...engine.Variable) {
		f.Helper()
		typed := map[string]*engine.Variable{}
		for _, v := range vars {
			t, err := engine.NewVariable(v, 0)
			f.must(err, "variable "+v.Name)
			typed[v.Name] = t
		}
		f.must(f.s.CommitStep(f.ctx, &engine.Step{Instance: r.in, Vars: typed, DeletedVars: deleted}), "change variables")
	}
	set(runs[1], nil, engine.Variable{Name: "days", Value: 1.0})
	set(runs[3], nil, engine.Variable{Name: "name", Value: "Li Si"})
	set(runs[2], []string{"days"})
	set(runs[0], nil, engine.Variable{Name: "days", Value: "2"})
	f.must(f.s.DeleteInstance(f.ctx, runs[4].in.ID), "delete an instance")
	for _, tc := range []struct {
		cond engine.VarCondition
		want []int
	}{
		{engine.VarCondition{Name: "days", Operation: engine.OpEquals, Value: 5.0}, nil},
		{engine.VarCondition{Name: "days", Operation: engine.OpLessThan, Value: 3.0}, []int{1}},
		{engine.VarCondition{Name: "days", Operation: engine.OpGreaterThanOrEquals, Value: 1.0}, []int{1}},
		{engine.VarCondition{Name: "days", Operation: engine.OpEquals, Value: "2"}, []int{0}},
		{engine.VarCondition{Name: "name", Operation: engine.OpEquals, Value: "Li Si"}, []int{2, 3}},
		{engine.VarCondition{Name: "name", Operation: engine.OpLike, Value: "%Si"}, []int{2, 3}},
		{engine.VarCondition{Name: "name", Operation: engine.OpLike, Value: "%ang%"}, []int{0, 1}},
		{engine.VarCondition{Name: "other", Operation: engine.OpEquals, Value: "Zhang San"}, nil},
	} {
		got, total, err := list(engine.InstanceFilter{Variables: []engine.VarCondition{tc.cond}})
		if w := want(tc.want...); err != nil || !slices.Equal(got, w) || total != len(w) {
			f.Errorf("after the changes, %+v: %v (total %d) %v; want %v", tc.cond, got, total, err, w)
		}
	}

	// Bad conditions.
	for _, c := range []engine.VarCondition{
		{Name: "days", Operation: "between", Value: 1.0},
		{Name: "days", Operation: engine.OpLike, Value: 1.0},
		{Name: "ok", Operation: engine.OpGreaterThan, Value: true},
		{Name: "days", Operation: engine.OpEquals, Value: "x", Type: engine.VarInteger},
		{Name: "days", Operation: engine.OpEquals, Value: 1.0, Type: "float"},
		{Name: "obj", Operation: engine.OpEquals, Value: map[string]any{"x": 1.0}},
		{Name: "when", Operation: engine.OpEquals, Value: "yesterday", Type: engine.VarDate},
		{Name: "days", Operation: engine.OpEquals},
		{Operation: engine.OpGreaterThan, Value: 1.0},
	} {
		_, _, err := list(engine.InstanceFilter{Variables: []engine.VarCondition{c}})
		f.wantErr(err, engine.ErrInvalid, fmt.Sprintf("condition %+v", c))
	}
}
