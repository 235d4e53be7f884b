package web_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"flowcraft/engine"
)

// hookDef is a webhook process: webhook → work → end. params are the webhook task's
// parameter values; end, when given, is the end task's parameters.
func hookDef(params map[string]any, work map[string]any, end map[string]any) map[string]any {
	hp := map[string]any{}
	for k, v := range params {
		if k != "timeout" {
			hp[k] = map[string]any{"value": v}
		}
	}
	hook := map[string]any{"instId": "hook", "template": "webhook", "parameters": hp,
		"connections": []any{map[string]any{"to": "work"}}}
	if ms, ok := params["timeout"]; ok {
		hook["timeout"] = ms
	}
	if work == nil {
		work = map[string]any{"template": "script", "parameters": map[string]any{"code": map[string]any{"value": "return {seen: trigger}"}}}
	}
	work["instId"] = "work"
	work["connections"] = []any{map[string]any{"to": "end"}}
	ep := map[string]any{}
	for k, v := range end {
		ep[k] = map[string]any{"value": v}
	}
	return map[string]any{"name": "hook", "tasks": []any{hook, work,
		map[string]any{"instId": "end", "template": "end", "parameters": ep}}}
}

// hookToken reads a process's webhook token.
func (e *testEnv) hookToken(t *testing.T, pid string) string {
	t.Helper()
	r := e.call(t, "GET", "/api/process/"+pid, "dora", nil)
	tok, _ := r.json(t)["triggerToken"].(string)
	if len(tok) != 64 {
		t.Fatalf("trigger token %q", tok)
	}
	return tok
}

// hookInstance reads an instance as admin.
func (e *testEnv) hookInstance(t *testing.T, id string) map[string]any {
	t.Helper()
	r := e.call(t, "GET", "/api/processInst/"+id, "admin", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("instance %s: %d %s", id, r.Status, r.Body)
	}
	return r.json(t)
}

func hookResponseID(t *testing.T, r reply) string {
	t.Helper()
	id, _ := r.json(t)["response"].(map[string]any)["id"].(string)
	if id == "" {
		t.Fatalf("no id in %s", r.Body)
	}
	return id
}

func TestWebhookSignature(t *testing.T) {
	e := newTestEnv(t)
	const secret = "s3cret-key"
	pid := e.createProcess(t, hookDef(map[string]any{"secret": secret}, nil, nil))
	path := "/api/hooks/" + e.hookToken(t, pid)
	body := `{"amount": 42, "user": "u1"}`
	now := time.Now()
	for _, tc := range []struct {
		name   string
		header string
		want   int
		msg    string
	}{
		{"signed", engine.Sign(secret, now, []byte(body)), http.StatusAccepted, ""},
		{"signed a minute ago", engine.Sign(secret, now.Add(-time.Minute), []byte(body)), http.StatusAccepted, ""},
		{"key rotation: two v1", engine.Sign("old", now, []byte(body)) + ",v1=" + strings.Split(engine.Sign(secret, now, []byte(body)), "v1=")[1], http.StatusAccepted, ""},
		{"unsigned", "", http.StatusUnauthorized, "missing X-Flowcraft-Signature"},
		{"wrong secret", engine.Sign("other", now, []byte(body)), http.StatusUnauthorized, "signature mismatch"},
		{"other body", engine.Sign(secret, now, []byte(`{"amount": 43, "user": "u1"}`)), http.StatusUnauthorized, "signature mismatch"},
		{"stale", engine.Sign(secret, now.Add(-6*time.Minute), []byte(body)), http.StatusUnauthorized, "outside the 5m0s window"},
		{"future", engine.Sign(secret, now.Add(6*time.Minute), []byte(body)), http.StatusUnauthorized, "outside the 5m0s window"},
		{"malformed", "sha256=abc", http.StatusUnauthorized, "malformed"},
		{"short v1", "t=1,v1=abcd", http.StatusUnauthorized, "malformed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hs []string
			if tc.header != "" {
				hs = []string{engine.SignatureHeader, tc.header}
			}
			r := e.call(t, "POST", path, "", body, hs...)
			if r.Status != tc.want {
				t.Fatalf("%d %s, want %d", r.Status, r.Body, tc.want)
			}
			if tc.want != http.StatusAccepted {
				m := r.json(t)
				if m["statusCode"] != float64(tc.want) || !strings.Contains(m["errorMessage"].(string), tc.msg) {
					t.Errorf("error %s, want message with %q", r.Body, tc.msg)
				}
				return
			}
			in := e.hookInstance(t, hookResponseID(t, r))
			if in["triggerApp"] != "webhook" || in["trigger"].(map[string]any)["amount"] != float64(42) {
				t.Errorf("instance trigger %v, app %v", in["trigger"], in["triggerApp"])
			}
		})
	}
}

func TestWebhookIdempotencyKey(t *testing.T) {
	e := newTestEnv(t)
	for _, respond := range []string{"immediate", "onFinish"} {
		t.Run(respond, func(t *testing.T) {
			pid := e.createProcess(t, hookDef(map[string]any{"respond": respond}, nil, nil))
			path := "/api/hooks/" + e.hookToken(t, pid)
			first := e.call(t, "POST", path, "", `{"n": 1}`, "Idempotency-Key", "order-42")
			again := e.call(t, "POST", path, "", `{"n":1}`, "Idempotency-Key", "order-42")
			other := e.call(t, "POST", path, "", `{"n": 3}`, "Idempotency-Key", "order-43")
			if r := e.call(t, "POST", path, "", `{"n": 2}`, "Idempotency-Key", "order-42"); r.Status != http.StatusUnprocessableEntity {
				t.Errorf("repeated key with other data: %d %s, want 422", r.Status, r.Body)
			}
			ids := []string{first.Header.Get("X-Flowcraft-Instance-Id"), again.Header.Get("X-Flowcraft-Instance-Id"), other.Header.Get("X-Flowcraft-Instance-Id")}
			if ids[0] == "" || ids[0] != ids[1] || ids[0] == ids[2] {
				t.Fatalf("instance ids %v: a repeated key must return the first instance, another key a new one", ids)
			}
			if respond == "immediate" {
				if hookResponseID(t, again) != ids[0] || again.json(t)["response"].(map[string]any)["existing"] != true {
					t.Errorf("repeat: %d %s", again.Status, again.Body)
				}
			} else if string(first.Body) != string(again.Body) || !strings.Contains(string(again.Body), `"n":1`) {
				t.Errorf("repeat answered %s, first %s", again.Body, first.Body)
			}
		})
	}
}

// TestWebhookOnFinishExample: the order example (examples/order-webhook-fast.json)
// answers with its output. It runs on the standard engine: the fast engine's own
// writes race with reads of the instance (engine/fast.go), which this test must not
// inherit.
func TestWebhookOnFinishExample(t *testing.T) {
	e := newTestEnv(t)
	var def map[string]any
	if err := json.Unmarshal(example(t, "order-webhook-fast.json"), &def); err != nil {
		t.Fatal(err)
	}
	def["engine"] = "standard"
	pid := e.createProcess(t, def)
	path := "/api/hooks/" + e.hookToken(t, pid)
	for _, tc := range []struct {
		amount float64
		want   map[string]any
	}{
		{120, map[string]any{"approved": true, "total": 120 * 1.1, "user": "u1", "result": "auto-approved"}},
		{5000, map[string]any{"approved": false, "total": 5000 * 1.1, "user": "u1", "result": "needs-review"}},
	} {
		body, _ := json.Marshal(map[string]any{"amount": tc.amount, "user": "u1"})
		r := e.call(t, "POST", path, "", string(body))
		if r.Status != http.StatusOK {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		var got map[string]any
		if err := json.Unmarshal(r.Body, &got); err != nil {
			t.Fatalf("%v: %s", err, r.Body)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("amount %v: got %s, want %v", tc.amount, r.Body, tc.want)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type %q", ct)
		}
		id := r.Header.Get("X-Flowcraft-Instance-Id")
		if in := e.hookInstance(t, id); in["status"] != "done" || in["triggerApp"] != "webhook" || !reflect.DeepEqual(in["output"], tc.want) {
			t.Errorf("instance %s: %v %v %v", id, in["status"], in["triggerApp"], in["output"])
		}
	}
}

// TestWebhookReply: the end task's status code and headers, a text reply, a failed
// instance and a wait that runs out.
func TestWebhookReply(t *testing.T) {
	e := newTestEnv(t)
	for _, tc := range []struct {
		name       string
		def        map[string]any
		wantStatus int
		wantBody   string
		wantHeader map[string]string
	}{
		{"status and headers", hookDef(map[string]any{"respond": "onFinish"}, nil, map[string]any{
			"statusCode": 201, "output": "{{ ({order: trigger.id}) }}",
			"headers": map[string]any{"X-Order": "{{ trigger.id }}", "Content-Length": "1", "Bad Name": "x", "X-Multi": "a\r\nInjected: yes"}}),
			201, `{"order":"A-1"}`, map[string]string{"X-Order": "A-1", "Content-Type": "application/json", "X-Multi": "a  Injected: yes", "Injected": ""}},
		{"text", hookDef(map[string]any{"respond": "onFinish"}, nil, map[string]any{
			"output": "<ok>{{ trigger.id }}</ok>", "headers": map[string]any{"Content-Type": "application/xml"}}),
			200, `<ok>A-1</ok>`, map[string]string{"Content-Type": "text/plain; charset=utf-8"}}, // XML is sent as text
		{"no content", hookDef(map[string]any{"respond": "onFinish"}, nil, map[string]any{"statusCode": 204}),
			204, ``, nil},
		{"failed", hookDef(map[string]any{"respond": "onFinish"},
			map[string]any{"template": "script", "parameters": map[string]any{"code": map[string]any{"value": "throw new Error('secret db host down')"}}}, nil),
			500, `ended with status failed`, nil},
		{"wait runs out", hookDef(map[string]any{"respond": "onFinish", "timeout": 200},
			map[string]any{"template": "delay", "parameters": map[string]any{"duration": map[string]any{"value": "1h"}}}, nil),
			202, `"status":"waiting"`, nil},
		{"immediate", hookDef(nil, nil, nil), 202, `{"response":{"id":"`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pid := e.createProcess(t, tc.def)
			r := e.call(t, "POST", "/api/hooks/"+e.hookToken(t, pid), "", `{"id": "A-1"}`)
			if r.Status != tc.wantStatus || !strings.Contains(string(r.Body), tc.wantBody) {
				t.Fatalf("%d %s, want %d with %s", r.Status, r.Body, tc.wantStatus, tc.wantBody)
			}
			if strings.Contains(string(r.Body), "secret db host") {
				t.Errorf("the instance's error leaked: %s", r.Body)
			}
			for k, v := range tc.wantHeader {
				if got := r.Header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			if r.Header.Get("X-Flowcraft-Instance-Id") == "" {
				t.Error("no X-Flowcraft-Instance-Id")
			}
		})
	}
}

// TestWebhookPayload: how bodies, query and headers reach the flow.
func TestWebhookPayload(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProcess(t, hookDef(nil, nil, nil))
	base := "/api/hooks/" + e.hookToken(t, pid)
	for _, tc := range []struct {
		name, method, query, contentType, body string
		want                                   any
	}{
		{"json object", "POST", "", "application/json", `{"amount": 5, "nested": {"a": [1]}}`,
			map[string]any{"amount": float64(5), "nested": map[string]any{"a": []any{float64(1)}}}},
		{"json array", "POST", "", "application/json; charset=utf-8", `[1, 2]`, map[string]any{"body": []any{float64(1), float64(2)}}},
		{"json suffix type", "POST", "", "application/cloudevents+json", `{"type": "x"}`, map[string]any{"type": "x"}},
		{"json without type", "POST", "", "", `{"amount": 7}`, map[string]any{"amount": float64(7)}},
		{"form", "POST", "", "application/x-www-form-urlencoded", `a=1&b=2&b=3&c=%E4%B8%AD`,
			map[string]any{"body": map[string]any{"a": "1", "b": []any{"2", "3"}, "c": "中"}}},
		{"text", "POST", "", "text/plain", `hello world`, map[string]any{"body": "hello world"}},
		{"text without type", "POST", "", "", `hello`, map[string]any{"body": "hello"}},
		{"empty", "POST", "", "application/json", ``, map[string]any{}},
		{"get", "GET", "?x=1&y=2&y=3", "", ``, map[string]any{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body any
			if tc.body != "" {
				body = tc.body
			}
			r := e.call(t, tc.method, base+tc.query, "", body, "Content-Type", tc.contentType,
				"Authorization", "Bearer not-for-the-flow", "X-Custom", "yes")
			if r.Status != http.StatusAccepted {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
			id := hookResponseID(t, r)
			in := e.hookInstance(t, id)
			if !reflect.DeepEqual(in["trigger"], tc.want) {
				t.Errorf("trigger %#v, want %#v", in["trigger"], tc.want)
			}
			vars := e.call(t, "GET", "/api/processInst/"+id+"/variables", "admin", nil).json(t)["response"].(map[string]any)
			hook := vars["webhook"].(map[string]any)
			headers := hook["headers"].(map[string]any)
			if hook["method"] != tc.method || headers["x-custom"] != "yes" || headers["authorization"] != nil || hook["ip"] == "" {
				t.Errorf("vars.webhook %v", hook)
			}
			if tc.query != "" && !reflect.DeepEqual(hook["query"], map[string]any{"x": "1", "y": []any{"2", "3"}}) {
				t.Errorf("query %v", hook["query"])
			}
		})
	}
	// A script reads all of it.
	pid2 := e.createProcess(t, hookDef(map[string]any{"respond": "onFinish"}, map[string]any{"template": "script",
		"parameters": map[string]any{"code": map[string]any{"value": "return {amount: trigger.amount, page: vars.webhook.query.page, agent: vars.webhook.headers['x-agent']}"}}}, nil))
	r := e.call(t, "POST", "/api/hooks/"+e.hookToken(t, pid2)+"?page=3", "", `{"amount": 9}`, "X-Agent", "curl")
	if r.Status != http.StatusOK || string(r.Body) != `{"agent":"curl","amount":9,"page":"3"}` {
		t.Errorf("script view: %d %s", r.Status, r.Body)
	}
	// Malformed JSON is refused before anything starts.
	if r := e.call(t, "POST", base, "", `{"amount": `); r.Status != http.StatusBadRequest {
		t.Errorf("malformed JSON: %d %s", r.Status, r.Body)
	}
	// HEAD does not start a flow.
	if r := e.call(t, "HEAD", base, "", nil); r.Status == http.StatusAccepted {
		t.Errorf("HEAD started a flow")
	}
}

// TestWebhookAddressing: unknown tokens and disabled processes look the same; rotating
// the token retires the old one.
func TestWebhookAddressing(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProcess(t, hookDef(nil, nil, nil))
	tok := e.hookToken(t, pid)
	notFound := func(path string) {
		t.Helper()
		r := e.call(t, "POST", path, "", `{}`)
		if r.Status != http.StatusNotFound || r.json(t)["errorMessage"] != "no webhook answers at this address" {
			t.Errorf("%s: %d %s", path, r.Status, r.Body)
		}
	}
	notFound("/api/hooks/" + strings.Repeat("0", 64))
	notFound("/api/hooks/not-a-token")
	// Disabled: 404, as if it did not exist.
	if r := e.call(t, "PATCH", "/api/process/"+pid, "dora", map[string]any{"enabled": false}); r.Status != http.StatusOK {
		t.Fatalf("disable: %d %s", r.Status, r.Body)
	}
	notFound("/api/hooks/" + tok)
	if r := e.call(t, "PATCH", "/api/process/"+pid, "dora", map[string]any{"enabled": true}); r.Status != http.StatusOK {
		t.Fatalf("enable: %d %s", r.Status, r.Body)
	}
	if tok2 := e.hookToken(t, pid); tok2 != tok {
		t.Fatalf("the token changed with an edit: %s → %s", tok, tok2)
	}
	if r := e.call(t, "POST", "/api/hooks/"+tok, "", `{}`); r.Status != http.StatusAccepted {
		t.Fatalf("enabled again: %d %s", r.Status, r.Body)
	}

	// Rotation: designer role; the old token stops working, the version stays.
	for _, tc := range []struct {
		who, id string
		want    int
	}{
		{"", pid, http.StatusUnauthorized},
		{"lisi", pid, http.StatusForbidden},
		{"dora", "proc-missing0", http.StatusNotFound},
	} {
		if r := e.call(t, "POST", "/api/process/"+tc.id+"/token", tc.who, nil); r.Status != tc.want {
			t.Errorf("rotate as %q on %s: %d %s, want %d", tc.who, tc.id, r.Status, r.Body, tc.want)
		}
	}
	before := e.call(t, "GET", "/api/process/"+pid, "dora", nil).json(t)["version"]
	r := e.call(t, "POST", "/api/process/"+pid+"/token", "dora", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("rotate: %d %s", r.Status, r.Body)
	}
	fresh, _ := r.json(t)["response"].(map[string]any)["triggerToken"].(string)
	if len(fresh) != 64 || fresh == tok || e.hookToken(t, pid) != fresh {
		t.Fatalf("rotated token %q (old %q, stored %q)", fresh, tok, e.hookToken(t, pid))
	}
	if after := e.call(t, "GET", "/api/process/"+pid, "dora", nil).json(t)["version"]; after != before {
		t.Errorf("rotation changed the version: %v → %v", before, after)
	}
	notFound("/api/hooks/" + tok)
	if r := e.call(t, "POST", "/api/hooks/"+fresh, "", `{}`); r.Status != http.StatusAccepted {
		t.Errorf("new token: %d %s", r.Status, r.Body)
	}
	// A manual process has no token to rotate.
	manual := e.createProcess(t, minimal("manual"))
	if r := e.call(t, "POST", "/api/process/"+manual+"/token", "dora", nil); r.Status != http.StatusConflict {
		t.Errorf("rotate a manual process: %d %s", r.Status, r.Body)
	}
}
