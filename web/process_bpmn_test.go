package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestProcessExportBPMN: GET /api/process/{id}/bpmn answers the definition (or an
// earlier version) as a BPMN 2.0 download named after it, to the roles that may read
// definitions; importing the export gives the same tasks back.
func TestProcessExportBPMN(t *testing.T) {
	e := newTestEnv(t)
	id := e.createProcess(t, example(t, "leave-approval.json"))
	def := e.definition(t, id)
	def["name"], def["version"] = "Leave v2", 1.0
	if r := e.call(t, "PUT", "/api/process/"+id, "dora", def); r.Status != http.StatusOK {
		t.Fatalf("replace: %d %s", r.Status, r.Body)
	}
	plain := e.createProcess(t, minimal(`a/b "c"`))
	cases := []struct {
		name, path, user string
		status           int
		code             string
		filename         string // the Content-Disposition of a 200
		contains         string // in the document
	}{
		{"current", "/api/process/" + id + "/bpmn", "dora", 200, "", `filename="Leave v2.bpmn"; filename*=UTF-8''Leave%20v2.bpmn`, `name="Leave v2"`},
		{"admin", "/api/process/" + id + "/bpmn", "admin", 200, "", `filename="Leave v2.bpmn"`, "<"},
		{"an earlier version", "/api/process/" + id + "/bpmn?version=1", "dora", 200, "",
			`filename="____.bpmn"; filename*=UTF-8''%E8%AF%B7%E5%81%87%E5%AE%A1%E6%89%B9.bpmn`, `name="请假审批"`},
		{"the current version by number", "/api/process/" + id + "/bpmn?version=2", "dora", 200, "", `filename="Leave v2.bpmn"`, `name="Leave v2"`},
		{"a name with slashes and quotes", "/api/process/" + plain + "/bpmn", "dora", 200, "", `filename="a_b _c_.bpmn"; filename*=UTF-8''a%2Fb%20%22c%22.bpmn`, "<"},
		{"no such version", "/api/process/" + id + "/bpmn?version=9", "dora", 404, "not_found", "", ""},
		{"version not a number", "/api/process/" + id + "/bpmn?version=x", "dora", 400, "invalid", "", ""},
		{"version 0", "/api/process/" + id + "/bpmn?version=0", "dora", 400, "invalid", "", ""},
		{"no such process", "/api/process/proc-nothere0/bpmn", "dora", 404, "not_found", "", ""},
		{"a user", "/api/process/" + id + "/bpmn", "lisi", 403, "role_required", "", ""},
		{"no credentials", "/api/process/" + id + "/bpmn", "", 401, "auth_required", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.call(t, "GET", c.path, c.user, nil)
			if r.Status != c.status {
				t.Fatalf("%d %.300s, want %d", r.Status, r.Body, c.status)
			}
			if c.status != 200 {
				if m := r.json(t); m["code"] != c.code || m["errorMessage"] == "" {
					t.Errorf("error %s, want code %s", r.Body, c.code)
				}
				return
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/xml; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; "+c.filename) {
				t.Errorf("Content-Disposition %q, want attachment; %s...", cd, c.filename)
			}
			doc := string(r.Body)
			if !strings.Contains(doc, "http://www.omg.org/spec/BPMN/20100524/MODEL") || !strings.Contains(doc, c.contains) {
				t.Errorf("document %.400s lacks %q", doc, c.contains)
			}
		})
	}

	// Export, then import: the same tasks, connections and positions.
	doc := e.call(t, "GET", "/api/process/"+id+"/bpmn", "dora", nil)
	r := e.call(t, "POST", "/api/process/import", "dora", doc.Body, "Content-Type", "application/xml")
	if r.Status != http.StatusCreated {
		t.Fatalf("import the export: %d %s", r.Status, r.Body)
	}
	var got struct{ Response importAnswer }
	decodeReply(t, r.Body, &got)
	if len(got.Response.Processes) != 1 || len(got.Response.Report.Dropped) != 0 {
		t.Fatalf("import the export: %s", r.Body)
	}
	again := e.definition(t, got.Response.Processes[0].ID)
	want := e.definition(t, id)
	if again["name"] != want["name"] {
		t.Errorf("name %v, want %v", again["name"], want["name"])
	}
	wt, gt := want["tasks"].([]any), again["tasks"].([]any)
	if len(gt) != len(wt) {
		t.Fatalf("%d tasks, want %d", len(gt), len(wt))
	}
	byID := map[string]map[string]any{}
	for _, x := range gt {
		byID[x.(map[string]any)["instId"].(string)] = x.(map[string]any)
	}
	for _, x := range wt {
		w := x.(map[string]any)
		g := byID[w["instId"].(string)]
		if g == nil {
			t.Errorf("task %s is gone", w["instId"])
			continue
		}
		for _, k := range []string{"name", "template", "positions", "connections"} {
			if jsonText(t, g[k]) != jsonText(t, w[k]) {
				t.Errorf("task %s %s: %s, want %s", w["instId"], k, jsonText(t, g[k]), jsonText(t, w[k]))
			}
		}
	}
}

// jsonText is v as JSON text, to compare values decoded from JSON.
func jsonText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
