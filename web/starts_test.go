package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestWebhookProcessStartsOnlyThroughHook: POST /api/process/{id} would skip a
// webhook's token and signature; a user may not start a webhook process that way,
// designers and admins may (and the instance says who and how).
func TestWebhookProcessStartsOnlyThroughHook(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProcess(t, hookDef(map[string]any{"secret": "s3cret"}, nil, nil))
	r := e.call(t, "POST", "/api/process/"+pid, "lisi", map[string]any{"amount": 1e6})
	if r.Status != http.StatusForbidden {
		t.Fatalf("user start of a signed webhook process: %d %s, want 403", r.Status, r.Body)
	}
	if msg, _ := r.json(t)["errorMessage"].(string); !strings.Contains(msg, "started by its webhook") {
		t.Errorf("message %q", msg)
	}
	// Nor with an Idempotency-Key or ?wait.
	if r := e.call(t, "POST", "/api/process/"+pid+"?wait=1s", "lisi", map[string]any{}, "Idempotency-Key", "k"); r.Status != http.StatusForbidden {
		t.Errorf("with key and wait: %d %s", r.Status, r.Body)
	}
	list := e.call(t, "GET", "/api/processInst?procId="+pid, "admin", nil).json(t)["response"].(map[string]any)
	if list["total"] != 0.0 {
		t.Fatalf("a refused start left instances: %v", list)
	}
	for _, who := range []string{"dora", "admin"} {
		r := e.call(t, "POST", "/api/process/"+pid, who, map[string]any{"amount": 1})
		if r.Status != http.StatusCreated {
			t.Fatalf("%s start: %d %s", who, r.Status, r.Body)
		}
		in := e.hookInstance(t, r.json(t)["response"].(map[string]any)["id"].(string))
		if in["executor"] != who || in["triggerApp"] != "manual" {
			t.Errorf("%s start recorded as executor %v, triggerApp %v", who, in["executor"], in["triggerApp"])
		}
	}
	// Users still start manual processes.
	if r := e.call(t, "POST", "/api/process/"+e.createProcess(t, minimal("by hand")), "lisi", map[string]any{}); r.Status != http.StatusCreated {
		t.Errorf("user start of a manual process: %d %s", r.Status, r.Body)
	}
}

// TestIdempotencyKeysPerCaller: a key belongs to its caller (user, API token's user,
// webhook token); a repeat with other data is 422.
func TestIdempotencyKeysPerCaller(t *testing.T) {
	e := newTestEnv(t)
	if r := e.call(t, "POST", "/api/users", "admin", map[string]any{"id": "bob", "name": "Bob", "role": "user", "password": testPassword}); r.Status != http.StatusCreated {
		t.Fatalf("create bob: %d %s", r.Status, r.Body)
	}
	pid := e.createProcess(t, minimal("keys"))
	start := func(who, body string) reply {
		t.Helper()
		return e.call(t, "POST", "/api/process/"+pid+"?wait=5s", who, body, "Idempotency-Key", "order-42")
	}
	alice := start("lisi", `{"amount": 120, "card": "4111"}`)
	if alice.Status != http.StatusCreated {
		t.Fatalf("alice: %d %s", alice.Status, alice.Body)
	}
	aliceID := alice.json(t)["response"].(map[string]any)["id"].(string)

	bob := start("bob", `{"amount": 120, "card": "4111"}`)
	if bob.Status != http.StatusCreated || strings.Contains(string(bob.Body), aliceID) {
		t.Fatalf("bob reusing alice's key: %d %s (alice's instance %s)", bob.Status, bob.Body, aliceID)
	}
	bobID := bob.json(t)["response"].(map[string]any)["id"].(string)

	// The same caller and data: the first instance (other spacing and key order too).
	for _, body := range []string{`{"amount": 120, "card": "4111"}`, `{"card":"4111","amount":120}`} {
		r := start("lisi", body)
		resp, _ := r.json(t)["response"].(map[string]any)
		if r.Status != http.StatusOK || resp["id"] != aliceID || resp["existing"] != true {
			t.Errorf("alice's repeat %s: %d %s", body, r.Status, r.Body)
		}
	}
	// The same key with other data is refused.
	r := start("lisi", `{"amount": 9999, "card": "4111"}`)
	if r.Status != http.StatusUnprocessableEntity || strings.Contains(string(r.Body), aliceID) {
		t.Errorf("other data: %d %s, want 422", r.Status, r.Body)
	}
	if m := r.json(t); m["statusCode"] != 422.0 || !strings.Contains(m["errorMessage"].(string), "Idempotency-Key") {
		t.Errorf("422 shape: %s", r.Body)
	}
	// An API token stands for its user.
	tok := e.call(t, "POST", "/api/tokens", "bob", map[string]any{"name": "ci"})
	secret, _ := tok.json(t)["response"].(map[string]any)["token"].(string)
	byToken := start("Bearer "+secret, `{"amount": 120, "card": "4111"}`)
	if resp, _ := byToken.json(t)["response"].(map[string]any); byToken.Status != http.StatusOK || resp["id"] != bobID {
		t.Errorf("bob's token repeating bob's key: %d %s", byToken.Status, byToken.Body)
	}

	// Webhooks: keys are per hook token.
	hook := e.createProcess(t, hookDef(nil, nil, nil))
	token := e.hookToken(t, hook)
	send := func(token, body string) reply {
		t.Helper()
		return e.call(t, "POST", "/api/hooks/"+token, "", body, "Idempotency-Key", "delivery-1")
	}
	first := send(token, `{"n": 1}`)
	if first.Status != http.StatusAccepted {
		t.Fatalf("hook: %d %s", first.Status, first.Body)
	}
	firstID := hookResponseID(t, first)
	if r := send(token, `{"n": 1}`); hookResponseID(t, r) != firstID || !strings.Contains(string(r.Body), `"existing":true`) {
		t.Errorf("hook repeat: %d %s", r.Status, r.Body)
	}
	if r := send(token, `{"n": 2}`); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("hook repeat with other data: %d %s, want 422", r.Status, r.Body)
	}
	// A designer's start by hand with the same key is another caller's.
	manual := e.call(t, "POST", "/api/process/"+hook, "dora", `{"n": 1}`, "Idempotency-Key", "delivery-1")
	if manual.Status != http.StatusCreated || strings.Contains(string(manual.Body), firstID) {
		t.Errorf("designer with the hook's key: %d %s", manual.Status, manual.Body)
	}
	// A rotated token is a new caller.
	rot := e.call(t, "POST", "/api/process/"+hook+"/token", "dora", nil)
	newToken, _ := rot.json(t)["response"].(map[string]any)["triggerToken"].(string)
	if r := send(newToken, `{"n": 1}`); r.Status != http.StatusAccepted || hookResponseID(t, r) == firstID {
		t.Errorf("new token, old key: %d %s", r.Status, r.Body)
	}
}
