package engine_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"flowcraft/engine"
)

const crashInstances = 200

// crashFlow has durable waits of 0.2-2 s between script steps, so a kill lands while
// instances are in every state: pending, waiting on a timer, finished.
const crashFlow = `{"name": "crash", "tasks": [
	{"instId": "start", "template": "manual", "connections": [{"to": "a"}]},
	{"instId": "a", "template": "script", "connections": [{"to": "wait"}],
	 "parameters": {"code": {"value": "vars.n = trigger.n; return {n: trigger.n}"}}},
	{"instId": "wait", "template": "delay", "connections": [{"to": "b"}],
	 "parameters": {"duration": {"value": "{{ 200 + (trigger.n % 10) * 200 }}"}}},
	{"instId": "b", "template": "script", "connections": [{"to": "end"}],
	 "parameters": {"code": {"value": "return {n: vars.n, doubled: vars.n * 2}"}}},
	{"instId": "end", "template": "end"}]}`

// TestCrashRecovery starts 200 instances in a child process, kills it with SIGKILL in
// the middle, starts the engine again on the same data, and checks that every instance
// finishes with the right output and exactly one runtime per task.
func TestCrashRecovery(t *testing.T) {
	if dir := os.Getenv("FLOWCRAFT_CRASH_CHILD"); dir != "" {
		crashChild(t, dir)
		return
	}
	if testing.Short() {
		t.Skip("crash test starts a child process")
	}
	dir := t.TempDir()
	h := openHarness(t, dir)
	pid := h.deploy(crashFlow)
	h.close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashRecovery$", "-test.v")
	cmd.Env = append(os.Environ(), "FLOWCRAFT_CRASH_CHILD="+dir, "FLOWCRAFT_CRASH_PROCESS="+pid)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	for lines.Scan() && !strings.Contains(lines.Text(), "CHILD READY") {
	}
	// Wait until some, not all, instances are done, then kill the child hard.
	ro, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "flowcraft.db")+"?_pragma=busy_timeout(5000)&_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	deadline := time.Now().Add(30 * time.Second)
	var done int
	for {
		if err := ro.QueryRow(`SELECT COUNT(*) FROM workflow_inst WHERE status = 'done'`).Scan(&done); err != nil {
			t.Fatal(err)
		}
		if done >= 20 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	var total int
	ro.QueryRow(`SELECT COUNT(*) FROM workflow_inst`).Scan(&total)
	ro.QueryRow(`SELECT COUNT(*) FROM workflow_inst WHERE status = 'done'`).Scan(&done)
	t.Logf("killed the engine with %d of %d instances done", done, total)
	if total != crashInstances || done == crashInstances {
		t.Fatalf("the kill did not land mid-way: %d instances, %d done", total, done)
	}

	// Restart on the same data: everything resumes.
	h = openHarness(t, dir)
	list, n, err := h.rt.ListInstances(context.Background(), engine.InstanceFilter{ProcessID: pid, Page: engine.Page{Limit: 1000}})
	if err != nil || n != crashInstances {
		t.Fatalf("instances after restart: %d %v", n, err)
	}
	for _, in := range list {
		if got, _ := h.rt.WaitEnded(context.Background(), in.ID, 20*time.Second); got == nil || !engine.Ended(got.Status) {
			jobs, _, _ := h.store.ListJobs(context.Background(), "", engine.Page{Limit: 1000})
			var mine []string
			for _, j := range jobs {
				if j.InstanceID == in.ID {
					mine = append(mine, fmt.Sprintf("%+v", *j))
				}
			}
			t.Fatalf("instance %s stuck: runtimes %v, jobs %v", in.ID, statuses(h.describe(in.ID)), mine)
		}
		v := h.wait(in.ID)
		trig := in.Trigger.(map[string]any)["n"].(float64)
		if v.Status != engine.StatusDone {
			t.Fatalf("instance %s: %s %s", in.ID, v.Status, v.Error)
		}
		out := v.Output.(map[string]any)
		if out["n"] != trig || out["doubled"] != trig*2 {
			t.Fatalf("instance %s (n=%v): output %v", in.ID, trig, out)
		}
		for _, tv := range v.Tasks {
			if len(tv.Runtimes) != 1 || tv.Runtimes[0].Status != engine.StatusDone {
				t.Fatalf("instance %s task %s: %d runtimes, statuses %v", in.ID, tv.InstID, len(tv.Runtimes), statuses(v)[tv.InstID])
			}
		}
	}
	if jobs, _, _ := h.store.ListJobs(context.Background(), "", engine.Page{Limit: 10}); len(jobs) != 0 {
		t.Errorf("%d jobs left", len(jobs))
	}
}

// crashChild is the engine process that gets killed: it starts the instances and then
// works until the parent kills it.
func crashChild(t *testing.T, dir string) {
	h := openHarness(t, dir)
	pid := os.Getenv("FLOWCRAFT_CRASH_PROCESS")
	for i := range crashInstances {
		h.start(pid, map[string]any{"n": i})
	}
	fmt.Println("CHILD READY")
	select {} // until SIGKILL
}
