package flowable

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// Tasks (seed 003 "任务") are the human tasks of approvals (DESIGN §8): the id is the
// task's, taskDefinitionKey the approval node's id, caseInstanceId its instance,
// caseDefinitionId the version the instance runs, description the task's content.
// The runtime resources find open tasks only: a completed or canceled one is history.
//
// Who: as the native API, only a task's assignee, its owner, a candidate (directly or
// through a group) or an admin reads or acts on it; a list shows a user the tasks
// they may act on, an admin every open task. A claim for another user is an admin's.
//
// Variables: scope local are the task's own (stored with it), scope global its
// instance's. Completing with variables writes those that are not fields of the
// task's form to the instance first; form fields (and transient variables) are the
// form's values. DELETE answers 403: every task belongs to a case instance.

// HumanTasks is the approval service as tasks use it (engine.Approvals).
type HumanTasks interface {
	CompleteTask(ctx context.Context, u *engine.User, id engine.ID, in engine.TaskInput) (*engine.HumanTask, error)
	ListTasks(ctx context.Context, u *engine.User, f engine.TaskFilter) ([]*engine.HumanTask, int, error)
	OpenTask(ctx context.Context, u *engine.User, id engine.ID) (*engine.HumanTask, error)
	UpdateTask(ctx context.Context, u *engine.User, id engine.ID, up engine.TaskUpdate) (*engine.HumanTask, error)
	ClaimFor(ctx context.Context, u *engine.User, id engine.ID, assignee string) (*engine.HumanTask, error)
	Delegate(ctx context.Context, u *engine.User, id engine.ID, to, comment string) (*engine.HumanTask, error)
	Resolve(ctx context.Context, u *engine.User, id engine.ID, comment string) (*engine.HumanTask, error)
	AddCandidate(ctx context.Context, u *engine.User, id engine.ID, user, group string) (*engine.HumanTask, error)
	RemoveCandidate(ctx context.Context, u *engine.User, id engine.ID, user, group string) (*engine.HumanTask, error)
	TaskVariables(ctx context.Context, u *engine.User, id engine.ID) ([]*engine.Variable, error)
	TaskVariable(ctx context.Context, u *engine.User, id engine.ID, name string) (*engine.Variable, error)
	SetTaskVariables(ctx context.Context, u *engine.User, id engine.ID, vars []engine.Variable, mode string, maxBinary int64) ([]*engine.Variable, error)
	DeleteTaskVariables(ctx context.Context, u *engine.User, id engine.ID, name string) error
}

// restTask is seed 003's task.
type restTask struct {
	ID                string         `json:"id"`
	URL               string         `json:"url"`
	Owner             *string        `json:"owner"`
	Assignee          *string        `json:"assignee"`
	DelegationState   *string        `json:"delegationState"`
	Name              string         `json:"name"`
	Description       *string        `json:"description"`
	CreateTime        any            `json:"createTime"`
	DueDate           any            `json:"dueDate"`
	Priority          int            `json:"priority"`
	Suspended         bool           `json:"suspended"`
	ClaimTime         any            `json:"claimTime"`
	TaskDefinitionKey string         `json:"taskDefinitionKey"`
	TenantID          string         `json:"tenantId"`
	Category          *string        `json:"category"`
	FormKey           *string        `json:"formKey"`
	ParentTaskID      *string        `json:"parentTaskId"`
	ParentTaskURL     *string        `json:"parentTaskUrl"`
	CaseInstanceID    string         `json:"caseInstanceId"`
	CaseInstanceURL   string         `json:"caseInstanceUrl"`
	CaseDefinitionID  string         `json:"caseDefinitionId"`
	CaseDefinitionURL string         `json:"caseDefinitionUrl"`
	Variables         []restVariable `json:"variables"`
}

// taskURL is the URL of a task.
func taskURL(c *fiber.Ctx, id string) string { return baseURL(c) + "/cmmn-runtime/tasks/" + id }

// instances remembers the instances of a request's tasks.
type instances map[engine.ID]*engine.Instance

func (a *API) instanceOf(ctx context.Context, seen instances, id engine.ID) *engine.Instance {
	if in, ok := seen[id]; ok {
		return in
	}
	list, _, err := a.deps.Runtime.ListInstances(ctx, engine.InstanceFilter{ID: id, Page: engine.Page{Limit: 1}})
	var in *engine.Instance
	if err == nil && len(list) == 1 {
		in = list[0]
	}
	seen[id] = in
	return in
}

// taskOf builds the answer for a task; vars adds its local variables.
func (a *API) taskOf(c *fiber.Ctx, t *engine.HumanTask, seen instances, vars bool) restTask {
	id := t.ID.String()
	inst := t.InstanceID.String()
	out := restTask{ID: id, URL: taskURL(c, id), Owner: strPtr(t.Owner), Assignee: strPtr(t.Assignee),
		DelegationState: strPtr(t.Delegation), Name: t.Name, Description: strPtr(t.Content),
		CreateTime: isoTime(t.CreateAt, a.cfg.Location), DueDate: isoTime(t.DueAt, a.cfg.Location), Priority: t.Priority,
		ClaimTime: isoTime(t.ClaimAt, a.cfg.Location), TaskDefinitionKey: t.TaskID, TenantID: t.TenantID,
		Category: strPtr(t.Category), FormKey: strPtr(t.FormKey), CaseInstanceID: inst, CaseInstanceURL: caseURL(c, inst),
		Variables: []restVariable{}}
	if t.ParentTaskID != 0 {
		p := t.ParentTaskID.String()
		out.ParentTaskID, out.ParentTaskURL = &p, strPtr(taskURL(c, p))
	}
	if in := a.instanceOf(c.UserContext(), seen, t.InstanceID); in != nil {
		out.CaseDefinitionID = definitionID(in.ProcessID, in.Version)
		out.Suspended = in.Status == engine.StatusSuspended
	} else {
		out.CaseDefinitionID = definitionID(t.ProcessID, 0)
	}
	out.CaseDefinitionURL = baseURL(c) + "/cmmn-repository/case-definitions/" + out.CaseDefinitionID
	if vars {
		for _, v := range t.LocalVars {
			out.Variables = append(out.Variables, restVariableOf(v, taskDataURL(c, id, v.Name), a.cfg.Location))
		}
	}
	return out
}

// taskParam resolves :taskId to an open task the caller may work on: 404 for an
// unknown or closed one (Flowable's message), 403 for another's.
func (a *API) taskParam(c *fiber.Ctx) (*engine.HumanTask, error) {
	id := param(c, "taskId")
	n, err := engine.ParseID(id)
	if err == nil {
		var t *engine.HumanTask
		t, err = a.deps.Tasks.OpenTask(c.UserContext(), caller(c), n)
		if err == nil {
			return t, nil
		}
	}
	if err == nil || errors.Is(err, engine.ErrNotFound) || errors.Is(err, engine.ErrInvalid) {
		return nil, notFound("Could not find a task with id '%s'.", id)
	}
	return nil, err
}

// taskID is a task's id for the engine's calls (taskParam resolved it first).
func taskID(t *engine.HumanTask) engine.ID { return t.ID }

// getTask handles GET cmmn-runtime/tasks/{taskId}.
func (a *API) getTask(c *fiber.Ctx) error {
	t, err := a.taskParam(c)
	if err != nil {
		return err
	}
	return c.JSON(a.taskOf(c, t, instances{}, false))
}

// listTasks handles GET cmmn-runtime/tasks.
func (a *API) listTasks(c *fiber.Ctx) error {
	q := newQuery(c)
	p, err := pageParams(q, engine.TaskSorts...)
	if err != nil {
		return err
	}
	var f engine.TaskFilter
	empty := false
	f.Name, f.NameLike, f.Description = q.str("name"), q.str("nameLike"), q.str("description")
	f.Assignee, f.AssigneeLike, f.Owner, f.OwnerLike = q.str("assignee"), q.str("assigneeLike"), q.str("owner"), q.str("ownerLike")
	f.CandidateUser, f.InvolvedUser = q.str("candidateUser"), q.str("involvedUser")
	f.TaskDefKey, f.TaskDefKeyLike = q.str("taskDefinitionKey"), q.str("taskDefinitionKeyLike")
	f.TenantID, f.TenantIDLike = q.str("tenantId"), q.str("tenantIdLike")
	f.CandidateOrAssigned, f.Category = q.str("candidateOrAssigned"), q.str("category")
	for _, pr := range []struct {
		name string
		into **int
	}{{"priority", &f.Priority}, {"minimumPriority", &f.MinPriority}, {"maximumPriority", &f.MaxPriority}} {
		n, err := q.integer(pr.name)
		if err != nil {
			return err
		}
		if n != nil {
			v := int(*n)
			*pr.into = &v
		}
	}
	for _, b := range []struct {
		name string
		into *bool
	}{{"unassigned", &f.Unassigned}, {"withoutDueDate", &f.WithoutDueDate}, {"withoutTenantId", &f.WithoutTenantID}, {"excludeSubTasks", &f.ExcludeSubTasks}} {
		v, err := q.boolean(b.name)
		if err != nil {
			return err
		}
		*b.into = v != nil && *v
	}
	if f.Active, err = q.boolean("active"); err != nil {
		return err
	}
	includeVars, err := q.boolean("includeTaskLocalVariables")
	if err != nil {
		return err
	}
	for _, d := range []struct {
		name string
		into *int64
	}{{"createdOn", &f.CreatedOn}, {"createdBefore", &f.CreatedBefore}, {"createdAfter", &f.CreatedAfter},
		{"dueOn", &f.DueOn}, {"dueBefore", &f.DueBefore}, {"dueAfter", &f.DueAfter}} {
		t, err := q.date(d.name)
		if err != nil {
			return err
		}
		if t != nil {
			*d.into = t.UnixMilli()
			if *d.into == 0 {
				*d.into = 1 // the epoch itself: as good as unset otherwise
			}
		}
	}
	if s := q.str("delegationState"); s != "" {
		if s != engine.DelegationPending && s != engine.DelegationResolved {
			return badRequest("query parameter delegationState must be pending or resolved, not %q", s)
		}
		f.Delegation = s
	}
	if g := q.str("candidateGroup"); g != "" {
		f.CandidateGroups = append(f.CandidateGroups, g)
	}
	for g := range strings.SplitSeq(q.str("candidateGroups"), ",") {
		if g = strings.TrimSpace(g); g != "" {
			f.CandidateGroups = append(f.CandidateGroups, g)
		}
	}
	if s := q.str("caseInstanceId"); s != "" {
		id, err := engine.ParseID(s)
		empty = empty || err != nil
		f.InstanceID = id
	}
	if s := q.str("caseDefinitionId"); s != "" {
		k, v, ok := parseDefinitionID(s)
		empty = empty || !ok
		f.ProcessID, f.Version = k, v
	}
	if empty {
		return c.JSON(listResponse[restTask]{Data: []restTask{}, Start: p.Start, Sort: p.Sort, Order: p.Order})
	}
	f.Page = engine.Page{Limit: max(p.Size, 1), Offset: p.Start, Sort: p.Sort, Desc: p.Order == "desc"}
	list, total, err := a.deps.Tasks.ListTasks(c.UserContext(), caller(c), f)
	if err != nil {
		return err
	}
	if p.Size == 0 {
		list = nil
	}
	seen := instances{}
	items := make([]restTask, 0, len(list))
	for _, t := range list {
		items = append(items, a.taskOf(c, t, seen, includeVars != nil && *includeVars))
	}
	return c.JSON(listResponse[restTask]{Data: items, Total: total, Start: p.Start, Sort: p.Sort, Order: p.Order, Size: len(items)})
}

// opt is a body property that may be absent (Set false), null (Set, Value nil) or a
// value.
type opt[T any] struct {
	Set   bool
	Value *T
}

// UnmarshalJSON runs for a property present in the body only.
func (o *opt[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Value = nil
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	o.Value = &v
	return nil
}

// str is the property as a TaskUpdate field: nil when absent, "" when null.
func (o opt[T]) str() *string {
	if !o.Set {
		return nil
	}
	s := ""
	if o.Value != nil {
		s = any(*o.Value).(string)
	}
	return &s
}

// updateTaskBody is the body of PUT cmmn-runtime/tasks/{taskId}.
type updateTaskBody struct {
	Name            opt[string] `json:"name"`
	Description     opt[string] `json:"description"`
	DueDate         opt[string] `json:"dueDate"`
	Assignee        opt[string] `json:"assignee"`
	Owner           opt[string] `json:"owner"`
	ParentTaskID    opt[string] `json:"parentTaskId"`
	Priority        opt[int]    `json:"priority"`
	Category        opt[string] `json:"category"`
	FormKey         opt[string] `json:"formKey"`
	DelegationState opt[string] `json:"delegationState"`
	TenantID        opt[string] `json:"tenantId"`
}

// updateTask handles PUT cmmn-runtime/tasks/{taskId}: the properties sent are
// written (null clears); 409 when the task changed meanwhile.
func (a *API) updateTask(c *fiber.Ctx) error {
	var b updateTaskBody
	if err := a.decodeJSON(c, &b); err != nil {
		return err
	}
	t, err := a.taskParam(c)
	if err != nil {
		return err
	}
	up := engine.TaskUpdate{Name: b.Name.str(), Description: b.Description.str(), Assignee: b.Assignee.str(),
		Owner: b.Owner.str(), Category: b.Category.str(), FormKey: b.FormKey.str(), Delegation: b.DelegationState.str(),
		TenantID: b.TenantID.str()}
	if b.Name.Set && (b.Name.Value == nil || strings.TrimSpace(*b.Name.Value) == "") {
		return badRequest("name cannot be cleared: a task has a name")
	}
	if b.DueDate.Set {
		var ms int64
		if b.DueDate.Value != nil {
			d, ok := parseISO(*b.DueDate.Value)
			if !ok {
				return badRequest("dueDate must be an ISO-8601 date and time like 2020-04-17T13:06:02.438+02:00, not %q", *b.DueDate.Value)
			}
			ms = d.UnixMilli()
		}
		up.DueAt = &ms
	}
	if b.ParentTaskID.Set {
		var id engine.ID
		if b.ParentTaskID.Value != nil && *b.ParentTaskID.Value != "" {
			if id, err = engine.ParseID(*b.ParentTaskID.Value); err != nil {
				return badRequest("parentTaskId %q is not a task id", *b.ParentTaskID.Value)
			}
		}
		up.ParentTaskID = &id
	}
	if b.Priority.Set {
		pr := 50 // Flowable's default priority
		if b.Priority.Value != nil {
			pr = *b.Priority.Value
		}
		up.Priority = &pr
	}
	out, err := a.deps.Tasks.UpdateTask(c.UserContext(), caller(c), taskID(t), up)
	if err != nil {
		return err
	}
	return c.JSON(a.taskOf(c, out, instances{}, false))
}

// taskActionBody is the body of POST cmmn-runtime/tasks/{taskId}.
type taskActionBody struct {
	Action             string       `json:"action"`
	Assignee           *string      `json:"assignee"`
	Outcome            *string      `json:"outcome"`
	Variables          []variableIn `json:"variables"`
	TransientVariables []variableIn `json:"transientVariables"`
}

// actOnTask handles POST cmmn-runtime/tasks/{taskId}: complete, claim (assignee;
// null or none unclaims), delegate (assignee required), resolve. 200 without a body.
func (a *API) actOnTask(c *fiber.Ctx) error {
	var b taskActionBody
	if err := a.decodeJSON(c, &b); err != nil {
		return err
	}
	switch b.Action {
	case "complete", "claim", "delegate", "resolve":
	case "":
		return badRequest("action is required: complete, claim, delegate or resolve")
	default:
		return badRequest("Invalid action: '%s'.", b.Action)
	}
	if b.Action != "complete" && (len(b.Variables) > 0 || len(b.TransientVariables) > 0 || b.Outcome != nil) {
		return badRequest("variables, transientVariables and outcome belong to the complete action, not %s", b.Action)
	}
	t, err := a.taskParam(c)
	if err != nil {
		return err
	}
	ctx, u := c.UserContext(), caller(c)
	assignee := ""
	if b.Assignee != nil {
		assignee = *b.Assignee
	}
	switch b.Action {
	case "claim":
		_, err = a.deps.Tasks.ClaimFor(ctx, u, t.ID, assignee)
	case "delegate":
		if assignee == "" {
			return badRequest("An assignee is required when delegating a task.")
		}
		_, err = a.deps.Tasks.Delegate(ctx, u, t.ID, assignee, "")
	case "resolve":
		_, err = a.deps.Tasks.Resolve(ctx, u, t.ID, "")
	case "complete":
		err = a.completeTask(c, t, b)
	}
	if err != nil {
		return err
	}
	c.Status(fiber.StatusOK) // no body, as Flowable
	return nil
}

// completeTask completes a task: form fields among the variables (and transient
// variables) are the form's values; the other variables are written to the instance
// first; transient ones that are not form fields are dropped.
func (a *API) completeTask(c *fiber.Ctx, t *engine.HumanTask, b taskActionBody) error {
	vars, err := toVariables(b.Variables, "variables")
	if err != nil {
		return err
	}
	transient, err := toVariables(b.TransientVariables, "transientVariables")
	if err != nil {
		return err
	}
	in := engine.TaskInput{}
	if b.Outcome != nil {
		in.Outcome = *b.Outcome
	}
	isField := func(name string) bool {
		return slices.ContainsFunc(t.Form, func(f engine.FormField) bool { return f.Key == name })
	}
	var global []engine.Variable
	for i, list := range [][]engine.Variable{vars, transient} {
		for _, v := range list {
			nv, err := engine.NewVariable(v, engine.DefaultMaxBinaryVariable)
			if err != nil {
				return err
			}
			switch {
			case isField(v.Name):
				if in.Form == nil {
					in.Form = map[string]any{}
				}
				in.Form[v.Name] = nv.ScriptValue()
			case i == 0:
				global = append(global, v)
			}
		}
	}
	// Check the outcome and form first, so that a refused completion writes nothing.
	if err := t.CheckInput(in); err != nil {
		return err
	}
	ctx, u := c.UserContext(), caller(c)
	if len(global) > 0 {
		if _, err := a.deps.Runtime.PutVariables(ctx, t.InstanceID, global); err != nil {
			return err
		}
	}
	_, err = a.deps.Tasks.CompleteTask(ctx, u, t.ID, in)
	return err
}

// deleteTask handles DELETE cmmn-runtime/tasks/{taskId}: every task is part of a
// case instance, which Flowable refuses with 403.
func (a *API) deleteTask(c *fiber.Ctx) error {
	q := newQuery(c)
	if _, err := q.boolean("cascadeHistory"); err != nil {
		return err
	}
	t, err := a.taskParam(c)
	if err != nil {
		return err
	}
	return errStatus(fiber.StatusForbidden, "Cannot delete a task that is part of a case instance (task %s of case instance %s).", t.ID, t.InstanceID)
}

func (a *API) taskRoutes() []route {
	return []route{
		{"GET", "/cmmn-runtime/tasks", "", "List tasks", a.listTasks},
		{"GET", "/cmmn-runtime/tasks/:taskId", "", "Get a task", a.getTask},
		{"PUT", "/cmmn-runtime/tasks/:taskId", "", "Update a task", a.updateTask},
		{"POST", "/cmmn-runtime/tasks/:taskId", "", "Act on a task (complete, claim, delegate, resolve)", a.actOnTask},
		{"DELETE", "/cmmn-runtime/tasks/:taskId", "", "Delete a task (403: tasks belong to case instances)", a.deleteTask},
		{"GET", "/cmmn-runtime/tasks/:taskId/variables", "", "List a task's variables", a.listTaskVariables},
		{"POST", "/cmmn-runtime/tasks/:taskId/variables", "", "Create task variables (JSON array or a binary upload)", a.createTaskVariables},
		{"DELETE", "/cmmn-runtime/tasks/:taskId/variables", "", "Delete a task's local variables", a.deleteTaskVariables},
		{"GET", "/cmmn-runtime/tasks/:taskId/variables/:variableName", "", "Get a task variable", a.getTaskVariable},
		{"PUT", "/cmmn-runtime/tasks/:taskId/variables/:variableName", "", "Update a task variable (JSON or a binary upload)", a.putTaskVariable},
		{"DELETE", "/cmmn-runtime/tasks/:taskId/variables/:variableName", "", "Delete a task variable", a.deleteTaskVariable},
		{"GET", "/cmmn-runtime/tasks/:taskId/variables/:variableName/data", "", "Get a task variable's binary data", a.taskVariableData},
		{"GET", "/cmmn-runtime/tasks/:taskId/identitylinks", "", "List a task's identity links", a.listTaskLinks},
		{"POST", "/cmmn-runtime/tasks/:taskId/identitylinks", "", "Add an identity link to a task", a.addTaskLink},
		{"GET", "/cmmn-runtime/tasks/:taskId/identitylinks/:family", "", "List a task's user or group identity links", a.listTaskLinks},
		{"GET", "/cmmn-runtime/tasks/:taskId/identitylinks/:family/:identityId/:type", "", "Get an identity link of a task", a.getTaskLink},
		{"DELETE", "/cmmn-runtime/tasks/:taskId/identitylinks/:family/:identityId/:type", "", "Remove an identity link from a task", a.removeTaskLink},
	}
}
