package scripting

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func testScope() Scope {
	return Scope{
		Input:   map[string]any{"x": 1, "amount": 500.0, "outcome": "reject", "approved": true, "a": 1, "b": "two"},
		Trigger: map[string]any{"days": 3, "applicant": "Alice", "reason": "家事", "amount": "250", "user": map[string]any{"id": "u1"}, "name": "Ann"},
		Vars:    map[string]any{"days": 5, "nested": map[string]any{"k": "v", "list": []any{1, 2}}, "gone": true},
		Nodes: map[string]any{
			"task-score001": map[string]any{"output": map[string]any{"score": 88, "grade": "A"}},
		},
		Instance: map[string]any{"id": "inst-1", "processId": "proc-1", "startedBy": "bob", "startedAt": "2024-05-01T10:00:00Z"},
	}
}

// normalize round-trips v through JSON so expectations can be written with
// float64 numbers and map[string]any.
func normalize(t *testing.T, v any) any {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal %#v: %v", v, err)
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func asError(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *Error", err, err)
	}
	return e
}

func TestExamples(t *testing.T) {
	e := New(Options{})
	ctx := context.Background()
	s := testScope()
	loop := s
	loop.InLoop, loop.Item, loop.Index = true, map[string]any{"id": "i1", "qty": 2, "price": 2.5}, 0

	scripts := []struct {
		name  string
		code  string
		scope Scope
		want  any
		vars  map[string]any
	}{
		{"vars and result", "vars.days = trigger.days; vars.applicant = trigger.applicant; return {days: trigger.days, long: trigger.days > 3};",
			s, map[string]any{"days": 3.0, "long": false},
			map[string]any{"days": 3.0, "applicant": "Alice", "nested": map[string]any{"k": "v", "list": []any{1.0, 2.0}}, "gone": true}},
		{"loop item", "return {id: item.id, total: item.qty * item.price};", loop, map[string]any{"id": "i1", "total": 5.0}, nil},
		{"number coercion", "const amount = Number(trigger.amount || 0); return {approved: amount < 1000, total: amount * 1.1, user: trigger.user};",
			s, map[string]any{"approved": true, "total": 275.0, "user": map[string]any{"id": "u1"}}, nil},
		{"nodes", "return Object.assign({}, nodes['task-score001'].output, {result: 'auto-approved'});",
			s, map[string]any{"score": 88.0, "grade": "A", "result": "auto-approved"}, nil},
	}
	for _, tc := range scripts {
		t.Run(tc.name, func(t *testing.T) {
			r, err := e.RunScript(ctx, tc.code, tc.scope)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(r.Value, tc.want) {
				t.Fatalf("value = %#v, want %#v", r.Value, tc.want)
			}
			if tc.vars != nil {
				if !r.VarsChanged || !reflect.DeepEqual(r.Vars, tc.vars) {
					t.Fatalf("vars = %#v (changed %v), want %#v", r.Vars, r.VarsChanged, tc.vars)
				}
			}
		})
	}

	arr := s
	arr.Input = []any{map[string]any{"total": 2}, map[string]any{"total": 3.5}}
	withURL := s
	withURL.Vars = map[string]any{"reportUrl": "http://example/r"}
	templates := []struct {
		tmpl  string
		scope Scope
		want  any
	}{
		{"{{ ({approved: input.outcome !== 'reject', days: vars.days}) }}", s, map[string]any{"approved": false, "days": 5.0}},
		{"{{ input }}", s, normalize(t, s.Input)},
		{"{{ trigger.applicant }} 请假 {{ trigger.days }} 天：{{ trigger.reason }}", s, "Alice 请假 3 天：家事"},
		{"{{ vars.reportUrl || 'http://127.0.0.1:9/rows' }}", s, "http://127.0.0.1:9/rows"},
		{"{{ vars.reportUrl || 'http://127.0.0.1:9/rows' }}", withURL, "http://example/r"},
		{"{{ ({count: input.length, sum: input.reduce((s, r) => s + r.total, 0)}) }}", arr, map[string]any{"count": 2.0, "sum": 5.5}},
	}
	for _, tc := range templates {
		t.Run(tc.tmpl, func(t *testing.T) {
			got, err := e.Render(ctx, tc.tmpl, tc.scope)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %#v, want %#v", got, tc.want)
			}
		})
	}

	conds := []struct {
		expr string
		want bool
	}{
		{"input.outcome === 'reject'", true},
		{"vars.days > 3", true},
		{"input.approved", true},
		{"input.amount < 1000", true},
		{"trigger.days > 3", false},
	}
	for _, tc := range conds {
		got, err := e.Condition(ctx, tc.expr, s)
		if err != nil || got != tc.want {
			t.Errorf("Condition(%q) = %v, %v; want %v", tc.expr, got, err, tc.want)
		}
	}
}

func TestScopeNames(t *testing.T) {
	e := New(Options{})
	ctx := context.Background()
	s := testScope()
	loop := s
	loop.InLoop, loop.Item, loop.Index = true, "the-item", 4
	tests := []struct {
		expr  string
		scope Scope
		want  any
	}{
		{"input.x", s, 1.0},
		{"trigger.applicant", s, "Alice"},
		{"vars.nested.list[1]", s, 2.0},
		{"nodes['task-score001'].output.grade", s, "A"},
		{"instance.id + '/' + instance.processId + '/' + instance.startedBy + '/' + instance.startedAt", s, "inst-1/proc-1/bob/2024-05-01T10:00:00Z"},
		{"typeof item", s, "undefined"},
		{"typeof index", s, "undefined"},
		{"item", loop, "the-item"},
		{"index", loop, 4.0},
		{"typeof vars", Scope{}, "object"},
		{"input", Scope{}, nil},
		{"[typeof nodes, typeof instance]", Scope{}, []any{"object", "object"}},
		{"this === globalThis", s, true},
		{"eval('input.x + trigger.days')", s, 4.0}, // eval binds every name
	}
	for _, tc := range tests {
		got, err := e.Eval(ctx, tc.expr, tc.scope)
		if err != nil {
			t.Errorf("Eval(%q): %v", tc.expr, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Eval(%q) = %#v, want %#v", tc.expr, got, tc.want)
		}
	}
}

func TestScopeIsCopied(t *testing.T) {
	e := New(Options{})
	in := map[string]any{"list": []any{1.0}, "obj": map[string]any{"a": 1.0}}
	_, err := e.RunScript(context.Background(), "input.list.push(2); input.obj.a = 9; input.added = true; trigger.x = 1; return null", Scope{Input: in, Trigger: map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"list": []any{1.0}, "obj": map[string]any{"a": 1.0}}
	if !reflect.DeepEqual(in, want) {
		t.Fatalf("input was modified: %#v", in)
	}
}

func TestScopeConversion(t *testing.T) {
	e := New(Options{})
	type item struct {
		Name string `json:"name"`
		N    int    `json:"n"`
	}
	s := Scope{Input: map[string]any{
		"num":    json.Number("12.5"),
		"ints":   []int{1, 2},
		"struct": item{Name: "x", N: 2},
		"raw":    json.RawMessage(`{"deep":[true,null]}`),
		"strs":   []string{"a"},
		"proto":  map[string]any{"__proto__": map[string]any{"polluted": true}},
		"time":   time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
	}}
	got, err := e.Eval(context.Background(), `[input.num + 1, input.ints.length, input.struct.name, input.raw.deep[0], input.strs[0],
		Object.keys(input.proto).join(), ({}).polluted === undefined, Object.getPrototypeOf(input.proto) === Object.prototype, input.time]`, s)
	if err != nil {
		t.Fatal(err)
	}
	want := []any{13.5, 2.0, "x", true, "a", "__proto__", true, true, "2024-01-02T03:04:05Z"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v, want %#v", got, want)
	}
	cyclic := map[string]any{}
	cyclic["self"] = cyclic
	_, err = e.Eval(context.Background(), "input.self", Scope{Input: cyclic})
	if asError(t, err).Kind != KindLimit {
		t.Fatalf("cyclic scope: %v", err)
	}
}

func TestTemplates(t *testing.T) {
	e := New(Options{})
	ctx := context.Background()
	s := testScope()
	tests := []struct {
		tmpl string
		want any
	}{
		{"{{ trigger.days }}", 3.0},
		{"  {{trigger.days}}\n", 3.0},
		{"{{ ({a:1}) }}", map[string]any{"a": 1.0}},
		{"{{ ({a: {b: 1}}) }}", map[string]any{"a": map[string]any{"b": 1.0}}},
		{"{{ '}}' }}", "}}"},
		{"{{ [1, 'x', null] }}", []any{1.0, "x", nil}},
		{"{{ null }}", nil},
		{"{{ undefined }}", nil},
		{"Days: {{ trigger.days }}", "Days: 3"},
		{"{{ input.a }} and {{ input.b }}", "1 and two"},
		{"[{{ null }}|{{ undefined }}|{{ true }}|{{ 1.5 }}]", "[||true|1.5]"},
		{"obj={{ ({a: [1, 'x']}) }} arr={{ [1, 2] }}", `obj={"a":[1,"x"]} arr=[1,2]`},
		{"date={{ new Date(0) }}", "date=1970-01-01T00:00:00.000Z"},
		{"no template here", "no template here"},
		{"single { brace } and }} closing", "single { brace } and }} closing"},
		{"{{ input.a }}{{ input.b }}", "1two"},
		{"line1\n{{ trigger.applicant }}\n\"quoted\" \\ {{ '\\u2028' }}", "line1\nAlice\n\"quoted\" \\ \u2028"},
	}
	for _, tc := range tests {
		got, err := e.Render(ctx, tc.tmpl, s)
		if err != nil {
			t.Errorf("Render(%q): %v", tc.tmpl, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Render(%q) = %#v, want %#v", tc.tmpl, got, tc.want)
		}
	}

	for _, bad := range []string{"{{ trigger.days", "Hello {{ x }", "a {{ }} b"} {
		if _, err := e.Render(ctx, bad, s); asError(t, err).Kind != KindSyntax {
			t.Errorf("Render(%q) error = %v, want syntax", bad, err)
		}
		if p := e.CheckTemplate(bad); len(p) != 1 {
			t.Errorf("CheckTemplate(%q) = %v, want one problem", bad, p)
		}
	}

	if !HasTemplate("a {{ b }}") || HasTemplate("a {{ b") || HasTemplate("plain") || HasTemplate("}} {{") {
		t.Error("HasTemplate")
	}
}

func TestRenderValue(t *testing.T) {
	e := New(Options{})
	s := testScope()
	in := map[string]any{
		"url":     "http://x/{{ instance.id }}",
		"{{ k }}": "keys are not rendered",
		"n":       1,
		"list":    []any{"{{ trigger.days }}", "plain", map[string]any{"deep": "{{ input.outcome }}"}},
	}
	got, err := e.RenderValue(context.Background(), in, s)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"url":     "http://x/inst-1",
		"{{ k }}": "keys are not rendered",
		"n":       1,
		"list":    []any{3.0, "plain", map[string]any{"deep": "reject"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v\nwant %#v", got, want)
	}
	if in["url"] != "http://x/{{ instance.id }}" {
		t.Fatal("input modified")
	}
	plain := map[string]any{"a": "b"}
	if got, _ := e.RenderValue(context.Background(), plain, s); !reflect.DeepEqual(got, plain) {
		t.Fatal("plain value changed")
	}
	if _, err := e.RenderValue(context.Background(), []any{"ok", "{{ nope.x }}"}, s); asError(t, err).Kind != KindRuntime {
		t.Fatalf("want runtime error, got %v", err)
	}
}

func TestConditionTruthiness(t *testing.T) {
	e := New(Options{})
	tests := map[string]bool{
		"0": false, "''": false, "null": false, "undefined": false, "NaN": false, "false": false,
		"[]": true, "({})": true, "'0'": true, "1": true, "-1": true, "'false'": true, "input": false,
	}
	for expr, want := range tests {
		got, err := e.Condition(context.Background(), expr, Scope{})
		if err != nil || got != want {
			t.Errorf("Condition(%s) = %v, %v; want %v", expr, got, err, want)
		}
	}
}

func TestSyntaxErrors(t *testing.T) {
	e := New(Options{})
	tests := []struct {
		name      string
		check     func(string) []Problem
		run       func(string) error
		src       string
		line, col int
	}{
		{"script line 2", e.CheckScript, runScript(e), "let a = 1;\nlet b = ;\nreturn a;", 2, 9},
		{"script unicode column", e.CheckScript, runScript(e), "const s = '日本';\nconst t = '語' +;", 2, 16},
		{"script stray brace", e.CheckScript, runScript(e), "return 1;\n}\nfoo()", 2, 1},
		{"script unclosed", e.CheckScript, runScript(e), "if (x) {\n  return 1;", 2, 12},
		{"script redeclare", e.CheckScript, runScript(e), "let a = 1;\nlet a = 2;", 2, 5},
		{"expression", e.CheckExpression, evalExpr(e), "input.a +", 1, 10},
		{"expression statements", e.CheckExpression, evalExpr(e), "1); foo(); (2", 1, 5},
		{"expression empty", e.CheckExpression, evalExpr(e), "", 1, 1},
		{"expression declaration", e.CheckExpression, evalExpr(e), "let x = 1", 1, 5},
		{"template part", e.CheckTemplate, render(e), "Hello {{ trigger.name }},\n you {{ input. }}", 2, 16},
		{"template typed", e.CheckTemplate, render(e), "  {{ a b }}", 1, 8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			probs := tc.check(tc.src)
			if len(probs) != 1 {
				t.Fatalf("problems = %v", probs)
			}
			p := probs[0]
			if p.Line != tc.line || p.Column != tc.col || !strings.HasPrefix(p.Message, "SyntaxError") {
				t.Errorf("problem = %+v, want %d:%d", p, tc.line, tc.col)
			}
			err := tc.run(tc.src)
			ee := asError(t, err)
			if ee.Kind != KindSyntax || !errors.Is(err, ErrSyntax) || ee.Line != tc.line || ee.Column != tc.col {
				t.Errorf("run error = %+v", ee)
			}
		})
	}
	for _, ok := range []string{"return 1", "", "// only a comment", "if (input) { return {a: 1} }"} {
		if p := e.CheckScript(ok); p != nil {
			t.Errorf("CheckScript(%q) = %v", ok, p)
		}
	}
	if p := e.CheckExpression("a // trailing comment"); p != nil {
		t.Errorf("CheckExpression with comment = %v", p)
	}
	if p := e.CheckTemplate("no templates"); p != nil {
		t.Error(p)
	}
}

func runScript(e *Engine) func(string) error {
	return func(s string) error { _, err := e.RunScript(context.Background(), s, Scope{}); return err }
}

func evalExpr(e *Engine) func(string) error {
	return func(s string) error { _, err := e.Eval(context.Background(), s, Scope{}); return err }
}

func render(e *Engine) func(string) error {
	return func(s string) error { _, err := e.Render(context.Background(), s, Scope{}); return err }
}

func TestRuntimeErrors(t *testing.T) {
	e := New(Options{})
	ctx := context.Background()
	tests := []struct {
		name      string
		run       func() error
		msg       string
		line, col int
		stack     string
	}{
		{"undefined property", func() error {
			_, err := e.RunScript(ctx, "const a = 1;\nconst b = input.missing.x;\nreturn b;", Scope{Input: map[string]any{}})
			return err
		}, "TypeError: Cannot read property 'x' of undefined", 2, 25, ""},
		{"reference", func() error {
			_, err := e.RunScript(ctx, "let x = 1;\n  foo();", Scope{})
			return err
		}, "ReferenceError: foo is not defined", 2, 6, ""},
		{"undeclared assignment (strict)", func() error {
			_, err := e.RunScript(ctx, "x = 1;", Scope{})
			return err
		}, "ReferenceError: x is not defined", 1, 1, ""},
		{"nested function", func() error {
			_, err := e.RunScript(ctx, "function inner() {\n  throw new RangeError('bad ' + 1);\n}\nfunction outer() { return inner(); }\nreturn outer();", Scope{})
			return err
		}, "RangeError: bad 1", 2, 9, "at inner (2:9)\nat outer (4:32)\nat <script> (5:13)"},
		{"throw string", func() error {
			_, err := e.RunScript(ctx, "throw 'boom'", Scope{})
			return err
		}, "boom", 1, 1, ""},
		{"throw object", func() error {
			_, err := e.RunScript(ctx, "throw {code: 42}", Scope{})
			return err
		}, `{"code":42}`, 1, 1, ""},
		{"native throws", func() error {
			_, err := e.Eval(ctx, "JSON.parse('{bad')", Scope{})
			return err
		}, "SyntaxError: invalid character 'b'", 1, 11, ""},
		{"template", func() error {
			_, err := e.Render(ctx, "ok {{ 1 }}\nthen {{ input.a.b.c }}", Scope{Input: map[string]any{}})
			return err
		}, "TypeError: Cannot read property 'b' of undefined", 2, 17, ""},
		{"custom error class", func() error {
			_, err := e.RunScript(ctx, "class MyError extends Error { constructor(m) { super(m); this.name = 'MyError'; } }\nthrow new MyError('nope');", Scope{})
			return err
		}, "MyError: nope", 1, 53, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			ee := asError(t, err)
			if ee.Kind != KindRuntime || !errors.Is(err, ErrRuntime) {
				t.Fatalf("kind = %v (%v)", ee.Kind, err)
			}
			if ee.Message != tc.msg || ee.Line != tc.line || ee.Column != tc.col {
				t.Errorf("got %q at %d:%d, want %q at %d:%d", ee.Message, ee.Line, ee.Column, tc.msg, tc.line, tc.col)
			}
			if tc.stack != "" && ee.Stack != tc.stack {
				t.Errorf("stack = %q, want %q", ee.Stack, tc.stack)
			}
		})
	}
	err := &Error{Kind: KindRuntime, Message: "ReferenceError: foo is not defined", Line: 3, Column: 14}
	if err.Error() != "script error at 3:14: ReferenceError: foo is not defined" {
		t.Error(err.Error())
	}
}

func TestConsole(t *testing.T) {
	e := New(Options{MaxLogEntries: 3})
	ctx := context.Background()
	r, err := e.RunScript(ctx, `console.log('a', 1, {x: [1, 'y']}, null, undefined);
		console.info('i'); console.warn(function named() {}); console.error('e'); console.debug('d');
		return 1`, Scope{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Logs) != 3 {
		t.Fatalf("logs = %+v", r.Logs)
	}
	want := []LogEntry{{Level: "log", Message: `a 1 {"x":[1,"y"]} null undefined`}, {Level: "info", Message: "i"}, {Level: "warn", Message: "[Function: named]"}}
	for i, w := range want {
		if r.Logs[i].Level != w.Level || r.Logs[i].Message != w.Message || r.Logs[i].At.IsZero() {
			t.Errorf("log %d = %+v, want %+v", i, r.Logs[i], w)
		}
	}

	r, err = e.RunScript(ctx, "console.log('x'.repeat(10000)); const o = {}; o.self = o; console.log(o); return 1", Scope{})
	if err != nil {
		t.Fatal(err)
	}
	if m := r.Logs[0].Message; len(m) > 4096 || !strings.HasSuffix(m, "…") {
		t.Errorf("long message not truncated: len %d", len(m))
	}
	if m := r.Logs[1].Message; m != `{"self":[Circular]}` {
		t.Errorf("cyclic = %q", m)
	}

	_, err = e.RunScript(ctx, "console.error('before'); throw new Error('x')", Scope{})
	if ee := asError(t, err); len(ee.Logs) != 1 || ee.Logs[0].Message != "before" || ee.Logs[0].Level != "error" {
		t.Errorf("logs on error = %+v", ee.Logs)
	}
	r, _ = e.RunScript(ctx, "return 1", Scope{})
	if len(r.Logs) != 0 {
		t.Errorf("logs leaked into next run: %+v", r.Logs)
	}
}

func TestVarsWriteBack(t *testing.T) {
	e := New(Options{})
	ctx := context.Background()
	base := func() map[string]any {
		return map[string]any{"a": 1, "obj": map[string]any{"n": 1.0, "list": []any{"x"}}, "drop": "me"}
	}
	tests := []struct {
		name    string
		code    string
		vars    map[string]any
		changed bool
		want    map[string]any
	}{
		{"unchanged", "return vars.a", base(), false, base()},
		{"read only nested", "return vars.obj.list.length", base(), false, base()},
		{"no vars use", "return 1", base(), false, base()},
		{"set", "vars.b = 'new'", base(), true, map[string]any{"a": 1.0, "b": "new", "obj": map[string]any{"n": 1.0, "list": []any{"x"}}, "drop": "me"}},
		{"change nested", "vars.obj.n++; vars.obj.list.push('y')", base(), true, map[string]any{"a": 1.0, "obj": map[string]any{"n": 2.0, "list": []any{"x", "y"}}, "drop": "me"}},
		{"delete", "delete vars.drop", base(), true, map[string]any{"a": 1.0, "obj": map[string]any{"n": 1.0, "list": []any{"x"}}}},
		{"same value", "vars.a = 1", base(), false, base()},
		{"nil vars", "vars.x = {y: [1]}", nil, true, map[string]any{"x": map[string]any{"y": []any{1.0}}}},
		{"json semantics", "vars.f = () => 1; vars.u = undefined; vars.d = new Date(0)", map[string]any{}, true, map[string]any{"d": "1970-01-01T00:00:00.000Z"}},
		{"reassign ignored", "vars = {other: 1}", base(), false, base()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := e.RunScript(ctx, tc.code, Scope{Vars: tc.vars})
			if err != nil {
				t.Fatal(err)
			}
			if r.VarsChanged != tc.changed {
				t.Errorf("changed = %v", r.VarsChanged)
			}
			if !reflect.DeepEqual(normalize(t, r.Vars), normalize(t, tc.want)) {
				t.Errorf("vars = %#v, want %#v", r.Vars, tc.want)
			}
		})
	}
	// The caller's map is never modified.
	v := base()
	if _, err := e.RunScript(ctx, "vars.a = 2; vars.obj.n = 3", Scope{Vars: v}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(v, base()) {
		t.Errorf("caller vars modified: %#v", v)
	}
}

func TestExportSemantics(t *testing.T) {
	e := New(Options{MaxOutputSize: 1000})
	ctx := context.Background()
	tests := []struct {
		expr string
		want any
	}{
		{"undefined", nil},
		{"({a: undefined, f() {}, s: Symbol('x'), n: null})", map[string]any{"n": nil}},
		{"[undefined, function() {}, 1]", []any{nil, nil, 1.0}},
		{"[NaN, Infinity, -0, 2**53]", []any{nil, nil, 0.0, 9007199254740992.0}},
		{"new Date(Date.UTC(2024, 0, 2))", "2024-01-02T00:00:00.000Z"},
		{"({toJSON() { return {via: 'toJSON'} }})", map[string]any{"via": "toJSON"}},
		{"[new Number(1), new String('s'), new Boolean(false)]", []any{1.0, "s", false}},
		{"new Map([[1, 2]])", map[string]any{}},
		{"[1, , 3]", []any{1.0, nil, 3.0}},
		{"'日本語'", "日本語"},
		{"Object.assign(Object.create({inherited: 1}), {own: 2})", map[string]any{"own": 2.0}},
		{"(() => { const a = {}; return [a, a]; })()", []any{map[string]any{}, map[string]any{}}},
		{"Promise.resolve(1)", map[string]any{}},
	}
	for _, tc := range tests {
		got, err := e.Eval(ctx, tc.expr, Scope{})
		if err != nil {
			t.Errorf("Eval(%s): %v", tc.expr, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Eval(%s) = %#v, want %#v", tc.expr, got, tc.want)
		}
	}
	errs := []struct {
		expr string
		kind ErrorKind
	}{
		{"10n", KindRuntime},
		{"({big: 10n})", KindRuntime},
		{"(() => { const a = {}; a.a = a; return a; })()", KindRuntime},
		{"'x'.repeat(2000)", KindLimit},
		{"Array(500).fill('abc')", KindLimit},
		{"({get boom() { throw new Error('getter') }})", KindRuntime},
	}
	for _, tc := range errs {
		_, err := e.Eval(ctx, tc.expr, Scope{})
		if err == nil || asError(t, err).Kind != tc.kind {
			t.Errorf("Eval(%s) error = %v, want kind %s", tc.expr, err, tc.kind)
		}
	}
	if _, err := e.RunScript(ctx, "vars.big = 'x'.repeat(5000)", Scope{}); !errors.Is(err, ErrLimit) {
		t.Errorf("oversized vars: %v", err)
	}
}

func TestOverrideMistakeFixed(t *testing.T) {
	e := New(Options{})
	got, err := e.RunScript(context.Background(), `
		class ValidationError extends Error {
			constructor(m) { super(m); this.name = 'ValidationError'; }
		}
		const o = {};
		o.toString = () => 'custom';
		o.constructor = 'c';
		const copy = Object.assign({}, {toString: 1, valueOf: 2, hasOwnProperty: 3});
		const e = new Error();
		e.message = 'later';
		return [String(new ValidationError('bad')), String(o), o.constructor, copy.toString, Object.keys(copy).length,
			({}).toString(), String(e), [].constructor === Array, new Array(2).length, Array.isArray(Array.of(1)),
			[1, 2].map(x => x * 2).constructor === Array];
	`, Scope{})
	if err != nil {
		t.Fatal(err)
	}
	want := []any{"ValidationError: bad", "custom", "c", 1.0, 3.0, "[object Object]", "Error: later", true, 2.0, true, true}
	if !reflect.DeepEqual(got.Value, want) {
		t.Fatalf("got %#v\nwant %#v", got.Value, want)
	}
	for _, code := range []string{"Object.prototype.toString = null", "Error.prototype.name = 'x'", "Math.toString = 1"} {
		if _, err := e.RunScript(context.Background(), code, Scope{}); asError(t, err).Kind != KindRuntime {
			t.Errorf("%s: %v", code, err)
		}
	}
}

func TestContextAndTimeout(t *testing.T) {
	e := New(Options{Timeout: 100 * time.Millisecond})
	_, err := e.RunScript(context.Background(), "while (true) {}", Scope{})
	if ee := asError(t, err); ee.Kind != KindTimeout || !errors.Is(err, ErrTimeout) || ee.Line != 1 {
		t.Fatalf("err = %+v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = e.Eval(ctx, "(() => { for (;;) {} })()", Scope{})
	if !errors.Is(err, ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ctx deadline: %v", err)
	}

	// Only the cancellation can end this run (the engine's own deadline is
	// far away), whenever the canceling goroutine gets to run.
	long := New(Options{Timeout: time.Hour})
	ctx, cancel = context.WithCancel(context.Background())
	go func() { time.Sleep(30 * time.Millisecond); cancel() }()
	_, err = long.Condition(ctx, "(() => { for (;;) {} })()", Scope{})
	if !errors.Is(err, ErrCanceled) || !errors.Is(err, context.Canceled) || asError(t, err).Kind != KindCanceled {
		t.Fatalf("cancel: %v", err)
	}
	_, err = e.Eval(ctx, "1", Scope{})
	if !errors.Is(err, ErrCanceled) {
		t.Fatalf("already canceled: %v", err)
	}

	// A context deadline longer than Options.Timeout wins.
	ctx, cancel = context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	v, err := e.Eval(ctx, "(() => { const end = Date.now() + 200; while (Date.now() < end) {} return 'done' })()", Scope{})
	if err != nil || v != "done" {
		t.Fatalf("long deadline: %v %v", v, err)
	}
}

func TestCacheBounded(t *testing.T) {
	e := New(Options{CacheSize: 4})
	for i := range 10 {
		if _, err := e.Eval(context.Background(), strings.Repeat(" ", i)+"1", Scope{}); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.cache.len(); n != 4 {
		t.Fatalf("cache len = %d", n)
	}
	// Failed compilations are cached as well.
	e.CheckScript("let = ;")
	if p := e.compile(kindScript, "let = ;"); p.err == nil {
		t.Fatal("expected cached error")
	}
}

func TestReplaceSubstitution(t *testing.T) {
	// Small inputs use the built-in; MaxStringLen 64 forces the guarded
	// substitution path for the same expressions, which must agree.
	small := New(Options{})
	guarded := New(Options{MaxStringLen: 64})
	exprs := []string{
		`'a-b-c'.replace(/(\w)-/g, '[$1|$&|$$|$0|$2]')`,
		"'abc'.replace('b', '<$`|$\\'>')",
		"'aXbXc'.replaceAll('X', '$&$&')",
		`'2024-05-01'.replace(/(?<y>\d+)-(?<m>\d+)-(?<d>\d+)/, '$<d>/$<m>/$<y> $<nope>.')`,
		`'abcdefghijkl'.replace(/(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)/, '$11-$10-$1$01$100')`,
		`'x'.replace(/x/, '$')`,
		`'日本語'.replace(/本/g, '$&$&')`,
		`'abc'.replace('', '$\'')`,
	}
	for _, expr := range exprs {
		want, err := small.Eval(context.Background(), expr, Scope{})
		if err != nil {
			t.Fatal(expr, err)
		}
		got, err := guarded.Eval(context.Background(), expr, Scope{})
		if err != nil || got != want {
			t.Errorf("%s: guarded %#v (%v), built-in %#v", expr, got, err, want)
		}
	}
	if _, err := guarded.Eval(context.Background(), "'abcdefgh'.replaceAll('b', 'x'.repeat(60))", Scope{}); !errors.Is(err, ErrLimit) {
		t.Errorf("want limit, got %v", err)
	}
}

// TestLanguageFeatures makes sure the hardening (frozen intrinsics, guarded
// built-ins, Array wrapper) leaves ordinary JavaScript working.
func TestLanguageFeatures(t *testing.T) {
	e := New(Options{})
	r, err := e.RunScript(context.Background(), `
		class Shape { constructor(n) { this.n = n } get double() { return this.n * 2 } static of(n) { return new this(n) } }
		class Square extends Shape { toString() { return 'sq' + this.n } }
		class List extends Array { sum() { return this.reduce((a, b) => a + b, 0) } }
		const l = List.from([1, 2, 3]);
		function* gen() { yield* [1, 2]; yield 3 }
		const {a, ...rest} = {a: 1, b: 2, c: 3};
		const m = new Map([['k', 1]]); m.set('j', 2);
		const set = new Set([1, 1, 2]);
		let labeled = 0;
		outer: for (const i of [1, 2, 3]) { for (const j of [1, 2]) { if (j === 2) continue outer; labeled += i } }
		let fin = '';
		try { null.x } catch (err) { fin += err instanceof TypeError } finally { fin += '!' }
		const sym = Symbol('s');
		const obj = {[sym]: 1, get g() { return 'got' }, set s(v) { this._s = v }};
		obj.s = 5;
		return {
			cls: [Square.of(2).double, String(Square.of(3)), l.sum(), l instanceof List, l instanceof Array, Array.isArray(l), l.map(x => x).constructor === List],
			gen: [...gen()],
			destructure: [a, Object.keys(rest)],
			coll: [m.size, [...m.keys()], set.size, [...set]],
			labeled, fin,
			arr: [[3, 1, 2].sort(), [3, 1, 2].sort((x, y) => y - x), [[1, [2]], 3].flat(Infinity), [1, 2, 3].filter(x => x > 1).includes(3),
				Array.from({length: 3}, (_, i) => i * i), Array(3).fill(0), new Array(2, 3), Array.of(7), [1, 2].concat([3], 4), [1,2,3].at(-1)],
			str: ['a,b'.split(','), 'x'.padStart(3, '-'), 'ab'.repeat(2), 'Hello'.replace(/l/g, 'L'), 'a-b'.replaceAll('-', '+'), `+"`t${1 + 1}`"+`, 'abc'.match(/b/)[0], [...'héllo'].length, 'a1b2'.match(/\d/g)],
			misc: [obj.g, obj._s, obj[sym], null ?? 'n', ({}).x?.y, (0.1 + 0.2).toFixed(2), JSON.parse(JSON.stringify({d: [1, {e: null}]}, null, 2)).d[1].e,
				Object.entries({p: 1}), Object.fromEntries([['q', 2]]), Math.max(...[1, 5, 3]), parseInt('42px'), encodeURIComponent('a b'),
				typeof new Date().getTime(), new Date('2024-01-02T00:00:00Z').toISOString(), /x/y.sticky, [1, 2, 3].join('-'), String([1, [2, 3]])],
			args: (function () { return arguments.length })(1, 2),
		};
	`, Scope{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"cls":         []any{4.0, "sq3", 6.0, true, true, true, true},
		"gen":         []any{1.0, 2.0, 3.0},
		"destructure": []any{1.0, []any{"b", "c"}},
		"coll":        []any{2.0, []any{"k", "j"}, 2.0, []any{1.0, 2.0}},
		"labeled":     6.0,
		"fin":         "true!",
		"arr": []any{[]any{1.0, 2.0, 3.0}, []any{3.0, 2.0, 1.0}, []any{1.0, 2.0, 3.0}, true,
			[]any{0.0, 1.0, 4.0}, []any{0.0, 0.0, 0.0}, []any{2.0, 3.0}, []any{7.0}, []any{1.0, 2.0, 3.0, 4.0}, 3.0},
		"str": []any{[]any{"a", "b"}, "--x", "abab", "HeLLo", "a+b", "t2", "b", 5.0, []any{"1", "2"}},
		"misc": []any{"got", 5.0, 1.0, "n", nil, "0.30", nil, []any{[]any{"p", 1.0}}, map[string]any{"q": 2.0}, 5.0, 42.0, "a%20b",
			"number", "2024-01-02T00:00:00.000Z", true, "1-2-3", "1,2,3"},
		"args": 2.0,
	}
	if !reflect.DeepEqual(r.Value, want) {
		got, _ := json.Marshal(r.Value)
		exp, _ := json.Marshal(want)
		t.Fatalf("got  %s\nwant %s", got, exp)
	}
}

// TestCacheBytesBounded checks that large sources cannot fill the program
// cache without bound (the limit is lowered for the test).
func TestCacheBytesBounded(t *testing.T) {
	e := New(Options{})
	e.cache.maxBytes = 1 << 20
	for i := range 100 {
		src := "return " + strconv.Itoa(i) + " // " + strings.Repeat("x", 64<<10)
		if ps := e.CheckScript(src); len(ps) != 0 {
			t.Fatal(ps)
		}
	}
	e.cache.mu.Lock()
	defer e.cache.mu.Unlock()
	if e.cache.bytes > e.cache.maxBytes || e.cache.ll.Len() > 16 {
		t.Fatalf("cache holds %d programs, %d bytes", e.cache.ll.Len(), e.cache.bytes)
	}
}
