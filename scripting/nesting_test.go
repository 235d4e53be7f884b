package scripting

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja/parser"

	"flowcraft/scripting/internal/jsparse"
)

// deepForms are the constructs goja's parser or compiler recurse on (or do
// work quadratic in the nesting for), as script bodies nested n levels.
var deepForms = []struct {
	name string
	code func(n int) string
}{
	{"parentheses", func(n int) string { return "return " + rep("(", n) + "1" + rep(")", n) }},
	{"arrays", func(n int) string { return "return " + rep("[", n) + rep("]", n) }},
	{"objects", func(n int) string { return "return " + rep("{a:", n) + "1" + rep("}", n) }},
	{"blocks", func(n int) string { return rep("{", n) + rep("}", n) }},
	{"functions", func(n int) string { return rep("function f(){", n) + rep("}", n) }},
	{"arrow bodies", func(n int) string { return "return " + rep("()=>{", n) + rep("}", n) }},
	{"arrow expressions", func(n int) string { return "return " + rep("()=>(", n) + "1" + rep(")", n) }},
	{"arrow chain", func(n int) string { return "return " + rep("a=>", n) + "1" }},
	{"async arrow chain", func(n int) string { return "return " + rep("async a=>", n) + "1" }},
	{"template literals", func(n int) string { return "return " + rep("`${", n) + "1" + rep("}`", n) }},
	{"tagged templates", func(n int) string { return "return f" + rep("`x`", n) }},
	{"not", func(n int) string { return "return " + rep("!", n) + "x" }},
	{"minus", func(n int) string { return "return " + rep("- ", n) + "x" }},
	{"typeof", func(n int) string { return "return " + rep("typeof ", n) + "x" }},
	{"void", func(n int) string { return "return " + rep("void ", n) + "0" }},
	{"delete", func(n int) string { return "return " + rep("delete ", n) + "x" }},
	{"new", func(n int) string { return "return " + rep("new ", n) + "X" }},
	{"new with arguments", func(n int) string { return "return " + rep("new X(", n) + rep(")", n) }},
	{"await", func(n int) string { return "return async function(){" + rep("await ", n) + "1}" }},
	{"yield", func(n int) string { return "return function*(){" + rep("yield ", n) + "1}" }},
	{"negated parentheses", func(n int) string { return "return " + rep("-(", n) + "1" + rep(")", n) }},
	{"conditional chain", func(n int) string { return "return " + rep("a?b:", n) + "c" }},
	{"nested conditional", func(n int) string { return "return " + rep("a?", n) + "b" + rep(":c", n) }},
	{"assignment chain", func(n int) string { return "let a; " + rep("a=", n) + "1" }},
	{"compound assignment chain", func(n int) string { return "let a; " + rep("a+=", n) + "1" }},
	{"exponent chain", func(n int) string { return "return " + rep("2**", n) + "2" }},
	{"addition chain", func(n int) string { return "return 1" + rep("+1", n) }},
	{"variable addition chain", func(n int) string { return "return a" + rep("+a", n) }},
	{"string concatenation", func(n int) string { return "return 'a'" + rep("+'a'", n) }},
	{"logical or chain", func(n int) string { return "return a" + rep("||a", n) }},
	{"nullish chain", func(n int) string { return "return a" + rep("??a", n) }},
	{"instanceof chain", func(n int) string { return "return a" + rep(" instanceof a", n) }},
	{"member chain", func(n int) string { return "return a" + rep(".b", n) }},
	{"optional chain", func(n int) string { return "return a" + rep("?.b", n) }},
	{"call chain", func(n int) string { return "return f" + rep("()", n) }},
	{"index chain", func(n int) string { return "return a" + rep("[0]", n) }},
	{"nested calls", func(n int) string { return "return " + rep("f(", n) + rep(")", n) }},
	{"spread", func(n int) string { return "return " + rep("[...", n) + "a" + rep("]", n) }},
	{"array destructuring", func(n int) string { return "let " + rep("[", n) + "a" + rep("]", n) + "=x" }},
	{"object destructuring", func(n int) string { return "let " + rep("{a:", n) + "b" + rep("}", n) + "=x" }},
	{"destructuring assignment", func(n int) string { return rep("[", n) + "a" + rep("]", n) + "=x" }},
	{"default parameters", func(n int) string { return "return " + rep("function(a=", n) + "1" + rep("){}", n) }},
	{"classes", func(n int) string { return "return " + rep("class{m(){return ", n) + "1" + rep("}}", n) }},
	{"getters", func(n int) string { return "return " + rep("{get a(){return ", n) + "1" + rep("}}", n) }},
	{"if", func(n int) string { return rep("if(a)", n) + ";" }},
	{"else if", func(n int) string { return rep("if(a){}else ", n) + "{}" }},
	{"labels", func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "l%d:", i)
		}
		return b.String() + "1"
	}},
	{"for", func(n int) string { return rep("for(;;)", n) + ";" }},
	{"while", func(n int) string { return rep("while(a)", n) + ";" }},
	{"do while", func(n int) string { return rep("do ", n) + ";" + rep("while(a);", n) }},
	{"try", func(n int) string { return rep("try{", n) + rep("}finally{}", n) }},
	{"switch", func(n int) string { return rep("switch(a){case 1:", n) + rep("}", n) }},
	{"regexp literal groups", func(n int) string { return "return /" + rep("(", n) + "a" + rep(")", n) + "/" }},
	{"regexp literal lookahead", func(n int) string { return "return /" + rep("(?=", n) + "a" + rep(")", n) + "/" }},
	// goja keeps parsing after syntax errors; its recovery re-reads
	// template text as code and resumes inside the frames left open.
	{"error recovery into template text", func(n int) string { return "x = +) `  if (1) " + rep("(", n) + "1" + rep(")", n) + " `" }},
	{"error recovery accumulating frames", func(n int) string { return rep("(function(){ +) })\nif (1) ", n/8) }},
}

func rep(s string, n int) string { return strings.Repeat(s, n) }

// bigSourceEngine allows sources far beyond the default MaxSourceSize so the
// nesting limits, not the size limit, are what refuses deep code.
func bigSourceEngine() *Engine {
	return New(Options{MaxSourceSize: 64 << 20, Timeout: time.Minute})
}

// TestDeepNestingRefused compiles every recursive form nested a million
// levels deep. goja would overflow the Go stack ("fatal error: stack
// overflow" kills the test binary) or run for hours; each must instead be
// refused with a limit error. The other compile paths (expressions,
// conditions, templates, checks) get the forms 20,000 levels deep, beyond
// the limit too.
func TestDeepNestingRefused(t *testing.T) {
	e := bigSourceEngine()
	ctx := context.Background()
	const n = 1_000_000
	t.Cleanup(func() {
		// The engine is still fine.
		if v, err := e.Eval(ctx, "[1, 2].map(x => x * 2)", Scope{}); err != nil || !reflect.DeepEqual(v, []any{2.0, 4.0}) {
			t.Errorf("after: %v %v", v, err)
		}
	})
	for _, f := range deepForms {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			code := f.code(n)
			_, err := e.RunScript(ctx, code, Scope{})
			ee := asError(t, err)
			if ee.Kind != KindLimit && !strings.Contains(f.name, "error recovery") {
				t.Fatalf("RunScript: %v", err)
			}
			if ee.Kind != KindLimit && ee.Kind != KindSyntax {
				t.Fatalf("RunScript: %v", err)
			}
			if ps := e.CheckScript(code); len(ps) != 1 {
				t.Fatalf("CheckScript: %+v", ps)
			}
			if expr, ok := strings.CutPrefix(f.code(20_000), "return "); ok {
				if _, err := e.Eval(ctx, expr, Scope{}); asError(t, err).Kind != KindLimit {
					t.Fatalf("Eval: %v", err)
				}
				if _, err := e.Condition(ctx, expr, Scope{}); asError(t, err).Kind != KindLimit {
					t.Fatalf("Condition: %v", err)
				}
				for _, tmpl := range []string{"{{" + expr + "}}", "x {{" + expr + "}} y"} {
					if _, err := e.Render(ctx, tmpl, Scope{}); asError(t, err).Kind != KindLimit {
						t.Fatalf("Render: %v", err)
					}
					if ps := e.CheckTemplate(tmpl); len(ps) != 1 {
						t.Fatalf("CheckTemplate: %+v", ps)
					}
				}
			}
		})
	}
}

// TestSourceSizeLimit refuses oversized code before parsing it, and does
// not keep it in the program cache.
func TestSourceSizeLimit(t *testing.T) {
	e := New(Options{})
	big := "return " + rep("(", 1_000_000) + "1" + rep(")", 1_000_000)
	_, err := e.RunScript(context.Background(), big, Scope{})
	if ee := asError(t, err); ee.Kind != KindLimit || !strings.Contains(ee.Message, "MaxSourceSize") {
		t.Fatalf("err = %v", err)
	}
	if ps := e.CheckScript(big); len(ps) != 1 || !strings.Contains(ps[0].Message, "MaxSourceSize") {
		t.Fatalf("CheckScript = %+v", ps)
	}
	if ps := e.CheckTemplate("{{ 1 }}" + rep(" ", 2<<20)); len(ps) != 1 {
		t.Fatalf("CheckTemplate = %+v", ps)
	}
	if n := e.cache.len(); n != 0 {
		t.Fatalf("cache holds %d programs", n)
	}
	if ps := e.CheckTemplate(rep("{{1}}", 10_001)); len(ps) != 1 || !strings.Contains(ps[0].Message, "more than 10000") {
		t.Fatalf("CheckTemplate = %+v", ps)
	}
}

// TestDeepNestingAtRunTime builds deeply nested source at run time and hands
// it to every function that compiles source or patterns. Each must stop the
// run with an (uncatchable) limit error before goja parses the text.
func TestDeepNestingAtRunTime(t *testing.T) {
	e := bigSourceEngine()
	ctx := context.Background()
	// Each call gets only the deep strings it uses.
	strs := map[string]string{
		"deep":   "const deep = '('.repeat(1e6) + '1' + ')'.repeat(1e6);\n",
		"chain":  "const chain = '1' + '+1'.repeat(1e6);\n",
		"arrows": "const arrows = 'a=>'.repeat(1e6) + '1';\n",
		"groups": "const groups = '(?='.repeat(1e6) + 'a' + ')'.repeat(1e6);\n",
	}
	calls := []string{
		"Function('return ' + deep)",
		"new Function('return ' + chain)",
		"Function('a = ' + deep, 'return a')",
		"Function('return ' + arrows)",
		"eval(deep)",
		"eval(chain)",
		"(0, eval)(deep)",
		"globalThis.eval(chain)",
		"eval.call(null, deep)",
		"eval('eval(deep)')",
		"eval('(0, eval)(deep)')",
		"Function('s', 'return eval(s)')(deep)",
		"Function('s', 'return Function(s)')('return ' + deep)",
		"Function('s', 'return (function(){}).constructor(s)')('return ' + deep)",
		"(function(){}).constructor('return ' + deep)",
		"(() => 1).constructor('return ' + chain)",
		"Object.getPrototypeOf(async function(){}).constructor('return ' + deep)",
		"new (Object.getPrototypeOf(async function(){}).constructor)('await ' + deep)",
		"Object.getPrototypeOf(function*(){}).constructor('yield ' + deep)",
		"Reflect.construct(Function, ['return ' + deep])",
		"Function.apply(null, ['return ' + deep])",
		"Function.bind(null, 'return ' + deep)()",
		"class F extends Function {}; new F('return ' + deep)",
		"Function({toString() { return 'return ' + deep }})",
		"new RegExp(groups)",
		"RegExp(groups, 'g')",
		"new RegExp({toString() { return groups }})",
		"new RegExp({[Symbol.match]: true, source: groups, flags: ''})",
		"/x/.compile(groups)",
		"'a'.match(groups)",
		"'a'.matchAll(groups)",
		"'a'.search(groups)",
		"'a'.match({toString() { return groups }})",
		"RegExp[Symbol.species](groups)",
		"/x/.constructor(groups)",
		"Function('return /' + groups + '/')",
		"eval('/' + groups + '/')",
	}
	for _, c := range calls {
		t.Run(c, func(t *testing.T) {
			code := ""
			for name, def := range strs {
				if strings.Contains(c, name) {
					code += def
				}
			}
			code += "try { " + c + "; } catch (e) { return 'caught ' + e; } return 'no error';"
			r, err := e.RunScript(ctx, code, Scope{})
			if err == nil {
				t.Fatalf("no error: %v", r.Value)
			}
			if ee := asError(t, err); ee.Kind != KindLimit {
				t.Fatalf("err = %v", err)
			}
		})
	}
	v, err := e.Eval(ctx, "[Function('a', 'return a * 2')(21), eval('1 + 1'), new RegExp('(a)(b)').exec('ab').length]", Scope{})
	if err != nil || !reflect.DeepEqual(v, []any{42.0, 2.0, 3.0}) {
		t.Fatalf("after: %v %v", v, err)
	}
}

// TestRuntimeCodeSemantics checks that the wrappers of eval, Function and
// RegExp behave like the originals.
func TestRuntimeCodeSemantics(t *testing.T) {
	e := New(Options{})
	ctx := context.Background()
	tests := []struct {
		code string
		want any
	}{
		// Direct eval sees the caller's scope, also nested and in Function code.
		{"const x = 2; return eval('x + input.a')", 3.0},
		{"const x = 2; return eval('eval(\"x * 10\")')", 20.0},
		{"const x = 2; return (eval)('x')", 2.0},
		{"return Function('y', 'return eval(\"y + 1\")')(41)", 42.0},
		{"return Function('y = eval(\"40\")', 'return y + 2')()", 42.0},
		{"const x = 1; return eval(...['x', 'ignored'])", 1.0},
		{"return eval()", nil},
		{"return eval(5)", 5.0},
		{"let n = 0; eval((n++, 'n')); return n", 1.0},
		// Indirect eval runs in the global scope.
		{"const x = 2; return (0, eval)('typeof x')", "undefined"},
		{"const e = eval; return e('typeof input')", "undefined"},
		{"return typeof eval.__flowcraftEvalArgs", "function"},
		{"return Function('var eval = s => \\'mine \\' + s; return eval(\\'1\\')')()", "mine 1"},
		{"return Function('var eval = {check: () => 1}; try { eval(\\'1\\') } catch (e) { return e.name }')()", "TypeError"},
		{"return Function('var e2 = eval; { let eval = e2; var z = 5; return eval(\\'z\\') }')()", 5.0},
		{"return eval('\"\\uD800\"').charCodeAt(0)", 55296.0},
		// Function constructors.
		{"return Function('a', 'b', 'return a + b')(1, 2)", 3.0},
		{"return new Function('a, b', 'return a * b')(3, 4)", 12.0},
		{"return Function()()", nil},
		{"return Function.prototype.constructor === Function && (() => 1).constructor === Function", true},
		{"return Function('return 1') instanceof Function", true},
		{"return Function.name + Function.length", "Function1"},
		{"class F extends Function {}; const f = new F('return 7'); return [f(), f instanceof F]", []any{7.0, true}},
		{"const AF = Object.getPrototypeOf(async function(){}).constructor; return [typeof AF('return 1'), AF('return 1')() instanceof Promise]", []any{"function", true}},
		{"const GF = Object.getPrototypeOf(function*(){}).constructor; return [...GF('yield 1; yield 2')()]", []any{1.0, 2.0}},
		{"return Object.getPrototypeOf(function*(){}).constructor.prototype === Object.getPrototypeOf(function*(){})", true},
		{"let n = 0; Function({toString() { n++; return 'return 1' }}); return n", 1.0},
		// RegExp.
		{"return [RegExp('a+', 'g').flags, new RegExp('a', 'i').test('A'), RegExp('x').source]", []any{"g", true, "x"}},
		{"const r = /a/; return [RegExp(r) === r, new RegExp(r) === r, RegExp(r, 'g') === r]", []any{true, false, false}},
		{"return [/a/ instanceof RegExp, RegExp('a') instanceof RegExp, /a/.constructor === RegExp, RegExp.prototype.constructor === RegExp]", []any{true, true, true, true}},
		{"return RegExp[Symbol.species] === RegExp", true},
		{"return new RegExp({[Symbol.match]: true, source: 'b+', flags: 'g'}).toString()", "/b+/g"},
		{"return 'a-b_c'.split(/[-_]/)", []any{"a", "b", "c"}},
		{"return [...'a1b2'.matchAll(/\\d/g)].map(m => m[0] + m.index)", []any{"11", "23"}},
		{"return ['abc'.match('b').index, 'abc'.search('c'), [...'aXbX'.matchAll('X')].length]", []any{1.0, 2.0, 2.0}},
		{"const r = /a/g; r.compile('b+', 'i'); return [r.source, r.flags, r.test('B')]", []any{"b+", "i", true}},
		{"class R extends RegExp {}; const r = new R('a'); return [r instanceof R, r.test('a')]", []any{true, true}},
		{"let n = 0; new RegExp({toString() { n++; return 'a' }}); return n", 1.0},
		{"return 'x'.match(null) === null && 'null'.match(null)[0]", "null"},
	}
	for _, tc := range tests {
		r, err := e.RunScript(ctx, tc.code, Scope{Input: map[string]any{"a": 1.0}})
		if err != nil {
			t.Errorf("%s: %v", tc.code, err)
			continue
		}
		if !reflect.DeepEqual(r.Value, tc.want) {
			t.Errorf("%s = %#v, want %#v", tc.code, r.Value, tc.want)
		}
	}
}

// TestDeepButLegalCode compiles realistic code that nests deeply but well
// within the limits.
func TestDeepButLegalCode(t *testing.T) {
	e := New(Options{})
	ctx := context.Background()
	var cb strings.Builder
	for i := range 20 {
		fmt.Fprintf(&cb, "[%d].forEach(function (x%d) {\n", i, i)
	}
	cb.WriteString("out.push(x19);\n")
	for range 20 {
		cb.WriteString("});\n")
	}
	var ifs strings.Builder
	for i := range 300 {
		fmt.Fprintf(&ifs, "if (input.n === %d) r = %d; else ", i, i*2)
	}
	ifs.WriteString("r = -1;")
	tests := []struct {
		name, code string
		want       any
	}{
		{"nested objects", "return " + rep("{a:", 100) + "1" + rep("}", 100) + ".a.a.a.a", nil},
		{"nested arrays", "return JSON.stringify(" + rep("[", 150) + "1" + rep("]", 150) + ").length", 301.0},
		{"long concatenation", "return (''" + rep(" + 'ab'", 250) + ").length", 500.0},
		{"long arithmetic", "let x = 1; return x" + rep(" + x * 2 - 1", 200), 201.0},
		{"nested callbacks", "const out = [];\n" + cb.String() + "return out", []any{19.0}},
		{"else if chain", "let r;\n" + ifs.String() + "\nreturn r", 254.0},
		{"nested ternaries", "const n = input.n; return " + rep("n > 0 ? n - 1 : ", 100) + "0", 126.0},
		{"nested parentheses", "return " + rep("(", 200) + "1" + rep(")", 200), 1.0},
		{"nested functions", "return " + rep("(function () { return ", 60) + "3" + rep("; })()", 60), 3.0},
		{"arrow chain", "return " + rep("a => ", 100) + "7", nil},
		{"big flat array", "return [" + strings.TrimSuffix(rep("-1, ", 50_000), ", ") + "].length", 50000.0},
		{"regexp with groups", "return /" + rep("(", 100) + "a" + rep(")", 100) + "/.exec('a').length", 101.0},
	}
	for _, tc := range tests {
		r, err := e.RunScript(ctx, tc.code, Scope{Input: map[string]any{"n": 127.0}})
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if tc.want != nil && !reflect.DeepEqual(r.Value, tc.want) {
			t.Errorf("%s = %#v, want %#v", tc.name, r.Value, tc.want)
		}
	}
	// A template with many parts is concatenated as a balanced tree.
	var tmpl, want strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&tmpl, "<{{ input.n + %d }}>", i)
		fmt.Fprintf(&want, "<%d>", 127+i)
	}
	v, err := e.Render(ctx, tmpl.String(), Scope{Input: map[string]any{"n": 127.0}})
	if err != nil || v != want.String() {
		t.Fatalf("big template: %v", err)
	}
}

// TestParserCopyMatchesGoja checks that jsparse (without limits) parses like
// goja's parser: same errors, same trees. It must be updated with goja.
func TestParserCopyMatchesGoja(t *testing.T) {
	corpus := []string{
		"", "1 + 2 * 3", "let {a, b: [c, ...d] = []} = x; for (const [k, v] of m) { f?.(k)?.[v] }",
		"class A extends B { #p = 1; static { this.x = 1 } get a() { return this.#p } async *g() { yield* [] } }",
		"label: for (;;) { if (a) break label; else continue }", "x = a ? b : c ?? d || e && f",
		"`a${b}c${`d${e}`}` + tag`x${y}`", "/re[/]gex/gimsuy.test(s) / 2", "async () => { await x; for await (const y of z); }",
		"function f(a = 1, {b} = {}, ...c) { 'use strict'; return new.target }", "try { x } catch { y } finally { z }",
		"switch (x) { case 1: default: }", "a\n++b", "return\nx", "var a = 1, b = a++ + ++a",
		"x = +) `  if (1) ((1)) `", "(function(){ +) })\nif (1) (function(){ +) })", "let let = 1", "a => { ", "{ a: 1, b }",
		"/(unclosed", "'unterminated", "@", "\\u0061bc = 1", "#!/bin/sh\nx", "a ?. 5 : 1", "x = y => z => ({w})",
		"import('x')", "new.target", "super.x", "yield 1", "0x1_0 + 1_000n + .5e-3", "'\\u{1F600}' + \"\\x41\"",
	}
	for _, src := range corpus {
		want, werr := parser.ParseFile(nil, "x", src, 0, parser.WithDisableSourceMaps)
		got, gerr := jsparse.ParseFile(nil, "x", src, 0, jsparse.WithDisableSourceMaps)
		if fmt.Sprint(werr) != fmt.Sprint(gerr) {
			t.Errorf("%q: error %v, goja %v", src, gerr, werr)
			continue
		}
		if (want == nil) != (got == nil) {
			t.Errorf("%q: tree %v, goja %v", src, got != nil, want != nil)
			continue
		}
		if want != nil {
			want.File, got.File = nil, nil
			if !reflect.DeepEqual(want, got) {
				t.Errorf("%q: trees differ", src)
			}
		}
	}
}
