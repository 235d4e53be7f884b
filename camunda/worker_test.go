package camunda_test

import (
	"bufio"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	"flowcraft/engine"
	"flowcraft/internal/npmtest"
)

// worker is a running camunda-external-task-client-js (testdata/npm/camunda-worker.mjs)
// and the events it prints.
type worker struct {
	t      *testing.T
	cmd    *exec.Cmd
	events chan map[string]any
	stderr *strings.Builder
}

// startWorker runs the harness with cfg (baseUrl, user and password added).
func (e *testEnv) startWorker(t *testing.T, modules, base string, cfg map[string]any) *worker {
	t.Helper()
	cfg["baseUrl"] = base
	cfg["user"], cfg["password"] = e.worker, testPassword
	b, _ := json.Marshal(cfg)
	cmd := npmtest.Script(modules, "camunda-worker.mjs", string(b))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	w := &worker{t: t, cmd: cmd, events: make(chan map[string]any, 100), stderr: &strings.Builder{}}
	cmd.Stderr = w.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var ev map[string]any
			if json.Unmarshal(sc.Bytes(), &ev) == nil {
				w.events <- ev
			}
		}
		close(w.events)
	}()
	return w
}

// next waits for the next event of one of the kinds (others are skipped).
func (w *worker) next(kinds ...string) map[string]any {
	w.t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case ev, ok := <-w.events:
			if !ok {
				w.t.Fatalf("the worker exited waiting for %v; stderr: %s", kinds, w.stderr)
			}
			for _, k := range kinds {
				if ev["event"] == k {
					return ev
				}
			}
			if ev["event"] == "poll-error" || ev["event"] == "timeout" {
				w.t.Fatalf("worker: %v; stderr: %s", ev, w.stderr)
			}
		case <-deadline:
			w.t.Fatalf("no %v from the worker; stderr: %s", kinds, w.stderr)
		}
	}
}

// TestCamundaClient drives camunda-external-task-client-js, unchanged, against a
// listening flowcraft: complete with typed variables, BPMN error routed by code,
// failure with and without retries, lock expiry handed to another worker, extendLock,
// and long polling.
func TestCamundaClient(t *testing.T) {
	modules := npmtest.Modules(t, "camunda-external-task-client-js")
	e := newTestEnv(t)
	base := e.listen(t)

	t.Run("complete with typed variables", func(t *testing.T) {
		pid := e.deploy(t, externalDef("pay", "pay"))
		inst := e.start(t, pid, map[string]any{"customer": "Grace", "amount": 12.5})
		e.waitJob(t, inst)
		w := e.startWorker(t, modules, base, map[string]any{"workerId": "js-1", "topic": "pay", "action": "complete"})
		got := w.next("received")
		vars, _ := got["variables"].(map[string]any)
		if c, _ := vars["customer"].(map[string]any); c["value"] != "Grace" || c["type"] != "string" {
			t.Errorf("received variables: %v", vars)
		}
		if ev := w.next("done", "error"); ev["event"] != "done" {
			t.Fatalf("complete: %v", ev)
		}
		e.waitStatus(t, inst, engine.StatusDone)
		for name, want := range map[string]string{"customer": engine.VarString, "amount": engine.VarLong, "approved": engine.VarBoolean,
			"order": engine.VarJSON, "dueAt": engine.VarDate} {
			if v := e.variable(t, inst, name); v.Type != want {
				t.Errorf("%s: type %s, want %s (%v)", name, v.Type, want, v.Value)
			}
		}
		if v := e.variable(t, inst, "amount"); v.Value != int64(12345678901) {
			t.Errorf("amount = %#v", v.Value)
		}
		if v := e.variable(t, inst, "order"); v.ScriptValue().(map[string]any)["id"] != float64(7) {
			t.Errorf("order = %#v", v.Value)
		}
		if v := e.variable(t, inst, "dueAt"); !v.Value.(time.Time).Equal(time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)) {
			t.Errorf("dueAt = %v", v.Value)
		}
	})

	t.Run("BPMN error routed by code", func(t *testing.T) {
		pid := e.deploy(t, externalDef("pay2", "pay2"))
		inst := e.start(t, pid, nil)
		e.waitJob(t, inst)
		w := e.startWorker(t, modules, base, map[string]any{"workerId": "js-2", "topic": "pay2", "action": "bpmnError", "errorCode": "card_declined"})
		if ev := w.next("done", "error"); ev["event"] != "done" {
			t.Fatalf("bpmnError: %v", ev)
		}
		v := e.waitStatus(t, inst, engine.StatusDone)
		if v.EndTaskInstID != "" && v.EndTaskInstID != "task-declined" {
			t.Errorf("ended at %s, want the route's target task-declined", v.EndTaskInstID)
		}
		if got := e.variable(t, inst, "reason"); got.Value != "card declined" {
			t.Errorf("reason = %v", got.Value)
		}
	})

	t.Run("failure with retries, then without", func(t *testing.T) {
		pid := e.deploy(t, externalDef("pay3", "pay3"))
		inst := e.start(t, pid, nil)
		job := e.waitJob(t, inst)
		w := e.startWorker(t, modules, base, map[string]any{"workerId": "js-3", "topic": "pay3", "action": "failure", "retries": 1, "retryTimeout": 10})
		if ev := w.next("done", "error"); ev["event"] != "done" {
			t.Fatalf("failure: %v", ev)
		}
		j := e.waitJobState(t, job.ID, func(j *engine.ExternalJob) bool { return j.Retries != nil && *j.Retries == 1 })
		if j.ErrorMessage != "payment service down" || !strings.Contains(j.ErrorDetails, "ConnectException") {
			t.Errorf("after failure: %+v", j)
		}
		w2 := e.startWorker(t, modules, base, map[string]any{"workerId": "js-4", "topic": "pay3", "action": "failure", "retries": 0})
		if ev := w2.next("received"); ev["id"] != job.ID.String() {
			t.Fatalf("retry fetched %v, want %s", ev["id"], job.ID)
		}
		if ev := w2.next("done", "error"); ev["event"] != "done" {
			t.Fatalf("last failure: %v", ev)
		}
		e.waitStatus(t, inst, engine.StatusWaiting) // the task waits on with its incident
		if j := e.waitJobState(t, job.ID, func(j *engine.ExternalJob) bool { return j.State == engine.ExternalIncident }); *j.Retries != 0 {
			t.Errorf("incident: %+v", j)
		}
	})

	t.Run("lock expiry hands the task to another worker", func(t *testing.T) {
		pid := e.deploy(t, externalDef("pay4", "pay4"))
		inst := e.start(t, pid, nil)
		job := e.waitJob(t, inst)
		slow := e.startWorker(t, modules, base, map[string]any{"workerId": "js-slow", "topic": "pay4", "action": "hold", "lockDuration": 300, "delayMs": 4000})
		if ev := slow.next("holding"); ev["id"] != job.ID.String() {
			t.Fatalf("slow worker got %v", ev)
		}
		fast := e.startWorker(t, modules, base, map[string]any{"workerId": "js-fast", "topic": "pay4", "action": "complete"})
		if ev := fast.next("received"); ev["id"] != job.ID.String() {
			t.Fatalf("fast worker got %v", ev)
		}
		if ev := fast.next("done", "error"); ev["event"] != "done" {
			t.Fatalf("fast worker: %v", ev)
		}
		e.waitStatus(t, inst, engine.StatusDone)
		// The slow worker's late complete: the protocol's error.
		ev := slow.next("done", "error")
		if ev["event"] != "error" || (ev["status"] != float64(400) && ev["status"] != float64(404)) {
			t.Fatalf("late complete by the worker that lost the lock: %v", ev)
		}
	})

	t.Run("extendLock", func(t *testing.T) {
		pid := e.deploy(t, externalDef("pay5", "pay5"))
		inst := e.start(t, pid, nil)
		e.waitJob(t, inst)
		w := e.startWorker(t, modules, base, map[string]any{"workerId": "js-5", "topic": "pay5", "action": "extendLock", "extendBy": 60000})
		w.next("extended")
		if ev := w.next("done", "error"); ev["event"] != "done" {
			t.Fatalf("complete after extendLock: %v", ev)
		}
		e.waitStatus(t, inst, engine.StatusDone)
	})

	t.Run("long polling", func(t *testing.T) {
		pid := e.deploy(t, externalDef("pay6", "pay6"))
		// interval 10 min: after its first (empty) answer the client would not ask
		// again within the test, so receiving the task proves the poll was held open.
		w := e.startWorker(t, modules, base, map[string]any{"workerId": "js-6", "topic": "pay6", "action": "complete",
			"asyncResponseTimeout": 25000, "interval": 600000})
		w.next("polling")
		time.Sleep(500 * time.Millisecond) // let the fetch reach the server and wait there
		inst := e.start(t, pid, nil)
		// The first poll's answer holds the task created while it waited.
		if ev := w.next("polled"); ev["tasks"] != float64(1) {
			t.Fatalf("first poll answered %v", ev)
		}
		w.next("received")
		if ev := w.next("done", "error"); ev["event"] != "done" {
			t.Fatalf("complete: %v", ev)
		}
		e.waitStatus(t, inst, engine.StatusDone)
	})
}

// waitJobState waits until the job meets ok.
func (e *testEnv) waitJobState(t *testing.T, id engine.ID, ok func(*engine.ExternalJob) bool) *engine.ExternalJob {
	t.Helper()
	var j *engine.ExternalJob
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var err error
		if j, err = e.st.Runtime.ExternalTasks().Get(t.Context(), id); err != nil {
			t.Fatal(err)
		}
		if ok(j) {
			return j
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("job %s: %+v", id, j)
	return nil
}
