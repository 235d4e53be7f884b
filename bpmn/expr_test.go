package bpmn

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"flowcraft/scripting"
)

// evalJS evaluates a translated expression in the sandbox with the variables.
func evalJS(t testing.TB, js string, vars map[string]any) any {
	t.Helper()
	v, err := testJS.Eval(context.Background(), js, scripting.Scope{
		Vars: vars, Instance: map[string]any{"id": "42", "processId": "proc-abcdefgh"},
		Input: map[string]any{"amount": 7.0},
	})
	if err != nil {
		t.Fatalf("eval %s: %v", js, err)
	}
	return v
}

func vars(js string) map[string]any {
	var m map[string]any
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		panic(err)
	}
	return m
}

// TestTranslateExpressionText pins the JavaScript of the examples and of
// each construct.
func TestTranslateExpressionText(t *testing.T) {
	for _, tc := range []struct{ lang, in, want string }{
		// issue 17's examples
		{"", "${amount > 1000}", "(vars.amount > 1000)"},
		{"", "${approved}", "vars.approved"},
		{"", "${!approved}", "(!vars.approved)"},
		{"", `${a == "x" && b}`, `((vars.a == "x") && vars.b)`},
		{"", "${empty list}", emptyJS + "vars.list)"},
		{"", "${x eq 'y' and not z}", `((vars.x == "y") && (!vars.z))`},
		{"", "= amount > 1000", "(vars.amount > 1000)"},
		// JUEL
		{"", "#{a ne b}", "(vars.a != vars.b)"},
		{"", "${a lt 1 or a gt 2 || a le 3 && a ge 4}", "(((vars.a < 1) || (vars.a > 2)) || ((vars.a <= 3) && (vars.a >= 4)))"},
		{"", "${a div 2 + b mod 3 - -c * 4 / 5 % 6}", "(((vars.a / 2) + (vars.b % 3)) - ((((-vars.c) * 4) / 5) % 6))"},
		{"", "${a ? 'y' : b ? 1 : 2}", `(vars.a ? "y" : (vars.b ? 1 : 2))`},
		{"", "${(a + b) * c}", "(((vars.a + vars.b)) * vars.c)"},
		{"", "${order.customer.name}", "vars.order?.customer?.name"},
		{"", "${order['total'] >= 10}", `(vars.order?.["total"] >= 10)`},
		{"", "${list[0]}", "vars.list?.[0]"},
		{"", `${execution.getVariable("x") == 1}`, `(vars["x"] == 1)`},
		{"", `${execution.getProcessInstanceId()}`, "instance.id"},
		{"", `${execution.processDefinitionId}`, "instance.processId"},
		{"", `${list.size() > 0}`, "(vars.list?.length > 0)"},
		{"", `${name.startsWith("A")}`, `vars.name?.startsWith("A")`},
		{"", `${status.equals('ok')}`, `(vars.status == "ok")`},
		{"", "${null == x}", "(null == vars.x)"},
		{"", "${007 + 1.50 + 1e3 + .5}", "(((7 + 1.5) + 1000) + 0.5)"},
		{"", `${'it\'s' == "say \"hi\""}`, `("it's" == "say \"hi\"")`},
		{"", "Hello ${name}!", `["Hello ", vars.name, "!"].join("")`},
		{"", "${a} and #{b}", `[vars.a, " and ", vars.b].join("")`},
		{"", `\${literal} ${x}`, `["${literal} ", vars.x].join("")`},
		{"", "${ très }", `vars["très"]`},
		{"juel", "${true}", "true"},
		{"JUEL", "${x}", "vars.x"},
		// FEEL
		{"", "= a = 1", "(vars.a === 1)"},
		{"", "= a != \"x\"", `(vars.a !== "x")`},
		{"", "= a = null", "(vars.a == null)"},
		{"", "=not(approved)", "(!(vars.approved))"},
		{"", "= a > 1 and b < 2 or c", "(((vars.a > 1) && (vars.b < 2)) || vars.c)"},
		{"", "= x in [1, 2]", "[1, 2].includes(vars.x)"},
		{"", "= x between 1 and 5", "((v) => v >= 1 && v <= 5)(vars.x)"},
		{"", "= if a then \"y\" else \"n\"", `(vars.a ? "y" : "n")`},
		{"", "= order.total * 2 ** 2", "(vars.order?.total * (2 ** 2))"},
		{"feel", "a <= -1", "(vars.a <= (-1))"},
		{"http://www.omg.org/spec/FEEL/20140401", "a", "vars.a"},
		// JavaScript
		{"javascript", "input.amount < 1000", "input.amount < 1000"},
		{"JavaScript", "vars.approved === true;", "vars.approved === true"},
		{"", "input.amount < 1000", "input.amount < 1000"},
		{"", "true", "true"},
		{"js", "amount > 1000", "((amount) => (amount > 1000\n))(vars.amount)"},
		{"ecmascript", `execution.getVariable("a") && Math.abs(b) > 1`,
			"((execution, b) => (execution.getVariable(\"a\") && Math.abs(b) > 1\n))(" + executionInline + ", vars.b)"},
		{"", "'a' + x.y // comment", "((x) => ('a' + x.y // comment\n))(vars.x)"},
	} {
		got, err := translateExpression(testJS, tc.lang, tc.in)
		if err != nil {
			t.Errorf("translateExpression(%q, %q): %v", tc.lang, tc.in, err)
			continue
		}
		if got != tc.want {
			t.Errorf("translateExpression(%q, %q)\n got %s\nwant %s", tc.lang, tc.in, got, tc.want)
		}
	}
}

// TestTranslateExpressionEval runs translations in the sandbox: the semantics, not
// the text.
func TestTranslateExpressionEval(t *testing.T) {
	for _, tc := range []struct {
		lang, in, vars string
		want           any
	}{
		{"", "${amount > 1000}", `{"amount": 1500}`, true},
		{"", "${amount > 1000}", `{"amount": 500}`, false},
		{"", "${amount > 1000}", `{"amount": "1500"}`, true}, // JUEL coerces, so does JS
		{"", "${approved}", `{"approved": true}`, true},
		{"", "${!approved}", `{"approved": true}`, false},
		{"", "${!approved}", `{}`, true},
		{"", `${a == "x" && b}`, `{"a": "x", "b": true}`, true},
		{"", `${a == "x" && b}`, `{"a": "y", "b": true}`, false},
		{"", `${a == 1}`, `{"a": "1"}`, true},
		{"", "${empty list}", `{"list": []}`, true},
		{"", "${empty list}", `{"list": [1]}`, false},
		{"", "${empty list}", `{}`, true},
		{"", "${empty list}", `{"list": null}`, true},
		{"", "${empty s}", `{"s": ""}`, true},
		{"", "${empty s}", `{"s": "x"}`, false},
		{"", "${empty m}", `{"m": {}}`, true},
		{"", "${not empty m}", `{"m": {"k": 1}}`, true},
		{"", "${x eq 'y' and not z}", `{"x": "y", "z": false}`, true},
		{"", "${x eq 'y' and not z}", `{"x": "y", "z": true}`, false},
		{"", "${order.customer.name}", `{}`, nil},
		{"", "${order.customer.name == null}", `{}`, true},
		{"", "${order.customer.name}", `{"order": {"customer": {"name": "Ann"}}}`, "Ann"},
		{"", "${a ? 'y' : 'n'}", `{"a": 0}`, "n"},
		{"", "${10 div 4}", `{}`, 2.5},
		{"", "${10 mod 4}", `{}`, 2.0},
		{"", `${list.size() > 1 && list.contains("b")}`, `{"list": ["a", "b"]}`, true},
		{"", `${m.containsKey("k")}`, `{"m": {"k": 0}}`, true},
		{"", `${m.containsKey("k")}`, `{}`, false},
		{"", `${s.isEmpty()}`, `{"s": ""}`, true},
		{"", `${s.equalsIgnoreCase("ABC")}`, `{"s": "abc"}`, true},
		{"", `${execution.getVariable("amount") > 10}`, `{"amount": 11}`, true},
		{"", `${execution.getProcessInstanceId()}`, `{}`, "42"},
		{"", "Dear ${name}, you owe ${amount}.", `{"amount": 5}`, "Dear , you owe 5."},
		{"", "= amount > 1000", `{"amount": 1001}`, true},
		{"", `= status = "ok"`, `{"status": "ok"}`, true},
		{"", `= a = null`, `{}`, true},
		{"", `= x in ["a", "b"]`, `{"x": "b"}`, true},
		{"", `= x in ["a", "b"]`, `{"x": "c"}`, false},
		{"", `= not(x between 1 and 5)`, `{"x": 6}`, true},
		{"", `= if a > 1 then "big" else "small"`, `{"a": 2}`, "big"},
		{"js", "amount > 1000", `{"amount": 2000}`, true},
		{"", "amount > 1000 && !blocked", `{"amount": 2000}`, true},
		{"", "input.amount", `{}`, 7.0},
		{"javascript", `execution.getVariable("a") + execution.getVariable("missing")`, `{"a": 1}`, 1.0},
	} {
		js, err := translateExpression(testJS, tc.lang, tc.in)
		if err != nil {
			t.Errorf("translateExpression(%q, %q): %v", tc.lang, tc.in, err)
			continue
		}
		got := evalJS(t, js, vars(tc.vars))
		if gb, _ := json.Marshal(got); string(gb) != mustJSON(tc.want) {
			t.Errorf("%q with %s = %s (js %s), want %s", tc.in, tc.vars, gb, js, mustJSON(tc.want))
		}
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestTranslateExpressionErrors: what the subsets leave out is an error naming it.
func TestTranslateExpressionErrors(t *testing.T) {
	for _, tc := range []struct{ lang, in, want string }{
		{"", "${myBean.check(x)}", "calls a Java bean"},
		{"", "${myService.isAllowed(user, 'x')}", "calls a Java bean"},
		{"", "${fn:length(x)}", "EL functions"},
		{"", "${check(x)}", "EL function calls"},
		{"", "${execution.setVariable('a', 1)}", "execution.setVariable"},
		{"", "${execution}", "execution is only supported"},
		{"", "${a = 1}", "assignments"},
		{"", "${a += 1}", "assignments"},
		{"", "${x -> x + 1}", "lambda"},
		{"", "${[1, 2]}", "collection literals"},
		{"", "${a; b}", "statement lists"},
		{"", "${a instanceof b}", "instanceof"},
		{"", "${}", "empty ${}"},
		{"", "${a", "unexpected"},
		{"", "${'abc}", "not closed"},
		{"", "${a @ b}", "unexpected character"},
		{"", "${1x}", "malformed number"},
		{"", "${1e999}", "out of range"},
		{"", "${(a}", `expected ")"`},
		{"", "${" + strings.Repeat("(", 100) + "a" + strings.Repeat(")", 100) + "}", "nests deeper"},
		{"", "${" + strings.Repeat("!", 100) + "a}", "nests deeper"},
		{"", "${" + strings.Repeat("a+", 100) + "a}", "nests deeper"},
		{"", "${" + strings.Repeat("a.", 100) + "a}", "nests deeper"},
		{"", strings.Repeat("x", maxExprLen+1), "more than"},
		{"", "= count(list) > 1", "FEEL function count"},
		{"", "= some x in list satisfies x > 1", "FEEL some"},
		{"", "= for x in list return x", "FEEL for"},
		{"", "= list[item > 1]", "FEEL filters"},
		{"", "= {a: 1}", "FEEL contexts"},
		{"", "= x in [1..5]", "FEEL ranges"},
		{"", "= my var > 1", "names with spaces"},
		{"", "= 'single'", "unexpected character"},
		{"", "=", "FEEL expression is empty"},
		{"", "", "empty"},
		{"http://www.w3.org/1999/XPath", "count(x) > 1", "XPath"},
		{"groovy", "amount > 1000", "language \"groovy\" is not supported"},
		{"javascript", "if (a) b", "does not compile"},
		{"javascript", "Java.type('java.lang.System')", "Java classes"},
		{"", "yes please", "not an expression"},
		{"", "amount is big", "not an expression"},
	} {
		got, err := translateExpression(testJS, tc.lang, tc.in)
		if err == nil {
			t.Errorf("translateExpression(%q, %q) = %s, want an error with %q", tc.lang, shorten(tc.in), got, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("translateExpression(%q, %q): %v, want %q", tc.lang, shorten(tc.in), err, tc.want)
		}
	}
}

// FuzzTranslateExpression: never panics; what it returns compiles in the sandbox.
func FuzzTranslateExpression(f *testing.F) {
	for _, s := range []string{
		"${amount > 1000}", "${approved}", "${!approved}", `${a == "x" && b}`, "${empty list}",
		"${x eq 'y' and not z}", "= amount > 1000", "Hi ${a} #{b}", "${a ? b : c}", "${a.b[c].d()}",
		`${execution.getVariable("x")}`, "= x in [1,2]", "= if a then b else c", "input.x < 1",
		"${list.size() > 0}", "= not(a) and b between 1 and 2", "`${x}`", "/re/.test(s)",
	} {
		f.Add("", s)
		f.Add("javascript", s)
		f.Add("feel", s)
	}
	f.Fuzz(func(t *testing.T, lang, text string) {
		js, err := translateExpression(testJS, lang, text)
		if err != nil {
			// The translators must write JavaScript that compiles: their own check
			// failing is a bug.
			if msg := err.Error(); strings.Contains(msg, "translates to JavaScript that does not compile") ||
				strings.Contains(msg, "with process variables bound") {
				t.Fatalf("translateExpression(%q, %q): %v", lang, text, err)
			}
			return
		}
		if probs := testJS.CheckExpression(js); len(probs) > 0 {
			t.Fatalf("translateExpression(%q, %q) = %q does not compile: %v", lang, text, js, probs[0].Message)
		}
	})
}

// TestTranslateFlowcraftConditions: flowcraft's own conditions (the repository's
// examples' and the engine tests' kind) come back unchanged — with flowcraft's language, with
// "javascript" and with no language — so export then import keeps them.
func TestTranslateFlowcraftConditions(t *testing.T) {
	conds := []string{
		"trigger.amount < 100", "input % 2 === 0", "vars.i < 5", "input.amount < 1000",
		"nodes['task-aaaa1111'].output.rows.some(r => r.ok)", "instance.startedBy === 'admin'",
		"item.price * index > 10", "Math.max(input.a, 3) > 2 && !vars.blocked",
		"input.items.filter(function (x) { return x.n > 1 }).length > 0", "({a: 1, b: input.b}).b",
		"`${input.kind}` === 'a'", "/^ab+c$/i.test(input.code)", "typeof vars.x === 'undefined'",
	}
	files, _ := filepath.Glob(filepath.Join("..", "examples", "*.json"))
	if len(files) == 0 {
		t.Fatal("no examples in ../examples")
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var def struct {
			Tasks []struct {
				Connections []struct {
					Condition string `json:"condition"`
				} `json:"connections"`
			} `json:"tasks"`
		}
		if err := json.Unmarshal(raw, &def); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, tk := range def.Tasks {
			for _, c := range tk.Connections {
				if c.Condition != "" {
					conds = append(conds, c.Condition)
				}
			}
		}
	}
	for _, c := range conds {
		for _, lang := range []string{NSFlowcraft, "javascript", ""} {
			if got, err := translateExpression(testJS, lang, c); err != nil || got != c {
				t.Errorf("translateExpression(%q, %q) = %q, %v; want it unchanged", lang, c, got, err)
			}
		}
	}
}
