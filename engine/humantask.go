package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"
)

// Human task statuses.
const (
	TaskOpen     = "open"
	TaskDone     = "done"
	TaskCanceled = "canceled"
)

// Delegation states (Flowable's): a delegated task goes back to its owner on resolve.
const (
	DelegationPending  = "pending"
	DelegationResolved = "resolved"
)

// HumanTask is a task for a person (a row of task_inst), created by an approval.
type HumanTask struct {
	ID              ID             `json:"id"`
	NodeID          ID             `json:"nodeId"`
	InstanceID      ID             `json:"processInstId"`
	ProcessID       string         `json:"processId"`
	ProcessName     string         `json:"processName"`
	TaskID          string         `json:"taskId"`
	Name            string         `json:"name"`
	Content         string         `json:"content"`
	Form            []FormField    `json:"form"`
	Outcomes        []string       `json:"outcomes"`
	Assignee        string         `json:"assignee"`
	Owner           string         `json:"owner"`      // who delegated it
	Delegation      string         `json:"delegation"` // "", pending, resolved
	CandidateUsers  []string       `json:"candidateUsers"`
	CandidateGroups []string       `json:"candidateGroups"`
	Status          string         `json:"status"`
	Priority        int            `json:"priority"`
	DueAt           int64          `json:"dueAt"`
	Outcome         string         `json:"outcome"`
	Comment         string         `json:"comment"`
	FormData        map[string]any `json:"formData"`
	CompletedBy     string         `json:"completedBy"`
	History         []TaskEvent    `json:"history"`
	Seq             int            `json:"seq"` // place in a sequential approval
	CreateAt        int64          `json:"createAt"`
	ClaimAt         int64          `json:"claimAt"`
	EndAt           int64          `json:"endAt"`
	Rev             int64          `json:"-"`

	// Issue 16 (seed 003's tasks): set through Approvals.UpdateTask.
	Category     string `json:"category"`
	FormKey      string `json:"formKey"`
	ParentTaskID ID     `json:"parentTaskId,omitempty"`
	TenantID     string `json:"tenantId"` // the instance's when created
	// LocalVars are the task-local variables (typed as instance variables), stored
	// with the task; binary ones keep their Data.
	LocalVars []*Variable `json:"-"`
	// CandidatesChanged tells the store to rewrite the candidate links of an open
	// task on update (identity links added or removed).
	CandidatesChanged bool `json:"-"`
}

// FormField is one field of a human task's form.
type FormField struct {
	Key      string `json:"key"`
	Label    any    `json:"label"` // a string or {"zh", "en"}
	Type     string `json:"type"`  // text, textarea, number, boolean, date, select
	Required bool   `json:"required"`
	Options  []any  `json:"options,omitempty"`
}

// TaskEvent is one thing that happened to a human task.
type TaskEvent struct {
	User    string `json:"user"`
	Action  string `json:"action"` // claim, unclaim, delegate, resolve, complete
	Outcome string `json:"outcome,omitempty"`
	Comment string `json:"comment,omitempty"`
	To      string `json:"to,omitempty"` // delegate: the delegate
	At      int64  `json:"at"`
}

// Decision is one person's decision on an approval, in the approval's output.
type Decision struct {
	User    string `json:"user"`
	Outcome string `json:"outcome"`
	Comment string `json:"comment"`
	At      int64  `json:"at"`
}

// InboxFilter selects human tasks for GET /api/taskInsts.
type InboxFilter struct {
	User      string   // tasks this user may act on (assignee or candidate) or completed
	Groups    []string // the user's groups
	Status    string   // open (default) or done
	ProcessID string
	// The done list's search (status done only): the task's instance's business key
	// (exact), conditions on its variables, the task's end time range (unix ms,
	// inclusive; 0 open) and its outcome.
	BusinessKey string
	Variables   []VarCondition
	EndedAfter  int64
	EndedBefore int64
	Outcome     string
	Page
}

// HumanTaskStore persists human tasks. The db package implements it.
type HumanTaskStore interface {
	GetHumanTask(ctx context.Context, id ID) (*HumanTask, error)
	HumanTasksOfNodes(ctx context.Context, nodes []ID) ([]*HumanTask, error)
	// UpdateHumanTask writes a task with a rev check (ErrConflict when stale).
	UpdateHumanTask(ctx context.Context, t *HumanTask) error
	Inbox(ctx context.Context, f InboxFilter) ([]*HumanTask, int, error)
	// ListHumanTasks lists open tasks by TaskFilter (seed 003's task queries).
	ListHumanTasks(ctx context.Context, f TaskFilter) ([]*HumanTask, int, error)
	// AdminTasks lists every open task for an admin (see AdminTaskFilter).
	AdminTasks(ctx context.Context, f AdminTaskFilter) ([]*HumanTask, int, error)
}

// Directory answers who belongs to which group, for candidates.
type Directory interface {
	GetUser(ctx context.Context, id string) (*User, error)
	ListMembers(ctx context.Context, groupID string) ([]*User, error)
}

// MayAct reports whether a user may act on a task: its assignee, its owner while a
// delegation is pending (who delegated it and waits for it back), or, while it is
// unassigned, a candidate directly or through a group. Rights follow the current
// state only: once the delegation is resolved the owner acts as the assignee, and
// after an unclaim not at all (unless a candidate).
func (t *HumanTask) MayAct(u *User) bool {
	if u == nil {
		return false
	}
	if t.Assignee == u.ID || (t.Owner == u.ID && t.Delegation == DelegationPending) {
		return true
	}
	return t.Assignee == "" && t.isCandidate(u)
}

// MaySee is MayAct plus admins and candidates of a claimed task.
func (t *HumanTask) MaySee(u *User) bool {
	return u != nil && (t.MayAct(u) || u.HasRole(RoleAdmin) || t.isCandidate(u) || t.CompletedBy == u.ID)
}

func (t *HumanTask) isCandidate(u *User) bool {
	if slices.Contains(t.CandidateUsers, u.ID) {
		return true
	}
	for _, g := range u.Groups {
		if slices.Contains(t.CandidateGroups, g) {
			return true
		}
	}
	return false
}

// TaskInput is what a person submits to complete a task. Its JSON is the seed's
// flat body ({"key1": "value1", ...}): the task's form field keys with their
// values, plus the reserved keys outcome and comment (form fields may not have
// those names: see ReservedFormKey). Without an outcome (the seed's example has
// none) the task's first outcome is taken, the one that passes.
type TaskInput struct {
	Outcome string
	Comment string
	Form    map[string]any // every other key of the body: the form field values
}

// Reserved keys of the submit body: a form field may not be named so.
const (
	KeyOutcome = "outcome"
	KeyComment = "comment"
)

// ReservedFormKey reports whether key cannot name a form field (it is a reserved
// key of the flat submit body).
func ReservedFormKey(key string) bool { return key == KeyOutcome || key == KeyComment }

// UnmarshalJSON reads the flat body. outcome and comment must be strings (or null).
func (in *TaskInput) UnmarshalJSON(b []byte) error {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*in = TaskInput{}
	for _, k := range []string{KeyOutcome, KeyComment} {
		v, ok := m[k]
		if !ok {
			continue
		}
		delete(m, k)
		if v == nil {
			continue
		}
		s, isString := v.(string)
		if !isString {
			return &json.UnmarshalTypeError{Value: jsonTypeOf(v), Type: reflect.TypeFor[string](), Field: k}
		}
		if k == KeyOutcome {
			in.Outcome = s
		} else {
			in.Comment = s
		}
	}
	if len(m) > 0 {
		in.Form = m
	}
	return nil
}

// MarshalJSON writes the flat body.
func (in TaskInput) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, len(in.Form)+2)
	maps.Copy(m, in.Form)
	m[KeyOutcome] = in.Outcome
	if in.Comment != "" {
		m[KeyComment] = in.Comment
	}
	return json.Marshal(m)
}

// jsonTypeOf names the JSON type of a decoded value.
func jsonTypeOf(v any) string {
	switch v.(type) {
	case bool:
		return "bool"
	case float64:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "value"
}

// Inbox lists the tasks a user may act on (status open) or has completed (done).
func (a *Approvals) Inbox(ctx context.Context, u *User, f InboxFilter) ([]*HumanTask, int, error) {
	if f.Status == "" {
		f.Status = TaskOpen
	}
	if f.Status != TaskOpen && f.Status != TaskDone {
		return nil, 0, InvalidField("status", CodeOneOf, Params{"allowed": "open, done"}, "status must be open or done")
	}
	if f.User == "" {
		f.User = u.ID
	}
	if f.User != u.ID && !u.HasRole(RoleAdmin) {
		return nil, 0, Coded(ErrForbidden, CodeAdminOnly, nil, "only admins may read another user's inbox")
	}
	if f.User == u.ID {
		f.Groups = u.Groups
	} else {
		other, err := a.dir.GetUser(ctx, f.User)
		if err != nil {
			return nil, 0, err
		}
		f.Groups = other.Groups
	}
	return a.tasks.Inbox(ctx, f)
}

// HumanTask returns a task the user may see.
func (a *Approvals) HumanTask(ctx context.Context, u *User, id ID) (*HumanTask, error) {
	t, err := a.tasks.GetHumanTask(ctx, id)
	if err != nil {
		return nil, err
	}
	if !t.MaySee(u) {
		return nil, Coded(ErrForbidden, CodeNotYourTask, nil, "task %s is not yours: you are neither its assignee nor a candidate", id)
	}
	return t, nil
}

// Claim makes the user the assignee of an unassigned task they are a candidate for.
func (a *Approvals) Claim(ctx context.Context, u *User, id ID) (*HumanTask, error) {
	return a.changeTask(ctx, u, id, func(t *HumanTask) error {
		switch {
		case t.Assignee == u.ID:
			return Coded(ErrConflict, CodeAlreadyYours, nil, "task %s is already yours", id)
		case t.Assignee != "":
			return Coded(ErrConflict, CodeAlreadyClaimed, Params{"assignee": t.Assignee}, "task %s is claimed by %s", id, t.Assignee)
		}
		t.Assignee, t.ClaimAt = u.ID, nowMs(a.now)
		t.History = append(t.History, TaskEvent{User: u.ID, Action: "claim", At: t.ClaimAt})
		return nil
	})
}

// Unclaim gives a claimed task back to its candidates.
func (a *Approvals) Unclaim(ctx context.Context, u *User, id ID) (*HumanTask, error) {
	return a.changeTask(ctx, u, id, func(t *HumanTask) error {
		if t.Assignee != u.ID && !u.HasRole(RoleAdmin) {
			return Coded(ErrConflict, CodeNotClaimedByYou, nil, "task %s is not claimed by you", id)
		}
		if len(t.CandidateUsers) == 0 && len(t.CandidateGroups) == 0 {
			return Coded(ErrConflict, CodeNoCandidates, nil, "task %s was assigned directly and has no candidates to go back to; delegate it instead", id)
		}
		if t.Delegation == DelegationPending {
			return Coded(ErrConflict, CodeTaskDelegated, Params{"owner": t.Owner}, "task %s is delegated; resolve it instead", id)
		}
		// Back to the candidates: a resolved delegation is over, and its owner keeps no
		// rights (the history keeps the record).
		t.Assignee, t.ClaimAt, t.Owner, t.Delegation = "", 0, "", ""
		t.History = append(t.History, TaskEvent{User: u.ID, Action: "unclaim", At: nowMs(a.now)})
		return nil
	})
}

// Delegate hands a task to another user, who works on it and resolves it back.
func (a *Approvals) Delegate(ctx context.Context, u *User, id ID, to, comment string) (*HumanTask, error) {
	if to == "" {
		return nil, InvalidField("assignee", CodeRequired, Params{"field": "assignee"}, "assignee is required: who should work on the task")
	}
	if _, err := a.dir.GetUser(ctx, to); err != nil {
		return nil, InvalidField("assignee", CodeUnknownUser, Params{"user": to}, "unknown user %q", to)
	}
	return a.changeTask(ctx, u, id, func(t *HumanTask) error {
		if t.Assignee != u.ID && !(t.Assignee == "" && t.isCandidate(u)) {
			return Coded(ErrConflict, CodeNotAssignee, nil, "only the assignee may delegate task %s", id)
		}
		if to == u.ID {
			return InvalidField("assignee", CodeSelfDelegation, nil, "you cannot delegate a task to yourself")
		}
		if t.Delegation != DelegationPending {
			t.Owner = u.ID
		}
		t.Assignee, t.Delegation, t.ClaimAt = to, DelegationPending, nowMs(a.now)
		t.History = append(t.History, TaskEvent{User: u.ID, Action: "delegate", To: to, Comment: comment, At: t.ClaimAt})
		return nil
	})
}

// Resolve ends a delegation: the task goes back to its owner with the delegate's comment.
func (a *Approvals) Resolve(ctx context.Context, u *User, id ID, comment string) (*HumanTask, error) {
	return a.changeTask(ctx, u, id, func(t *HumanTask) error {
		if t.Delegation != DelegationPending {
			return Coded(ErrConflict, CodeNotDelegated, nil, "task %s is not delegated", id)
		}
		if t.Assignee != u.ID {
			return Coded(ErrConflict, CodeNotDelegate, Params{"assignee": t.Assignee}, "only the delegate %s may resolve task %s", t.Assignee, id)
		}
		t.Assignee, t.Delegation = t.Owner, DelegationResolved
		t.History = append(t.History, TaskEvent{User: u.ID, Action: "resolve", Comment: comment, At: nowMs(a.now)})
		return nil
	})
}

// changeTask applies fn to an open task the user may act on, with optimistic locking.
func (a *Approvals) changeTask(ctx context.Context, u *User, id ID, fn func(t *HumanTask) error) (*HumanTask, error) {
	t, err := a.tasks.GetHumanTask(ctx, id)
	if err != nil {
		return nil, err
	}
	if !t.MayAct(u) && !(t.isCandidate(u)) && !u.HasRole(RoleAdmin) {
		return nil, Coded(ErrForbidden, CodeNotYourTask, nil, "task %s is not yours: you are neither its assignee nor a candidate", id)
	}
	if t.Status != TaskOpen {
		return nil, Coded(ErrConflict, CodeTaskClosed, Params{"status": t.Status}, "task %s is already %s", id, t.Status)
	}
	if err := fn(t); err != nil {
		return nil, err
	}
	if err := a.tasks.UpdateHumanTask(ctx, t); err != nil {
		return nil, err
	}
	a.publish(t)
	return t, nil
}

// CompleteTask records a person's decision. When the approval's rule is met the
// approval finishes and the flow goes on, in the same step.
func (a *Approvals) CompleteTask(ctx context.Context, u *User, id ID, in TaskInput) (*HumanTask, error) {
	t, err := a.tasks.GetHumanTask(ctx, id)
	if err != nil {
		return nil, err
	}
	if !t.MayAct(u) {
		if t.isCandidate(u) || t.CompletedBy == u.ID {
			if t.Status != TaskOpen {
				return nil, Coded(ErrConflict, CodeTaskClosed, Params{"status": t.Status}, "task %s is already %s", id, t.Status)
			}
			return nil, Coded(ErrConflict, CodeAlreadyClaimed, Params{"assignee": t.Assignee}, "task %s is claimed by %s", id, t.Assignee)
		}
		return nil, Coded(ErrForbidden, CodeNotYourTask, nil, "task %s is not yours: you are neither its assignee nor a candidate", id)
	}
	if in.Outcome == "" && len(t.Outcomes) > 0 {
		// The seed's submit body has form values only: it takes the first (passing) outcome.
		in.Outcome = t.Outcomes[0]
	}
	if err := checkTaskInput(t, in); err != nil {
		return nil, err
	}
	var out *HumanTask
	err = a.flow.act(ctx, t.InstanceID, func(ctx context.Context, st *instState) error {
		// Read again inside the actor: a concurrent submit may have won.
		cur, err := a.tasks.GetHumanTask(ctx, id)
		if err != nil {
			return err
		}
		if cur.Status != TaskOpen {
			return Coded(ErrConflict, CodeTaskClosed, Params{"status": cur.Status}, "task %s is already %s", id, cur.Status)
		}
		if !cur.MayAct(u) {
			return Coded(ErrConflict, CodeAlreadyClaimed, Params{"assignee": cur.Assignee}, "task %s is claimed by %s", id, cur.Assignee)
		}
		if cur.Delegation == DelegationPending && cur.Assignee == u.ID && cur.Owner != u.ID {
			return Coded(ErrConflict, CodeTaskDelegated, Params{"owner": cur.Owner}, "task %s was delegated to you: resolve it back to %s instead of completing it", id, cur.Owner)
		}
		var err2 error
		out, err2 = a.decide(ctx, st, cur, u, in)
		return err2
	})
	return out, err
}

// checkTaskInput validates an outcome and the form against the task.
func checkTaskInput(t *HumanTask, in TaskInput) error {
	var ps problems
	if in.Outcome == "" {
		ps.add("", "outcome", CodeRequired, Params{"field": "outcome"}, "outcome is required: one of %s", strings.Join(t.Outcomes, ", "))
	} else if !slices.Contains(t.Outcomes, in.Outcome) {
		ps.add("", "outcome", CodeOneOf, Params{"allowed": strings.Join(t.Outcomes, ", ")}, "outcome must be one of %s, not %q", strings.Join(t.Outcomes, ", "), in.Outcome)
	}
	if len([]rune(in.Comment)) > 4000 {
		ps.add("", "comment", CodeTooLong, Params{"max": 4000}, "comment is longer than 4000 characters")
	}
	for _, f := range t.Form {
		v, ok := in.Form[f.Key]
		empty := !ok || v == nil || v == ""
		if f.Required && empty {
			ps.add("", f.Key, CodeRequired, Params{"field": f.Key}, "%s is required", labelText(f.Label, f.Key))
			continue
		}
		if empty {
			continue
		}
		switch f.Type {
		case "number":
			if _, ok := v.(float64); !ok {
				ps.add("", f.Key, CodeWrongType, Params{"want": "number"}, "%s must be a number", labelText(f.Label, f.Key))
			}
		case "boolean":
			if _, ok := v.(bool); !ok {
				ps.add("", f.Key, CodeWrongType, Params{"want": "boolean"}, "%s must be true or false", labelText(f.Label, f.Key))
			}
		case "select":
			found := false
			for _, o := range f.Options {
				if optionValue(o) == fmt.Sprint(v) {
					found = true
				}
			}
			if !found {
				ps.add("", f.Key, CodeOneOf, Params{"allowed": formOptions(f.Options)}, "%s must be one of the options", labelText(f.Label, f.Key))
			}
		case "date":
			if s, ok := v.(string); !ok || !validDate(s) {
				ps.add("", f.Key, CodeBadTime, Params{"example": "2024-05-31"}, "%s must be a date (YYYY-MM-DD)", labelText(f.Label, f.Key))
			}
		default:
			if _, ok := v.(string); !ok {
				ps.add("", f.Key, CodeWrongType, Params{"want": "string"}, "%s must be text", labelText(f.Label, f.Key))
			}
		}
	}
	unknown := make([]string, 0, len(in.Form))
	for k := range in.Form {
		known := false
		for _, f := range t.Form {
			known = known || f.Key == k
		}
		if !known {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	for _, k := range unknown {
		ps.add("", k, CodeUnknownField, Params{"field": k}, "the task's form has no field %q: the body takes the form's field keys, outcome and comment", k)
	}
	if len(ps) > 0 {
		return &ValidationError{Problems: ps}
	}
	return nil
}

func validDate(s string) bool {
	_, err := time.Parse("2006-01-02", s)
	if err != nil {
		_, err = time.Parse(time.RFC3339, s)
	}
	return err == nil
}

func labelText(l any, key string) string {
	switch x := l.(type) {
	case string:
		if x != "" {
			return x
		}
	case map[string]any:
		if en, ok := x["en"].(string); ok && en != "" {
			return en
		}
		if zh, ok := x["zh"].(string); ok && zh != "" {
			return zh
		}
	}
	return key
}

// formOptions lists the values of a select field's options, comma-separated.
func formOptions(opts []any) string {
	vals := make([]string, len(opts))
	for i, o := range opts {
		vals[i] = optionValue(o)
	}
	return strings.Join(vals, ", ")
}

func optionValue(o any) string {
	if m, ok := o.(map[string]any); ok {
		return fmt.Sprint(m["value"])
	}
	return fmt.Sprint(o)
}

// Approvals returns the runtime's approval service.
func (r *Runtime) Approvals() *Approvals { return r.approvals }
