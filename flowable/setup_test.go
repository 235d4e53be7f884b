package flowable_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"flowcraft/flowable"
	"flowcraft/internal/apitest"
	"flowcraft/stack"
)

// testEnv is the real server (web's app with this API mounted, as main.go does) on a
// SQLite file, with admin (admin), dora (designer) and lisi (user), password password1.
type testEnv struct {
	app *fiber.App
	st  *stack.Stack
	api *flowable.API
}

const (
	testPassword = apitest.Password
	prefix       = flowable.Prefix
)

func newTestEnv(t testing.TB) *testEnv {
	t.Helper()
	st, log := apitest.Open(t, nil)
	api := flowable.New(flowable.Deps{Definitions: st.Definitions, Runtime: st.Runtime, Tasks: st.Tasks, InstanceLinks: st.Store, History: st.Store, Identity: st.Identity,
		Templates: st.Templates, Jobs: st.Jobs, External: st.Runtime.ExternalTasks(), Log: log, Version: "test"}, flowable.Config{})
	return &testEnv{app: apitest.App(st, log, api), st: st, api: api}
}

func basic(user string) string { return apitest.Basic(user) }

type reply struct {
	Status int
	Header http.Header
	Body   []byte
}

// json decodes the body (any JSON value).
func (r reply) json(t *testing.T) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("reply is not JSON (%v): %s", err, r.Body)
	}
	return v
}

func (r reply) obj(t *testing.T) map[string]any {
	t.Helper()
	m, ok := r.json(t).(map[string]any)
	if !ok {
		t.Fatalf("reply is not an object: %s", r.Body)
	}
	return m
}

// call sends a request. path is below the API's prefix unless it starts with "!"
// (then it is the whole path). body: nil, a string (sent as is, JSON content type), or
// a *multipartBody. auth: a user id for Basic, "" for none, or a whole header value.
func (e *testEnv) call(t *testing.T, method, path, auth string, body any, headers ...string) reply {
	t.Helper()
	if strings.HasPrefix(path, "!") {
		path = path[1:]
	} else {
		path = prefix + path
	}
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ct = strings.NewReader(b), "application/json"
	case *multipartBody:
		rd, ct = bytes.NewReader(b.buf.Bytes()), b.contentType
	default:
		t.Fatalf("body %T", body)
	}
	status, header, b := apitest.Do(t, e.app, method, path, auth, rd, ct, headers...)
	return reply{Status: status, Header: header, Body: b}
}

// multipartBody is a multipart/form-data body.
type multipartBody struct {
	buf         bytes.Buffer
	contentType string
}

// upload builds a multipart body with one file (field "file") and form fields.
func upload(t *testing.T, filename string, data []byte, fields ...string) *multipartBody {
	t.Helper()
	m := &multipartBody{}
	w := multipart.NewWriter(&m.buf)
	for i := 0; i+1 < len(fields); i += 2 {
		if err := w.WriteField(fields[i], fields[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if filename != "" {
		fw, err := w.CreateFormFile("file", filename)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	w.Close()
	m.contentType = w.FormDataContentType()
	return m
}

// zipOf packs files (name, content, name, content, ...).
func zipOf(t *testing.T, files ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(files); i += 2 {
		w, err := zw.Create(files[i])
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, files[i+1])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func example(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// deploy uploads a definition file as dora and returns the deployment.
func (e *testEnv) deploy(t *testing.T, filename string, data []byte) map[string]any {
	t.Helper()
	r := e.call(t, "POST", "/cmmn-repository/deployments", "dora", upload(t, filename, data))
	if r.Status != http.StatusCreated {
		t.Fatalf("deploy %s: %d %s", filename, r.Status, r.Body)
	}
	return r.obj(t)
}

// minimal is a small valid definition JSON: manual → script → end.
func minimal(name string) string {
	return `{"name": "` + name + `", "tasks": [
	{"instId": "task-start001", "template": "manual", "positions": [0, 0], "connections": [{"to": "task-code0001"}]},
	{"instId": "task-code0001", "template": "script", "positions": [200, 0], "connections": [{"to": "task-end00001"}],
	 "parameters": {"code": {"value": "return {ok: true}"}}},
	{"instId": "task-end00001", "template": "end", "positions": [400, 0]}]}`
}

// errorShape checks an error answer: the status and exactly {statusCode, errorMessage}.
func errorShape(t *testing.T, r reply, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	m := r.obj(t)
	if len(m) != 2 || m["statusCode"] != float64(status) {
		t.Fatalf("error body %s, want {statusCode: %d, errorMessage}", r.Body, status)
	}
	if msg, ok := m["errorMessage"].(string); !ok || msg == "" {
		t.Fatalf("error body %s has no errorMessage", r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("error content type %q", ct)
	}
}
