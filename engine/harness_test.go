package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"flowcraft/datasource"
	"flowcraft/db/sqlite"
	"flowcraft/engine"
	"flowcraft/engine/templates"
	"flowcraft/stack"
)

// harness is an engine on a real SQLite file, with the built-in templates plus `flaky`,
// a test template whose failures and delays the test controls.
type harness struct {
	t       testing.TB
	dir     string
	stack   *stack.Stack
	store   *sqlite.Store
	defs    *engine.Definitions
	rt      *engine.Runtime
	tasks   *engine.Approvals
	flaky   *flaky
	crasher *crasher
	closed  bool // the test closed the runtime itself (and checked the outcome)
}

// flaky fails until it has been called `failures` times per key, optionally sleeping.
type flaky struct {
	mu    sync.Mutex
	calls map[string]int
	total atomic.Int64
	// active counts the calls running now; peak is the most at once.
	active, peak atomic.Int64
}

func (f *flaky) Spec() templates.Spec {
	return templates.Spec{ID: "flaky", Kind: templates.KindAction, Label: templates.Label{Zh: "测试", En: "Test"},
		Parameters: []templates.Param{
			{Key: "key", Type: templates.TypeString, Label: templates.Label{Zh: "k", En: "k"}},
			{Key: "failures", Type: templates.TypeNumber, Label: templates.Label{Zh: "f", En: "f"}},
			{Key: "sleep", Type: templates.TypeNumber, Label: templates.Label{Zh: "s", En: "s"}},
		}}
}

func (f *flaky) Check(map[string]any) []templates.Problem { return nil }

func (f *flaky) Run(ctx context.Context, c *templates.Call) (templates.Outcome, error) {
	f.total.Add(1)
	now := f.active.Add(1)
	defer f.active.Add(-1)
	for p := f.peak.Load(); now > p && !f.peak.CompareAndSwap(p, now); p = f.peak.Load() {
	}
	key, _ := c.Params["key"].(string)
	fails, _ := c.Params["failures"].(float64)
	sleep, _ := c.Params["sleep"].(float64)
	f.mu.Lock()
	f.calls[key]++
	n := f.calls[key]
	f.mu.Unlock()
	if sleep > 0 {
		select {
		case <-time.After(time.Duration(sleep) * time.Millisecond):
		case <-ctx.Done():
			return templates.Outcome{}, ctx.Err()
		}
	}
	if n <= int(fails) {
		return templates.Outcome{}, fmt.Errorf("flaky failure %d of %s", n, key)
	}
	return templates.Outcome{Output: map[string]any{"calls": float64(n), "input": c.Input}}, nil
}

func newHarness(t *testing.T) *harness { return newHarnessTB(t) }

func newHarnessTB(t testing.TB) *harness {
	t.Helper()
	return openHarness(t, t.TempDir())
}

func openHarness(t testing.TB, dir string) *harness {
	t.Helper()
	return openHarnessOpts(t, dir, engine.RuntimeOptions{})
}

// openHarnessOpts is openHarness with runtime options (JobPoll defaults to 20 ms). Its
// services have one data source, "main", a SQLite file in dir.
func openHarnessOpts(t testing.TB, dir string, opts engine.RuntimeOptions) *harness {
	t.Helper()
	fl := &flaky{calls: map[string]int{}}
	cr := &crasher{child: os.Getenv(crashLoopEnv) != "", release: make(chan struct{})}
	if opts.JobPoll == 0 {
		opts.JobPoll = 20 * time.Millisecond
	}
	st, err := stack.Open(context.Background(), stack.Config{DataDir: dir, NodeID: 1, Runtime: opts, NoScheduler: true, NoHTTP: true,
		Templates:   templates.NewRegistry(append(templates.BuiltinTemplates(), fl, cr)...),
		DataSources: map[string]datasource.Spec{"main": {Driver: "sqlite", DSN: "file:" + filepath.Join(dir, "data.db")}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, dir: dir, stack: st, store: st.Store, defs: st.Definitions, rt: st.Runtime, tasks: st.Runtime.Approvals(), flaky: fl, crasher: cr}
	t.Cleanup(h.close)
	return h
}

func (h *harness) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.rt.Close(ctx); err != nil && !h.closed {
		h.t.Error(err)
	}
	h.stack.Close(ctx)
}

// deploy creates a process from JSON text and returns its id.
func (h *harness) deploy(def string) string {
	h.t.Helper()
	var p engine.Process
	if err := json.Unmarshal([]byte(def), &p); err != nil {
		h.t.Fatalf("definition: %v", err)
	}
	out, err := h.defs.Create(context.Background(), &p, "tester")
	if err != nil {
		h.t.Fatalf("deploy: %v", err)
	}
	return out.ID
}

// run starts an instance and waits for it to end.
func (h *harness) run(pid string, trigger any) *engine.InstanceView {
	h.t.Helper()
	res, err := h.rt.StartInstance(context.Background(), pid, trigger, engine.StartOptions{By: "tester", Wait: 20 * time.Second})
	if err != nil {
		h.t.Fatalf("start: %v", err)
	}
	if !res.Ended {
		h.t.Fatalf("instance %s did not end: %s", res.Instance.ID, res.Instance.Status)
	}
	return h.describe(res.Instance.ID)
}

func (h *harness) start(pid string, trigger any) engine.ID {
	h.t.Helper()
	res, err := h.rt.StartInstance(context.Background(), pid, trigger, engine.StartOptions{By: "tester"})
	if err != nil {
		h.t.Fatalf("start: %v", err)
	}
	return res.Instance.ID
}

func (h *harness) wait(id engine.ID) *engine.InstanceView {
	h.t.Helper()
	in, err := h.rt.WaitEnded(context.Background(), id, 20*time.Second)
	if err != nil {
		h.t.Fatal(err)
	}
	if !engine.Ended(in.Status) {
		h.t.Fatalf("instance %s did not end: %s", id, in.Status)
	}
	return h.describe(id)
}

// waitStatus polls until the instance has the status (for states that are not ends).
func (h *harness) waitStatus(id engine.ID, status string) {
	h.t.Helper()
	sub := h.rt.Events().Subscribe("", id, 1024)
	defer sub.Close()
	deadline := time.After(20 * time.Second)
	for {
		in, err := h.store.GetInstance(context.Background(), id)
		if err != nil {
			h.t.Fatal(err)
		}
		if in.Status == status {
			return
		}
		select {
		case <-sub.C:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			h.t.Fatalf("instance %s: status %s, want %s", id, in.Status, status)
		}
	}
}

func (h *harness) describe(id engine.ID) *engine.InstanceView {
	h.t.Helper()
	v, err := h.rt.Describe(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return v
}

// task returns the view of one task of an instance.
func task(v *engine.InstanceView, id string) *engine.TaskView {
	for _, t := range v.Tasks {
		if t.InstID == id {
			return t
		}
	}
	return nil
}

// statuses maps task id to the statuses of its runtimes, in order.
func statuses(v *engine.InstanceView) map[string][]string {
	out := map[string][]string{}
	for _, t := range v.Tasks {
		for _, r := range t.Runtimes {
			out[t.InstID] = append(out[t.InstID], r.Status)
		}
	}
	return out
}

func jsonEq(t *testing.T, got, want any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	var gv, wv any
	json.Unmarshal(g, &gv)
	json.Unmarshal(w, &wv)
	gb, _ := json.Marshal(gv)
	wb, _ := json.Marshal(wv)
	if string(gb) != string(wb) {
		t.Errorf("got %s\nwant %s", gb, wb)
	}
}

var _ = errors.Is

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
