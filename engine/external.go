package engine

import (
	"time"
)

// External job states.
const (
	ExternalOpen     = "open"     // waiting for a worker (or its lock expired)
	ExternalLocked   = "locked"   // fetched by a worker, lock not expired
	ExternalIncident = "incident" // retries ran out; an admin may retry it
	ExternalDone     = "done"     // completed, failed or errored by a worker; kept as history
	ExternalCanceled = "canceled" // its runtime stopped waiting otherwise (canceled, timed out, the instance ended); kept as history
)

// Bounds of the external task API.
const (
	MaxFetchTasks      = 1000                 // jobs one fetch may lock
	MaxFetchTopics     = 100                  // topics of one fetch (and processes or tenants of one topic)
	MaxLockDuration    = 365 * 24 * time.Hour // a lock (and a retry timeout) at most a year
	MaxFetchWait       = 30 * time.Minute     // long polling at most 30 minutes (Camunda's bound)
	MaxWorkerIDLength  = 255
	MaxTopicLength     = 255
	MaxErrorCodeLength = 255
	// MaxErrorMessage and MaxErrorDetails bound what a failure records, in bytes:
	// longer texts are cut (at a rune boundary), not refused.
	MaxErrorMessage = 4000
	MaxErrorDetails = 64 << 10
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
	// ErrorCode is the BPMN error a worker reported ("" for none).
	ErrorCode string `json:"errorCode,omitempty"`
	// TaskRetries is the task's `retries` parameter: the retries a failure that does
	// not say how many remain counts down from (Failure.Decrement).
	TaskRetries int `json:"taskRetries"`
	// TaskVariables is the task's `variables` parameter as it was resolved when the job
	// was created (nil when the task does not set it): what the worker receives
	// beside the process variables.
	TaskVariables map[string]any `json:"-"`
	Rev           int64          `json:"-"`
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
	// IDs, InstanceIDs and TaskIDs keep the jobs whose id, instance or task is one of
	// them (nil or empty: any; a caller whose list is empty but given answers none
	// itself).
	IDs         []ID
	InstanceIDs []ID
	TaskIDs     []string
	NodeID      ID     // the waiting node instance (Camunda's and Flowable's executionId)
	Version     int    // the process version (0: any)
	TenantLike  string // tenant id LIKE, seed 003's convention: "%" the wildcard, without one a substring; ASCII case-insensitive ("": any)
	// LockExpiresAfter and LockExpiresBefore keep the jobs with a lock expiry (any
	// state) strictly after or before the time (nil: any).
	LockExpiresAfter  *time.Time
	LockExpiresBefore *time.Time
	Suspended         *bool   // the instance is (true) or is not (false) suspended
	PriorityMin       *int64  // priority >= this
	PriorityMax       *int64  // priority <= this
	WithError         bool    // only jobs with a failure's error message
	ErrorMessage      *string // the error message is exactly this
	Page
}

// Failure is a worker's report that it could not do a job.
type Failure struct {
	WorkerID     string
	ErrorMessage string
	ErrorDetails string
	Retries      int           // remaining retries as the worker counts them; 0 = incident
	RetryTimeout time.Duration // wait before the job may be fetched again
	// Decrement ignores Retries and counts one down from the job's retries (from the
	// task's `retries` parameter when no failure was reported yet): Flowable's fail
	// without a retries count.
	Decrement bool
}

// A worker acting on a job it does not hold gets an ErrConflict error coded
// CodeLockNotOwned (another worker's lock, or the job is not locked) or
// CodeLockExpired (its own lock ran out, and nobody took the job meanwhile); a job
// that ended (done, canceled) is ErrNotFound coded CodeExternalJobEnded, an unknown
// one ErrNotFound coded CodeUnknownExternalJob. The protocol packages map them to
// their own statuses (Camunda 500 with its message, Flowable 403/409).
