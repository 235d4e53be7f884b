package scripting

import "testing"

func TestLastExpression(t *testing.T) {
	e := New(Options{})
	for _, tc := range []struct {
		code, want string
		ok         bool
	}{
		{"x > 5", "x > 5", true},
		{"x > 5;", "x > 5", true},
		{"var a = 1;\na + 2 // done", "a + 2", true},
		{"var a = 1;\n  execution.setVariable('a', a);\n", "execution.setVariable('a', a)", true},
		{"a = 1, b = 2", "a = 1, b = 2", true},
		{"(function(){ return 1 })()", "(function(){ return 1 })()", true},
		{"`t ${x}`", "`t ${x}`", true},
		{"f(a)[0].b", "f(a)[0].b", true},
		{"x ? y : z", "x ? y : z", true},
		{"if (x) { y }", "", false},
		{"var a = 1", "", false},
		{"", "", false},
		{"return 5", "", false},
		{"x +", "", false},
		{"}); (function(){", "", false},
	} {
		s, end, ok := e.LastExpression(tc.code)
		if ok != tc.ok || ok && tc.code[s:end] != tc.want {
			t.Errorf("LastExpression(%q) = %d, %d, %v; want %q, %v", tc.code, s, end, ok, tc.want, tc.ok)
		}
	}
}

func TestLastExpressionParens(t *testing.T) {
	e := New(Options{})
	for code, want := range map[string]string{
		"a;\n(x + 1)":        "(x + 1)",
		"a;\nx + (y)":        "x + (y)",
		"((a))":              "((a))",
		"a; ( (b) , c ) ;":   "( (b) , c )",
		"(a)\n// end":        "(a)",
		"var z = 2; z * (2)": "z * (2)",
	} {
		s, end, ok := e.LastExpression(code)
		if !ok || code[s:end] != want {
			t.Errorf("LastExpression(%q) = %q, %v; want %q", code, code[s:max(s, end)], ok, want)
		}
	}
}
