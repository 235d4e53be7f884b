package bpmn

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"flowcraft/datasource"
	"flowcraft/engine"
	"flowcraft/engine/templates"
	"flowcraft/scripting"
	"flowcraft/stack"
)

// runImportedScript runs scriptParams' code in the sandbox as the script template
// would, with the variables.
func runImportedScript(t *testing.T, body, resultVariable string, vars map[string]any) (scripting.Result, error) {
	t.Helper()
	p, err := scriptParams(testJS, "javascript", body, resultVariable)
	if err != nil {
		t.Fatalf("scriptParams(%q): %v", body, err)
	}
	return testJS.RunScript(context.Background(), p["code"].(string), scripting.Scope{
		Vars: vars, Instance: map[string]any{"id": "4242", "processId": "proc-abcdefgh", "startedBy": "ann"},
	})
}

// TestScriptParamsSandbox runs imported scripts in the sandbox: globals by bare name,
// the execution object, resultVariable, and what persists.
func TestScriptParamsSandbox(t *testing.T) {
	for _, tc := range []struct {
		name, body, result, vars string
		wantVars                 string
		wantOut                  any
	}{
		{"setVariable from a global", `execution.setVariable("approved", amount > 1000);`, "",
			`{"amount": 1500}`, `{"amount": 1500, "approved": true}`, nil},
		{"getVariable", `execution.setVariable("twice", execution.getVariable("amount") * 2)`, "",
			`{"amount": 21}`, `{"amount": 21, "twice": 42}`, nil},
		{"getVariable of a missing variable is null", `execution.setVariable("m", execution.getVariable("nope") === null)`, "",
			`{}`, `{"m": true}`, nil},
		{"getVariables is a copy", `var all = execution.getVariables(); all.x = 99; execution.setVariable("n", Object.keys(all).length)`, "",
			`{"a": 1, "b": 2}`, `{"a": 1, "b": 2, "n": 3}`, nil},
		{"ids", `execution.setVariable("pid", execution.getProcessInstanceId()); execution.setVariable("eid", execution.getId()); execution.setVariable("def", execution.getProcessDefinitionId())`, "",
			`{}`, `{"pid": "4242", "eid": "4242", "def": "proc-abcdefgh"}`, nil},
		{"resultVariable takes the last expression", "var total = price * quantity;\ntotal + shipping", "sum",
			`{"price": 10, "quantity": 3, "shipping": 5}`, `{"price": 10, "quantity": 3, "shipping": 5, "sum": 35}`, 35.0},
		{"resultVariable with a trailing semicolon and comment", "amount > 1000; // big?", "big",
			`{"amount": 5}`, `{"amount": 5, "big": false}`, false},
		{"resultVariable of an object", "({ok: true, who: name})", "res",
			`{"name": "ann"}`, `{"name": "ann", "res": {"ok": true, "who": "ann"}}`, map[string]any{"ok": true, "who": "ann"}},
		{"bare assignment does not persist", "amount = amount + 1; execution.setVariable('seen', amount)", "",
			`{"amount": 1}`, `{"amount": 1, "seen": 2}`, nil},
		{"own declarations shadow", "let amount = 7; const f = function (x) { return x * amount }; execution.setVariable('r', f(2))", "",
			`{"amount": 1}`, `{"amount": 1, "r": 14}`, nil},
		{"var and function declarations", "var n = 3; function sq(x) { return x * x } execution.setVariable('sq', sq(n))", "",
			`{}`, `{"sq": 9}`, nil},
		{"a missing global reads undefined", "execution.setVariable('t', typeof notThere)", "",
			`{}`, `{"t": "undefined"}`, nil},
		{"removeVariable and hasVariable", "execution.removeVariable('a'); execution.setVariable('had', execution.hasVariable('a'))", "",
			`{"a": 1}`, `{"had": false}`, nil},
		{"setVariable undefined stores null", "execution.setVariable('u', undefined)", "",
			`{}`, `{"u": null}`, nil},
		{"JS globals stay globals", "execution.setVariable('m', Math.max(a, 3) + JSON.stringify([1]).length)", "",
			`{"a": 1}`, `{"a": 1, "m": 6}`, nil},
		{"print is console.log", "print('hello', amount)", "",
			`{"amount": 1}`, `{"amount": 1}`, nil},
		{"a variable named result", "result + 1", "next",
			`{"result": 1}`, `{"result": 1, "next": 2}`, 2.0},
		{"strings and comments do not bind names", "// uses foo bar\nexecution.setVariable('s', 'baz qux' + `t ${amount}`)", "",
			`{"amount": 2}`, `{"amount": 2, "s": "baz quxt 2"}`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := runImportedScript(t, tc.body, tc.result, vars(tc.vars))
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			if got := mustJSON(res.Vars); got != mustJSON(vars(tc.wantVars)) {
				t.Errorf("vars %s, want %s", got, tc.wantVars)
			}
			if got := mustJSON(res.Value); got != mustJSON(tc.wantOut) {
				t.Errorf("output %s, want %s", got, mustJSON(tc.wantOut))
			}
		})
	}
	res, err := runImportedScript(t, "print('hello', amount)", "", map[string]any{"amount": 1.0})
	if err != nil || len(res.Logs) != 1 || res.Logs[0].Message != "hello 1" {
		t.Errorf("print: %+v, %v", res.Logs, err)
	}
}

// TestScriptParamsCode: the body stays verbatim; only the names it reads are bound.
func TestScriptParamsCode(t *testing.T) {
	p, err := scriptParams(testJS, "JavaScript", "// check the amount\nif (amount > limit.max) {\n  execution.setVariable('ok', false);\n}", "")
	if err != nil {
		t.Fatal(err)
	}
	code := p["code"].(string)
	for _, want := range []string{
		"let { amount, limit } = vars;\n",
		"\n// check the amount\nif (amount > limit.max) {\n  execution.setVariable('ok', false);\n}\n",
		"return result;",
	} {
		if !strings.Contains(code, want) {
			t.Errorf("code lacks %q:\n%s", want, code)
		}
	}
	for _, bad := range []string{"check", "max", "let { amount, limit, execution"} {
		if strings.Contains(code, "let {") && strings.Contains(code[strings.Index(code, "let {"):strings.Index(code, "} = vars")], bad) {
			t.Errorf("code binds %q:\n%s", bad, code)
		}
	}
	if len(p) != 1 {
		t.Errorf("params %v", p)
	}
	if probs := (templates.Script{}).Check(map[string]any{"code": code}); len(probs) > 0 {
		t.Errorf("script template refuses the code: %v", probs)
	}
}

func TestScriptParamsErrors(t *testing.T) {
	for _, tc := range []struct{ format, body, result, want string }{
		{"groovy", "execution.setVariable('a', 1)", "", "scriptFormat groovy is not supported"},
		{"python", "x = 1", "", "scriptFormat python is not supported"},
		{"juel", "${a}", "", "scriptFormat juel is not supported"},
		{"", "x", "", "no scriptFormat"},
		{"javascript", "  ", "", "no script"},
		{"javascript", "if (a {", "", "does not compile"},
		{"javascript", "var System = Java.type('java.lang.System'); System.exit(0)", "", "Java classes (Java)"},
		{"javascript", "importPackage(java.io)", "", "Java classes"},
		{"javascript", "if (a) { b }", "r", "needs the script to end with an expression"},
		{"javascript", "var x = 1", "r", "needs the script to end with an expression"},
		{"javascript", strings.Repeat("x;", maxScriptLen), "", "more than"},
	} {
		if got, err := scriptParams(testJS, tc.format, tc.body, tc.result); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("scriptParams(%q, %q, %q) = %v, %v; want an error with %q", tc.format, shorten(tc.body), tc.result, got, err, tc.want)
		}
	}
	for _, f := range []string{"javascript", "JavaScript", "js", "ECMAScript", "ecmascript"} {
		if _, err := scriptParams(testJS, f, "1", ""); err != nil {
			t.Errorf("scriptFormat %s: %v", f, err)
		}
	}
}

// TestJSFreeNames pins the lexical scan behind bare-name globals.
func TestJSFreeNames(t *testing.T) {
	for code, want := range map[string]string{
		"amount > 1000":                                "amount",
		"a.b.c + d?.e + f['g']":                        "a d f",
		"'x y' + \"z\" + `w ${v} u` // c d\n/* e */":   "v",
		"var x = 1; let y; const z = 2; x + y + z + w": "w",
		"function f(p) { return p } f(q)":              "q",
		"a / b / c":                                    "a b c",
		"s.replace(/ab+c/g, d)":                        "s d",
		"return /x y/.test(k)":                         "k",
		"Math.max(input.a, vars.b, instance.id, JSON, undefined, NaN)": "",
		"execution.getVariable('x')":                                   "execution",
		"if (typeof t === 'undefined') {}":                             "t",
		"`${`${deep}`}` + after":                                       "deep after",
		"x?.[y] ?? z ? 1 : 2":                                          "x y z",
		"très + ñ":                                                     "très ñ",
	} {
		if got := strings.Join(jsFreeNames(code), " "); got != want {
			t.Errorf("jsFreeNames(%q) = %q, want %q", code, got, want)
		}
	}
}

// TestImportedScriptTaskInFlow runs script tasks made by scriptParams and conditions
// made by translateExpression inside a real flow on the engine (SQLite): the script's
// execution.setVariable decides the gateway, globals are read by bare name, and
// resultVariable and execution's ids reach the persisted variables.
func TestImportedScriptTaskInFlow(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st, err := stack.Open(ctx, stack.Config{DataDir: dir, NodeID: 1, NoScheduler: true, NoHTTP: true,
		Runtime:     engine.RuntimeOptions{JobPoll: 20 * time.Millisecond},
		Templates:   templates.NewRegistry(templates.BuiltinTemplates()...),
		DataSources: map[string]datasource.Spec{"main": {Driver: "sqlite", DSN: "file:" + filepath.Join(dir, "data.db")}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := st.Runtime.Close(c); err != nil {
			t.Error(err)
		}
		st.Close(c)
	})

	decide, err := scriptParams(testJS, "javascript", `
// Camunda 7 style
var limit = execution.getVariable("limit") || 1000;
execution.setVariable("approved", amount > limit);
execution.setVariable("instanceId", execution.getProcessInstanceId());
execution.setVariable("count", Object.keys(execution.getVariables()).length);
`, "")
	if err != nil {
		t.Fatal(err)
	}
	fee, err := scriptParams(testJS, "javascript", "amount * rate", "fee")
	if err != nil {
		t.Fatal(err)
	}
	cond, err := translateExpression(testJS, "", "${approved}")
	if err != nil {
		t.Fatal(err)
	}
	feel, err := translateExpression(testJS, "", "= fee >= 100")
	if err != nil {
		t.Fatal(err)
	}
	task := func(id, tpl string, params map[string]any, conns ...map[string]any) map[string]any {
		ps := map[string]any{}
		for k, v := range params {
			ps[k] = map[string]any{"value": v}
		}
		if conns == nil {
			conns = []map[string]any{}
		}
		return map[string]any{"instId": id, "template": tpl, "parameters": ps, "connections": conns}
	}
	def, _ := json.Marshal(map[string]any{"name": "imported", "tasks": []any{
		task("start", "manual", nil, map[string]any{"to": "decide"}),
		task("decide", "script", decide, map[string]any{"to": "gw"}),
		task("gw", "exclusive-gateway", nil,
			map[string]any{"to": "fee", "condition": cond},
			map[string]any{"to": "rejected", "default": true}),
		task("fee", "script", fee, map[string]any{"to": "gw2"}),
		task("gw2", "exclusive-gateway", nil,
			map[string]any{"to": "big", "condition": feel},
			map[string]any{"to": "small", "default": true}),
		task("big", "end", map[string]any{"output": "big"}),
		task("small", "end", map[string]any{"output": "small"}),
		task("rejected", "end", map[string]any{"output": "rejected"}),
	}})
	var p engine.Process
	if err := json.Unmarshal(def, &p); err != nil {
		t.Fatal(err)
	}
	created, err := st.Definitions.Create(ctx, &p, "tester")
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	for _, tc := range []struct {
		vars     map[string]any
		want     string
		wantVars map[string]any
	}{
		{map[string]any{"amount": 1500.0, "rate": 0.1}, "big", map[string]any{"approved": true, "fee": 150.0, "count": 4.0}},
		{map[string]any{"amount": 1200.0, "rate": 0.01}, "small", map[string]any{"approved": true, "fee": 12.0}},
		{map[string]any{"amount": 500.0, "rate": 0.1}, "rejected", map[string]any{"approved": false}},
		{map[string]any{"amount": 500.0, "rate": 0.1, "limit": 100.0}, "small", map[string]any{"approved": true, "fee": 50.0}},
	} {
		res, err := st.Runtime.StartInstance(ctx, created.ID, map[string]any{}, engine.StartOptions{By: "tester", Vars: tc.vars, Wait: 20 * time.Second})
		if err != nil {
			t.Fatalf("start: %v", err)
		}
		if !res.Ended || res.Instance.Status != engine.StatusDone {
			t.Fatalf("instance %s: %s %s", res.Instance.ID, res.Instance.Status, res.Instance.Error)
		}
		v, err := st.Runtime.Describe(ctx, res.Instance.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := mustJSON(v.Output); got != mustJSON(tc.want) {
			t.Errorf("vars %v: output %s, want %q", tc.vars, got, tc.want)
		}
		got, err := st.Runtime.Variables(ctx, res.Instance.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got["instanceId"] != res.Instance.ID.String() {
			t.Errorf("instanceId %v, want %s", got["instanceId"], res.Instance.ID)
		}
		for k, want := range tc.wantVars {
			if mustJSON(got[k]) != mustJSON(want) {
				t.Errorf("vars %v: %s = %v, want %v (all %v)", tc.vars, k, got[k], want, got)
			}
		}
	}
}

// FuzzScriptParams: never panics; the code it makes compiles.
func FuzzScriptParams(f *testing.F) {
	for _, s := range []string{
		"execution.setVariable('a', amount > 1)", "var x = 1;\nx + y", "result", "let a = b; a",
		"`${a}` + /re/.test(b)", "function f() { return g } f()", "({a: b})", "// c\nd",
	} {
		f.Add(s, "")
		f.Add(s, "res")
	}
	f.Fuzz(func(t *testing.T, body, result string) {
		p, err := scriptParams(testJS, "javascript", body, result)
		if err != nil {
			if strings.Contains(err.Error(), "with process variables bound") {
				t.Fatalf("scriptParams(%q, %q): %v", body, result, err)
			}
			return
		}
		if probs := testJS.CheckScript(p["code"].(string)); len(probs) > 0 {
			t.Fatalf("scriptParams(%q, %q) does not compile: %v", body, result, probs[0].Message)
		}
	})
}
