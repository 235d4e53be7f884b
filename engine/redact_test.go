package engine_test

import (
	"encoding/json"
	"strings"
	"testing"

	"flowcraft/engine"
	"flowcraft/engine/templates"
	"flowcraft/scripting"
)

const (
	hookSecret = "whsec-0123456789"
	apiKey     = "sk-live-abcdef123456"
	hookToken  = "tok-9f8e7d6c5b4a"
)

func secretProcess() *engine.Process {
	return &engine.Process{ID: "proc-secret01", Version: 1, TriggerToken: hookToken, Tasks: []*engine.Task{
		{InstID: "start", Template: "webhook", Parameters: map[string]*engine.Parameter{
			"secret":  {Value: hookSecret},
			"respond": {Value: "immediate"},
		}},
		{InstID: "call", Template: "http-request", Parameters: map[string]*engine.Parameter{
			"url":     {Value: "https://api.example.com/items"},
			"headers": {Value: map[string]any{"Authorization": "Bearer " + apiKey, "Content-Type": "application/json", "X-Trace": "{{ input.id }}"}},
		}},
		{InstID: "code", Template: "script", Parameters: map[string]*engine.Parameter{
			"code": {Value: "return '" + apiKey + "'"},
		}},
	}}
}

func TestRedactionHidesSecretsFromUsers(t *testing.T) {
	r := engine.NewRedactor(templates.Builtin().Specs())
	p := secretProcess()
	before, _ := json.Marshal(p)
	user := &engine.User{ID: "lisi", Role: engine.RoleUser}

	x := r.For(user, p)
	out, _ := json.Marshal(x.Process(p))
	for _, s := range []string{hookSecret, apiKey, hookToken} {
		if strings.Contains(string(out), s) {
			t.Errorf("redacted definition shows %q: %s", s, out)
		}
	}
	for _, s := range []string{"Authorization", "Content-Type", "https://api.example.com/items", "immediate"} {
		if !strings.Contains(string(out), s) {
			t.Errorf("redacted definition lost %q: %s", s, out)
		}
	}
	if after, _ := json.Marshal(p); string(after) != string(before) {
		t.Fatal("Process modified its argument")
	}

	// The same values, resolved into instance data, are scrubbed too.
	n := &engine.NodeRun{TaskID: "call", Incoming: map[string]any{"auth": "Bearer " + apiKey},
		Input:  map[string]any{"url": "https://api.example.com/items?key=" + apiKey, "method": "GET"},
		Output: map[string]any{"echo": []any{"x " + apiKey + " y", hookToken}, "type": "application/json"},
		Error:  "401 for key " + apiKey, Logs: []scripting.LogEntry{{Message: "secret " + hookSecret}}}
	b, _ := json.Marshal(x.Node(n))
	for _, s := range []string{hookSecret, apiKey, hookToken} {
		if strings.Contains(string(b), s) {
			t.Errorf("runtime shows %q: %s", s, b)
		}
	}
	if !strings.Contains(string(b), "application/json") {
		t.Errorf("a public header value was scrubbed: %s", b)
	}
	if n.Error != "401 for key "+apiKey {
		t.Fatal("Node modified its argument")
	}
	in := &engine.Instance{Trigger: map[string]any{"k": hookSecret}, Output: struct{ Key string }{apiKey}}
	b, _ = json.Marshal(x.Instance(in))
	if strings.Contains(string(b), hookSecret) || strings.Contains(string(b), apiKey) {
		t.Errorf("instance shows a secret: %s", b)
	}
	v := x.Variables(map[string]any{"webhook": map[string]any{"headers": map[string]string{"X-Key": apiKey}}})
	b, _ = json.Marshal(v)
	if strings.Contains(string(b), apiKey) {
		t.Errorf("variables show a secret: %s", b)
	}
}

func TestRedactionKeepsSecretsForDesigners(t *testing.T) {
	r := engine.NewRedactor(templates.Builtin().Specs())
	p := secretProcess()
	for _, role := range []string{engine.RoleDesigner, engine.RoleAdmin} {
		x := r.For(&engine.User{ID: "dora", Role: role}, p)
		if x != nil || x.Process(p) != p {
			t.Fatalf("%s: definition redacted", role)
		}
		n := &engine.NodeRun{Output: apiKey}
		if x.Node(n) != n {
			t.Fatalf("%s: runtime redacted", role)
		}
	}
}
