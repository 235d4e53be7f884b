package sqlite

import (
	"encoding/json"
	"flowcraft/engine"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestParamsJSONIsJSONMarshal: the task column's encoder writes what json.Marshal
// writes, for the values parameters hold and for strings of every awkward kind.
func TestParamsJSONIsJSONMarshal(t *testing.T) {
	cases := []map[string]any{
		{},
		{"code": "return {ok: true};\n// <b>&amp;</b> \"quoted\" \\ back\tslash\r\b\f\x00\x1f\x7f"},
		{"url": "https://example.com/?a=1&b=<2>", "method": "GET", "timeout": 30000.0, "follow": true, "body": nil},
		{"中文": "请假 3 天：家中有事", "sep": "a\u2028b\u2029c", "bad": "x\xff\xfey", "emoji": "🙂"},
		{"n": 0.0, "neg": -1.5, "tiny": 1e-7, "tinier": 1.234e-20, "big": 1e21, "bigger": 1.5e300, "int": 123456789.0, "frac": 0.1},
		{"headers": map[string]any{"Authorization": "Bearer x", "Accept": "*/*"}, "list": []any{1.0, "two", nil, true}, "users": []string{"ann", "bob"}},
		{"output": map[string]any{"approved": true, "total": 110.00000000000001, "user": "bench", "nested": []any{map[string]any{"b": 1.0, "a": []any{}}, []any{nil}}},
			"empty": map[string]any{}, "nilmap": map[string]any(nil), "nillist": []any(nil), "other": map[string]string{"z": "<y>"}, "int": 3},
		{"bad": []any{1.0, math.NaN()}},
		{"deep": deepValue(40)},
		{"z": 1.0, "a": 2.0, "m": 3.0, "B": 4.0, "": "empty key", "key with \"quote\"": "v"},
	}
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "Z", "0", " ", "\"", "\\", "<", ">", "&", "\n", "\t", "\x01", "\x7f", "é", "中", "\u2028", "\u2029", "\xff", "\xe4\xb8", "🙂", "\ufffd"}
	for range 300 {
		m := map[string]any{}
		for range r.IntN(20) {
			var k, v strings.Builder
			for range r.IntN(6) {
				k.WriteString(alphabet[r.IntN(len(alphabet))])
			}
			for range r.IntN(40) {
				v.WriteString(alphabet[r.IntN(len(alphabet))])
			}
			switch r.IntN(3) {
			case 0:
				m[k.String()] = v.String()
			case 1:
				m[k.String()] = math.Float64frombits(r.Uint64())
			default:
				m[k.String()] = (r.Float64() - 0.5) * math.Pow(10, float64(r.IntN(60)-30))
			}
		}
		cases = append(cases, m)
	}
	for i, m := range cases {
		want, werr := json.Marshal(m)
		got, gerr := paramsJSON(m)
		if (werr != nil) != (gerr != nil) {
			t.Fatalf("case %d: error %v, json.Marshal's %v", i, gerr, werr)
		}
		if werr == nil && got != string(want) {
			t.Fatalf("case %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

// TestParamsTextNull: a runtime without parameters (not run yet, skipped) leaves the
// column NULL; a task without parameters writes {}; parameters that are the
// definition's own, unresolved, leave it NULL (the engine gives them back).
func TestParamsTextNull(t *testing.T) {
	if v, err := paramsText(&engine.NodeRun{}); v != nil || err != nil {
		t.Errorf("nil parameters: %v %v", v, err)
	}
	if v, err := paramsText(&engine.NodeRun{Input: map[string]any{}}); v != "{}" || err != nil {
		t.Errorf("no parameters: %v %v", v, err)
	}
	if v, err := paramsText(&engine.NodeRun{Input: map[string]any{"code": "return 1"}, InputIsDefinition: true}); v != nil || err != nil {
		t.Errorf("the definition's parameters: %v %v", v, err)
	}
	if v, err := paramsText(&engine.NodeRun{Input: map[string]any{"code": "return 1"}}); v != `{"code":"return 1"}` || err != nil {
		t.Errorf("resolved parameters: %v %v", v, err)
	}
}

// deepValue nests n objects and arrays.
func deepValue(n int) any {
	var v any = "bottom"
	for i := range n {
		if i%2 == 0 {
			v = map[string]any{"k": v}
		} else {
			v = []any{v, 1.0}
		}
	}
	return v
}

// TestParamsJSONCycle: a cyclic value (not JSON, but a template could hand one over)
// is an error, as with json.Marshal, not a stack overflow.
func TestParamsJSONCycle(t *testing.T) {
	m := map[string]any{}
	m["self"] = m
	if _, err := paramsJSON(map[string]any{"x": m}); err == nil {
		t.Fatal("a cyclic value was encoded")
	}
}
