package web_test

import (
	"strings"
	"testing"
)

// TestVariablesPutMergesAndDeleteRemovesOne: PUT /api/processInst/{id}/variables
// keeps the variables the body does not name (it replaced them all before); DELETE
// .../variables/{name} removes one (204), then answers 404 with unknown_variable;
// only designers may delete; GET keeps its plain JSON object view (a typed date as
// its text).
func TestVariablesPutMergesAndDeleteRemovesOne(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProcess(t, waitingDef("vars"))
	id := e.call(t, "POST", "/api/process/"+pid, "dora", nil).json(t)["response"].(map[string]any)["id"].(string)
	base := "/api/processInst/" + id + "/variables"
	steps := []struct {
		method, path, who string
		body              any
		status            int
		contains          []string
	}{
		{"PUT", base, "dora", map[string]any{"a": 1, "b": "x", "c": map[string]any{"k": true}}, 200, []string{`"a":1`, `"b":"x"`}},
		{"PUT", base, "dora", map[string]any{"b": "y"}, 200, []string{`"a":1`, `"b":"y"`, `"c":{"k":true}`}},
		{"GET", base, "dora", nil, 200, []string{`{"response":{"a":1,"b":"y","c":{"k":true}}}`}},
		{"DELETE", base + "/a", "lisi", nil, 403, []string{`"statusCode":403`}},
		{"DELETE", base + "/a", "dora", nil, 204, nil},
		{"GET", base, "admin", nil, 200, []string{`{"response":{"b":"y","c":{"k":true}}}`}},
		{"DELETE", base + "/a", "dora", nil, 404, []string{`"statusCode":404`, `"code":"unknown_variable"`}},
		{"DELETE", base + "/b%20c", "dora", nil, 404, []string{`b c`}},
		{"PUT", base, "dora", map[string]any{"50%/off": true}, 200, []string{`"50%/off":true`}},
		{"DELETE", base + "/50%25%2Foff", "dora", nil, 204, nil},
		{"GET", base, "dora", nil, 200, []string{`{"response":{"b":"y","c":{"k":true}}}`}},
		{"DELETE", "/api/processInst/123/variables/b", "dora", nil, 404, []string{`"statusCode":404`}},
		{"PUT", base, "dora", []any{1}, 400, []string{`"statusCode":400`}},
	}
	for _, s := range steps {
		r := e.call(t, s.method, s.path, s.who, s.body)
		if r.Status != s.status {
			t.Fatalf("%s %s as %s: %d %s, want %d", s.method, s.path, s.who, r.Status, r.Body, s.status)
		}
		for _, c := range s.contains {
			if !strings.Contains(string(r.Body), c) {
				t.Errorf("%s %s: %s lacks %s", s.method, s.path, r.Body, c)
			}
		}
	}
	// The instance ends (canceled): its variables are read-only, deletes included.
	e.call(t, "PUT", "/api/processInst/"+id, "dora", map[string]any{"action": "cancel"})
	if r := e.call(t, "DELETE", base+"/b", "dora", nil); r.Status != 409 {
		t.Errorf("delete on a canceled instance: %d %s", r.Status, r.Body)
	}
}
