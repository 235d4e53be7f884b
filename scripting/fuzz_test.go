package scripting

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja/parser"

	"flowcraft/scripting/internal/jsparse"
)

// Fuzz targets. Their seed corpora are committed under testdata/fuzz; run
// for example
//
//	go test -run='^$' -fuzz=FuzzTemplate -fuzztime=30s ./scripting/
//
// Inputs must never crash or hang the process.

var fuzzScope = Scope{
	Input:    map[string]any{"a": 1.0, "s": "text", "list": []any{1.0, "two", nil}},
	Vars:     map[string]any{"n": 2.0},
	Nodes:    map[string]any{"t1": map[string]any{"output": map[string]any{"ok": true}}},
	Instance: map[string]any{"id": "i-1"},
}

// FuzzTemplate checks and renders "{{ }}" templates.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{
		"", "plain text", "{{ input.a }}", "Hello {{ input.s }}, {{ vars.n * 2 }}!", "{{ ({a: {b: 1}}) }}",
		"{{ '}}' }} and {{ \"{{\" }}", "{{ `x${input.a}` }}", "{{ /* }} */ 1 }}", "{{ // }}\n 1 }}", "{{", "}}", "{{ }}",
		"{{ a) + (b }}", "{{ input.list.map(x => x) }}", "a {{ nodes.t1.output.ok ? 'y' : 'n' }} b {{ instance.id }}",
		"{{ ((((((((1)))))))) }}", "{{ eval('1+1') }}", "{{ while(true){} }}", "{{ (() => { while (true) {} })() }}",
		"{{ 'x'.repeat(1e9) }}", "{{ /(a+)+\\1$/.test('a'.repeat(30) + 'b') }}", "{{ Function('return 1')() }}",
	} {
		f.Add(s)
	}
	// A short deadline: inputs that loop would slow fuzzing down.
	e := New(Options{Timeout: 20 * time.Millisecond})
	f.Fuzz(func(t *testing.T, tmpl string) {
		problems := e.CheckTemplate(tmpl)
		v, err := e.Render(context.Background(), tmpl, fuzzScope)
		var se *Error
		if err != nil && !errors.As(err, &se) {
			t.Fatalf("untyped error %T: %v", err, err)
		}
		if len(problems) == 0 && se != nil && se.Kind == KindSyntax && strings.Contains(tmpl, "{{") {
			t.Fatalf("CheckTemplate found nothing but Render: %v", err)
		}
		if !strings.Contains(tmpl, "{{") && (err != nil || v != tmpl) {
			t.Fatalf("text without a template changed: %v %v", v, err)
		}
	})
}

// FuzzCheck checks scripts and expressions, and compares the depth-limited
// parser copy with goja's on small inputs.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{
		"", "return 1", "return input.a + 1", "vars.n = 2; return {a: [1, 2, {b: 3}]}", "if (a) { b() } else if (c) d()",
		"for (const [k, v] of Object.entries(input)) { console.log(k, v) }", "class A extends B { #x = 1; m() { return this.#x } }",
		"const f = async () => { await 1 }; function* g() { yield* [1] }", "label: while (1) { break label }",
		"return `a${`b${c}`}`", "return /[/]\\/(?<n>x)\\k<n>/gimsuy", "x = +) `  if (1) ((1)) `", "(function(){ +) })\nif (1) ",
		"return ((((((((((1))))))))))", "return !!!!!!!!x", "return a?b:c?d:e?f:g", "return a=>b=>c=>d", "let [[[a]]] = x",
		"}}{{", "eval('x')", "'unterminated", "/* unterminated", "return 0x10n + 1_000 + .5e-3", "#!/bin/sh\nx",
	} {
		f.Add(s)
	}
	e := New(Options{})
	f.Fuzz(func(t *testing.T, code string) {
		for _, ps := range [][]Problem{e.CheckScript(code), e.CheckExpression(code)} {
			for _, p := range ps {
				if p.Message == "" || p.Line < 0 || p.Column < 0 {
					t.Fatalf("bad problem %+v", p)
				}
			}
		}
		if len(code) > 4<<10 {
			return
		}
		want, werr := parser.ParseFile(nil, "x", code, 0, parser.WithDisableSourceMaps)
		got, gerr := jsparse.ParseFile(nil, "x", code, 0, jsparse.WithDisableSourceMaps)
		if fmt.Sprint(werr) != fmt.Sprint(gerr) {
			t.Fatalf("jsparse: %v, goja: %v", gerr, werr)
		}
		if want != nil && got != nil {
			want.File, got.File = nil, nil
			if !reflect.DeepEqual(want, got) {
				t.Fatal("jsparse and goja build different trees")
			}
		}
	})
}
