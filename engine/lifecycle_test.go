package engine_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"flowcraft/engine"
)

// fakeJobs is a JobStore that hands out the jobs queued on it and records calls.
type fakeJobs struct {
	mu       sync.Mutex
	due      []*engine.Job
	released []string
	retried  chan engine.ID
}

func (f *fakeJobs) ClaimJobs(ctx context.Context, owner string, now, leaseUntil int64, limit int) ([]*engine.Job, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := min(limit, len(f.due))
	out := f.due[:n]
	f.due = f.due[n:]
	return out, nil
}

func (f *fakeJobs) ReleaseJobs(ctx context.Context, owner string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.released = append(f.released, owner)
	return nil
}

func (f *fakeJobs) RetryJobLater(ctx context.Context, id engine.ID, owner string, dueAt int64, errMsg string) error {
	f.retried <- id
	return nil
}

func (f *fakeJobs) add(jobs ...*engine.Job) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.due = append(f.due, jobs...)
}

// The job executor's lifecycle: New starts nothing, Start frees this owner's leases and
// claims, a job out of attempts goes back to the store instead of the handler, Close
// before Start prevents a Start.
func TestJobExecutorLifecycle(t *testing.T) {
	store := &fakeJobs{retried: make(chan engine.ID, 4)}
	handled := make(chan engine.ID, 4)
	x := engine.NewJobExecutor(engine.JobExecutorDeps{Store: store, Handle: func(j *engine.Job) { handled <- j.ID }},
		engine.JobExecutorOptions{Owner: "node-7", Poll: time.Hour})
	store.mu.Lock()
	if len(store.released) != 0 {
		t.Fatal("NewJobExecutor released leases: it must start nothing")
	}
	store.mu.Unlock()
	if err := x.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := x.Start(context.Background()); err != nil {
		t.Fatalf("second Start: %v", err)
	}
	store.mu.Lock()
	if len(store.released) != 1 || store.released[0] != "node-7" {
		t.Fatalf("released %v, want [node-7] once", store.released)
	}
	store.mu.Unlock()
	store.add(&engine.Job{ID: 1, MaxAttempts: 5, Attempts: 1}, &engine.Job{ID: 2, MaxAttempts: 5, Attempts: 6})
	x.Wake()
	if id := <-handled; id != 1 {
		t.Fatalf("handled job %d, want 1", id)
	}
	if id := <-store.retried; id != 2 {
		t.Fatalf("retried job %d, want 2 (out of attempts)", id)
	}
	if err := x.Close(context.Background()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := x.Start(context.Background()); err == nil {
		t.Fatal("Start after Close succeeded")
	}

	y := engine.NewJobExecutor(engine.JobExecutorDeps{Store: store, Handle: func(*engine.Job) {}}, engine.JobExecutorOptions{})
	if err := y.Close(context.Background()); err != nil {
		t.Fatalf("Close before Start: %v", err)
	}
	if err := y.Start(context.Background()); err == nil {
		t.Fatal("Start after Close (never started) succeeded")
	}
}

// A Close whose deadline passes while a claimed batch is being handed over says so:
// which service, how many jobs, and ctx's error.
func TestJobExecutorCloseReportsUnfinished(t *testing.T) {
	store := &fakeJobs{retried: make(chan engine.ID, 1)}
	inHandler, release := make(chan struct{}), make(chan struct{})
	x := engine.NewJobExecutor(engine.JobExecutorDeps{Store: store, Handle: func(*engine.Job) {
		close(inHandler)
		<-release
	}}, engine.JobExecutorOptions{Poll: time.Hour})
	if err := x.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	store.add(&engine.Job{ID: 1, MaxAttempts: 5}, &engine.Job{ID: 2, MaxAttempts: 5})
	x.Wake()
	<-inHandler
	expired, cancel := context.WithCancel(context.Background())
	cancel()
	err := x.Close(expired)
	if err == nil || !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "job executor: 2 claimed job(s)") {
		t.Fatalf("Close past its deadline: %v", err)
	}
	close(release)
	// The handler returned: the executor stops without handing over the second job.
	if err := x.Close(context.Background()); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// A Close whose deadline passes while a fast instance runs drops it unwritten (as in
// a crash), and says how many instances had not stopped.
func TestRuntimeCloseReportsUnfinished(t *testing.T) {
	h := newHarness(t)
	pid := h.deploy(fastFlow(0,
		task_("start", "manual", "a"),
		task_("a", "flaky", "end").p("key", "slow").p("sleep", 600000),
		task_("end", "end"),
	))
	started := make(chan error, 1)
	go func() {
		_, err := h.rt.StartInstance(context.Background(), pid, nil, engine.StartOptions{})
		started <- err
	}()
	waitFor(t, "the fast instance runs its slow task", func() bool { return h.flaky.total.Load() > 0 })
	expired, cancel := context.WithCancel(context.Background())
	cancel()
	err := h.rt.Close(expired)
	h.closed = true
	if err == nil || !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "engine: 1 instance(s) had not stopped") {
		t.Fatalf("Close past its deadline: %v", err)
	}
	if err := <-started; !errors.Is(err, engine.ErrConflict) {
		t.Fatalf("start cut by the shutdown: %v, want the engine-stopping conflict", err)
	}
	if again := h.rt.Close(context.Background()); again == nil || again.Error() != err.Error() {
		t.Fatalf("second Close: %v, want the first outcome", again)
	}
	if err := h.rt.Start(context.Background()); err == nil {
		t.Fatal("Start after Close succeeded")
	}
}

// waitFor waits, with a generous deadline, until cond holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
