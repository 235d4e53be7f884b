package flowable_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"strings"
	"testing"
	"time"

	"flowcraft/engine"
	"flowcraft/internal/npmtest"
)

// clientRun is what testdata/npm/flowable-worker.mjs prints.
type clientRun struct {
	Jobs   []map[string]any `json:"jobs"`
	Errors []struct {
		Status int            `json:"status"`
		Data   map[string]any `json:"data"`
	} `json:"errors"`
	Failed string `json:"failed"`
}

// TestExternalWorkerClient drives flowcraft's Flowable external worker API with
// @flowable-oss/external-worker-client, unchanged, over a real listener: complete with
// typed variables, a BPMN error routed by its code, failures with retries (the
// client's own on a thrown error, then explicit ones with a retry timeout), a failure
// without retries left (an incident), and a lock that expires and is handed to
// another worker.
func TestExternalWorkerClient(t *testing.T) {
	modules := npmtest.Modules(t, "@flowable-oss/external-worker-client")
	e := newTestEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go e.app.Listener(ln)
	t.Cleanup(func() { e.app.Shutdown() })
	host := "http://" + ln.Addr().String() + "/flowable-rest"
	auth := map[string]any{"username": "admin", "password": testPassword}
	// A worker account's API token, when the worker role is there (the role's point).
	ctx := context.Background()
	if _, err := e.st.Identity.CreateUser(ctx, &engine.User{ID: "node-worker", Name: "Node worker", Role: "worker"}, testPassword); err == nil {
		secret, _, err := e.st.Identity.CreateToken(ctx, "node-worker", "node", 0)
		if err != nil {
			t.Fatal(err)
		}
		auth = map[string]any{"token": secret}
	} else {
		t.Logf("the worker role is not on this branch yet (%v): the client signs in as admin", err)
	}

	run := func(t *testing.T, scenario, topic string, extra ...string) clientRun {
		t.Helper()
		cfg := map[string]any{"host": host, "auth": auth, "scenario": scenario, "topic": topic, "timeoutMs": 30000}
		for i := 0; i+1 < len(extra); i += 2 {
			cfg[extra[i]] = extra[i+1]
		}
		cmd := npmtest.Script(modules, "flowable-worker.mjs", string(mustJSON(t, cfg)))
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		var out clientRun
		if jerr := json.Unmarshal(bytes.TrimSpace(stdout.Bytes()), &out); jerr != nil || err != nil || out.Failed != "" {
			t.Fatalf("%s: %v %v\nstdout: %s\nstderr: %s", scenario, err, jerr, stdout.String(), stderr.String())
		}
		return out
	}
	varsOf := func(job map[string]any) map[string]any {
		out := map[string]any{}
		for _, v := range job["variables"].([]any) {
			m := v.(map[string]any)
			out[m["name"].(string)] = m["value"]
		}
		return out
	}

	t.Run("complete", func(t *testing.T) {
		_, inst := e.startExternal(t, "node-complete")
		out := run(t, "complete", "node-complete")
		if len(out.Jobs) != 1 || out.Jobs[0]["processInstanceId"] != inst || varsOf(out.Jobs[0])["sku"] != "A-1" {
			t.Fatalf("jobs %v", out.Jobs)
		}
		e.waitStatus(t, inst, engine.StatusDone)
		got := e.variablesOf(t, inst)
		for name, want := range map[string]string{
			"greeting": `string "hello from node"`, "count": `integer 42`, "big": `long 1099511627776`, "price": `double 9.5`,
			"approved": `boolean true`, "order": `json {"id":"A-1","lines":[{"qty":2,"sku":"x"}]}`,
			"shipped": `date "2024-05-01T10:00:00Z"`,
		} {
			v := got[name]
			if v == nil {
				t.Errorf("no variable %s", name)
				continue
			}
			if s := v.Type + " " + mustString(t, v.Value); s != want {
				t.Errorf("%s = %s, want %s", name, s, want)
			}
		}
	})

	t.Run("bpmnError", func(t *testing.T) {
		_, inst := e.startExternal(t, "node-error")
		out := run(t, "bpmnError", "node-error", "errorCode", "NOT_FOUND")
		if len(out.Jobs) != 1 || len(out.Errors) != 0 {
			t.Fatalf("run %+v", out)
		}
		e.waitStatus(t, inst, engine.StatusDone)
		if v := e.variablesOf(t, inst)["reason"]; v == nil || v.Value != "out of stock" {
			t.Errorf("reason %+v", v)
		}
		id, _ := engine.ParseID(inst)
		view, err := e.st.Runtime.Describe(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(mustJSON(t, view)), "task-oops0001") {
			t.Errorf("not routed to the error's target: %s", mustJSON(t, view))
		}
	})

	t.Run("failures", func(t *testing.T) {
		_, inst := e.startExternal(t, "node-flaky")
		out := run(t, "failures", "node-flaky")
		if len(out.Jobs) != 3 {
			t.Fatalf("jobs %v", out.Jobs)
		}
		for i, want := range []struct {
			retries   float64
			exception any
		}{{3, nil}, {2, "boom"}, {1, "again"}} {
			j := out.Jobs[i]
			if j["id"] != out.Jobs[0]["id"] || j["retries"] != want.retries || j["exceptionMessage"] != want.exception {
				t.Errorf("delivery %d: id %v retries %v exceptionMessage %v; want retries %v, %v", i+1, j["id"], j["retries"], j["exceptionMessage"], want.retries, want.exception)
			}
		}
		e.waitStatus(t, inst, engine.StatusDone)
		if v := e.variablesOf(t, inst)["attempts"]; v == nil || v.Value != int64(3) {
			t.Errorf("attempts %+v", v)
		}
	})

	t.Run("incident", func(t *testing.T) {
		_, inst := e.startExternal(t, "node-fatal")
		out := run(t, "incident", "node-fatal")
		if len(out.Jobs) != 1 || len(out.Errors) != 0 {
			t.Fatalf("run %+v", out)
		}
		e.waitIncident(t, out.Jobs[0]["id"].(string), "fatal")
		e.waitStatus(t, inst, engine.StatusWaiting)
		if r := e.call(t, "GET", ext+"/jobs/"+out.Jobs[0]["id"].(string), "admin", nil); r.Status != 404 {
			t.Errorf("an incident is still an external job: %d %s", r.Status, r.Body)
		}
	})

	t.Run("lockExpiry", func(t *testing.T) {
		_, inst := e.startExternal(t, "node-slow")
		start := time.Now()
		out := run(t, "lockExpiry", "node-slow")
		if len(out.Jobs) != 2 || out.Jobs[0]["by"] != "worker-a" || out.Jobs[1]["by"] != "worker-b" || out.Jobs[0]["id"] != out.Jobs[1]["id"] {
			t.Fatalf("jobs %v", out.Jobs)
		}
		if len(out.Errors) != 1 || out.Errors[0].Status != 403 || out.Errors[0].Data["exception"] != "worker-a does not hold a lock on the requested job" {
			t.Fatalf("worker-a's late completion: %+v", out.Errors)
		}
		e.waitStatus(t, inst, engine.StatusDone)
		if v := e.variablesOf(t, inst)["by"]; v == nil || v.Value != "worker-b" {
			t.Errorf("by %+v", v)
		}
		t.Logf("lock expiry handed over in %v", time.Since(start).Round(time.Millisecond))
	})
}
