package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// MaxHistoryTTLDays bounds a definition's history time-to-live (100 years).
const MaxHistoryTTLDays = 36500

// checkHistoryTTL checks a definition's historyTimeToLive (days; 0 = for ever).
func checkHistoryTTL(days int) error {
	if days < 0 || days > MaxHistoryTTLDays {
		return InvalidField("historyTimeToLive", CodeOutOfRange, Params{"min": 0, "max": MaxHistoryTTLDays},
			"historyTimeToLive must be between 0 (keep for ever) and %d days, not %d", MaxHistoryTTLDays, days)
	}
	return nil
}

// HistoryPolicy is a definition whose ended instances expire.
type HistoryPolicy struct {
	ProcessID string
	Days      int
}

// RetentionStore is what the history cleanup needs from storage.
type RetentionStore interface {
	// HistoryPolicies lists the definitions with a history time-to-live.
	HistoryPolicies(ctx context.Context) ([]HistoryPolicy, error)
	// DeleteEndedBefore deletes up to limit instances of a definition that ended
	// before cutoff (unix ms), with everything they own, in one short write
	// transaction, and returns how many it deleted.
	DeleteEndedBefore(ctx context.Context, processID string, cutoff int64, limit int) (int, error)
}

// RetentionOptions tune the history cleanup.
type RetentionOptions struct {
	// Interval between background cleanups; default 1h; negative: never in the
	// background (Cleanup still runs on demand).
	Interval time.Duration
	// Batch is how many instances one transaction deletes; default 32 (a few ms of
	// the writer: a step that queues behind a batch waits that long).
	Batch int
	// Pause between two batches, so that the single writer serves the steps queued
	// meanwhile first: at least this (default 2ms) and at least as long as the batch
	// took, so that the cleanup never holds the writer more than half the time.
	Pause time.Duration
}

// CleanupReport is what one cleanup removed.
type CleanupReport struct {
	Deleted   int            `json:"deleted"`   // ended instances deleted
	Processes map[string]int `json:"processes"` // of which, by definition
	Batches   int            `json:"batches"`   // write transactions
	StartAt   int64          `json:"startAt"`   // unix ms
	EndAt     int64          `json:"endAt"`     // unix ms
}

// Retention deletes ended instances past their definition's history time-to-live, a
// small batch per write transaction with a pause between batches, so that the
// single SQLite writer keeps serving the running instances' steps.
//
// Lifecycle as the other services': NewRetention starts nothing; Start runs a
// cleanup every Interval in Start's context; Close stops it and waits, until its
// ctx ends, for a cleanup in progress to stop (between two batches).
type Retention struct {
	store RetentionStore
	opts  RetentionOptions
	now   func() time.Time
	log   *slog.Logger

	run sync.Mutex // one cleanup at a time

	mu      sync.Mutex
	started bool
	closed  bool
	cancel  context.CancelCauseFunc
	done    chan struct{}
}

// NewRetention returns the history cleanup; call Start to run it in the background.
func NewRetention(store RetentionStore, opts RetentionOptions, now func() time.Time, log *slog.Logger) *Retention {
	if opts.Interval == 0 {
		opts.Interval = time.Hour
	}
	if opts.Batch <= 0 {
		opts.Batch = 32
	}
	if opts.Pause <= 0 {
		opts.Pause = 2 * time.Millisecond
	}
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Retention{store: store, opts: opts, now: now, log: log.With("subsystem", "retention"), done: make(chan struct{})}
}

var errRetentionClosed = errors.New("history cleanup: closed")

// Start runs a cleanup every Interval (none with a negative Interval) until ctx ends
// or Close. A second Start does nothing; a Start after Close is an error.
func (r *Retention) Start(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return errRetentionClosed
	}
	if r.started {
		return nil
	}
	r.started = true
	ctx, r.cancel = context.WithCancelCause(ctx)
	go r.loop(ctx)
	return nil
}

// Close stops the background cleanup and waits, until ctx ends, for a batch in
// progress.
func (r *Retention) Close(ctx context.Context) error {
	r.mu.Lock()
	r.closed = true
	started, cancel := r.started, r.cancel
	r.mu.Unlock()
	if !started {
		return nil
	}
	cancel(errStopping)
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("history cleanup: still deleting: %w", context.Cause(ctx))
	}
}

func (r *Retention) loop(ctx context.Context) {
	defer close(r.done)
	if r.opts.Interval < 0 {
		<-ctx.Done()
		return
	}
	t := time.NewTicker(r.opts.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if rep, err := r.Cleanup(ctx); err != nil {
			if ctx.Err() == nil {
				r.log.Error("history cleanup", "err", err)
			}
		} else if rep.Deleted > 0 {
			r.log.Info("history cleanup", "deleted", rep.Deleted, "batches", rep.Batches)
		}
	}
}

// Cleanup deletes now every ended instance past its definition's time-to-live and
// reports what it removed. One cleanup runs at a time: a second call waits for the
// first. When ctx ends it stops between two batches and reports what it removed,
// with ctx's error.
func (r *Retention) Cleanup(ctx context.Context) (*CleanupReport, error) {
	r.run.Lock()
	defer r.run.Unlock()
	rep := &CleanupReport{Processes: map[string]int{}, StartAt: r.now().UnixMilli()}
	defer func() { rep.EndAt = r.now().UnixMilli() }()
	policies, err := r.store.HistoryPolicies(ctx)
	if err != nil {
		return rep, err
	}
	for _, p := range policies {
		cutoff := r.now().Add(-time.Duration(p.Days) * 24 * time.Hour).UnixMilli()
		for {
			t0 := time.Now()
			n, err := r.store.DeleteEndedBefore(ctx, p.ProcessID, cutoff, r.opts.Batch)
			took := time.Since(t0)
			if err != nil {
				return rep, err
			}
			if n > 0 {
				rep.Batches++
				rep.Deleted += n
				rep.Processes[p.ProcessID] += n
			}
			if n < r.opts.Batch {
				break
			}
			select {
			case <-ctx.Done():
				return rep, context.Cause(ctx)
			case <-time.After(max(r.opts.Pause, took)):
			}
		}
	}
	return rep, nil
}
