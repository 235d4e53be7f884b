package engine_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"flowcraft/engine"
	"flowcraft/engine/templates"
)

// crashLoopEnv is set in the child processes of TestCrashLoopQuarantine.
const crashLoopEnv = "FLOWCRAFT_CRASHLOOP_CHILD"

// crasher is a test template. In a child process of TestCrashLoopQuarantine, mode
// "crash" kills the process with a fatal error Go cannot recover (a stack overflow,
// as a deeply nested script once did in goja's parser) and mode "slow" takes 2 s.
// Elsewhere both block until the test closes release (or the step is interrupted).
type crasher struct {
	child   bool
	release chan struct{}
}

func (c *crasher) Spec() templates.Spec {
	return templates.Spec{ID: "crasher", Kind: templates.KindAction, Label: templates.Label{Zh: "崩溃", En: "Crash"},
		Parameters: []templates.Param{{Key: "mode", Type: templates.TypeString, Label: templates.Label{Zh: "m", En: "m"}}}}
}

func (c *crasher) Check(map[string]any) []templates.Problem { return nil }

func (c *crasher) Run(ctx context.Context, call *templates.Call) (templates.Outcome, error) {
	mode, _ := call.Params["mode"].(string)
	wait := (<-chan time.Time)(nil)
	switch {
	case c.child && mode == "crash":
		crashProcess()
	case c.child:
		wait = time.After(2 * time.Second)
	}
	select {
	case <-c.release:
	case <-wait:
	case <-ctx.Done():
		return templates.Outcome{}, ctx.Err()
	}
	return templates.Outcome{Output: map[string]any{"mode": mode}}, nil
}

// crashProcess ends the process with "fatal error: stack overflow", which no
// recover catches.
func crashProcess() {
	debug.SetMaxStack(1 << 20)
	var deeper func(n int) int
	deeper = func(n int) int {
		var pad [512]byte
		pad[n%len(pad)] = byte(n)
		return deeper(n+1) + int(pad[(n+1)%len(pad)])
	}
	deeper(0)
}

// rows reads what the database holds for an instance, bypassing the engine: its
// status, output, crash count, and the status of each runtime by task.
type instRows struct {
	status, output string
	crashes        int
	nodes          map[string][]string
}

func readRows(t *testing.T, dir string, id engine.ID) instRows {
	t.Helper()
	ro, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "flowcraft.db")+"?_pragma=busy_timeout(5000)&_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	var r instRows
	if err := ro.QueryRow(`SELECT status, COALESCE(workflow_output, ''), crash_count FROM workflow_inst WHERE uid = ?`, id).
		Scan(&r.status, &r.output, &r.crashes); err != nil {
		t.Fatal(err)
	}
	rs, err := ro.Query(`SELECT node_id, status FROM node_inst WHERE workflow_uid = ? ORDER BY uid`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	r.nodes = map[string][]string{}
	for rs.Next() {
		var task, status string
		if err := rs.Scan(&task, &status); err != nil {
			t.Fatal(err)
		}
		r.nodes[task] = append(r.nodes[task], status)
	}
	return r
}

// waitEvent waits (generously) until a subscription has shown a runtime of task with
// status in each of the instances.
func waitEvent(t *testing.T, sub *engine.Subscription, task, status string, ids ...engine.ID) {
	t.Helper()
	missing := map[engine.ID]bool{}
	for _, id := range ids {
		missing[id] = true
	}
	deadline := time.After(30 * time.Second)
	for len(missing) > 0 {
		select {
		case ev := <-sub.C:
			if ev.Node != nil && ev.Node.TaskID == task && ev.Node.Status == status {
				delete(missing, ev.InstanceID)
			}
		case <-deadline:
			t.Fatalf("no %s runtime of %s in instances %v", status, task, missing)
		}
	}
}

// Issue 12 item 4: stopping the engine while a script runs leaves the instance as a
// crash would (its step not written, neither failed nor done), and the next start
// runs the step again to the right end.
func TestCleanStopLeavesRunningWorkAsACrash(t *testing.T) {
	dir := t.TempDir()
	h := openHarness(t, dir)
	pid := h.deploy(def("busy",
		task_("start", "manual", "a"),
		script("a", "while (Date.now() < trigger.until) {} return {n: trigger.n * 2}", "end").set("timeout", 60000),
		task_("end", "end").p("output", "{{ ({doubled: input.n}) }}"),
	))
	sub := h.rt.Events().Subscribe(pid, 0, 4096)
	defer sub.Close()
	// Several at once: before the fix each one was written failed, or done without
	// running its end task, or left alone, by chance.
	until := time.Now().Add(5 * time.Second).UnixMilli()
	var ids []engine.ID
	for n := range 4 {
		ids = append(ids, h.start(pid, map[string]any{"n": n, "until": until}))
	}
	waitEvent(t, sub, "a", engine.StatusRunning, ids...)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.rt.Close(ctx); err != nil {
		t.Fatalf("close: %v", err)
	}
	h.store.Close(ctx)
	for _, id := range ids {
		r := readRows(t, dir, id)
		if r.status != engine.StatusRunning || len(r.nodes["end"]) != 0 || strings.Join(r.nodes["a"], ",") != engine.StatusPending {
			t.Fatalf("instance %s after a clean stop: status %s, runtimes %v; want running with a pending", id, r.status, r.nodes)
		}
	}

	h = openHarness(t, dir)
	for n, id := range ids {
		v := h.wait(id)
		if v.Status != engine.StatusDone {
			t.Fatalf("instance %s: %s %s", id, v.Status, v.Error)
		}
		jsonEq(t, v.Output, map[string]any{"doubled": n * 2})
		r := readRows(t, dir, id)
		if r.status != engine.StatusDone || r.output != fmt.Sprintf(`{"doubled":%d}`, n*2) ||
			strings.Join(r.nodes["a"], ",") != "done" || strings.Join(r.nodes["end"], ",") != "done" {
			t.Fatalf("instance %s rows: %+v", id, r)
		}
	}
}

// endlessFlow loops a script through an exclusive gateway forever (its exit, the
// default connection, is never taken).
func endlessFlow(engineName string) string {
	d := def("endless",
		task_("start", "manual", "a"),
		script("a", "let x = 0; for (let i = 0; i < 2000; i++) x += i; return {n: ((input && input.n) || 0) + 1}", "gw"),
		task_("gw", "exclusive-gateway").conns(to("a", "true"), dflt("end")),
		task_("end", "end"),
	)
	if engineName == "" {
		return d
	}
	var m map[string]any
	json.Unmarshal([]byte(d), &m)
	m["engine"] = engineName
	b, _ := json.Marshal(m)
	return string(b)
}

// waitRuntimes waits until an instance has written at least n runtimes.
func waitRuntimes(t testing.TB, h *harness, id engine.ID, n int) int {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, nodes, _, err := h.store.LoadInstance(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if len(nodes) >= n {
			return len(nodes)
		}
		if time.Now().After(deadline) {
			t.Fatalf("instance %s: %d runtimes, want %d", id, len(nodes), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// act applies an action with a generous deadline.
func act(t testing.TB, h *harness, id engine.ID, action string) *engine.Instance {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	in, err := h.rt.Act(ctx, id, action)
	if err != nil {
		t.Fatalf("%s %s: %v", action, id, err)
	}
	return in
}

// noLiveRuntimes fails unless every runtime of the instance has ended.
func noLiveRuntimes(t testing.TB, h *harness, id engine.ID) {
	t.Helper()
	_, nodes, _, err := h.store.LoadInstance(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes {
		if !engine.Ended(n.Status) {
			t.Fatalf("instance %s: runtime %s of %s is %s", id, n.ID, n.TaskID, n.Status)
		}
	}
}

// Issue 12 item 7: cancel and suspend do not queue behind a runaway instance's own
// steps; they interrupt the step in progress, which is abandoned, not failed.
func TestCancelAndSuspendPreemptRunawayInstances(t *testing.T) {
	h := newHarness(t)
	loop := h.deploy(endlessFlow(""))
	long := h.deploy(def("long",
		task_("start", "manual", "a"),
		script("a", "while (true) {}", "end").set("timeout", 600000),
		task_("end", "end"),
	))

	t.Run("cancel an endless cycle", func(t *testing.T) {
		id := h.start(loop, nil)
		waitRuntimes(t, h, id, 20)
		if in := act(t, h, id, engine.ActionCancel); in.Status != engine.StatusCanceled {
			t.Fatalf("status %s", in.Status)
		}
		if in, _ := h.store.GetInstance(context.Background(), id); in.Status != engine.StatusCanceled {
			t.Fatalf("stored status %s", in.Status)
		}
		noLiveRuntimes(t, h, id)
	})

	t.Run("cancel a step that never ends", func(t *testing.T) {
		sub := h.rt.Events().Subscribe(long, 0, 1024)
		defer sub.Close()
		id := h.start(long, nil)
		waitEvent(t, sub, "a", engine.StatusRunning, id)
		if in := act(t, h, id, engine.ActionCancel); in.Status != engine.StatusCanceled {
			t.Fatalf("status %s", in.Status)
		}
		v := h.describe(id)
		if got := statuses(v)["a"]; len(got) != 1 || got[0] != engine.StatusCanceled {
			t.Fatalf("runtimes of a: %v (the interrupted step must not be written failed)", got)
		}
	})

	t.Run("suspend and resume an endless cycle", func(t *testing.T) {
		id := h.start(loop, nil)
		waitRuntimes(t, h, id, 20)
		if in := act(t, h, id, engine.ActionSuspend); in.Status != engine.StatusSuspended {
			t.Fatalf("status %s", in.Status)
		}
		_, nodes, _, _ := h.store.LoadInstance(context.Background(), id)
		for _, n := range nodes {
			if n.Status == engine.StatusFailed || n.Status == engine.StatusRunning {
				t.Fatalf("suspended instance: runtime of %s is %s", n.TaskID, n.Status)
			}
		}
		if in := act(t, h, id, engine.ActionResume); in.Status != engine.StatusRunning {
			t.Fatalf("resume: status %s", in.Status)
		}
		waitRuntimes(t, h, id, len(nodes)+10) // it goes on
		if in := act(t, h, id, engine.ActionCancel); in.Status != engine.StatusCanceled {
			t.Fatalf("status %s", in.Status)
		}
		noLiveRuntimes(t, h, id)
	})

	t.Run("suspend a step that never ends", func(t *testing.T) {
		sub := h.rt.Events().Subscribe(long, 0, 1024)
		defer sub.Close()
		id := h.start(long, nil)
		waitEvent(t, sub, "a", engine.StatusRunning, id)
		if in := act(t, h, id, engine.ActionSuspend); in.Status != engine.StatusSuspended {
			t.Fatalf("status %s", in.Status)
		}
		if got := statuses(h.describe(id))["a"]; len(got) != 1 || got[0] != engine.StatusPending {
			t.Fatalf("runtimes of a: %v, want the interrupted step pending again", got)
		}
		act(t, h, id, engine.ActionResume)
		waitEvent(t, sub, "a", engine.StatusRunning, id) // the step runs again
		act(t, h, id, engine.ActionCancel)
	})
}

// Shutdown stays within its grace with runaway instances in flight, and they go on
// after the next start.
func TestCloseWithRunawayInstances(t *testing.T) {
	dir := t.TempDir()
	h := openHarness(t, dir)
	loop := h.deploy(endlessFlow(""))
	long := h.deploy(def("long",
		task_("start", "manual", "a"),
		script("a", "while (true) {}", "end").set("timeout", 600000),
		task_("end", "end"),
	))
	sub := h.rt.Events().Subscribe(long, 0, 1024)
	defer sub.Close()
	a, b := h.start(loop, nil), h.start(long, nil)
	waitRuntimes(t, h, a, 20)
	waitEvent(t, sub, "a", engine.StatusRunning, b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.rt.Close(ctx); err != nil {
		t.Fatalf("close: %v", err)
	}
	h.store.Close(ctx)

	h = openHarness(t, dir)
	for _, id := range []engine.ID{a, b} {
		if in, _ := h.store.GetInstance(context.Background(), id); in.Status != engine.StatusRunning {
			t.Fatalf("instance %s after restart: %s %s", id, in.Status, in.Error)
		}
		act(t, h, id, engine.ActionCancel)
	}
	if got := statuses(h.describe(b))["a"]; len(got) != 1 || got[0] != engine.StatusCanceled {
		t.Fatalf("runtimes of the long step: %v", got)
	}
}

// Issue 12 item 8: caps on runtimes and live tokens per instance.
func TestCapsPerInstance(t *testing.T) {
	h := openHarnessOpts(t, t.TempDir(), engine.RuntimeOptions{MaxRuntimesPerInstance: 30, MaxActiveTokens: 3})
	wantFailed := func(t *testing.T, v *engine.InstanceView, parts ...string) {
		t.Helper()
		if v.Status != engine.StatusFailed {
			t.Fatalf("status %s, want failed", v.Status)
		}
		for _, p := range parts {
			if !strings.Contains(v.Error, p) {
				t.Fatalf("error %q does not say %q", v.Error, p)
			}
		}
		noLiveRuntimes(t, h, v.ID)
	}
	t.Run("runtimes", func(t *testing.T) {
		v := h.wait(h.start(h.deploy(endlessFlow("")), nil))
		wantFailed(t, v, "runtimes", "limit of 30", "--max-runtimes")
	})
	t.Run("runtimes, fast engine", func(t *testing.T) {
		res, err := h.rt.StartInstance(context.Background(), h.deploy(endlessFlow("fast")), nil, engine.StartOptions{})
		if err != nil || !res.Ended {
			t.Fatalf("start: %v %+v", err, res)
		}
		h.rt.Flush(context.Background())
		wantFailed(t, h.describe(res.Instance.ID), "limit of 30", "--max-runtimes")
	})
	t.Run("tokens", func(t *testing.T) {
		pid := h.deploy(def("fan",
			task_("start", "manual", "fork"),
			task_("fork", "parallel-gateway", "a", "b", "c", "d"),
			script("a", "return 1"), script("b", "return 2"), script("c", "return 3"), script("d", "return 4"),
		))
		v := h.wait(h.start(pid, nil))
		wantFailed(t, v, "4 active tokens", "limit of 3", "--max-tokens")
	})
	t.Run("forEach past the cap, whatever the errorHandler", func(t *testing.T) {
		items := make([]any, 40)
		pid := h.deploy(def("each",
			task_("start", "manual", "a"),
			script("a", "return item", "end").
				set("loopHandler", map[string]any{"mode": "forEach", "items": "{{ trigger.items }}"}).
				set("errorHandler", map[string]any{"retry": 3, "strategy": "ignore"}),
			task_("end", "end"),
		))
		v := h.wait(h.start(pid, map[string]any{"items": items}))
		wantFailed(t, v, "loop", "limit of 30", "--max-runtimes")
		if n := len(task(v, "a").Runtimes); n != 1 {
			t.Fatalf("%d runtimes of the loop, want 1 (no iteration, no retry)", n)
		}
	})
	t.Run("within the caps", func(t *testing.T) {
		pid := h.deploy(def("small",
			task_("start", "manual", "fork"),
			task_("fork", "parallel-gateway", "a", "b"),
			script("a", "return 1"), script("b", "return 2"),
		))
		if v := h.run(pid, nil); v.Status != engine.StatusDone {
			t.Fatalf("status %s %s", v.Status, v.Error)
		}
	})
}

// Issue 12 item 2 (second half): an instance whose step crashes the whole process is
// quarantined instead of being resumed forever. The crashes are real: child
// processes die of a stack overflow.
func TestCrashLoopQuarantine(t *testing.T) {
	if dir := os.Getenv(crashLoopEnv); dir != "" {
		h := openHarness(t, dir) // resumes the instances: the crasher kills this process
		_ = h
		time.Sleep(30 * time.Second)
		t.Fatal("the crasher did not crash the process")
	}
	if testing.Short() {
		t.Skip("starts child processes")
	}
	dir := t.TempDir()
	h := openHarness(t, dir)
	bad := h.deploy(def("bad", task_("start", "manual", "a"), task_("a", "crasher", "end").p("mode", "crash"), task_("end", "end")))
	slow := h.deploy(def("slow", task_("start", "manual", "a"), task_("a", "crasher", "end").p("mode", "slow"), task_("end", "end")))
	sub := h.rt.Events().Subscribe("", 0, 1024)
	defer sub.Close()
	x, y := h.start(bad, nil), h.start(slow, nil)
	waitEvent(t, sub, "a", engine.StatusRunning, x, y)
	// The first crash, here a stop that leaves things the same way: it is not counted.
	h.close()

	for i := range 2 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashLoopQuarantine$")
		cmd.Env = append(os.Environ(), crashLoopEnv+"="+dir)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		if !strings.Contains(stderr.String(), "fatal error: stack overflow") {
			t.Fatalf("child %d did not crash (%v): %.2000s", i+1, err, stderr.String())
		}
		if r := readRows(t, dir, x); r.status != engine.StatusRunning || r.crashes != i+1 {
			t.Fatalf("after crash %d: %+v", i+1, r)
		}
	}

	// The next start quarantines x instead of running its step again; y goes on.
	h = openHarness(t, dir)
	in, err := h.store.GetInstance(context.Background(), x)
	if err != nil {
		t.Fatal(err)
	}
	if in.Status != engine.StatusFailed || !strings.Contains(in.Error, "quarantined") || !strings.Contains(in.Error, "retry") {
		t.Fatalf("crashing instance: %s %q", in.Status, in.Error)
	}
	close(h.crasher.release)
	if v := h.wait(y); v.Status != engine.StatusDone {
		t.Fatalf("the other instance: %s %s", v.Status, v.Error)
	}
	if r := readRows(t, dir, y); r.crashes != 0 {
		t.Fatalf("crash count of the instance that went on: %d", r.crashes)
	}
	// A retry runs the step again (here it no longer crashes).
	if in := act(t, h, x, engine.ActionRetry); in.Status != engine.StatusRunning {
		t.Fatalf("retry: %s", in.Status)
	}
	if v := h.wait(x); v.Status != engine.StatusDone {
		t.Fatalf("after retry: %s %s", v.Status, v.Error)
	}
}

// Issue 12 item 16: a database-handler runs one statement, and the task timeout
// interrupts a long query with the timeout status.
func TestDatabaseHandlerInFlow(t *testing.T) {
	h := newHarness(t)
	var p engine.Process
	json.Unmarshal([]byte(def("multi", task_("start", "manual", "q"),
		task_("q", "database-handler", "end").p("datasource", "main").p("sql", "SELECT 1; DROP TABLE t"), task_("end", "end"))), &p)
	if _, err := h.defs.Create(context.Background(), &p, "tester"); !errors.Is(err, engine.ErrInvalid) ||
		!strings.Contains(err.Error(), "single statement") {
		t.Fatalf("a definition with two statements: %v", err)
	}
	pid := h.deploy(def("long", task_("start", "manual", "q"),
		task_("q", "database-handler", "end").p("datasource", "main").set("timeout", 300).
			p("sql", "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) SELECT count(*) AS n FROM c"),
		task_("end", "end")))
	v := h.run(pid, nil)
	if v.Status != engine.StatusFailed || task(v, "q").Status != engine.StatusTimeout {
		t.Fatalf("status %s, task %s: %s", v.Status, task(v, "q").Status, v.Error)
	}
}

// fastFlow makes a definition of the fast engine with a process timeout.
func fastFlow(timeout int, tasks ...tk) string {
	var m map[string]any
	json.Unmarshal([]byte(def("fast", tasks...)), &m)
	m["engine"], m["timeout"] = "fast", timeout
	b, _ := json.Marshal(m)
	return string(b)
}

// A fast instance whose time runs out while it waits to retry a task ends timed out
// (and is written); it is not an error of the start.
func TestFastTimeoutDuringRetryWait(t *testing.T) {
	h := newHarness(t)
	pid := h.deploy(fastFlow(300,
		task_("start", "manual", "a"),
		task_("a", "flaky", "end").p("key", "retry-wait").p("failures", 10).
			set("errorHandler", map[string]any{"retry": 3, "interval": 60000}),
		task_("end", "end"),
	))
	res, err := h.rt.StartInstance(context.Background(), pid, nil, engine.StartOptions{})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	if !res.Ended || res.Instance.Status != engine.StatusTimeout {
		t.Fatalf("instance %s, ended %v", res.Instance.Status, res.Ended)
	}
	h.rt.Flush(context.Background())
	if in, err := h.store.GetInstance(context.Background(), res.Instance.ID); err != nil || in.Status != engine.StatusTimeout {
		t.Fatalf("written: %v %v", in, err)
	}
}

// A fast instance that ran is written even if its caller went away meanwhile.
func TestFastInstanceWrittenAfterCallerLeft(t *testing.T) {
	h := openHarnessOpts(t, t.TempDir(), engine.RuntimeOptions{FastSlots: 8}) // all run at once
	pid := h.deploy(fastFlow(0,
		task_("start", "manual", "a"),
		task_("a", "flaky", "end").p("key", "{{ trigger.k }}").p("sleep", 200),
		task_("end", "end"),
	))
	const n = 8
	errs := make(chan error, n)
	for i := range n {
		go func() {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(50*time.Millisecond, cancel)
			_, err := h.rt.StartInstance(ctx, pid, map[string]any{"k": fmt.Sprint(i)}, engine.StartOptions{})
			errs <- err
		}()
	}
	for range n {
		<-errs
	}
	h.rt.Flush(context.Background())
	ran := 0
	h.flaky.mu.Lock()
	for i := range n {
		ran += min(h.flaky.calls[fmt.Sprint(i)], 1)
	}
	h.flaky.mu.Unlock()
	_, written, err := h.rt.ListInstances(context.Background(), engine.InstanceFilter{ProcessID: pid, Page: engine.Page{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	if written != ran {
		t.Fatalf("%d instances ran, %d were written", ran, written)
	}
}
