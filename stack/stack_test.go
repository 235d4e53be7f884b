package stack_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"flowcraft/engine"
	"flowcraft/stack"
	"flowcraft/web"
)

// The stack's task service is what the inbox handlers need.
var _ web.HumanTasks = stack.HumanTasks{}

const waitingFlow = `{"name": "waits", "tasks": [
	{"instId": "start", "template": "manual", "connections": [{"to": "pause"}]},
	{"instId": "pause", "template": "delay", "parameters": {"duration": {"value": "1h"}}, "connections": [{"to": "end"}]},
	{"instId": "end", "template": "end"}]}`

// The stack starts nothing in Open, runs instances from Start on, and a clean Close
// leaves an unfinished instance to go on after the next Open and Start (never failed,
// never done).
func TestStackLifecycle(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st, err := stack.Open(ctx, stack.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if st.Scheduler == nil {
		t.Fatal("no cron scheduler by default")
	}
	var p engine.Process
	if err := json.Unmarshal([]byte(waitingFlow), &p); err != nil {
		t.Fatal(err)
	}
	created, err := st.Definitions.Create(ctx, &p, "tester")
	if err != nil {
		t.Fatal(err)
	}
	// Before Start the instance is committed but nothing runs it: Start resumes it.
	res, err := st.Runtime.StartInstance(ctx, created.ID, nil, engine.StartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	id := res.Instance.ID
	if in, err := st.Store.GetInstance(ctx, id); err != nil || in.Status != engine.StatusRunning {
		t.Fatalf("before Start: %v %v, want running and untouched", in, err)
	}
	if err := st.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, st, id, engine.StatusWaiting)
	closeCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := st.Close(closeCtx); err != nil {
		t.Fatalf("clean Close: %v", err)
	}
	if err := st.Start(ctx); err == nil {
		t.Fatal("Start after Close succeeded")
	}

	st2, err := stack.Open(ctx, stack.Config{DataDir: dir, NoScheduler: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close(closeCtx)
	if st2.Scheduler != nil {
		t.Fatal("NoScheduler built a scheduler")
	}
	if err := st2.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, st2, id, engine.StatusWaiting)
}

// A Close whose deadline has passed still closes every part, and says what did not
// finish in ctx's terms.
func TestStackCloseExpired(t *testing.T) {
	st, err := stack.Open(context.Background(), stack.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	expired, cancel := context.WithCancel(context.Background())
	cancel()
	err = st.Close(expired)
	if err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("Close past its deadline: %v", err)
	}
	if err := st.Store.Ping(context.Background()); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("store still open after Close: %v", err)
	}
}

// waitStatus waits, with a generous deadline, until the instance has the status.
func waitStatus(t *testing.T, st *stack.Stack, id engine.ID, status string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		in, err := st.Store.GetInstance(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if in.Status == status {
			return
		}
		if engine.Ended(in.Status) || time.Now().After(deadline) {
			t.Fatalf("instance %s: %s, want %s", id, in.Status, status)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
