package cron_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"flowcraft/engine"
	"flowcraft/engine/cron"
)

// oneProcess is a SlotStore with one enabled cron process whose every slot is free.
type oneProcess struct {
	p        *engine.Process
	finished chan string
}

func (s *oneProcess) CronProcesses(context.Context) ([]*engine.Process, error) {
	return []*engine.Process{s.p}, nil
}
func (s *oneProcess) GetProcess(context.Context, string) (*engine.Process, error) { return s.p, nil }
func (s *oneProcess) ProcessHead(context.Context, string) (int, bool, error) {
	return s.p.Version, true, nil
}
func (s *oneProcess) ClaimSlot(context.Context, string, time.Time, string, time.Time) (bool, error) {
	return true, nil
}
func (s *oneProcess) FinishSlot(_ context.Context, _ string, _ time.Time, status string, _ engine.ID, _ string) error {
	s.finished <- status
	return nil
}
func (s *oneProcess) LastSlot(context.Context, string) (time.Time, bool, error) {
	return time.Time{}, false, nil
}
func (s *oneProcess) UnfinishedCronInstance(context.Context, string) (bool, error) { return false, nil }
func (s *oneProcess) PruneSlots(context.Context, time.Time) (int64, error)         { return 0, nil }

// blockedStarter starts nothing until released.
type blockedStarter struct{ called, release chan struct{} }

func (b *blockedStarter) StartInstance(ctx context.Context, pid string, trigger any, opts engine.StartOptions) (*engine.StartResult, error) {
	close(b.called)
	<-b.release
	return &engine.StartResult{Instance: &engine.Instance{ID: 42}}, nil
}

// The scheduler's lifecycle: New starts nothing, Start fires, a Close whose deadline
// passes during an instance start names the unfinished starts, a slot claimed is
// recorded when its start ends, and Start after Close is an error.
func TestSchedulerLifecycle(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	p := cronDef(cronOpts{expr: "* * * * *"})
	p.ID, p.Version, p.TriggerApp, p.StartTaskInstID = "proc-1", 1, "cron-timer", "tick"
	p.UpdateAt = now.Add(-30 * time.Second).UnixMilli() // the 10:00 slot is due now
	store := &oneProcess{p: p, finished: make(chan string, 1)}
	starter := &blockedStarter{called: make(chan struct{}), release: make(chan struct{})}
	s := cron.New(store, starter, newFakeClock(now), cron.Options{}, slog.New(slog.DiscardHandler))
	if err := s.Close(context.Background()); err != nil {
		t.Fatalf("Close before Start: %v", err)
	}
	if err := s.Start(context.Background()); err == nil {
		t.Fatal("Start after Close succeeded")
	}

	s = cron.New(store, starter, newFakeClock(now), cron.Options{}, slog.New(slog.DiscardHandler))
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-starter.called
	expired, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.Close(expired)
	if err == nil || !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "cron scheduler: 1 instance start(s) unfinished") {
		t.Fatalf("Close past its deadline: %v", err)
	}
	close(starter.release)
	if status := <-store.finished; status != cron.SlotStarted {
		t.Fatalf("slot recorded %s, want %s", status, cron.SlotStarted)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}
