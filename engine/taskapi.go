package engine

import (
	"context"
	"errors"
	"slices"
	"strings"
)

// Task queries and changes beyond the inbox (issue 16, seed 003's tasks): every open
// human task by filters, field updates, candidate links, a claim on behalf of
// another user (admins), and task-local variables.

// TaskFilter selects open human tasks (seed 003's task query parameters). Empty
// fields do not filter. Likes are the store's (a substring, or a pattern with %).
type TaskFilter struct {
	ID                     ID
	Name, NameLike         string
	Description            string
	Priority               *int
	MinPriority            *int // priority >= (Flowable's minimumPriority)
	MaxPriority            *int // priority <=
	Assignee, AssigneeLike string
	Owner, OwnerLike       string
	Unassigned             bool
	Delegation             string // pending or resolved
	// CandidateUser: unassigned tasks the user may claim (directly or through one
	// of CandidateUserGroups).
	CandidateUser       string
	CandidateUserGroups []string
	CandidateGroups     []string // unassigned tasks one of these groups may claim
	InvolvedUser        string   // assignee, owner or candidate user
	TaskDefKey          string
	TaskDefKeyLike      string
	InstanceID          ID
	ProcessID           string
	Version             int // with ProcessID: that definition version
	CreatedOn           int64
	CreatedBefore       int64 // ms, exclusive
	CreatedAfter        int64
	DueOn               int64
	DueBefore           int64
	DueAfter            int64
	WithoutDueDate      bool
	Active              *bool // true: the instance is not suspended; false: it is
	TenantID            string
	TenantIDLike        string
	WithoutTenantID     bool
	// CandidateOrAssigned: assigned to the user, or unassigned with the user (or
	// one of CandidateOrAssignedGroups) a candidate.
	CandidateOrAssigned       string
	CandidateOrAssignedGroups []string
	Category                  string
	ExcludeSubTasks           bool
	// VisibleTo restricts to the tasks a non-admin may see: assignee, owner or
	// candidate (directly or through VisibleGroups). "" = no restriction.
	VisibleTo     string
	VisibleGroups []string
	Page
}

// TaskSorts are the sorts ListHumanTasks accepts.
var TaskSorts = []string{"id", "name", "priority", "assignee", "owner", "createTime", "dueDate", "tenantId", "caseInstanceId", "taskDefinitionKey"}

// TaskUpdate is a change of a task's fields (seed 003 PUT tasks/{id}): a nil field
// is left alone; a set one, "" or 0 included, is written ("" clears).
type TaskUpdate struct {
	Name, Description, Assignee, Owner, Category, FormKey, Delegation, TenantID *string
	DueAt                                                                       *int64 // 0 clears
	ParentTaskID                                                                *ID    // 0 clears
	Priority                                                                    *int
}

// mayWork reports whether a user may act on a task through the task API: its
// assignee, its owner, a candidate, or an admin.
func (t *HumanTask) mayWork(u *User) bool {
	return u != nil && (t.MayAct(u) || t.Owner == u.ID || t.isCandidate(u) || u.HasRole(RoleAdmin))
}

// ListTasks lists open tasks; users other than admins see only the tasks they may
// act on (assignee, owner, candidate).
func (a *Approvals) ListTasks(ctx context.Context, u *User, f TaskFilter) ([]*HumanTask, int, error) {
	if f.Sort != "" && !slices.Contains(TaskSorts, f.Sort) {
		return nil, 0, InvalidField("sort", CodeOneOf, Params{"allowed": strings.Join(TaskSorts, ", ")}, "sort must be one of %s", strings.Join(TaskSorts, ", "))
	}
	if !u.HasRole(RoleAdmin) {
		f.VisibleTo, f.VisibleGroups = u.ID, u.Groups
	}
	var err error
	if f.CandidateUser != "" {
		if f.CandidateUserGroups, err = a.groupsOf(ctx, u, f.CandidateUser); err != nil {
			return nil, 0, err
		}
	}
	if f.CandidateOrAssigned != "" {
		if f.CandidateOrAssignedGroups, err = a.groupsOf(ctx, u, f.CandidateOrAssigned); err != nil {
			return nil, 0, err
		}
	}
	return a.tasks.ListHumanTasks(ctx, f)
}

// groupsOf returns the groups of a user (none for an unknown one).
func (a *Approvals) groupsOf(ctx context.Context, u *User, id string) ([]string, error) {
	if id == u.ID {
		return u.Groups, nil
	}
	other, err := a.dir.GetUser(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return other.Groups, nil
}

// OpenTask returns an open task the user may act on through the task API
// (ErrNotFound for a closed one: it is history; ErrForbidden not_your_task).
func (a *Approvals) OpenTask(ctx context.Context, u *User, id ID) (*HumanTask, error) {
	t, err := a.tasks.GetHumanTask(ctx, id)
	if err != nil {
		return nil, err
	}
	if t.Status != TaskOpen {
		return nil, Coded(ErrNotFound, CodeTaskClosed, Params{"status": t.Status}, "task %s is already %s", id, t.Status)
	}
	if !t.mayWork(u) {
		return nil, Coded(ErrForbidden, CodeNotYourTask, nil, "task %s is not yours: you are neither its assignee, its owner nor a candidate", id)
	}
	return t, nil
}

// workTask applies fn to an open task the user may work on, with the rev check
// (ErrConflict when someone changed it meanwhile).
func (a *Approvals) workTask(ctx context.Context, u *User, id ID, fn func(t *HumanTask) error) (*HumanTask, error) {
	t, err := a.OpenTask(ctx, u, id)
	if err != nil {
		return nil, err
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

// UpdateTask changes a task's fields. An assignee or owner must be a known user; a
// delegation state is "", pending or resolved; a priority any integer (as Flowable);
// a parent task must exist and not be the task itself.
func (a *Approvals) UpdateTask(ctx context.Context, u *User, id ID, up TaskUpdate) (*HumanTask, error) {
	for _, p := range []struct {
		field string
		v     *string
	}{{"assignee", up.Assignee}, {"owner", up.Owner}} {
		if p.v != nil && *p.v != "" {
			if _, err := a.dir.GetUser(ctx, *p.v); err != nil {
				return nil, InvalidField(p.field, CodeUnknownUser, Params{"user": *p.v}, "unknown user %q", *p.v)
			}
		}
	}
	if up.Delegation != nil && *up.Delegation != "" && *up.Delegation != DelegationPending && *up.Delegation != DelegationResolved {
		return nil, InvalidField("delegationState", CodeOneOf, Params{"allowed": "pending, resolved"}, "delegationState must be pending or resolved, not %q", *up.Delegation)
	}
	if up.ParentTaskID != nil && *up.ParentTaskID != 0 {
		if *up.ParentTaskID == id {
			return nil, InvalidField("parentTaskId", CodeInvalid, nil, "a task cannot be its own parent")
		}
		if _, err := a.tasks.GetHumanTask(ctx, *up.ParentTaskID); err != nil {
			if errors.Is(err, ErrNotFound) {
				return nil, InvalidField("parentTaskId", CodeInvalid, nil, "no task %s to be the parent", *up.ParentTaskID)
			}
			return nil, err
		}
	}
	if up.Name != nil && len([]rune(*up.Name)) > 255 {
		return nil, InvalidField("name", CodeTooLong, Params{"max": 255}, "name is longer than 255 characters")
	}
	return a.workTask(ctx, u, id, func(t *HumanTask) error {
		set := func(dst *string, v *string) {
			if v != nil {
				*dst = *v
			}
		}
		before := t.Assignee
		set(&t.Name, up.Name)
		set(&t.Content, up.Description)
		set(&t.Assignee, up.Assignee)
		set(&t.Owner, up.Owner)
		set(&t.Category, up.Category)
		set(&t.FormKey, up.FormKey)
		set(&t.Delegation, up.Delegation)
		set(&t.TenantID, up.TenantID)
		if up.DueAt != nil {
			t.DueAt = *up.DueAt
		}
		if up.ParentTaskID != nil {
			t.ParentTaskID = *up.ParentTaskID
		}
		if up.Priority != nil {
			t.Priority = *up.Priority
		}
		now := nowMs(a.now)
		if t.Assignee != before {
			t.ClaimAt = 0
			if t.Assignee != "" {
				t.ClaimAt = now
			}
			t.History = append(t.History, TaskEvent{User: u.ID, Action: "assign", To: t.Assignee, At: now})
		}
		return nil
	})
}

// ClaimFor is Flowable's claim: assignee "" gives the task back to its candidates
// (unclaim); the caller's own id claims it; another user's id is an admin's
// assignment. A task claimed by someone else is ErrConflict already_claimed.
func (a *Approvals) ClaimFor(ctx context.Context, u *User, id ID, assignee string) (*HumanTask, error) {
	switch {
	case assignee == "":
		return a.Unclaim(ctx, u, id)
	case assignee == u.ID:
		return a.Claim(ctx, u, id)
	case !u.HasRole(RoleAdmin):
		return nil, Coded(ErrForbidden, CodeAdminOnly, nil, "only admins may claim a task for another user")
	}
	if _, err := a.dir.GetUser(ctx, assignee); err != nil {
		return nil, InvalidField("assignee", CodeUnknownUser, Params{"user": assignee}, "unknown user %q", assignee)
	}
	return a.workTask(ctx, u, id, func(t *HumanTask) error {
		if t.Assignee != "" && t.Assignee != assignee {
			return Coded(ErrConflict, CodeAlreadyClaimed, Params{"assignee": t.Assignee}, "task %s is claimed by %s", id, t.Assignee)
		}
		t.Assignee, t.ClaimAt = assignee, nowMs(a.now)
		t.History = append(t.History, TaskEvent{User: u.ID, Action: "claim", To: assignee, At: t.ClaimAt})
		return nil
	})
}

// AddCandidate adds a candidate user (group "") or group (user "") to an open task.
// ErrConflict when it is one already.
func (a *Approvals) AddCandidate(ctx context.Context, u *User, id ID, user, group string) (*HumanTask, error) {
	if (user == "") == (group == "") {
		return nil, InvalidField("userId", CodeRequired, nil, "a candidate is a user or a group: give one of userId and groupId")
	}
	if user != "" {
		if _, err := a.dir.GetUser(ctx, user); err != nil {
			return nil, InvalidField("userId", CodeUnknownUser, Params{"user": user}, "unknown user %q", user)
		}
	}
	return a.workTask(ctx, u, id, func(t *HumanTask) error {
		list, who := &t.CandidateUsers, user
		if group != "" {
			list, who = &t.CandidateGroups, group
		}
		if slices.Contains(*list, who) {
			return Errorf(ErrConflict, "%s is a candidate of task %s already", who, id)
		}
		*list = append(*list, who)
		t.CandidatesChanged = true
		return nil
	})
}

// RemoveCandidate removes a candidate user or group; ErrNotFound when not one.
func (a *Approvals) RemoveCandidate(ctx context.Context, u *User, id ID, user, group string) (*HumanTask, error) {
	return a.workTask(ctx, u, id, func(t *HumanTask) error {
		list, who := &t.CandidateUsers, user
		if group != "" {
			list, who = &t.CandidateGroups, group
		}
		i := slices.Index(*list, who)
		if who == "" || i < 0 {
			return Errorf(ErrNotFound, "%s is not a candidate of task %s", who, id)
		}
		*list = slices.Delete(*list, i, i+1)
		t.CandidatesChanged = true
		return nil
	})
}

// TaskVariables lists an open task's local variables, by name (binary ones without
// their content).
func (a *Approvals) TaskVariables(ctx context.Context, u *User, id ID) ([]*Variable, error) {
	t, err := a.OpenTask(ctx, u, id)
	if err != nil {
		return nil, err
	}
	out := make([]*Variable, 0, len(t.LocalVars))
	for _, v := range t.LocalVars {
		cp := *v
		cp.Data = nil
		out = append(out, &cp)
	}
	slices.SortFunc(out, func(a, b *Variable) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// TaskVariable returns one local variable, with a binary one's content
// (ErrNotFound unknown_variable when the task has none of that name).
func (a *Approvals) TaskVariable(ctx context.Context, u *User, id ID, name string) (*Variable, error) {
	t, err := a.OpenTask(ctx, u, id)
	if err != nil {
		return nil, err
	}
	for _, v := range t.LocalVars {
		if v.Name == name {
			return v, nil
		}
	}
	return nil, Coded(ErrNotFound, CodeUnknownVariable, Params{"name": name}, "task %s has no local variable %q", id, name)
}

// SetTaskVariables writes local variables: mode "create" refuses an existing name
// (ErrConflict), "update" an unknown one (ErrNotFound), "put" takes both. Each
// variable is checked as an instance variable (NewVariable; maxBinary bounds binary
// content).
func (a *Approvals) SetTaskVariables(ctx context.Context, u *User, id ID, vars []Variable, mode string, maxBinary int64) ([]*Variable, error) {
	checked := make([]*Variable, 0, len(vars))
	for _, v := range vars {
		nv, err := NewVariable(v, maxBinary)
		if err != nil {
			return nil, err
		}
		checked = append(checked, nv)
	}
	_, err := a.workTask(ctx, u, id, func(t *HumanTask) error {
		for _, v := range checked {
			i := slices.IndexFunc(t.LocalVars, func(x *Variable) bool { return x.Name == v.Name })
			switch {
			case i >= 0 && mode == "create":
				return Coded(ErrConflict, CodeVariableExists, Params{"name": v.Name}, "task %s has a local variable %q already; update it instead", id, v.Name)
			case i < 0 && mode == "update":
				return Coded(ErrNotFound, CodeUnknownVariable, Params{"name": v.Name}, "task %s has no local variable %q", id, v.Name)
			case i >= 0:
				t.LocalVars[i] = v
			default:
				t.LocalVars = append(t.LocalVars, v)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]*Variable, len(checked))
	for i, v := range checked {
		cp := *v
		cp.Data = nil
		out[i] = &cp
	}
	return out, nil
}

// DeleteTaskVariables deletes the named local variable (ErrNotFound when none), or
// every local variable when name is "".
func (a *Approvals) DeleteTaskVariables(ctx context.Context, u *User, id ID, name string) error {
	_, err := a.workTask(ctx, u, id, func(t *HumanTask) error {
		if name == "" {
			t.LocalVars = nil
			return nil
		}
		i := slices.IndexFunc(t.LocalVars, func(x *Variable) bool { return x.Name == name })
		if i < 0 {
			return Coded(ErrNotFound, CodeUnknownVariable, Params{"name": name}, "task %s has no local variable %q", id, name)
		}
		t.LocalVars = slices.Delete(t.LocalVars, i, i+1)
		return nil
	})
	return err
}

// CheckInput validates a completion's outcome and form against the task, as
// CompleteTask will (an empty outcome takes the first), without completing it.
func (t *HumanTask) CheckInput(in TaskInput) error {
	if in.Outcome == "" && len(t.Outcomes) > 0 {
		in.Outcome = t.Outcomes[0]
	}
	return checkTaskInput(t, in)
}
