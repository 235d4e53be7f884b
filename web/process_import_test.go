package web_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// bpmnFile reads a BPMN document from testdata/bpmn.
func bpmnFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "bpmn", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// multipartFile is a multipart body with one file part; it answers the body and
// its Content-Type.
func multipartFile(t *testing.T, field, name, content string) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if field != "" {
		part, err := w.CreateFormFile(field, name)
		if err != nil {
			t.Fatal(err)
		}
		part.Write([]byte(content))
	} else if err := w.WriteField("note", "no file"); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String(), w.FormDataContentType()
}

// importAnswer is the answer of POST /api/process/import.
type importAnswer struct {
	Processes []struct{ ID, Name, BPMNID string } `json:"processes"`
	Report    struct {
		Mapped       int              `json:"mapped"`
		Approximated []map[string]any `json:"approximated"`
		Dropped      []map[string]any `json:"dropped"`
	} `json:"report"`
}

// decodeReply decodes a reply body into v.
func decodeReply(t *testing.T, body []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("decode %.300s: %v", body, err)
	}
}

// processCount is how many definitions the store holds.
func (e *testEnv) processCount(t *testing.T) float64 {
	t.Helper()
	r := e.call(t, "GET", "/api/process", "admin", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("list processes: %d %s", r.Status, r.Body)
	}
	return r.json(t)["response"].(map[string]any)["total"].(float64)
}

// TestProcessImport: POST /api/process/import takes a BPMN document as XML or as a
// multipart file and makes one definition per process, all or none; it answers the
// definitions and the report; every bad request is a coded 4xx and stores nothing.
func TestProcessImport(t *testing.T) {
	e := newTestEnv(t)
	order := bpmnFile(t, "order.bpmn")
	form, formType := multipartFile(t, "file", "order.bpmn", order)
	noFile, noFileType := multipartFile(t, "", "", "")
	xml := []string{"Content-Type", "application/xml"}
	cases := []struct {
		name     string
		path     string
		user     string
		body     string
		headers  []string
		status   int
		code     string // the error's code; "" for a success
		names    []string
		dropped  bool
		anyCodes bool // the code is the importer's: any bpmn_ code
	}{
		{name: "application/xml", path: "/api/process/import", user: "dora", body: order, headers: xml, status: 201, names: []string{"Order check"}},
		{name: "text/xml; charset", path: "/api/process/import", user: "admin", body: order, headers: []string{"Content-Type", "text/xml; charset=utf-8"}, status: 201, names: []string{"Order check"}},
		{name: "application/bpmn+xml", path: "/api/process/import", user: "dora", body: order, headers: []string{"Content-Type", "application/bpmn+xml"}, status: 201, names: []string{"Order check"}},
		{name: "multipart file", path: "/api/process/import", user: "dora", body: form, headers: []string{"Content-Type", formType}, status: 201, names: []string{"Order check"}},
		{name: "two pools", path: "/api/process/import", user: "dora", body: bpmnFile(t, "pools.bpmn"), headers: xml, status: 201, names: []string{"Main process", "Child process"}},
		{name: "dropped, not strict", path: "/api/process/import?strict=false", user: "dora", body: bpmnFile(t, "java.bpmn"), headers: xml, status: 201, names: []string{"Calls Java"}, dropped: true},
		{name: "dropped, strict", path: "/api/process/import?strict=true", user: "dora", body: bpmnFile(t, "java.bpmn"), headers: xml, status: 400, code: "bpmn_dropped"},
		{name: "strict not a boolean", path: "/api/process/import?strict=yes", user: "dora", body: order, headers: xml, status: 400, code: "invalid"},
		{name: "a user", path: "/api/process/import", user: "lisi", body: order, headers: xml, status: 403, code: "role_required"},
		{name: "no credentials", path: "/api/process/import", body: order, headers: xml, status: 401, code: "auth_required"},
		{name: "JSON", path: "/api/process/import", user: "dora", body: `{"name": "x"}`, status: 415, code: "bpmn_media_type"},
		{name: "no Content-Type", path: "/api/process/import", user: "dora", body: order, headers: []string{"Content-Type", ""}, status: 415, code: "bpmn_media_type"},
		{name: "empty", path: "/api/process/import", user: "dora", body: "  \n", headers: xml, status: 400, code: "empty_body"},
		{name: "multipart without the file", path: "/api/process/import", user: "dora", body: noFile, headers: []string{"Content-Type", noFileType}, status: 400, code: "invalid"},
		{name: "multipart that does not parse", path: "/api/process/import", user: "dora", body: "--x\r\nnot a part", headers: []string{"Content-Type", "multipart/form-data; boundary=x"}, status: 400, code: "malformed_body"},
		{name: "not XML", path: "/api/process/import", user: "dora", body: "this is not XML", headers: xml, status: 400, anyCodes: true},
		{name: "not BPMN", path: "/api/process/import", user: "dora", body: `<?xml version="1.0"?><note><to>you</to></note>`, headers: xml, status: 400, anyCodes: true},
		{name: "XXE", path: "/api/process/import", user: "dora", headers: xml, status: 400, anyCodes: true,
			body: `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>` + strings.Replace(order[strings.Index(order, "<bpmn:definitions"):], `name="Order check"`, `name="&x;"`, 1)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.processCount(t)
			r := e.call(t, "POST", c.path, c.user, c.body, c.headers...)
			if r.Status != c.status {
				t.Fatalf("%d %s, want %d", r.Status, r.Body, c.status)
			}
			if c.status >= 400 {
				m := r.json(t)
				code, _ := m["code"].(string)
				if m["statusCode"] != float64(c.status) || m["errorMessage"] == "" || (!c.anyCodes && code != c.code) ||
					(c.anyCodes && (code == "" || code == "internal")) {
					t.Errorf("error %s, want code %q", r.Body, c.code)
				}
				if after := e.processCount(t); after != before {
					t.Errorf("a refused import stored %v definitions", after-before)
				}
				return
			}
			var got struct{ Response importAnswer }
			decodeReply(t, r.Body, &got)
			if len(got.Response.Processes) != len(c.names) {
				t.Fatalf("processes %+v, want %v", got.Response.Processes, c.names)
			}
			for i, p := range got.Response.Processes {
				if p.Name != c.names[i] || !regexpProcID.MatchString(p.ID) || p.BPMNID == "" {
					t.Errorf("process %d: %+v, want name %q", i, p, c.names[i])
				}
				def := e.call(t, "GET", "/api/process/"+p.ID, "dora", nil)
				if def.Status != 200 || def.json(t)["name"] != c.names[i] || def.json(t)["creator"] != c.user {
					t.Errorf("stored %s: %d %.300s", p.ID, def.Status, def.Body)
				}
			}
			if loc := r.Header.Get("Location"); loc != "/api/process/"+got.Response.Processes[0].ID {
				t.Errorf("Location %q", loc)
			}
			rep := got.Response.Report
			if rep.Mapped == 0 || rep.Approximated == nil || rep.Dropped == nil || (len(rep.Dropped) > 0) != c.dropped {
				t.Errorf("report %s", r.Body)
			}
			if after := e.processCount(t); after != before+float64(len(c.names)) {
				t.Errorf("stored %v definitions, want %d", after-before, len(c.names))
			}
		})
	}
}

// TestProcessImportCallActivity: a call activity to another process of the same file
// starts the definition made from it, and the instance of the caller ends done.
func TestProcessImportCallActivity(t *testing.T) {
	e := newTestEnv(t)
	r := e.call(t, "POST", "/api/process/import", "dora", bpmnFile(t, "pools.bpmn"), "Content-Type", "application/xml")
	if r.Status != http.StatusCreated {
		t.Fatalf("import: %d %s", r.Status, r.Body)
	}
	var got struct{ Response importAnswer }
	decodeReply(t, r.Body, &got)
	main, child := got.Response.Processes[0], got.Response.Processes[1]
	if main.BPMNID != "mainProcess" || child.BPMNID != "childProcess" {
		t.Fatalf("processes %+v", got.Response.Processes)
	}
	def := e.definition(t, main.ID)
	var calls []any
	for _, task := range def["tasks"].([]any) {
		tk := task.(map[string]any)
		if tk["template"] == "subprocess" {
			calls = append(calls, tk["parameters"].(map[string]any)["processId"].(map[string]any)["value"])
		}
	}
	if len(calls) != 1 || calls[0] != child.ID {
		t.Fatalf("the call activity starts %v, want the child's definition %s", calls, child.ID)
	}
	start := e.call(t, "POST", "/api/process/"+main.ID+"?wait=10s", "dora", map[string]any{})
	if start.Status != http.StatusCreated && start.Status != http.StatusOK {
		t.Fatalf("start: %d %s", start.Status, start.Body)
	}
	id := start.json(t)["response"].(map[string]any)["id"].(string)
	e.instance(t, id, "done")
}

// TestProcessImportBodyLimit: a document larger than the body limit (here once
// its gzip is undone) is 413, before anything parses it.
func TestProcessImportBodyLimit(t *testing.T) {
	e := newTestEnvWith(t, webConfigSmallBody)
	order := bpmnFile(t, "order.bpmn")
	big := strings.Replace(order, "<bpmn:process ", "<!--"+strings.Repeat("x", 70<<10)+"-->\n  <bpmn:process ", 1)
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte(big))
	w.Close()
	r := e.call(t, "POST", "/api/process/import", "dora", gz.String(), "Content-Type", "application/xml", "Content-Encoding", "gzip")
	if r.Status != http.StatusRequestEntityTooLarge || r.json(t)["code"] != "body_too_large" {
		t.Fatalf("%d %s, want 413 body_too_large", r.Status, r.Body)
	}
	if n := e.processCount(t); n != 0 {
		t.Errorf("stored %v definitions", n)
	}
}
