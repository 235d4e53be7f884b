package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/crypto/bcrypt"

	"flowcraft/engine"
	"flowcraft/identity"
	"flowcraft/web"
)

// ---------- item 6: definition secrets ----------

const (
	secHook = "whsec-0123456789"
	secKey  = "sk-live-abcdef123456"
)

// secretFlow: a signed webhook, a script that echoes an API key (as an echo server
// would), an approval by lisi, the same again, and an http-request with that key in
// its Authorization header.
func secretFlow() map[string]any {
	script := func(id, to, code string) map[string]any {
		return map[string]any{"instId": id, "template": "script", "connections": []any{map[string]any{"to": to}},
			"parameters": map[string]any{"code": map[string]any{"value": code}}}
	}
	return map[string]any{"name": "secrets", "tasks": []any{
		map[string]any{"instId": "start", "template": "webhook", "connections": []any{map[string]any{"to": "leak1"}},
			"parameters": map[string]any{"secret": map[string]any{"value": secHook}}},
		script("leak1", "gate", "return {auth: 'Bearer "+secKey+"'}"),
		map[string]any{"instId": "gate", "template": "approval", "connections": []any{map[string]any{"to": "leak2"}},
			"parameters": map[string]any{"assignees": map[string]any{"value": []any{"lisi"}}}},
		script("leak2", "call", "console.log('key "+secKey+"'); return '"+secHook+"'"),
		map[string]any{"instId": "call", "template": "http-request", "connections": []any{map[string]any{"to": "end"}},
			"errorHandler": map[string]any{"strategy": "ignore"},
			"parameters": map[string]any{"url": map[string]any{"value": "https://api.example.invalid/items"},
				"headers": map[string]any{"value": map[string]any{"Authorization": "Bearer " + secKey, "Content-Type": "application/json"}}}},
		map[string]any{"instId": "end", "template": "end"},
	}}
}

func TestUsersDoNotSeeDefinitionSecrets(t *testing.T) {
	e, addr := serveEnv(t, web.Config{Streams: web.StreamConfig{QueueSize: 4096}})
	pid := e.createProcess(t, secretFlow())
	token := e.hookToken(t, pid)
	secrets := []string{secHook, secKey, token}
	// lisi started the instance (as through a form of the app).
	res, err := e.rt.StartInstance(context.Background(), pid, map[string]any{"n": 1}, engine.StartOptions{By: "lisi", TriggerApp: "webhook"})
	if err != nil {
		t.Fatal(err)
	}
	id := res.Instance.ID.String()
	task := e.taskOf(t, "lisi", id)
	tid := task["id"].(string)

	get := func(path string) string {
		t.Helper()
		r := e.call(t, "GET", path, "lisi", nil)
		if r.Status != http.StatusOK {
			t.Fatalf("lisi GET %s: %d %s", path, r.Status, r.Body)
		}
		return string(r.Body)
	}
	if r := e.call(t, "GET", "/api/process/"+pid, "lisi", nil); r.Status != http.StatusForbidden {
		t.Fatalf("lisi reads the definition: %d", r.Status)
	}

	// A websocket opened now sees the snapshot, then the rest of the run.
	ws, _, err := dialWS(t, addr, "/ws/processInst/"+id, "lisi")
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	ws.SetReadDeadline(time.Now().Add(15 * time.Second))
	_, snap, err := ws.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	mustLack(t, "websocket snapshot", string(snap), secrets...)
	mustHave(t, "websocket snapshot", string(snap), engine.Redacted)

	if r := e.call(t, "POST", "/api/taskInst/"+tid, "lisi", map[string]any{"outcome": "approve"}); r.Status != http.StatusOK {
		t.Fatalf("approve: %d %s", r.Status, r.Body)
	}
	var events []string
	for {
		ws.SetReadDeadline(time.Now().Add(15 * time.Second))
		_, b, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("websocket: %v after %d events", err, len(events))
		}
		events = append(events, string(b))
		var m wsMsg
		json.Unmarshal(b, &m)
		if m.Type == "process" && (m.Status == "done" || m.Status == "failed") {
			break
		}
	}
	mustLack(t, "websocket events", strings.Join(events, "\n"), secrets...)
	mustHave(t, "websocket events", strings.Join(events, "\n"), engine.Redacted)

	for _, path := range []string{
		"/api/processInst/" + id,
		"/api/processInst/" + id + "/leak1",
		"/api/processInst/" + id + "/leak2",
		"/api/processInst/" + id + "/start",
		"/api/processInst?limit=100",
		"/api/processInst/" + id + "/variables",
		"/api/taskInst/" + tid,
		"/instances/" + id,
		"/instances",
		"/inbox/" + tid,
	} {
		body := get(path)
		mustLack(t, "lisi's "+path, body, secrets...)
	}
	page := get("/instances/" + id)
	mustHave(t, "lisi's instance page", page, engine.Redacted, "Authorization", "api.example.invalid")

	// Designers still see everything.
	for path, want := range map[string]string{
		"/api/processInst/" + id: secKey,
		"/instances/" + id:       secHook,
		"/api/process/" + pid:    secHook,
	} {
		r := e.call(t, "GET", path, "dora", nil)
		mustHave(t, "dora's "+path, string(r.Body), want)
	}
	r := e.call(t, "GET", "/instances/"+id, "dora", nil)
	mustHave(t, "dora's instance page", string(r.Body), secKey, token)
}

// ---------- item 11: sign-in throttling ----------

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

// throttledEnv is the test env with an identity on a clock the test moves.
func throttledEnv(t *testing.T) (*testEnv, *fakeClock) {
	t.Helper()
	e := newTestEnv(t)
	clock := &fakeClock{t: time.Now()}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	id := identity.New(e.store, identity.Options{BcryptCost: bcrypt.MinCost}, clock.now, log)
	e.identity, e.deps.Identity = id, id
	e.app = web.New(web.Config{}, e.deps)
	return e, clock
}

func TestLoginThrottling(t *testing.T) {
	e, clock := throttledEnv(t)
	login := func(user, pw string) reply {
		return e.call(t, "POST", "/api/login", "", map[string]any{"username": user, "password": pw})
	}
	for i := range 6 {
		if r := login("lisi", "wrong"); r.Status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d %s", i+1, r.Status, r.Body)
		}
	}
	// Now every way of checking lisi's password waits, the right one included.
	r := login("lisi", testPassword)
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "1" {
		t.Fatalf("API login: %d Retry-After %q %s", r.Status, r.Header.Get("Retry-After"), r.Body)
	}
	if m := r.json(t); m["statusCode"] != float64(429) || !strings.Contains(m["errorMessage"].(string), "too many failed sign-ins") {
		t.Fatalf("error shape: %s", r.Body)
	}
	if r := e.call(t, "GET", "/api/me", "lisi", nil); r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Fatalf("Basic auth: %d %s", r.Status, r.Body)
	}
	page := e.call(t, "GET", "/login", "", nil)
	m := csrfInput.FindSubmatch(page.Body)
	f := e.form(t, "/login", url.Values{"username": {"lisi"}, "password": {testPassword}, "_csrf": {string(m[1])}},
		cookie(page, "flowcraft_login_csrf"), "flowcraft_lang=en")
	if f.Status != http.StatusTooManyRequests || f.Header.Get("Retry-After") == "" || !strings.Contains(string(f.Body), "Too many failed sign-ins") {
		t.Fatalf("login form: %d %s", f.Status, f.Body)
	}
	// Other accounts are not affected; after the delay lisi may try again.
	if r := login("dora", testPassword); r.Status != http.StatusOK {
		t.Fatalf("dora: %d %s", r.Status, r.Body)
	}
	clock.t = clock.t.Add(time.Second)
	if r := login("lisi", testPassword); r.Status != http.StatusOK {
		t.Fatalf("lisi after the delay: %d %s", r.Status, r.Body)
	}

	// Ten failures lock the account for 15 minutes; an admin unlocks it.
	for i := 0; i < 10; {
		r := login("lisi", "wrong")
		switch r.Status {
		case http.StatusUnauthorized:
			i++
		case http.StatusTooManyRequests:
			wait, _ := strconv.Atoi(r.Header.Get("Retry-After"))
			clock.t = clock.t.Add(time.Duration(wait) * time.Second)
		default:
			t.Fatalf("%d %s", r.Status, r.Body)
		}
	}
	r = login("lisi", testPassword)
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "900" || !strings.Contains(string(r.Body), "locked") {
		t.Fatalf("lockout: %d %q %s", r.Status, r.Header.Get("Retry-After"), r.Body)
	}
	u := e.call(t, "GET", "/api/users/lisi", "admin", nil).json(t)["response"].(map[string]any)
	if u["lockedUntil"] == nil {
		t.Errorf("user lacks lockedUntil: %v", u)
	}
	if r := e.call(t, "POST", "/api/users/lisi/unlock", "lisi", nil); r.Status != http.StatusTooManyRequests {
		t.Errorf("lisi unlocks herself: %d", r.Status) // her Basic credentials are locked too
	}
	if r := e.call(t, "POST", "/api/users/lisi/unlock", "admin", nil); r.Status != http.StatusNoContent {
		t.Fatalf("unlock: %d %s", r.Status, r.Body)
	}
	if r := login("lisi", testPassword); r.Status != http.StatusOK {
		t.Fatalf("after unlock: %d %s", r.Status, r.Body)
	}
}

func TestLoginThrottlingByAddress(t *testing.T) {
	e, _ := throttledEnv(t)
	for i := range 20 {
		r := e.call(t, "POST", "/api/login", "", map[string]any{"username": "ghost" + strconv.Itoa(i), "password": "x"})
		if r.Status != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i, r.Status)
		}
	}
	e.call(t, "POST", "/api/login", "", map[string]any{"username": "ghost-last", "password": "x"})
	r := e.call(t, "POST", "/api/login", "", map[string]any{"username": "dora", "password": testPassword})
	if r.Status != http.StatusTooManyRequests || !strings.Contains(string(r.Body), "your address") {
		t.Fatalf("21 names from one address: %d %s", r.Status, r.Body)
	}
}

// ---------- item 14: token lifetime ----------

func TestTokenExpiresInRange(t *testing.T) {
	e := newTestEnv(t)
	for _, raw := range []string{`18446744074`, `315360000001`, `-1`, `1e30`, `1.5`, `"10"`, `9223372036854775807`} {
		r := e.call(t, "POST", "/api/tokens", "dora", `{"name": "ci", "expiresIn": `+raw+`}`)
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "expiresIn") {
			t.Errorf("expiresIn %s: %d %s", raw, r.Status, r.Body)
		}
	}
	r := e.call(t, "POST", "/api/tokens", "dora", map[string]any{"name": "ci", "expiresIn": 315360000})
	if r.Status != http.StatusCreated {
		t.Fatalf("10 years: %d %s", r.Status, r.Body)
	}
	tok := r.json(t)["response"].(map[string]any)
	if life := time.Duration(tok["expiresAt"].(float64)-tok["createAt"].(float64)) * time.Millisecond; life != identity.MaxTokenTTL {
		t.Fatalf("lifetime %v", life)
	}
	// The token works (not born expired).
	if r := e.call(t, "GET", "/api/me", "Bearer "+tok["token"].(string), nil); r.Status != http.StatusOK {
		t.Fatalf("token: %d %s", r.Status, r.Body)
	}
}

// ---------- item 17: the last admin ----------

func TestLastAdminCannotLeave(t *testing.T) {
	e := newTestEnv(t)
	for _, tc := range []struct{ method, body string }{
		{"PATCH", `{"disabled": true}`},
		{"PATCH", `{"role": "designer"}`},
		{"DELETE", ""},
	} {
		var body any
		if tc.body != "" {
			body = tc.body
		}
		r := e.call(t, tc.method, "/api/users/admin", "admin", body)
		if r.Status != http.StatusConflict {
			t.Errorf("%s %s: %d %s", tc.method, tc.body, r.Status, r.Body)
		}
	}
	if r := e.call(t, "GET", "/api/me", "admin", nil); r.Status != http.StatusOK {
		t.Fatalf("admin locked out: %d", r.Status)
	}
	// With a second admin, the first may be demoted by the second.
	e.call(t, "POST", "/api/users", "admin", map[string]any{"id": "ops", "role": "admin", "password": testPassword})
	if r := e.call(t, "PATCH", "/api/users/admin", "ops", `{"role": "user"}`); r.Status != http.StatusOK {
		t.Fatalf("demote one of two: %d %s", r.Status, r.Body)
	}
}

// ---------- item 13: websockets end with the rights that opened them ----------

// closeOf reads until the server closes the websocket and returns its close frame.
func closeOf(t *testing.T, c *websocket.Conn) *websocket.CloseError {
	t.Helper()
	for {
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, _, err := c.ReadMessage(); err != nil {
			var ce *websocket.CloseError
			if !errors.As(err, &ce) {
				t.Fatalf("websocket ended without a close frame: %v", err)
			}
			return ce
		}
	}
}

func TestWebsocketsCloseOnIdentityChange(t *testing.T) {
	e, addr := serveEnv(t, web.Config{})
	e.call(t, "POST", "/api/users", "admin", map[string]any{"id": "wang", "role": "user", "password": testPassword})
	dial := func(t *testing.T, user string, h http.Header) *websocket.Conn {
		t.Helper()
		if user != "" {
			h = http.Header{"Authorization": {basic(user)}}
		}
		d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
		c, _, err := d.Dial("ws://"+addr+"/ws/inbox", h)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	expectClose := func(t *testing.T, c *websocket.Conn, reason string) {
		t.Helper()
		ce := closeOf(t, c)
		if ce.Code != websocket.ClosePolicyViolation || !strings.Contains(ce.Text, reason) {
			t.Fatalf("close %d %q, want 1008 %q", ce.Code, ce.Text, reason)
		}
	}

	t.Run("sign out", func(t *testing.T) {
		login := e.call(t, "POST", "/api/login", "", map[string]any{"username": "lisi", "password": testPassword})
		session := cookie(login, "flowcraft_session")
		csrf := login.json(t)["response"].(map[string]any)["csrfToken"].(string)
		c := dial(t, "", http.Header{"Cookie": {session}})
		if r := e.call(t, "POST", "/api/logout", "", nil, "Cookie", session, "X-CSRF-Token", csrf); r.Status != http.StatusNoContent {
			t.Fatalf("logout: %d %s", r.Status, r.Body)
		}
		expectClose(t, c, "signed out")
	})
	t.Run("role change", func(t *testing.T) {
		c := dial(t, "dora", nil)
		if r := e.call(t, "PATCH", "/api/users/dora", "admin", `{"role": "user"}`); r.Status != http.StatusOK {
			t.Fatal(r.Status)
		}
		expectClose(t, c, "role changed")
	})
	t.Run("disable", func(t *testing.T) {
		c := dial(t, "lisi", nil)
		if r := e.call(t, "PATCH", "/api/users/lisi", "admin", `{"disabled": true}`); r.Status != http.StatusOK {
			t.Fatal(r.Status)
		}
		expectClose(t, c, "disabled")
		if _, _, err := dialWS(t, addr, "/ws/inbox", "lisi"); err == nil {
			t.Fatal("a disabled user reconnected")
		}
	})
	t.Run("token revoked", func(t *testing.T) {
		r := e.call(t, "POST", "/api/tokens", "dora", map[string]any{"name": "ci"})
		if r.Status != http.StatusCreated {
			t.Fatalf("create token: %d %s", r.Status, r.Body)
		}
		tok := r.json(t)["response"].(map[string]any)
		c := dial(t, "", http.Header{"Authorization": {"Bearer " + tok["token"].(string)}})
		login := e.call(t, "POST", "/api/login", "", map[string]any{"username": "dora", "password": testPassword})
		browser := dial(t, "", http.Header{"Cookie": {cookie(login, "flowcraft_session")}})
		if r := e.call(t, "DELETE", "/api/tokens/"+tok["id"].(string), "dora", nil); r.Status != http.StatusNoContent {
			t.Fatalf("delete token: %d %s", r.Status, r.Body)
		}
		expectClose(t, c, "token revoked")
		// The browser session's stream is not the token's: it stays open.
		browser.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		if _, _, err := browser.ReadMessage(); err != nil { // the inbox snapshot
			t.Fatalf("session stream: %v", err)
		}
		if _, _, err := browser.ReadMessage(); err == nil || !strings.Contains(err.Error(), "timeout") {
			t.Fatalf("session stream ended with the token: %v", err)
		}
	})
	t.Run("delete", func(t *testing.T) {
		c := dial(t, "wang", nil)
		if r := e.call(t, "DELETE", "/api/users/wang", "admin", nil); r.Status != http.StatusNoContent {
			t.Fatal(r.Status)
		}
		expectClose(t, c, "deleted")
	})
}

// TestHugeTimeoutsRefused: timeouts past 10 years overflowed into "at once".
func TestHugeTimeoutsRefused(t *testing.T) {
	e := newTestEnv(t)
	for _, set := range []func(m map[string]any){
		func(m map[string]any) { m["timeout"] = int64(9223372036854775807) },
		func(m map[string]any) { m["tasks"].([]any)[1].(map[string]any)["timeout"] = int64(18446744074000) },
		func(m map[string]any) {
			m["tasks"].([]any)[1].(map[string]any)["errorHandler"] = map[string]any{"retry": 1, "interval": int64(9223372036854775807)}
		},
	} {
		def := minimal("huge")
		set(def)
		r := e.call(t, "POST", "/api/process", "dora", def)
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "10 years") {
			t.Errorf("%d %s", r.Status, r.Body)
		}
	}
}
