package db

import (
	"context"
	"errors"
	"time"

	"flowcraft/engine"
	"flowcraft/engine/cron"
	"flowcraft/identity"
)

// Store is a flowcraft database: everything the server keeps, behind the interfaces
// its users declare. Implementations are safe for concurrent use.
type Store interface {
	engine.DefinitionStore // definitions, their versions and webhook tokens
	engine.ProcessSource   // definitions as the engine runs them
	engine.RuntimeStore    // instances, runtimes, variables, jobs, idempotency keys
	engine.HumanTaskStore  // human tasks and the inbox
	engine.Directory       // users and group members, for candidates
	identity.Store         // users, groups, memberships, API tokens, sessions
	cron.SlotStore         // cron slots, claimed once across nodes

	// InstanceLinks, AddInstanceLink, RemoveInstanceLink: identity links added to instances.
	engine.InstanceLinkStore
	// QueryJobs, GetJob, DeleteJob, DueJobNow: the jobs by queue (job management).
	engine.JobAdminStore
	// HistoryPolicies, DeleteEndedBefore: the history cleanup.
	engine.RetentionStore

	// TaskHistory, VariableHistory, DeleteTaskHistory: the kept rows as history.
	engine.HistoryStore

	// CronSlots lists the claimed slots of a process, oldest first (diagnostics).
	CronSlots(ctx context.Context, processID string) ([]CronSlot, error)
	// Ping checks that the database answers to reads and writes.
	Ping(ctx context.Context) error
	// Backup writes a consistent copy of the database to path while the store keeps
	// serving. An existing path is refused (fs.ErrExist) unless opts.Overwrite.
	Backup(ctx context.Context, path string, opts BackupOptions) error
	// Close writes what was accepted (steps queued by CommitStepAsync included) and
	// releases the database. When ctx ends first, what is still unwritten is abandoned:
	// its callers get an error matching ErrClosed, and so does Close. Afterwards every
	// write fails with ErrClosed.
	Close(ctx context.Context) error
}

// ErrClosed reports a write refused or abandoned because the store is closing or closed.
var ErrClosed = errors.New("the store is closed")

// CronSlot is a claimed cron slot as stored.
type CronSlot struct {
	ProcessID  string
	SlotAt     time.Time
	InstanceID engine.ID // 0 while none was started
	Status     string    // claimed, or what FinishSlot recorded (cron.SlotStarted, ...)
	Error      string
	Owner      string // who claimed it, e.g. "node-1"
}

// BackupOptions tune Store.Backup.
type BackupOptions struct {
	Overwrite bool // replace an existing file at the destination
}
