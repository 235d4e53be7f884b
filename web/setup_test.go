package web_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/crypto/bcrypt"

	"flowcraft/db/sqlite"
	"flowcraft/engine"
	"flowcraft/identity"
	"flowcraft/stack"
	"flowcraft/web"
)

// testEnv is a server on a real SQLite file with three users:
// admin (admin), dora (designer) and lisi (user), all with password "password1".
type testEnv struct {
	app      *fiber.App
	store    *sqlite.Store
	identity *identity.Service
	deps     web.Deps
	rt       *engine.Runtime
}

const testPassword = "password1"

var (
	regexpProcID       = regexp.MustCompile(`^proc-[a-z0-9]{8}$`)
	webConfigSmallBody = web.Config{BodyLimit: 64 << 10}
)

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	return newTestEnvWith(t, web.Config{})
}

func newTestEnvWith(t *testing.T, cfg web.Config) *testEnv {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	st, err := stack.Open(ctx, stack.Config{DataDir: t.TempDir(), Log: log, NodeID: 1, NoScheduler: true, NoHTTP: true,
		Identity: identity.Options{BcryptCost: bcrypt.MinCost}, Runtime: engine.RuntimeOptions{JobPoll: 20 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		st.Close(ctx)
	})
	store, scripts, reg, id, rt, defs := st.Store, st.Scripts, st.Templates, st.Identity, st.Runtime, st.Definitions
	if _, err := id.Bootstrap(ctx, testPassword); err != nil {
		t.Fatal(err)
	}
	for _, u := range []*engine.User{{ID: "dora", Name: "Dora", Role: engine.RoleDesigner}, {ID: "lisi", Name: "李四", Role: engine.RoleUser}} {
		if _, err := id.CreateUser(ctx, u, testPassword); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Start(ctx); err != nil {
		t.Fatal(err)
	}
	deps := web.Deps{
		Definitions: defs,
		Identity:    id, Templates: reg, Scripts: scripts, DB: store, Log: log, Version: "test",
		Runtime: rt, Tasks: st.Tasks, Events: rt.Events(), Metrics: rt, Jobs: st.Jobs, Retention: st.Retention,
		External: rt.ExternalTasks(),
	}
	return &testEnv{app: web.New(cfg, deps), store: store, identity: id, deps: deps, rt: rt}
}

// basic returns an Authorization header value for a test user.
func basic(user string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+testPassword))
}

type reply struct {
	Status int
	Header http.Header
	Body   []byte
}

// json decodes the reply body into a generic value.
func (r reply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("reply is not JSON (%v): %s", err, r.Body)
	}
	return m
}

// call sends one request through app.Test. body may be a string (sent as is) or any
// value (JSON-encoded). auth is a user id for Basic auth, "" for none, or a full
// Authorization header when it contains a space.
func (e *testEnv) call(t *testing.T, method, path, auth string, body any, headers ...string) reply {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = strings.NewReader(string(b))
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = strings.NewReader(string(buf))
	}
	req := httptest.NewRequest(method, path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	switch {
	case auth == "":
	case strings.Contains(auth, " "):
		req.Header.Set("Authorization", auth)
	default:
		req.Header.Set("Authorization", basic(auth))
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := e.app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// example reads a process definition from the repository's examples/.
func example(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "examples", name))
	if err != nil {
		t.Fatalf("read example %s: %v", name, err)
	}
	return b
}

// exampleNames lists the file names of examples/ (every example is tested).
func exampleNames(t *testing.T) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("..", "examples", "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no examples in ../examples (%v)", err)
	}
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	return names
}

// createProcess posts a definition as dora and returns its id.
func (e *testEnv) createProcess(t *testing.T, def any) string {
	t.Helper()
	r := e.call(t, "POST", "/api/process", "dora", def)
	if r.Status != http.StatusCreated {
		t.Fatalf("create process: %d %s", r.Status, r.Body)
	}
	return r.json(t)["response"].(map[string]any)["id"].(string)
}

// minimal is a small valid definition: manual → script → end.
func minimal(name string) map[string]any {
	return map[string]any{
		"name": name,
		"tasks": []any{
			map[string]any{"instId": "task-start001", "template": "manual", "connections": []any{map[string]any{"to": "task-code0001"}}},
			map[string]any{"instId": "task-code0001", "template": "script", "connections": []any{map[string]any{"to": "task-end00001"}},
				"parameters": map[string]any{"code": map[string]any{"value": "return {ok: true}"}}},
			map[string]any{"instId": "task-end00001", "template": "end"},
		},
	}
}

// depsWithStatic returns the env's dependencies serving static files from fsys.
func depsWithStatic(t *testing.T, e *testEnv, fsys fs.FS) web.Deps {
	t.Helper()
	d := e.deps
	d.Static = fsys
	return d
}

func mustID(t *testing.T, s string) engine.ID {
	t.Helper()
	id, err := engine.ParseID(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
