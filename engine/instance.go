package engine

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"flowcraft/scripting"
)

// Statuses of process instances and node runtimes (DESIGN §4).
const (
	StatusPending   = "pending"
	StatusRunning   = "running"
	StatusWaiting   = "waiting"
	StatusDone      = "done"
	StatusFailed    = "failed"
	StatusCanceled  = "canceled"
	StatusTimeout   = "timeout"
	StatusSuspended = "suspended"
	StatusSkipped   = "skipped" // node only: isIgnore
)

// Ended reports whether an instance or node status is final.
func Ended(status string) bool {
	switch status {
	case StatusDone, StatusFailed, StatusCanceled, StatusTimeout, StatusSkipped:
		return true
	}
	return false
}

// ID is a snowflake id, written as a decimal string in JSON.
type ID int64

// MarshalJSON writes the id as a string: JavaScript cannot hold 64-bit integers.
func (id ID) MarshalJSON() ([]byte, error) {
	if id == 0 {
		return []byte(`""`), nil
	}
	return []byte(`"` + strconv.FormatInt(int64(id), 10) + `"`), nil
}

// UnmarshalJSON accepts a decimal string or a number.
func (id *ID) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var n int64
		if err := json.Unmarshal(b, &n); err != nil {
			return err
		}
		*id = ID(n)
		return nil
	}
	if s == "" {
		*id = 0
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	*id = ID(n)
	return err
}

// String is the decimal form.
func (id ID) String() string { return strconv.FormatInt(int64(id), 10) }

// ParseID parses the decimal form of an id; ErrNotFound when it is not one.
func ParseID(s string) (ID, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, Coded(ErrNotFound, CodeUnknownInstance, Params{"id": s}, "%q is not an instance id", s)
	}
	return ID(n), nil
}

// Instance is a process instance: a row of workflow_inst.
type Instance struct {
	ID           ID     `json:"id"`
	ParentID     ID     `json:"parentId"`
	ParentNodeID ID     `json:"parentNodeId"`
	ProcessID    string `json:"processId"`
	Version      int    `json:"version"` // the definition version it runs
	Name         string `json:"name"`
	Engine       string `json:"engine"`
	Status       string `json:"status"`
	Executor     string `json:"executor"`    // who started it
	BusinessKey  string `json:"businessKey"` // seed 003's businessKey, "" for none
	TenantID     string `json:"tenantId"`    // seed 003's tenantId, "" the default tenant
	TriggerApp   string `json:"triggerApp"`
	Trigger      any    `json:"trigger"`
	Output       any    `json:"output"` // workflow_output
	Error        string `json:"error"`
	// ErrorCode is the business error code that failed the instance: a task's coded
	// error (a worker's BPMN error, a script's thrown errorCode) that no route took. A
	// subprocess task whose child failed so fails with the same code, which its own
	// routes may take (a BPMN call activity's boundary error event).
	ErrorCode string `json:"errorCode,omitempty"`
	StartAt   int64  `json:"startAt"` // unix ms
	EndAt     int64  `json:"endAt"`
	Cost      int64  `json:"cost"` // ms
	CreateAt  int64  `json:"createAt"`
	UpdateAt  int64  `json:"updateAt"`
	Rev       int64  `json:"-"`

	// Reply is what the end task asked a synchronous webhook to answer with.
	Reply *Reply `json:"-"`
}

// Reply is the HTTP answer an end task sets for webhooks that wait for the output.
type Reply struct {
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers"`
}

// NodeRun is one runtime of a task: a row of node_inst. A task that runs several times
// (loop iterations, retries, cycles) has several.
type NodeRun struct {
	ID         ID     `json:"id"`
	InstanceID ID     `json:"-"`
	TaskID     string `json:"taskId"`
	Name       string `json:"name"`
	Template   string `json:"template"`
	Index      int    `json:"index"`   // loop iteration
	Attempt    int    `json:"attempt"` // retry number, 0 = first try
	Status     string `json:"status"`
	// Input is the task's parameters as the runtime used them ({{ }} resolved; the
	// seed's runtime "input", node_inst.task), values of secret parameters hidden
	// (Redacted). Nil until the runtime runs, and for a skipped task.
	Input map[string]any `json:"input"`
	// InputIsDefinition says Input is the definition's own parameters, nothing
	// resolved (a task without {{ }}, a trigger, a gateway): the store keeps
	// node_inst.task NULL for it and Describe gives Input back from the definition,
	// so a fast instance does not write its script code once per runtime.
	InputIsDefinition bool `json:"-"`
	// Incoming is the data that led to the runtime: the previous task's output, the
	// trigger data for the trigger task, for a join an object keyed by task id.
	Incoming any                  `json:"incoming"`
	Output   any                  `json:"output"`
	Error    string               `json:"error"`
	Logs     []scripting.LogEntry `json:"logs"`
	// HumanTasks are the tasks of an approval runtime (in instance views only).
	HumanTasks []*HumanTask `json:"humanTasks,omitempty"`
	StartAt    int64        `json:"startAt"`
	EndAt      int64        `json:"endAt"`
	Cost       int64        `json:"cost"`
	CreateAt   int64        `json:"createAt"`
	UpdateAt   int64        `json:"-"`
	Rev        int64        `json:"-"`
	// Detail is engine bookkeeping kept with the row (join arrivals, retry state).
	Detail *NodeDetail `json:"-"`
}

// NodeDetail is bookkeeping of a runtime that is not part of its public shape.
type NodeDetail struct {
	Arrived  []string `json:"arrived,omitempty"`  // join: source tasks that arrived
	Exec     int      `json:"exec,omitempty"`     // which execution of the task this row belongs to
	LoopSize int      `json:"loopSize,omitempty"` // loop: number of iterations
	// Approval is the state of an approval runtime.
	Approval *ApprovalState `json:"approval,omitempty"`
}

// Job kinds run by the job executor.
const (
	JobTimer          = "timer"           // a delay node is due
	JobRetry          = "retry"           // a failed task's next attempt is due
	JobTaskTimeout    = "task-timeout"    // a waiting task ran out of time
	JobProcessTimeout = "process-timeout" // the instance ran out of time
	JobContinue       = "continue"        // resume an instance (after a restart or a signal)
)

// Job is a row of the job table: work due at a time, claimed with a lease.
type Job struct {
	ID          ID     `json:"id"`
	Kind        string `json:"kind"`
	InstanceID  ID     `json:"instanceId"`
	NodeID      ID     `json:"nodeId"`
	TaskID      string `json:"taskId"`
	Status      string `json:"status"` // pending | dead
	DueAt       int64  `json:"dueAt"`
	Attempts    int    `json:"attempts"`
	MaxAttempts int    `json:"maxAttempts"`
	LockOwner   string `json:"lockOwner"`
	LockExpiry  int64  `json:"lockExpiry"`
	Error       string `json:"error"`
	CreateAt    int64  `json:"createAt"`
	// Queue, ProcessID and Version are read with the job by the management queries
	// (JobAdminStore), not stored.
	Queue     string `json:"queue,omitempty"`
	ProcessID string `json:"processId,omitempty"`
	Version   int    `json:"version,omitempty"`
}

// Step is everything one execution step writes, committed atomically.
type Step struct {
	Instance    *Instance // written with a rev check (inserted when New)
	New         bool
	Nodes       []*NodeRun           // inserted when Rev == 0, else updated with a rev check
	Vars        map[string]*Variable // variables set in this step (a binary one with its Data)
	DeletedVars []string
	Jobs        []*Job   // inserted
	DoneJobs    []ID     // deleted
	DropJobs    bool     // delete every job of the instance (it ended)
	Idempotency *IdemKey // recorded with a new instance
	// HumanTasks are inserted (Rev 0) or updated with a rev check. When an approval
	// runtime stops waiting, the store cancels its tasks that are still open.
	HumanTasks []*HumanTask
	// ExternalJobs are inserted (Rev 0) or updated with a rev check, before the
	// runtimes. When an external-task runtime stops waiting, the store cancels its
	// jobs that have not ended.
	ExternalJobs []*ExternalJob
}

// IdemKey records an Idempotency-Key of a start.
type IdemKey struct {
	Scope string
	Key   string
}

// Resumable is an unfinished instance found at start. Crashes counts the starts after
// which the instance ran a step that never committed: each is a process that ended
// (crashed) in the middle of that step. See Runtime.Start.
type Resumable struct {
	ID      ID
	Crashes int
}

// InstanceFilter selects instances in a list.
type InstanceFilter struct {
	ProcessID     string
	Status        string
	Executor      string
	StartedAfter  int64
	StartedBefore int64
	ParentID      ID
	BusinessKey   string // exact
	// BusinessKeyLike is seed 003's like: with a %, a pattern with % as the wildcard;
	// without, a substring (case-insensitive for ASCII letters).
	BusinessKeyLike string
	TenantID        string // exact; "" any tenant (see WithoutTenantID)
	TenantIDLike    string // like BusinessKeyLike
	WithoutTenantID bool   // only the default tenant ("")
	// InvolvedUser keeps the instances a user is involved in (seed 003's involvedUser):
	// started, was linked to (InstanceLink), or is assigned or completed a human task of.
	InvolvedUser string
	// Unfinished keeps the instances that have not ended (pending, running, waiting,
	// suspended): seed 003's runtime resources.
	Unfinished bool
	// Finished keeps the instances that have ended (done, failed, canceled, timeout):
	// seed 003's history, finished=true. EndedAfter/EndedBefore bound the end (unix
	// ms, after inclusive, before exclusive) and imply it.
	Finished                bool
	EndedAfter, EndedBefore int64
	ID                      ID  // only this instance
	Version                 int // only instances of this definition version (with ProcessID)
	// Variables are conditions on process variables, all of which must hold (seed
	// 003's query bodies; see VarCondition).
	Variables []VarCondition
	Page
}

// RuntimeStore persists instances, runtimes, variables and jobs. The db package implements it.
type RuntimeStore interface {
	// CommitStep writes a step atomically; ErrConflict when a rev check fails.
	CommitStep(ctx context.Context, s *Step) error
	// CommitStepAsync queues a step and returns at once (blocking only while the queue
	// is full); then learns the outcome. Queued steps are written on a clean close.
	CommitStepAsync(ctx context.Context, s *Step, then func(error)) error
	// LoadInstance returns an instance, all its runtimes (in creation order) and its
	// variables by name (binary ones without their Data).
	LoadInstance(ctx context.Context, id ID) (*Instance, []*NodeRun, map[string]*Variable, error)
	// Variables returns an instance's variables by name (binary ones without their
	// Data); ErrNotFound for an unknown instance.
	Variables(ctx context.Context, id ID) (map[string]*Variable, error)
	// VariableData returns a binary variable's content; ErrNotFound when the instance
	// has no such variable.
	VariableData(ctx context.Context, id ID, name string) ([]byte, error)
	GetInstance(ctx context.Context, id ID) (*Instance, error)
	ListInstances(ctx context.Context, f InstanceFilter) ([]*Instance, int, error)
	// InstancesToResume lists instances a restart must continue (running, or waiting on
	// something that has no job), each with its crash count.
	InstancesToResume(ctx context.Context) ([]Resumable, error)
	// MarkResumed adds one, durably, to the crash count of an instance about to run its
	// first step after a restart. Every step commit sets the count back to 0.
	MarkResumed(ctx context.Context, id ID) error
	// ChildInstance finds the instance started by a subprocess node.
	ChildInstance(ctx context.Context, parentNode ID) (*Instance, error)
	DeleteInstance(ctx context.Context, id ID) error
	// IdempotentInstance returns the instance recorded for a key younger than since.
	IdempotentInstance(ctx context.Context, k IdemKey, since int64) (ID, bool, error)

	// ClaimJobs leases up to limit due jobs to owner until leaseUntil.
	ClaimJobs(ctx context.Context, owner string, now, leaseUntil int64, limit int) ([]*Job, error)
	// ReleaseJobs frees the leases held by owner (a restart of the same node).
	ReleaseJobs(ctx context.Context, owner string) error
	// RetryJobLater puts a claimed job back with a new due time after a failure; after
	// its MaxAttempts it becomes dead.
	RetryJobLater(ctx context.Context, id ID, owner string, dueAt int64, errMsg string) error
	ListJobs(ctx context.Context, status string, page Page) ([]*Job, int, error)
	// ReviveJob makes a dead job pending and due now.
	ReviveJob(ctx context.Context, id ID, now int64) error
}

func nowMs(now func() time.Time) int64 { return now().UnixMilli() }
