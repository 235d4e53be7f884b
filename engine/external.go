package engine

import (
	"context"
	"time"
)

// External job states.
const (
	ExternalOpen     = "open"     // waiting for a worker (or its lock expired)
	ExternalLocked   = "locked"   // fetched by a worker, lock not expired
	ExternalIncident = "incident" // retries ran out; an admin may retry it
	ExternalDone     = "done"     // completed, failed or errored by a worker; kept as history
)

// ExternalJob is one external task (DESIGN §10): the durable job an `external-task`
// node waits on while workers in any language fetch, lock and complete it.
type ExternalJob struct {
	ID             ID        `json:"id"`
	Topic          string    `json:"topic"`
	Priority       int64     `json:"priority"`
	State          string    `json:"state"`
	WorkerID       string    `json:"workerId"`      // the lock owner ("" when not locked)
	LockExpiresAt  time.Time `json:"lockExpiresAt"` // zero when not locked
	Retries        *int      `json:"retries"`       // nil until a worker first reports a failure (Camunda's null)
	ErrorMessage   string    `json:"errorMessage"`  // the last failure's
	ErrorDetails   string    `json:"errorDetails"`  // the last failure's (Camunda reads it on its own)
	InstanceID     ID        `json:"processInstanceId"`
	NodeID         ID        `json:"executionId"` // the node instance (runtime) that waits
	TaskID         string    `json:"activityId"`  // the task's instId
	ProcessID      string    `json:"processId"`
	ProcessVersion int       `json:"processVersion"`
	BusinessKey    string    `json:"businessKey"`
	TenantID       string    `json:"tenantId"`
	Suspended      bool      `json:"suspended"` // the instance is suspended
	CreatedAt      time.Time `json:"createdAt"`
	LockedAt       time.Time `json:"lockedAt"`
	EndedAt        time.Time `json:"endedAt"`
}

// FetchRequest is one fetch-and-lock call (Camunda's fetchAndLock, Flowable's
// acquire/jobs).
type FetchRequest struct {
	WorkerID    string
	MaxTasks    int  // at most this many jobs (1..MaxFetchTasks)
	UsePriority bool // higher priority first; else oldest first (both then by id)
	Topics      []FetchTopic
	// Wait is the long-polling time: with nothing to lock, the call waits up to this
	// long for a job of one of the topics to appear (0: answer at once).
	Wait time.Duration
}

// FetchTopic is one topic of a FetchRequest and what to send back with its jobs.
type FetchTopic struct {
	Topic        string
	LockDuration time.Duration // required, > 0
	// Variables names the variables to return (nil: all; empty: none).
	Variables []string
	// LocalVariables returns only the node's own variables (its input), not the
	// instance's.
	LocalVariables bool
	ProcessIDs     []string // only jobs of these processes (processDefinitionKey(In))
	BusinessKey    string   // only jobs of instances with this business key
	TenantIDs      []string // only jobs of these tenants
	WithoutTenant  bool     // only jobs of the default tenant
}

// LockedJob is a job a fetch locked, with the variables asked for.
type LockedJob struct {
	ExternalJob
	Variables []*Variable
}

// ExternalFilter selects jobs in a list (Camunda's GET /external-task, Flowable's
// jobs list).
type ExternalFilter struct {
	ID          ID
	Topic       string
	WorkerID    string
	Locked      *bool // lock held and not expired
	NotLocked   *bool
	WithRetries *bool // retries nil or > 0
	NoRetries   *bool // retries == 0 (incidents)
	InstanceID  ID
	ProcessID   string
	TaskID      string
	TenantIDs   []string
	States      []string // default: open, locked, incident (not done)
	Page
}

// Failure is a worker's report that it could not do a job.
type Failure struct {
	WorkerID     string
	ErrorMessage string
	ErrorDetails string
	Retries      int           // remaining retries as the worker counts them; 0 = incident
	RetryTimeout time.Duration // wait before the job may be fetched again
}

// A worker acting on a job it does not hold (another worker's, or one whose lock
// expired) gets an ErrConflict error coded CodeLockNotOwned; the protocol packages
// map it to their own statuses (Camunda 500 with its message, Flowable 403/409).

// ExternalTasks is the service of external jobs: `Runtime.ExternalTasks()`.
// Every method is safe for concurrent use. A job completed, failed or errored ends
// its lock; the node then goes on in the standard engine's usual way (one committed
// step), so a restart loses nothing.
type ExternalTasks struct {
	r *Runtime
}

// Fetch locks up to req.MaxTasks open jobs of the topics for req.WorkerID (expired
// locks count as open), long polling up to req.Wait. ErrInvalid for a bad request.
func (x *ExternalTasks) Fetch(ctx context.Context, req FetchRequest) ([]*LockedJob, error) {
	panic("not built yet")
}

// Complete ends a locked job: vars are written into the process variables (and
// local, the node's own, only into its output) and become the task's output; the
// flow goes on. ErrNotFound, or the lock errors when workerID does not hold it.
func (x *ExternalTasks) Complete(ctx context.Context, id ID, workerID string, vars, local []*Variable) error {
	panic("not built yet")
}

// Fail records a failure: with retries > 0 the job is unlocked and may be fetched
// again after RetryTimeout; at 0 it becomes an incident (the node fails and its
// errorHandler strategy applies).
func (x *ExternalTasks) Fail(ctx context.Context, id ID, f Failure) error {
	panic("not built yet")
}

// BPMNError ends a locked job with a business error: vars are written, and the flow
// follows errorHandler.routes for code, else the task fails with the error and its
// strategy applies.
func (x *ExternalTasks) BPMNError(ctx context.Context, id ID, workerID, code, message string, vars []*Variable) error {
	panic("not built yet")
}

// ExtendLock sets a held lock to expire d from now.
func (x *ExternalTasks) ExtendLock(ctx context.Context, id ID, workerID string, d time.Duration) error {
	panic("not built yet")
}

// Unlock frees a job whatever its lock (Camunda's unlock).
func (x *ExternalTasks) Unlock(ctx context.Context, id ID) error {
	panic("not built yet")
}

// SetRetries sets the retries of a job; on an incident with retries > 0 it opens the
// job again and the node waits again (an admin's retry).
func (x *ExternalTasks) SetRetries(ctx context.Context, id ID, retries int) error {
	panic("not built yet")
}

// Get returns one job (history included).
func (x *ExternalTasks) Get(ctx context.Context, id ID) (*ExternalJob, error) {
	panic("not built yet")
}

// List returns the jobs of the filter and their total.
func (x *ExternalTasks) List(ctx context.Context, f ExternalFilter) ([]*ExternalJob, int, error) {
	panic("not built yet")
}
