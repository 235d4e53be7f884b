package engine

import "context"

// History is what the runtime store already keeps, ended or not — instances,
// runtimes, human tasks, variables — queried as history (DESIGN §8, seed 003's
// cmmn-history resources). Instances are queried with InstanceFilter (Finished,
// EndedAfter, EndedBefore); the human tasks and the variables of every instance with
// the filters below. A variable's history is its latest value per instance.

// TaskHistoryFilter selects human tasks, open or ended. Zero values select all.
type TaskHistoryFilter struct {
	ID              ID
	InstanceID      ID
	ProcessID       string // the definition's key
	Version         int    // with ProcessID: the definition version the instance runs
	TaskID          string // the task of the definition (taskDefinitionKey)
	Name            string
	NameLike        string // seed 003's like (see InstanceFilter.BusinessKeyLike)
	Description     string // the task's content
	DescriptionLike string
	// TenantID, TenantIDLike, WithoutTenantID: of the task's instance.
	TenantID, TenantIDLike string
	WithoutTenantID        bool
	Assignee               string
	AssigneeLike           string
	Owner                  string
	OwnerLike              string
	// InvolvedUser: the assignee, the owner, who completed it, or a candidate as written.
	InvolvedUser string
	Priority     *int
	// Finished: true only ended tasks (done, canceled), false only open ones.
	Finished *bool
	// InstanceFinished: true only tasks of ended instances, false of unfinished ones.
	InstanceFinished                *bool
	DueAt, DueAfter, DueBefore      int64 // unix ms; DueAt an exact match
	WithoutDueDate                  bool
	CompletedAfter, CompletedBefore int64
	CreatedAfter, CreatedBefore     int64
	// Executor keeps the tasks of instances this user started (a user's view).
	Executor string
	Page
}

// TaskRecord is a human task with what history answers of its instance.
type TaskRecord struct {
	*HumanTask
	Version        int    // the definition version its instance runs
	TenantID       string // its instance's tenant
	InstanceStatus string
	Executor       string // who started its instance
}

// VariableHistoryFilter selects the variables of instances, ended or not.
type VariableHistoryFilter struct {
	InstanceID ID
	Name       string
	NameLike   string // seed 003's like
	// Executor keeps the variables of instances this user started.
	Executor string
	// Variables are conditions on the variable itself (its name, type and value),
	// all of which must hold (seed 003's historic variable query).
	Variables []VarCondition
	Page
}

// VariableRecord is one instance's variable (its latest value).
type VariableRecord struct {
	InstanceID ID
	UpdateAt   int64
	*Variable
}

// HistoryStore queries the kept rows as history. The db package implements it.
type HistoryStore interface {
	TaskHistory(ctx context.Context, f TaskHistoryFilter) ([]*TaskRecord, int, error)
	VariableHistory(ctx context.Context, f VariableHistoryFilter) ([]*VariableRecord, int, error)
	// DeleteTaskHistory removes an ended human task's row (ErrNotFound when there is
	// none; ErrConflict while it is open).
	DeleteTaskHistory(ctx context.Context, id ID) error
}
