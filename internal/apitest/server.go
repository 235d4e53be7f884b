package apitest

import (
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/crypto/bcrypt"

	"flowcraft/engine"
	"flowcraft/identity"
	"flowcraft/stack"
	"flowcraft/web"
)

// Password is the password of every account Open makes.
const Password = "password1"

// Open starts the real stack on a SQLite file of the test's own (the cheapest bcrypt
// cost, no scheduler, no HTTP, jobs polled every 20 ms) with admin (admin), dora
// (designer) and lisi (user), password Password; before, when given, runs just before
// the stack starts. The stack closes at the test's cleanup. The logger discards.
func Open(t testing.TB, before func(*stack.Stack)) (*stack.Stack, *slog.Logger) {
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
	if _, err := st.Identity.Bootstrap(ctx, Password); err != nil {
		t.Fatal(err)
	}
	for _, u := range []*engine.User{{ID: "dora", Name: "Dora", Role: engine.RoleDesigner}, {ID: "lisi", Name: "李四", Role: engine.RoleUser}} {
		if _, err := st.Identity.CreateUser(ctx, u, Password); err != nil {
			t.Fatal(err)
		}
	}
	if before != nil {
		before(st)
	}
	if err := st.Start(ctx); err != nil {
		t.Fatal(err)
	}
	return st, log
}

// API is a protocol API served beside web's (camunda.API, flowable.API).
type API interface {
	PrefixErrors() map[string]fiber.ErrorHandler
	Mount(r fiber.Router)
}

// App is web's app on the stack with api mounted, as main.go builds it.
func App(st *stack.Stack, log *slog.Logger, api API) *fiber.App {
	app := web.New(web.Config{BodyLimit: 256 << 10, PrefixErrors: api.PrefixErrors()}, web.Deps{Definitions: st.Definitions, Identity: st.Identity, Templates: st.Templates, Scripts: st.Scripts,
		DB: st.Store, Runtime: st.Runtime, Tasks: st.Tasks, Events: st.Runtime.Events(), Metrics: st.Runtime, Jobs: st.Jobs, Retention: st.Retention, Log: log, Version: "test"})
	api.Mount(app)
	return app
}

// Basic is the Authorization header of user with Password.
func Basic(user string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+Password))
}

// Do sends a request to the app (path from the host on, body nil or sent with
// contentType) and reads the whole answer. auth: a user id for Basic, "" for none, or
// a whole header value; headers are name, value pairs.
func Do(t testing.TB, app *fiber.App, method, path, auth string, body io.Reader, contentType string, headers ...string) (int, http.Header, []byte) {
	t.Helper()
	req := httptest.NewRequest(method, "http://flow.example:8080"+path, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	switch {
	case auth == "":
	case strings.Contains(auth, " "):
		req.Header.Set("Authorization", auth)
	default:
		req.Header.Set("Authorization", Basic(auth))
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}
