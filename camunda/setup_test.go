package camunda_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"flowcraft/camunda"
	"flowcraft/engine"
	"flowcraft/internal/apitest"
	"flowcraft/stack"
)

// testEnv is the real server (web's app with this API mounted, as main.go does) on a
// SQLite file, with admin (admin), dora (designer), lisi (user) and, when the worker
// role exists, wanda (worker); password password1.
type testEnv struct {
	app *fiber.App
	st  *stack.Stack
	api *camunda.API
	// worker is the account workers use: wanda (role worker) when identity knows the
	// role, else admin.
	worker string
}

const (
	testPassword = apitest.Password
	prefix       = camunda.Prefix
)

func newTestEnv(t testing.TB) *testEnv {
	t.Helper()
	worker := "admin"
	st, log := apitest.Open(t, func(st *stack.Stack) {
		if _, err := st.Identity.CreateUser(context.Background(), &engine.User{ID: "wanda", Name: "Wanda", Role: "worker"}, testPassword); err == nil {
			worker = "wanda"
		}
	})
	api := camunda.New(camunda.Deps{External: st.Runtime.ExternalTasks(), Identity: st.Identity, Log: log}, camunda.Config{Location: time.UTC})
	t.Cleanup(api.Close)
	return &testEnv{app: apitest.App(st, log, api), st: st, api: api, worker: worker}
}

// listen serves the app on a real listener and returns its base URL (engine-rest).
func (e *testEnv) listen(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go e.app.Listener(ln)
	t.Cleanup(func() { e.app.ShutdownWithTimeout(5 * time.Second) })
	return "http://" + ln.Addr().String() + prefix
}

func basic(user string) string { return apitest.Basic(user) }

type reply struct {
	Status int
	Header http.Header
	Body   []byte
}

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

func (r reply) list(t *testing.T) []any {
	t.Helper()
	l, ok := r.json(t).([]any)
	if !ok {
		t.Fatalf("reply is not an array: %s", r.Body)
	}
	return l
}

// call sends a request below the prefix. body: nil or a JSON string. auth: a user id
// for Basic, "" for none, or a whole header value.
func (e *testEnv) call(t *testing.T, method, path, auth string, body any, headers ...string) reply {
	t.Helper()
	var rd io.Reader
	ct := ""
	if s, ok := body.(string); ok {
		rd, ct = strings.NewReader(s), "application/json"
	}
	status, header, b := apitest.Do(t, e.app, method, prefix+path, auth, rd, ct, headers...)
	return reply{Status: status, Header: header, Body: b}
}

// camundaError checks an error answer: the status, Camunda's body {type, message[,
// code]} with the given type, exactly application/json, and a message containing
// want (when not "").
func camundaError(t *testing.T, r reply, status int, typ, want string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	m := r.obj(t)
	for k := range m {
		if k != "type" && k != "message" && k != "code" {
			t.Fatalf("error body has %q: %s", k, r.Body)
		}
	}
	if m["type"] != typ {
		t.Fatalf("error type %v, want %s: %s", m["type"], typ, r.Body)
	}
	msg, _ := m["message"].(string)
	if msg == "" || !strings.Contains(msg, want) {
		t.Fatalf("error message %q, want it to contain %q", msg, want)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("error content type %q, want exactly application/json", ct)
	}
}

// externalDef is a definition: start → external task (topic) → end, with a BPMN
// error route card_declined → task-declined (an end of its own).
func externalDef(name, topic string) string {
	return `{"name": "` + name + `", "tasks": [
	{"instId": "task-start001", "template": "manual", "positions": [0, 0], "connections": [{"to": "task-ext00001"}]},
	{"instId": "task-ext00001", "name": "Charge card", "template": "external-task", "positions": [200, 0],
	 "parameters": {"topic": {"value": "` + topic + `"}},
	 "errorHandler": {"routes": [{"errorCode": "card_declined", "target": "task-declined"}]},
	 "connections": [{"to": "task-end00001"}]},
	{"instId": "task-declined", "template": "end", "positions": [400, 100]},
	{"instId": "task-end00001", "template": "end", "positions": [400, 0]}]}`
}

// deploy creates a definition from JSON as admin and returns its id.
func (e *testEnv) deploy(t testing.TB, def string) string {
	t.Helper()
	var p engine.Process
	if err := json.Unmarshal([]byte(def), &p); err != nil {
		t.Fatal(err)
	}
	out, err := e.st.Definitions.Create(context.Background(), &p, "admin")
	if err != nil {
		t.Fatalf("create definition: %v", err)
	}
	return out.ID
}

// start starts an instance with trigger data and returns its id.
func (e *testEnv) start(t testing.TB, procID string, trigger map[string]any) engine.ID {
	t.Helper()
	res, err := e.st.Runtime.StartInstance(context.Background(), procID, trigger, engine.StartOptions{By: "admin", BusinessKey: "order-42"})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	return res.Instance.ID
}

// waitJob waits for the open external job of an instance and returns it.
func (e *testEnv) waitJob(t testing.TB, inst engine.ID) *engine.ExternalJob {
	t.Helper()
	var last []*engine.ExternalJob
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		jobs, _, err := e.st.Runtime.ExternalTasks().List(context.Background(), engine.ExternalFilter{InstanceID: inst, Page: engine.Page{Limit: 10}})
		if err != nil {
			t.Fatal(err)
		}
		if len(jobs) > 0 {
			return jobs[0]
		}
		last = jobs
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no external job for instance %s: %v", inst, last)
	return nil
}

// waitStatus waits until the instance has the status.
func (e *testEnv) waitStatus(t testing.TB, inst engine.ID, status string) *engine.InstanceView {
	t.Helper()
	var v *engine.InstanceView
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var err error
		if v, err = e.st.Runtime.Describe(context.Background(), inst); err != nil {
			t.Fatal(err)
		}
		if v.Status == status {
			return v
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("instance %s is %s, want %s", inst, v.Status, status)
	return nil
}

// variable reads one typed process variable.
func (e *testEnv) variable(t testing.TB, inst engine.ID, name string) *engine.Variable {
	t.Helper()
	v, err := e.st.Runtime.GetVariable(context.Background(), inst, name)
	if err != nil {
		t.Fatalf("variable %s: %v", name, err)
	}
	return v
}

var camundaDate = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}$`)
