package engine

import (
	"context"
	"log/slog"
	"time"
)

// Job queues: the job table seen as Flowable's four job kinds (DESIGN §8). A job is in
// exactly one of them.
const (
	// JobQueueExecutable: pending, due, of an instance that is not suspended.
	JobQueueExecutable = "executable"
	// JobQueueTimer: pending, not due yet (a timer, a timeout, a retry's back-off).
	JobQueueTimer = "timer"
	// JobQueueSuspended: pending, of a suspended instance.
	JobQueueSuspended = "suspended"
	// JobQueueDead: out of attempts (Flowable's dead letter jobs).
	JobQueueDead = "dead"
)

// The codes of job management's errors.
const (
	CodeJobNotFound Code = "job_not_found" // no job [id] (in that queue)
	CodeJobLocked   Code = "job_locked"    // job [id] is being run now
)

// JobQueues lists the queues in the order the admin page shows them.
var JobQueues = []string{JobQueueExecutable, JobQueueTimer, JobQueueSuspended, JobQueueDead}

// JobFilter selects jobs (the management APIs' filters). Zero values do not filter.
type JobFilter struct {
	Queue      string // one of JobQueues
	Status     string // pending | dead (the row's own status)
	ID         ID
	InstanceID ID
	NodeID     ID
	ProcessID  string // the instance's definition
	Version    int    // with ProcessID: that version only
	TaskID     string // the job's task (Flowable's elementId)
	// TimersOnly keeps timers and timeouts, MessagesOnly retries and continuations.
	TimersOnly, MessagesOnly bool
	WithException            bool   // the job failed at least once (an error is recorded)
	ExceptionMessage         string // exactly this error
	DueBefore, DueAfter      int64  // unix ms, exclusive
	Locked, Unlocked         bool   // leased (lock expiry after Now) or not
	Now                      int64  // unix ms: what "due" and "locked" are measured against
	Page                     Page   // sorts: id, dueAt, createAt, retries, instanceId
}

// JobAdminStore is what JobAdmin needs from storage.
type JobAdminStore interface {
	// QueryJobs lists the jobs f selects, each with its Queue, ProcessID and Version.
	QueryJobs(ctx context.Context, f JobFilter) ([]*Job, int, error)
	// GetJob reads one job like QueryJobs (ErrNotFound when there is none).
	GetJob(ctx context.Context, id ID, now int64) (*Job, error)
	// DeleteJob deletes a job (ErrNotFound when there is none).
	DeleteJob(ctx context.Context, id ID) error
	// DueJobNow makes a pending job that is not leased due at now (ErrNotFound when
	// there is no pending job id; ErrConflict while it is leased).
	DueJobNow(ctx context.Context, id ID, now int64) error
	// ReviveJob makes a dead job pending and due now (ErrConflict when it is not dead).
	ReviveJob(ctx context.Context, id ID, now int64) error
}

// JobAdmin is the management of jobs shared by the native API, the admin page and
// Flowable's management API: list and read them by queue, run one now, move a dead
// one back, delete one.
type JobAdmin struct {
	store JobAdminStore
	wake  func()
	now   func() time.Time
	log   *slog.Logger
}

// NewJobAdmin returns the job management over store; wake (may be nil) makes the job
// executor look for due jobs at once (Runtime.WakeJobs).
func NewJobAdmin(store JobAdminStore, wake func(), now func() time.Time, log *slog.Logger) *JobAdmin {
	if now == nil {
		now = time.Now
	}
	if wake == nil {
		wake = func() {}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &JobAdmin{store: store, wake: wake, now: now, log: log.With("subsystem", "jobadmin")}
}

// List lists jobs; f.Now defaults to the current time.
func (a *JobAdmin) List(ctx context.Context, f JobFilter) ([]*Job, int, error) {
	if f.Queue != "" && !isJobQueue(f.Queue) {
		return nil, 0, InvalidField("queue", CodeOneOf, Params{"allowed": "executable, timer, suspended, dead"},
			"unknown job queue %q: use executable, timer, suspended or dead", f.Queue)
	}
	if f.Status != "" && f.Status != "pending" && f.Status != "dead" {
		return nil, 0, InvalidField("status", CodeOneOf, Params{"allowed": "pending, dead"}, "status must be pending or dead")
	}
	if f.TimersOnly && f.MessagesOnly {
		return nil, 0, Errorf(ErrInvalid, "timersOnly and messagesOnly cannot be used together")
	}
	if f.Now == 0 {
		f.Now = a.now().UnixMilli()
	}
	return a.store.QueryJobs(ctx, f)
}

// Get reads one job with its queue.
func (a *JobAdmin) Get(ctx context.Context, id ID) (*Job, error) {
	return a.store.GetJob(ctx, id, a.now().UnixMilli())
}

// Execute makes a pending job due now and wakes the job executor, which runs it as
// any due job (asynchronously: the answer does not wait for it). A dead job is
// moved back first (Move).
func (a *JobAdmin) Execute(ctx context.Context, id ID) error {
	j, err := a.Get(ctx, id)
	if err != nil {
		return err
	}
	now := a.now().UnixMilli()
	if j.Queue == JobQueueDead {
		err = a.store.ReviveJob(ctx, id, now)
	} else {
		err = a.store.DueJobNow(ctx, id, now)
	}
	if err != nil {
		return err
	}
	a.log.Info("job executed by hand", "job", id, "queue", j.Queue)
	a.wake()
	return nil
}

// Move moves a dead job back to the executable jobs (attempts reset, due now).
func (a *JobAdmin) Move(ctx context.Context, id ID) error {
	if err := a.store.ReviveJob(ctx, id, a.now().UnixMilli()); err != nil {
		return err
	}
	a.wake()
	return nil
}

// Delete deletes a job. Its instance no longer gets what the job would have done (a
// waiting timer stays waiting), as in Flowable.
func (a *JobAdmin) Delete(ctx context.Context, id ID) error {
	if err := a.store.DeleteJob(ctx, id); err != nil {
		return err
	}
	a.log.Info("job deleted by hand", "job", id)
	return nil
}

func isJobQueue(q string) bool {
	for _, k := range JobQueues {
		if k == q {
			return true
		}
	}
	return false
}

// WakeJobs makes the job executor look for due jobs now (JobAdmin's wake).
func (r *Runtime) WakeJobs() { r.jobs.Wake() }
