package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// JobStore is what the job executor needs from storage: leases and retries.
type JobStore interface {
	// ClaimJobs leases up to limit due jobs to owner until leaseUntil.
	ClaimJobs(ctx context.Context, owner string, now, leaseUntil int64, limit int) ([]*Job, error)
	// ReleaseJobs frees the leases held by owner (a restart of the same node).
	ReleaseJobs(ctx context.Context, owner string) error
	// RetryJobLater puts a claimed job back with a new due time after a failure; after
	// its MaxAttempts it becomes dead.
	RetryJobLater(ctx context.Context, id ID, owner string, dueAt int64, errMsg string) error
}

// JobExecutorOptions tune the job executor.
type JobExecutorOptions struct {
	Poll  time.Duration // how often to look for due jobs; default 200ms
	Lease time.Duration // how long a claimed job is leased; default 30s
	Owner string        // lock owner name of this process; default "jobs"
	Batch int           // jobs claimed at once; default 64
}

// JobExecutorDeps are the collaborators of a JobExecutor.
type JobExecutorDeps struct {
	Store JobStore
	// Handle receives each claimed job that has attempts left; it must not block (the
	// Runtime queues it on the actor of the job's instance). A job it cannot run is
	// given back with Retry; otherwise running it deletes it.
	Handle  func(j *Job)
	Now     func() time.Time // default time.Now
	Log     *slog.Logger
	Metrics *Metrics // JobsClaimed is counted here when set
}

// JobExecutor claims due jobs (timers, retries, timeouts, continuations) with a
// lease, so that another flowcraft process on the same database never runs the same
// job, and hands each to its handler. A job whose attempts are used up is retried
// later by the store's rule (dead after MaxAttempts).
//
// Lifecycle: NewJobExecutor starts nothing; Start frees the leases this owner held
// before a restart and starts claiming, in Start's context; Close stops claiming and
// waits for the batch being handed over.
type JobExecutor struct {
	store   JobStore
	handle  func(*Job)
	now     func() time.Time
	log     *slog.Logger
	metrics *Metrics
	opts    JobExecutorOptions
	wake    chan struct{}

	mu      sync.Mutex
	started bool
	closed  bool
	ctx     context.Context // the run context, from Start
	cancel  context.CancelCauseFunc
	done    chan struct{} // closed when the claiming goroutine has stopped
	// pending counts the jobs claimed in the current batch and not yet handed over.
	pending atomic.Int64
}

// NewJobExecutor returns a job executor; call Start to run it.
func NewJobExecutor(d JobExecutorDeps, opts JobExecutorOptions) *JobExecutor {
	if opts.Poll <= 0 {
		opts.Poll = 200 * time.Millisecond
	}
	if opts.Lease <= 0 {
		opts.Lease = 30 * time.Second
	}
	if opts.Owner == "" {
		opts.Owner = "jobs"
	}
	if opts.Batch <= 0 {
		opts.Batch = 64
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &JobExecutor{store: d.Store, handle: d.Handle, now: d.Now, log: d.Log.With("subsystem", "jobs"), metrics: d.Metrics,
		opts: opts, wake: make(chan struct{}, 1), done: make(chan struct{})}
}

// errJobsClosed is Start's answer after Close.
var errJobsClosed = errors.New("job executor: closed")

// Start frees the leases this owner held (a crash would otherwise block its jobs
// until they expire) and starts claiming due jobs, in ctx: when ctx ends, claiming
// stops as with Close. A second Start does nothing; a Start after Close is an error.
func (x *JobExecutor) Start(ctx context.Context) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		return errJobsClosed
	}
	if x.started {
		return nil
	}
	if err := x.store.ReleaseJobs(ctx, x.opts.Owner); err != nil {
		return fmt.Errorf("job executor: release job leases: %w", err)
	}
	x.started = true
	x.ctx, x.cancel = context.WithCancelCause(ctx)
	go x.run(x.ctx)
	return nil
}

// Close stops claiming jobs and waits, until ctx ends, for the batch being handed
// over. If ctx ends first it returns an error naming how many claimed jobs were not
// handed over (they stay leased until their lease expires, or until this owner
// restarts); the error matches ctx's. Close before Start only prevents a Start.
func (x *JobExecutor) Close(ctx context.Context) error {
	x.mu.Lock()
	x.closed = true
	started, cancel := x.started, x.cancel
	x.mu.Unlock()
	if !started {
		return nil
	}
	cancel(errStopping)
	select {
	case <-x.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("job executor: %d claimed job(s) not handed over: %w", x.pending.Load(), context.Cause(ctx))
	}
}

// Wake makes the executor look for due jobs now.
func (x *JobExecutor) Wake() {
	select {
	case x.wake <- struct{}{}:
	default:
	}
}

// run claims due jobs until ctx ends.
func (x *JobExecutor) run(ctx context.Context) {
	defer close(x.done)
	tick := time.NewTicker(x.opts.Poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-x.wake:
		}
		for ctx.Err() == nil {
			now := x.now()
			jobs, err := x.store.ClaimJobs(ctx, x.opts.Owner, now.UnixMilli(), now.Add(x.opts.Lease).UnixMilli(), x.opts.Batch)
			if err != nil {
				if ctx.Err() == nil {
					x.log.Error("claiming jobs", "err", err)
				}
				break
			}
			if x.metrics != nil {
				x.metrics.JobsClaimed.Add(int64(len(jobs)))
			}
			x.pending.Store(int64(len(jobs)))
			for _, j := range jobs {
				if ctx.Err() != nil {
					break // the rest stay leased until their lease expires
				}
				x.dispatch(j)
				x.pending.Add(-1)
			}
			if len(jobs) < x.opts.Batch {
				break
			}
		}
	}
}

func (x *JobExecutor) dispatch(j *Job) {
	if j.Attempts > j.MaxAttempts {
		x.Retry(j, fmt.Errorf("gave up after %d attempts", j.Attempts-1))
		return
	}
	x.handle(j)
}

// Retry puts a claimed job back for later (backing off exponentially), or lets the
// store mark it dead after too many attempts. It writes in Start's context: once the
// executor stopped, the job stays leased until its lease expires instead.
func (x *JobExecutor) Retry(j *Job, err error) {
	x.mu.Lock()
	ctx := x.ctx
	x.mu.Unlock()
	if ctx == nil {
		return // never started: nothing was claimed
	}
	backoff := time.Duration(1<<min(j.Attempts, 10)) * time.Second
	if e := x.store.RetryJobLater(ctx, j.ID, x.opts.Owner, x.now().Add(backoff).UnixMilli(), err.Error()); e != nil && ctx.Err() == nil {
		x.log.Error("rescheduling job", "job", j.ID, "err", e)
	}
}

// dispatch hands a claimed job to the actor of its instance.
func (r *Runtime) dispatch(j *Job) {
	r.submit(j.InstanceID, &command{
		run: func(ctx context.Context, st *instState) error { return r.runJob(ctx, st, j) },
		dropped: func(err error) {
			if errors.Is(err, ErrNotFound) {
				r.jobs.Retry(j, err) // its instance is gone
			}
			// Otherwise the lease expires and the job is claimed again.
		},
	}, nil)
}

// runJob applies a due job to its instance; the job is deleted in the same step.
func (r *Runtime) runJob(ctx context.Context, st *instState, j *Job) error {
	s := st.newStep()
	s.done = append(s.done, j.ID)
	n := st.node(j.NodeID)
	var t *ctask
	if n != nil {
		t = st.def.tasks[n.TaskID]
	}
	waiting := n != nil && t != nil && n.Status == StatusWaiting && !Ended(st.inst.Status)
	switch j.Kind {
	case JobTimer:
		if waiting {
			return r.complete(ctx, s, t, n, StatusDone, n.Incoming)
		}
	case JobRetry:
		if waiting {
			n.Status = StatusPending
			s.touch(n)
		}
	case JobTaskTimeout:
		if waiting {
			return r.fail(ctx, s, t, n, nil, fmt.Errorf("%w after %d ms", errTaskTimeout, t.Timeout))
		}
	case JobProcessTimeout:
		if !Ended(st.inst.Status) {
			if err := r.commit(ctx, s); err != nil {
				return err
			}
			return r.end(ctx, st, StatusTimeout, nil, fmt.Sprintf("the process timed out after %d ms", st.def.p.Timeout))
		}
	case JobContinue:
		// Nothing but waking the instance: drive runs after this command.
	}
	return r.commit(ctx, s)
}
