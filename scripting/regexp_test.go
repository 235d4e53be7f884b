package scripting

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/dop251/goja"
)

// TestRegexpDeadline runs regular expressions with catastrophic
// backtracking, each through another built-in, under a 200ms deadline.
// Without the guard each runs for seconds to hours inside one native call.
// Every run must end with the timeout error, which the script cannot catch,
// and the engine must keep working.
func TestRegexpDeadline(t *testing.T) {
	e := New(Options{Timeout: 200 * time.Millisecond, PoolSize: 1})
	ctx := context.Background()
	const s = "const s = 'a'.repeat(40) + 'b';\nconst u = 'a'.repeat(40) + 'é';\n"
	hostile := []string{
		`/^(a+)+\1$/.test(s)`,
		`/^(a+)+\1$/.exec(s)`,
		`s.match(/^(a+)+\1$/)`,
		`s.match(/(a+)+\1c/g)`,
		`[...s.matchAll(/(a+)+\1c/g)]`,
		`s.replace(/(a+)+\1c/, 'x')`,
		`s.replaceAll(/(a+)+\1c/g, 'x')`,
		`s.replace(/(a+)+\1c/g, m => m)`,
		`s.search(/(a+)+\1c/)`,
		`s.split(/(a+)+\1c/)`,
		`/^(?=(a+)+c)/.test(s)`,
		`/(?<=c(a+)+)b/.test(s)`,
		// RE2-compatible patterns that goja still runs with the backtracking
		// engine: from lastIndex > 0, and over all of a non-ASCII string.
		`const r = /(a+)+c/g; r.lastIndex = 1; r.exec(s)`,
		`const r = /(a+)+c/y; r.lastIndex = 1; r.test(s)`,
		`u.match(/(a+)+c/g)`,
		`u.replace(/(a+)+c/g, '')`,
		`u.split(/(a+)+c/)`,
		// Built-ins called directly, and through subclasses and species.
		`RegExp.prototype[Symbol.replace].call(/(a+)+\1c/g, s, '')`,
		`RegExp.prototype.exec.call(/^(a+)+\1$/, s)`,
		`class R extends RegExp {}; new R('^(a+)+\\1$').test(s)`,
		`const r = /x/; Object.defineProperty(r, 'constructor', {value: {[Symbol.species]: function () { return /(a+)+\1c/y }}}); s.split(r)`,
		`class R extends RegExp { static get [Symbol.species]() { return function () { const m = /^(a+)+\1$/g; Object.defineProperty(m, 'exec', {value: 1}); return m } } }; [...new R('x', 'g')[Symbol.matchAll](s)]`,
		`const r = /^(a+)+\1$/g; r.lastIndex = {valueOf() { return 0 }}; r.exec(s)`,
	}
	for _, h := range hostile {
		t.Run(h, func(t *testing.T) {
			code := s + "try { " + h + " } catch (e) { return 'caught ' + e }\nreturn 'finished'"
			r, err := e.RunScript(ctx, code, Scope{})
			if err == nil {
				t.Fatalf("no error: %v", r.Value)
			}
			if ee := asError(t, err); ee.Kind != KindTimeout {
				t.Fatalf("err = %v", err)
			}
			// The next run gets a generous deadline of its own: it must
			// work, however busy the machine.
			next, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			v, err := e.Eval(next, "/(\\d+)-\\1/.exec('x 12-12 y')[1] + 'a-b'.replace(/(?<=a)-/, '+')", Scope{})
			if err != nil || v != "12a+b" {
				t.Fatalf("next run: %v %v", v, err)
			}
		})
	}
}

// regexpCorpus exercises the guarded built-ins on patterns of both engines.
var regexpCorpus = []string{
	`/a(b)?c/.exec('xacx')`,
	`/(\d+)-\1/.exec('x 12-12 y')`,
	`/(?<y>\d{4})-(?<m>\d\d)/.exec('on 2024-05').groups`,
	`[/a/.test('cat'), /^a/.test('cat'), /(?=a)/.test('cat')]`,
	`(() => { const r = /a/g; const out = []; let m; while ((m = r.exec('banana'))) out.push(m.index, r.lastIndex); return out })()`,
	`(() => { const r = /(?=a)/g; const out = []; let m; while ((m = r.exec('banana')) && out.length < 20) { out.push(m.index); r.lastIndex++ } return out })()`,
	`(() => { const r = /a/y; r.lastIndex = 1; return [r.test('banana'), r.lastIndex, r.test('banana'), r.lastIndex] })()`,
	`(() => { const r = /(a)\1/y; r.lastIndex = 1; return [r.exec('xaaaa'), r.lastIndex] })()`,
	`'banana'.match(/an/g)`, `'banana'.match(/(?<=b)an/g)`, `'banana'.match(/(a)n\1/)`, `'bänänä'.match(/n./g)`,
	`'bänänä'.match(/(?<=n)ä/g)`, `'a😀b😀'.match(/./gu)`, `'a😀b😀'.match(/(?=😀)/gu).length`, `'😀'.match(/./g).length`,
	`'banana'.replace(/a/g, '[$&]')`, `'banana'.replace(/(a)(n)/g, '$2$1')`, `'banana'.replace(/(?<=n)a/g, 'A')`,
	`'bänänä'.replace(/ä(?=n)/g, 'a')`, `'banana'.replace(/a/, (m, i) => i)`, `'banana'.replaceAll(/n(?!a$)/g, 'N')`,
	`(() => { const r = /a/y; r.lastIndex = 3; return ['banana'.replace(r, 'X'), r.lastIndex] })()`,
	`['banana'.search(/n/), 'banana'.search(/(?<=n)a/), 'banana'.search(/x/)]`,
	`'a, b,c'.split(/,\s*/)`, `'a1b2c3'.split(/(\d)/)`, `'a1b2c3'.split(/(?<=\d)/)`, `'a1b2c3'.split(/\d/, 2)`,
	`'äöü'.split(/(?=ö)/)`, `''.split(/x/)`, `'abc'.split(/(?:)/u)`, `'a😀b'.split(/(?:)/u)`,
	`[...'a1b22c333'.matchAll(/\d+/g)].map(m => [m[0], m.index])`, `[...'a1b22'.matchAll(/(?<=\d)\d/g)].map(m => m.index)`,
	`(() => { class R extends RegExp { exec(s) { return super.exec(s) } }; return ['a-b'.split(new R('-')), 'aXa'.replace(new R('a', 'g'), 'b')] })()`,
	`(() => { const r = /b/g; r.lastIndex = {valueOf() { return 2 }}; return [r.exec('abab').index, r.lastIndex] })()`,
	`/(a+)+b/.test('a'.repeat(30) + 'b')`, `/^(\w+\s?)*$/.test('hello world')`,
	`'x'.replace(/x/, '$<n>')`, `'xy'.replace(/(?<n>x)/, '[$<n>]')`, `'aaa'.match(/a*?/g)`, `'aaa'.split(/a*?/)`,
}

// TestRegexpResultsUnchanged compares the guarded built-ins with plain goja.
func TestRegexpResultsUnchanged(t *testing.T) {
	e := New(Options{})
	for _, expr := range regexpCorpus {
		plain := goja.New()
		want, werr := plain.RunString("JSON.stringify(" + expr + ")")
		got, gerr := e.Eval(context.Background(), "JSON.stringify("+expr+")", Scope{})
		if werr != nil || gerr != nil {
			t.Errorf("%s: %v / %v", expr, gerr, werr)
			continue
		}
		if got != want.Export() {
			t.Errorf("%s = %v, goja %v", expr, got, want.Export())
		}
	}
}

// TestGojaInternalsHooked checks that the hooks into goja's internals are in
// place (see internals.go); they fail when goja's layout changes.
func TestGojaInternalsHooked(t *testing.T) {
	if regexpLayoutOnce() == nil {
		t.Fatal("goja's regexp layout not found: guards fall back to slower paths")
	}
	e := New(Options{})
	st := e.newVM()
	if !regexpFastPathActive(st.vm, st.regexpProto) {
		t.Error("RegExp fast paths are off")
	}
	if !regexpConstructorIs(st.vm, st.safeRegExp) {
		t.Error("goja's RegExp is not the sandbox's")
	}
	v, err := e.Eval(context.Background(), "(() => { const x = 1; return eval('x') })()", Scope{})
	if err != nil || !reflect.DeepEqual(v, 1.0) {
		t.Errorf("direct eval: %v %v", v, err)
	}
}

func BenchmarkRegexpPlain(b *testing.B) {
	benchRegexp(b, `const s = 'Order 12345 for ACME Corp, shipped 2024-05-01 to Berlin, DE. Contact: ops@acme.example';
		return [/\d{4}-\d\d-\d\d/.test(s), s.replace(/\s+/g, ' ').length, s.split(/,\s*/).length, s.match(/\d+/g).length]`)
}

func BenchmarkRegexpLookahead(b *testing.B) {
	benchRegexp(b, `const s = 'Order 12345 for ACME Corp, shipped 2024-05-01 to Berlin, DE. Contact: ops@acme.example';
		return [/(?=.*\d)(?=.*@)/.test(s), s.replace(/(?<=\d)(?=(\d{3})+\b)/g, ',').length, s.split(/(?<=,)\s*/).length, s.match(/(\w)\1/g).length]`)
}

func benchRegexp(b *testing.B, code string) {
	e := New(Options{})
	ctx := context.Background()
	want, err := e.RunScript(ctx, code, Scope{})
	if err != nil {
		b.Fatal(err)
	}
	wantJSON, _ := json.Marshal(want.Value)
	b.ReportAllocs()
	for b.Loop() {
		r, err := e.RunScript(ctx, code, Scope{})
		if err != nil {
			b.Fatal(err)
		}
		if got, _ := json.Marshal(r.Value); string(got) != string(wantJSON) {
			b.Fatal(string(got))
		}
	}
}
