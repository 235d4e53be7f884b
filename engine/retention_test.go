package engine_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"flowcraft/engine"
)

// fakeRetentionStore holds, per definition, the end times of its ended instances.
type fakeRetentionStore struct {
	mu       sync.Mutex
	policies []engine.HistoryPolicy
	ended    map[string][]int64
	cutoffs  []int64
	onBatch  func()
}

func (s *fakeRetentionStore) HistoryPolicies(context.Context) ([]engine.HistoryPolicy, error) {
	return s.policies, nil
}

func (s *fakeRetentionStore) DeleteEndedBefore(_ context.Context, id string, cutoff int64, limit int) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cutoffs = append(s.cutoffs, cutoff)
	var keep []int64
	n := 0
	for _, at := range s.ended[id] {
		if at < cutoff && n < limit {
			n++
			continue
		}
		keep = append(keep, at)
	}
	s.ended[id] = keep
	if s.onBatch != nil {
		s.onBatch()
	}
	return n, nil
}

func (s *fakeRetentionStore) left(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ended[id])
}

// TestRetentionCleanup: each definition's instances older than its time-to-live are
// deleted in batches; newer ones stay; the report counts them by definition.
func TestRetentionCleanup(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	day := int64(24 * time.Hour / time.Millisecond)
	at := func(daysAgo int) int64 { return now.UnixMilli() - int64(daysAgo)*day }
	s := &fakeRetentionStore{policies: []engine.HistoryPolicy{{ProcessID: "proc-a", Days: 7}, {ProcessID: "proc-b", Days: 30}},
		ended: map[string][]int64{
			"proc-a": {at(8), at(9), at(10), at(11), at(12), at(13), at(14), at(6)},
			"proc-b": {at(31), at(29)},
		}}
	r := engine.NewRetention(s, engine.RetentionOptions{Batch: 3, Interval: -1}, func() time.Time { return now }, nil)
	rep, err := r.Cleanup(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Deleted != 8 || rep.Processes["proc-a"] != 7 || rep.Processes["proc-b"] != 1 || rep.Batches != 4 {
		t.Errorf("report %+v", rep)
	}
	if s.left("proc-a") != 1 || s.left("proc-b") != 1 {
		t.Errorf("left: %v", s.ended)
	}
	if s.cutoffs[0] != at(7) {
		t.Errorf("cutoff %d, want %d", s.cutoffs[0], at(7))
	}
	// Nothing left to delete: an empty report.
	if rep, err := r.Cleanup(context.Background()); err != nil || rep.Deleted != 0 || rep.Batches != 0 {
		t.Errorf("second cleanup: %+v %v", rep, err)
	}
}

// TestRetentionStopsBetweenBatches: a cleanup whose context ends stops before the
// next batch and reports what it removed.
func TestRetentionStopsBetweenBatches(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s := &fakeRetentionStore{policies: []engine.HistoryPolicy{{ProcessID: "proc-a", Days: 1}},
		ended: map[string][]int64{"proc-a": {1, 2, 3, 4, 5, 6}}, onBatch: cancel}
	r := engine.NewRetention(s, engine.RetentionOptions{Batch: 2, Interval: -1, Pause: time.Hour}, nil, nil)
	rep, err := r.Cleanup(ctx)
	if !errors.Is(err, context.Canceled) || rep.Deleted != 2 || s.left("proc-a") != 4 {
		t.Errorf("cleanup: %+v %v", rep, err)
	}
}

// TestRetentionBackground: started, the cleanup runs every Interval; Close stops it
// and a later Start is refused.
func TestRetentionBackground(t *testing.T) {
	s := &fakeRetentionStore{policies: []engine.HistoryPolicy{{ProcessID: "proc-a", Days: 1}},
		ended: map[string][]int64{"proc-a": {1, 2, 3}}}
	r := engine.NewRetention(s, engine.RetentionOptions{Interval: 5 * time.Millisecond}, nil, nil)
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for s.left("proc-a") != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the background cleanup did not run")
		}
		time.Sleep(5 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background()); err == nil {
		t.Error("Start after Close succeeded")
	}
}
