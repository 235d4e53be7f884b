package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// Engine names a process's execution engine.
const (
	EngineStandard = "standard"
	EngineFast     = "fast"
)

// Process is a process definition: the `tasks` JSON stored in table `workflow`.
// Fields marked read-only are set by the server; values sent by a client are ignored.
type Process struct {
	ID               string          `json:"id"` // read-only: proc- + 8 chars
	Name             string          `json:"name"`
	Description      string          `json:"description"`
	StartTaskInstID  string          `json:"startTaskInstId"` // read-only: the trigger task
	EndTaskInstID    string          `json:"endTaskInstId"`   // read-only: the first end task
	Engine           string          `json:"engine"`          // standard (default) | fast
	Status           string          `json:"status"`          // read-only
	Enabled          bool            `json:"enabled"`
	Creator          string          `json:"creator"` // read-only: the user who created it
	Executor         string          `json:"executor"`
	Timeout          int64           `json:"timeout"` // ms, 0 = none
	InputDataSchema  json.RawMessage `json:"inputDataSchema"`
	OutputDataSchema json.RawMessage `json:"outputDataSchema"`
	Error            string          `json:"error"` // read-only
	Extension        json.RawMessage `json:"extension"`
	Metadata         json.RawMessage `json:"metadata"`
	// TenantID is seed 003's tenantId: set when the definition is created, kept by
	// every later version; "" is the default tenant.
	TenantID string `json:"tenantId"`
	// Category is seed 003's case definition category; each version keeps its own
	// (SetCategory changes one without making a new version).
	Category     string  `json:"category"`
	Version      int     `json:"version"`      // must match on PUT; read-only otherwise
	TriggerApp   string  `json:"triggerApp"`   // read-only: the trigger task's template
	TriggerToken string  `json:"triggerToken"` // read-only: webhook token
	Tasks        []*Task `json:"tasks"`
	CreateAt     int64   `json:"createAt"` // read-only: unix ms
	UpdateAt     int64   `json:"updateAt"` // read-only: unix ms

	// HistoryTTLDays is the history time-to-live: ended instances older than this many
	// days are deleted by the history cleanup (Retention); 0 keeps them for ever. BPMN
	// camunda:historyTimeToLive maps to it.
	HistoryTTLDays int `json:"historyTimeToLive"`

	// PayloadAsVariables makes each field of a start's payload (a JSON object) a
	// process variable, as Camunda and Flowable start variables are; the variables a
	// start names itself win. So do the form values of an approval when it is
	// decided, as completing a Camunda or Flowable user task sets them. BPMN imports
	// set it (DESIGN §9).
	PayloadAsVariables bool `json:"payloadAsVariables"`
}

// Task is one node of a process.
type Task struct {
	InstID       string                `json:"instId"`
	Name         string                `json:"name"`
	Description  string                `json:"description"`
	Template     string                `json:"template"`
	Positions    []float64             `json:"positions"`
	Connections  []Connection          `json:"connections"`
	Parameters   map[string]*Parameter `json:"parameters"`
	ErrorHandler ErrorHandler          `json:"errorHandler"`
	LoopHandler  LoopHandler           `json:"loopHandler"`
	Timeout      int64                 `json:"timeout"` // ms, 0 = none
	IsIgnore     bool                  `json:"isIgnore"`
}

// Connection is an outgoing edge of a task.
type Connection struct {
	To        string `json:"to"`
	Condition string `json:"condition,omitempty"`
	Label     string `json:"label,omitempty"`
	Default   bool   `json:"default,omitempty"`
}

// Parameter is one parameter value of a task. Only Value is needed from a client; the
// other fields are filled from the template's schema when left out.
type Parameter struct {
	Label    string `json:"label"`
	Type     string `json:"type"`
	Value    any    `json:"value"`
	Default  any    `json:"default"`
	Required bool   `json:"required"`
}

// Error strategies of an ErrorHandler.
const (
	StrategyFail   = "fail"
	StrategyIgnore = "ignore"
	StrategyGoto   = "goto"
)

// ErrorHandler says what happens when a task fails.
type ErrorHandler struct {
	Retry    int     `json:"retry,omitempty"`    // extra attempts
	Interval int64   `json:"interval,omitempty"` // ms before the first retry
	Backoff  float64 `json:"backoff,omitempty"`  // multiplier per retry (0 or 1 = constant)
	Strategy string  `json:"strategy,omitempty"` // fail (default) | ignore | goto
	Target   string  `json:"target,omitempty"`   // task id for goto
	// Routes send a coded error (a BPMN error from an external worker, a boundary
	// error event of an imported model) to its own task, before the strategy applies.
	Routes []ErrorRoute `json:"routes,omitempty"`
}

// ErrorRoute sends errors with one code to a task.
type ErrorRoute struct {
	ErrorCode string `json:"errorCode"` // "" matches any coded error
	Target    string `json:"target"`    // task id
}

// Route returns the target of the first route matching code ("" when none does).
func (eh ErrorHandler) Route(code string) string {
	for _, r := range eh.Routes {
		if r.ErrorCode == code {
			return r.Target
		}
	}
	for _, r := range eh.Routes {
		if r.ErrorCode == "" {
			return r.Target
		}
	}
	return ""
}

// Loop modes of a LoopHandler.
const (
	LoopForEach = "forEach"
	LoopWhile   = "while"
)

// LoopHandler makes a task run once per item (forEach) or while a condition holds.
type LoopHandler struct {
	Mode           string `json:"mode,omitempty"`           // forEach | while; empty = no loop
	Items          string `json:"items,omitempty"`          // forEach: {{ expr }} yielding an array
	Parallel       bool   `json:"parallel,omitempty"`       // forEach: run iterations concurrently
	MaxConcurrency int    `json:"maxConcurrency,omitempty"` // forEach parallel bound (0 = default)
	Condition      string `json:"condition,omitempty"`      // while: checked before each iteration
	Max            int    `json:"max,omitempty"`            // while: iteration cap
}

// Task returns the task with the given id, or nil.
func (p *Process) Task(id string) *Task {
	for _, t := range p.Tasks {
		if t.InstID == id {
			return t
		}
	}
	return nil
}

// ProcessFilter selects definitions in a list.
type ProcessFilter struct {
	Name     string // exact
	NameLike string // substring of the name, case-insensitive
	Search   string // substring of the name, id or description, case-insensitive
	Enabled  *bool
	Creator  string
	TenantID string // exact; "" any tenant
	Category string // exact; "" any category
	// StartableBy keeps only the processes this user may start by hand: those without
	// candidate starters and those listing the user or one of the user's groups; and,
	// unless the user is a designer or an admin, not those started by a webhook
	// (mayStartByHand). Enabled or not: add Enabled for that.
	StartableBy *User
	// IDs keeps only these processes (nil: any; empty: none).
	IDs []string
	Page
}

// Starter is a candidate starter of a process (seed 003's identity link of type
// candidate on a case definition): one user or one group, never both.
type Starter struct {
	UserID  string `json:"userId,omitempty"`
	GroupID string `json:"groupId,omitempty"`
}

// VersionFilter selects definition versions (seed 003's case definitions): the
// current version of each process and its earlier versions.
type VersionFilter struct {
	Key               string // the process id, exact
	KeyLike           string // the process id, seed 003 like (% wildcard, else a substring)
	Name              string
	NameLike          string
	Version           int // 0: any
	Category          string
	CategoryLike      string
	CategoryNotEquals string
	TenantID          string
	TenantIDLike      string // seed 003 like ("", the default tenant, is a value as any)
	WithoutTenantID   bool   // only the default tenant ("")
	Latest            bool   // only the current version of each process
	Enabled           *bool  // the process's enabled flag as of the version
	// ProcessEnabled is the process's current enabled flag, shared by all its
	// versions (seed 003's suspended: a disabled process's versions are suspended).
	ProcessEnabled *bool
	StartableBy    *User // as in ProcessFilter (candidate starters are per process, not per version)
	Page                 // sorts: name (default), id (key then version), key, category, version, createAt, updateAt, tenantId
}

// Page is paging and sorting of a list.
type Page struct {
	Limit  int
	Offset int
	Sort   string // a field name allowed by the list
	Desc   bool
}

// ProcessVersion is an earlier version of a definition, kept when it is replaced.
type ProcessVersion struct {
	Version    int      `json:"version"`
	CreateAt   int64    `json:"createAt"` // when this version was replaced, unix ms
	ReplacedBy string   `json:"replacedBy"`
	Definition *Process `json:"definition"`
}

// nowMillis is the clock of definitions, in unix milliseconds.
func nowMillis(now func() time.Time) int64 { return now().UnixMilli() }

// UnmarshalJSON decodes a definition strictly (unknown fields are an error, at every
// level) and makes a missing "enabled" mean true: a new process is enabled unless the
// client says otherwise.
func (p *Process) UnmarshalJSON(b []byte) error {
	type plain Process
	aux := struct {
		*plain
		Enabled *bool `json:"enabled"`
	}{plain: (*plain)(p)}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&aux); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			te.Field = strings.TrimPrefix(te.Field, "plain.") // the alias is an implementation detail
		}
		return err
	}
	p.Enabled = aux.Enabled == nil || *aux.Enabled
	return nil
}
