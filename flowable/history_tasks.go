package flowable

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// Historic task instances are human tasks, open or ended; historic variable
// instances the variables of every instance (history.go).

// historicTask is seed 003's historic task instance.
type historicTask struct {
	ID                string         `json:"id"`
	Name              string         `json:"name"`
	Description       *string        `json:"description"`
	DeleteReason      *string        `json:"deleteReason"`
	Owner             *string        `json:"owner"`
	Assignee          *string        `json:"assignee"`
	StartTime         any            `json:"startTime"`
	EndTime           any            `json:"endTime"`
	DurationInMillis  *int64         `json:"durationInMillis"`
	WorkTimeInMillis  *int64         `json:"workTimeInMillis"`
	ClaimTime         any            `json:"claimTime"`
	TaskDefinitionKey string         `json:"taskDefinitionKey"`
	FormKey           *string        `json:"formKey"`
	Priority          int            `json:"priority"`
	DueDate           any            `json:"dueDate"`
	ParentTaskID      *string        `json:"parentTaskId"`
	URL               string         `json:"url"`
	Variables         []restVariable `json:"variables"`
	TenantID          string         `json:"tenantId"`
	Category          *string        `json:"category"`
	CaseInstanceID    string         `json:"caseInstanceId"`
	CaseInstanceURL   string         `json:"caseInstanceUrl"`
	CaseDefinitionID  string         `json:"caseDefinitionId"`
	CaseDefinitionURL string         `json:"caseDefinitionUrl"`
}

func historicTaskURL(c *fiber.Ctx, id string) string {
	return baseURL(c) + "/cmmn-history/historic-task-instances/" + id
}

func (a *API) historicTaskOf(c *fiber.Ctx, r *engine.TaskRecord) historicTask {
	loc := a.cfg.Location
	id, inst := r.ID.String(), r.InstanceID.String()
	def := definitionID(r.ProcessID, r.Version)
	t := historicTask{ID: id, Name: r.Name, Description: strPtr(r.Content), Owner: strPtr(r.Owner), Assignee: strPtr(r.Assignee),
		StartTime: isoTime(r.CreateAt, loc), EndTime: isoTime(r.EndAt, loc), ClaimTime: isoTime(r.ClaimAt, loc),
		TaskDefinitionKey: r.TaskID, Priority: r.Priority, DueDate: isoTime(r.DueAt, loc), URL: historicTaskURL(c, id),
		Variables: []restVariable{}, TenantID: r.TenantID, CaseInstanceID: inst, CaseInstanceURL: historicCaseURL(c, inst),
		CaseDefinitionID: def, CaseDefinitionURL: baseURL(c) + "/cmmn-repository/case-definitions/" + def}
	t.Category, t.FormKey = strPtr(r.Category), strPtr(r.FormKey)
	if r.ParentTaskID != 0 {
		t.ParentTaskID = strPtr(r.ParentTaskID.String())
	}
	if r.HumanTask.TenantID != "" {
		t.TenantID = r.HumanTask.TenantID
	}
	if r.EndAt > 0 {
		d := r.EndAt - r.CreateAt
		t.DurationInMillis = &d
		if r.ClaimAt > 0 {
			w := r.EndAt - r.ClaimAt
			t.WorkTimeInMillis = &w
		}
	}
	if r.Status == engine.TaskCanceled {
		reason := "canceled"
		t.DeleteReason = &reason
	}
	return t
}

// historicTaskSorts maps the API's sorts to the store's, the default first.
var historicTaskSorts = []string{"taskInstanceId", "taskName", "taskDefinitionKey", "startTime", "endTime", "priority", "dueDate", "assignee", "owner", "caseInstanceId"}

var historicTaskStoreSorts = map[string]string{"taskInstanceId": "id", "taskName": "name", "taskDefinitionKey": "taskId",
	"startTime": "createAt", "endTime": "endAt", "priority": "priority", "dueDate": "dueAt", "assignee": "assignee", "owner": "owner",
	"caseInstanceId": "instanceId"}

// historicTaskQuery is the list's parameters or the query's body, as strings.
type historicTaskQuery struct {
	str   map[string]string
	bools map[string]*bool
	dates map[string]int64
	page  paging
}

var historicTaskStrings = []string{"taskId", "caseInstanceId", "caseDefinitionId", "taskDefinitionKey", "taskName", "taskNameLike",
	"taskDescription", "taskDescriptionLike", "taskCategory", "taskDeleteReason", "taskDeleteReasonLike", "taskAssignee",
	"taskAssigneeLike", "taskOwner", "taskOwnerLike", "taskInvolvedUser", "taskPriority", "parentTaskId", "tenantId", "tenantIdLike"}
var historicTaskBools = []string{"finished", "caseFinished", "withoutDueDate", "includeTaskLocalVariables", "withoutTenantId"}
var historicTaskDates = []string{"dueDate", "dueDateAfter", "dueDateBefore", "taskCompletedOn", "taskCompletedAfter",
	"taskCompletedBefore", "taskCreatedOn", "taskCreatedBefore", "taskCreatedAfter"}

// listHistoricTasks handles GET cmmn-history/historic-task-instances.
func (a *API) listHistoricTasks(c *fiber.Ctx) error {
	q := newQuery(c)
	p, err := pageParams(q, historicTaskSorts...)
	if err != nil {
		return err
	}
	hq := historicTaskQuery{str: map[string]string{}, bools: map[string]*bool{}, dates: map[string]int64{}, page: p}
	for _, n := range historicTaskStrings {
		if q.has(n) {
			hq.str[n] = q.str(n)
		}
	}
	for _, n := range historicTaskBools {
		if hq.bools[n], err = q.boolean(n); err != nil {
			return err
		}
	}
	for _, n := range historicTaskDates {
		if hq.dates[n], err = dateParam(q, n); err != nil {
			return err
		}
	}
	return a.answerHistoricTasks(c, hq)
}

// queryHistoricTasks handles POST query/historic-task-instances: the list's
// parameters as a JSON body (strings, booleans, dates as ISO-8601 text).
func (a *API) queryHistoricTasks(c *fiber.Ctx) error {
	var raw map[string]any
	if err := a.decodeJSON(c, &raw); err != nil {
		return err
	}
	hq := historicTaskQuery{str: map[string]string{}, bools: map[string]*bool{}, dates: map[string]int64{}}
	var start, size *int32
	var sort, order *string
	for k, v := range raw {
		switch {
		case k == "start" || k == "size":
			n, ok := v.(float64)
			if !ok || n != float64(int32(n)) {
				return errStatus(fiber.StatusUnsupportedMediaType, "%s must be an integer", k)
			}
			i := int32(n)
			if k == "start" {
				start = &i
			} else {
				size = &i
			}
		case k == "sort" || k == "order":
			s, ok := v.(string)
			if !ok {
				return errStatus(fiber.StatusUnsupportedMediaType, "%s must be a string", k)
			}
			if k == "sort" {
				sort = &s
			} else {
				order = &s
			}
		case contains(historicTaskStrings, k):
			switch x := v.(type) {
			case string:
				hq.str[k] = x
			case float64:
				if k != "taskPriority" {
					return errStatus(fiber.StatusUnsupportedMediaType, "%s must be a string", k)
				}
				hq.str[k] = strconv.FormatFloat(x, 'f', -1, 64)
			case nil:
			default:
				return errStatus(fiber.StatusUnsupportedMediaType, "%s must be a string", k)
			}
		case contains(historicTaskBools, k):
			b, ok := v.(bool)
			if !ok && v != nil {
				return errStatus(fiber.StatusUnsupportedMediaType, "%s must be true or false", k)
			}
			if ok {
				hq.bools[k] = &b
			}
		case contains(historicTaskDates, k):
			s, ok := v.(string)
			if !ok && v != nil {
				return errStatus(fiber.StatusUnsupportedMediaType, "%s must be an ISO-8601 date as text", k)
			}
			if ok {
				ms, err := bodyDate(&s, k)
				if err != nil {
					return err
				}
				hq.dates[k] = ms
			}
		default:
			return errStatus(fiber.StatusUnsupportedMediaType, "unknown property %q in the historic task query", k)
		}
	}
	p, err := bodyPaging(c, historicTaskSorts, start, size, sort, order)
	if err != nil {
		return err
	}
	hq.page = p
	return a.answerHistoricTasks(c, hq)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// answerHistoricTasks runs a historic task query (one store query).
func (a *API) answerHistoricTasks(c *fiber.Ctx, hq historicTaskQuery) error {
	u := caller(c)
	empty := func() error { return c.JSON(page([]historicTask{}, hq.page, nil, nil, false)) }
	s := hq.str
	f := engine.TaskHistoryFilter{TaskID: s["taskDefinitionKey"], Name: s["taskName"], NameLike: s["taskNameLike"],
		Description: s["taskDescription"], DescriptionLike: s["taskDescriptionLike"], TenantID: s["tenantId"], TenantIDLike: s["tenantIdLike"],
		Assignee: s["taskAssignee"], AssigneeLike: s["taskAssigneeLike"], Owner: s["taskOwner"], OwnerLike: s["taskOwnerLike"],
		InvolvedUser: s["taskInvolvedUser"], Finished: hq.bools["finished"], InstanceFinished: hq.bools["caseFinished"],
		DueAt: hq.dates["dueDate"], DueAfter: hq.dates["dueDateAfter"], DueBefore: hq.dates["dueDateBefore"],
		CompletedAfter: hq.dates["taskCompletedAfter"], CompletedBefore: hq.dates["taskCompletedBefore"],
		CreatedAfter: hq.dates["taskCreatedAfter"], CreatedBefore: hq.dates["taskCreatedBefore"]}
	if b := hq.bools["withoutDueDate"]; b != nil && *b {
		f.WithoutDueDate = true
	}
	if b := hq.bools["withoutTenantId"]; b != nil && *b {
		f.WithoutTenantID = true
	}
	if b := hq.bools["includeTaskLocalVariables"]; b != nil && *b {
		if err := mayReadVariables(u); err != nil {
			return err
		}
	}
	for name, dst := range map[string]*engine.ID{"taskId": &f.ID, "caseInstanceId": &f.InstanceID} {
		if v, ok := s[name]; ok {
			id, err := engine.ParseID(v)
			if err != nil {
				return empty()
			}
			*dst = id
		}
	}
	if v, ok := s["caseDefinitionId"]; ok {
		k, ver, ok := parseDefinitionID(v)
		if !ok {
			return empty()
		}
		f.ProcessID, f.Version = k, ver
	}
	if v, ok := s["taskPriority"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			return badRequest("taskPriority must be an integer, not %q", v)
		}
		f.Priority = &n
	}
	// Days: On is [day, day+24h) in the server's zone, as the seed's dates without time.
	for _, on := range []struct {
		name       string
		after, bef *int64
	}{{"taskCompletedOn", &f.CompletedAfter, &f.CompletedBefore}, {"taskCreatedOn", &f.CreatedAfter, &f.CreatedBefore}} {
		if ms := hq.dates[on.name]; ms != 0 {
			*on.after, *on.bef = ms-1, ms+24*3600*1000
		}
	}
	// flowcraft's tasks have no category, delete reason text or parent task of their
	// own: those filters match nothing (the tenant is their instance's).
	for _, n := range []string{"taskCategory", "taskDeleteReason", "taskDeleteReasonLike", "parentTaskId"} {
		if v, ok := s[n]; ok && v != "" {
			return empty()
		}
	}
	if !u.HasRole(engine.RoleDesigner) {
		f.Executor = u.ID
	}
	f.Page = engine.Page{Limit: hq.page.Size, Offset: hq.page.Start, Sort: historicTaskStoreSorts[hq.page.Sort], Desc: hq.page.Order == "desc"}
	if a.deps.History == nil {
		return errStatus(fiber.StatusNotImplemented, "history is not served by this store")
	}
	list, total, err := a.deps.History.TaskHistory(c.UserContext(), f)
	if err != nil {
		return err
	}
	items := make([]historicTask, 0, len(list))
	for _, r := range list {
		items = append(items, a.historicTaskOf(c, r))
	}
	return c.JSON(listResponse[historicTask]{Data: items, Total: total, Start: hq.page.Start, Sort: hq.page.Sort, Order: hq.page.Order, Size: len(items)})
}

// historicTaskParam resolves :taskId to a human task the caller may see.
func (a *API) historicTaskParam(c *fiber.Ctx) (*engine.TaskRecord, error) {
	id := param(c, "taskId")
	if n, err := engine.ParseID(id); err == nil && a.deps.History != nil {
		f := engine.TaskHistoryFilter{ID: n, Page: engine.Page{Limit: 1}}
		list, _, err := a.deps.History.TaskHistory(c.UserContext(), f)
		if err != nil {
			return nil, err
		}
		if len(list) == 1 && (caller(c).HasRole(engine.RoleDesigner) || list[0].Executor == caller(c).ID || list[0].MaySee(caller(c))) {
			return list[0], nil
		}
	}
	return nil, notFound("Could not find a historic task instance with id '%s'.", id)
}

// getHistoricTask handles GET cmmn-history/historic-task-instances/{taskId}.
func (a *API) getHistoricTask(c *fiber.Ctx) error {
	r, err := a.historicTaskParam(c)
	if err != nil {
		return err
	}
	return c.JSON(a.historicTaskOf(c, r))
}

// deleteHistoricTask handles DELETE cmmn-history/historic-task-instances/{taskId}: an
// ended task's row goes (204); an open one is a 409 (it still waits for a decision).
func (a *API) deleteHistoricTask(c *fiber.Ctx) error {
	r, err := a.historicTaskParam(c)
	if err != nil {
		return err
	}
	if err := mayReadVariables(caller(c)); err != nil { // designers and admins delete history
		return err
	}
	if err := a.deps.History.DeleteTaskHistory(c.UserContext(), r.ID); err != nil {
		if errors.Is(err, engine.ErrNotFound) {
			return notFound("Could not find a historic task instance with id '%s'.", r.ID)
		}
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// historicTaskLinks handles GET cmmn-history/historic-task-instances/{taskId}/identitylinks
// (and the seed's historic-task-instance/…): assignee, owner, candidates as written.
func (a *API) historicTaskLinks(c *fiber.Ctx) error {
	r, err := a.historicTaskParam(c)
	if err != nil {
		return err
	}
	id, u := r.ID.String(), historicTaskURL(c, r.ID.String())
	out := []historicLink{}
	add := func(typ, user, group string) {
		if user == "" && group == "" {
			return
		}
		out = append(out, historicLink{Type: typ, UserID: strPtr(user), GroupID: strPtr(group), TaskID: &id, TaskURL: &u})
	}
	add("assignee", r.Assignee, "")
	add("owner", r.Owner, "")
	for _, cu := range r.CandidateUsers {
		add("candidate", cu, "")
	}
	for _, g := range r.CandidateGroups {
		add("candidate", "", g)
	}
	return c.JSON(out)
}

// historicTaskVariableData handles GET …/historic-task-instances/{taskId}/variables/{name}/data:
// a task's variables are its instance's.
func (a *API) historicTaskVariableData(c *fiber.Ctx) error {
	r, err := a.historicTaskParam(c)
	if err != nil {
		return err
	}
	if err := mayReadVariables(caller(c)); err != nil {
		return err
	}
	name := param(c, "variableName")
	v, err := a.cases().VariableData(c.UserContext(), r.InstanceID, name)
	if errors.Is(err, engine.ErrNotFound) {
		return notFound("Task '%s' does not have a variable with name: '%s'.", r.ID, name)
	}
	if err != nil {
		return err
	}
	return sendBinary(c, v, r.InstanceID.String())
}

// historicVariable is seed 003's historic variable instance.
type historicVariable struct {
	ID              string       `json:"id"`
	CaseInstanceID  string       `json:"caseInstanceId"`
	CaseInstanceURL string       `json:"caseInstanceUrl"`
	TaskID          *string      `json:"taskId"`
	Variable        restVariable `json:"variable"`
}

var historicVariableSorts = []string{"variableName", "caseInstanceId"}

// historicVariableQueryBody is the body of POST query/historic-variable-instances.
type historicVariableQueryBody struct {
	CaseInstanceID       *string       `json:"caseInstanceId"`
	TaskID               *string       `json:"taskId"`
	ExcludeTaskVariables *bool         `json:"excludeTaskVariables"`
	VariableName         *string       `json:"variableName"`
	VariableNameLike     *string       `json:"variableNameLike"`
	Variables            []conditionIn `json:"variables"`
	Start                *int32        `json:"start"`
	Size                 *int32        `json:"size"`
	Sort                 *string       `json:"sort"`
	Order                *string       `json:"order"`
}

// listHistoricVariables handles GET cmmn-history/historic-variable-instances.
func (a *API) listHistoricVariables(c *fiber.Ctx) error {
	q := newQuery(c)
	p, err := pageParams(q, historicVariableSorts...)
	if err != nil {
		return err
	}
	if _, err := q.boolean("excludeTaskVariables"); err != nil {
		return err
	}
	return a.answerHistoricVariables(c, q.str("caseInstanceId"), q.str("taskId"), q.has("taskId"),
		engine.VariableHistoryFilter{Name: q.str("variableName"), NameLike: q.str("variableNameLike")}, p)
}

// queryHistoricVariables handles POST query/historic-variable-instances: the list's
// parameters and conditions on the variables' values.
func (a *API) queryHistoricVariables(c *fiber.Ctx) error {
	var b historicVariableQueryBody
	if err := a.decodeJSON(c, &b); err != nil {
		return err
	}
	p, err := bodyPaging(c, historicVariableSorts, b.Start, b.Size, b.Sort, b.Order)
	if err != nil {
		return err
	}
	conds, err := varConditions(b.Variables)
	if err != nil {
		return err
	}
	return a.answerHistoricVariables(c, str(b.CaseInstanceID), str(b.TaskID), b.TaskID != nil,
		engine.VariableHistoryFilter{Name: str(b.VariableName), NameLike: str(b.VariableNameLike), Variables: conds}, p)
}

// answerHistoricVariables runs a historic variable query (one store query). A task's
// variables are its instance's (flowcraft has no task-local history here).
func (a *API) answerHistoricVariables(c *fiber.Ctx, inst, task string, byTask bool, f engine.VariableHistoryFilter, p paging) error {
	u := caller(c)
	if err := mayReadVariables(u); err != nil {
		return err
	}
	empty := func() error { return c.JSON(page([]historicVariable{}, p, nil, nil, false)) }
	if inst != "" {
		id, err := engine.ParseID(inst)
		if err != nil {
			return empty()
		}
		f.InstanceID = id
	}
	if byTask {
		return empty()
	}
	if a.deps.History == nil {
		return errStatus(fiber.StatusNotImplemented, "history is not served by this store")
	}
	f.Page = engine.Page{Limit: p.Size, Offset: p.Start, Sort: map[string]string{"variableName": "name", "caseInstanceId": "instanceId"}[p.Sort],
		Desc: p.Order == "desc"}
	list, total, err := a.deps.History.VariableHistory(c.UserContext(), f)
	if err != nil {
		return err
	}
	items := make([]historicVariable, 0, len(list))
	for _, r := range list {
		items = append(items, a.historicVariableOf(c, r))
	}
	return c.JSON(listResponse[historicVariable]{Data: items, Total: total, Start: p.Start, Sort: p.Sort, Order: p.Order, Size: len(items)})
}

func historicVariableID(inst engine.ID, name string) string {
	return inst.String() + "-" + url.PathEscape(name)
}

func (a *API) historicVariableOf(c *fiber.Ctx, r *engine.VariableRecord) historicVariable {
	inst := r.InstanceID.String()
	id := historicVariableID(r.InstanceID, r.Name)
	v := restVariableOf(r.Variable, baseURL(c)+"/cmmn-history/historic-variable-instances/"+url.PathEscape(id)+"/data", a.cfg.Location)
	v.Scope = "global"
	return historicVariable{ID: id, CaseInstanceID: inst, CaseInstanceURL: historicCaseURL(c, inst), Variable: v}
}

// historicVariableData handles GET cmmn-history/historic-variable-instances/{varInstanceId}/data.
func (a *API) historicVariableData(c *fiber.Ctx) error {
	id := param(c, "varInstanceId")
	notFoundErr := notFound("Could not find a historic variable instance with id '%s'.", id)
	if err := mayReadVariables(caller(c)); err != nil {
		return err
	}
	i, rest, ok := strings.Cut(id, "-")
	inst, err := engine.ParseID(i)
	name, uerr := url.PathUnescape(rest)
	if !ok || err != nil || uerr != nil {
		return notFoundErr
	}
	v, err := a.cases().VariableData(c.UserContext(), inst, name)
	if errors.Is(err, engine.ErrNotFound) {
		return notFoundErr
	}
	if err != nil {
		return err
	}
	return sendBinary(c, v, inst.String())
}

// historyRoutes are the history resources, with the seed's literal path variants.
func (a *API) historyRoutes() []route {
	designer := engine.RoleDesigner
	const h = "/cmmn-history"
	out := []route{
		{"GET", h + "/historic-case-instances", "", "List historic case instances", a.listHistoricCases},
		{"POST", "/query/historic-case-instances", "", "Query historic case instances (variable conditions)", a.queryHistoricCases},
		{"POST", "/cmmn-query/historic-case-instances", "", "Query historic case instances (Flowable's own path)", a.queryHistoricCases},
		{"GET", h + "/historic-case-instances/:caseInstanceId", "", "Get a historic case instance", a.getHistoricCase},
		{"DELETE", h + "/historic-case-instances/:caseInstanceId", designer, "Delete a historic (ended) case instance", a.deleteHistoricCase},
		{"GET", h + "/historic-case-instances/:caseInstanceId/stage-overview", "", "Get a historic case instance's stage overview", a.stageOverview},
		{"GET", h + "/historic-case-instances/:caseInstanceId/variables/:variableName/data", designer, "Get a historic case instance's binary variable content", a.historicCaseVariableData},
		{"GET", h + "/historic-milestone-instances", "", "List historic milestone instances (of a case instance)", a.listMilestones},
		{"GET", h + "/historic-milestone-instances/:planItemInstanceId", "", "Get a historic milestone instance", a.getMilestone},
		{"GET", h + "/historic-planitem-instances", "", "List historic plan item instances (of a case instance)", a.listHistoricPlanItems},
		{"GET", h + "/historic-planitem-instance", "", "List historic plan item instances (the seed's literal path)", a.listHistoricPlanItems},
		{"GET", h + "/historic-planitem-instances/:planItemInstanceId", "", "Get a historic plan item instance", a.getHistoricPlanItem},
		{"GET", h + "/historic-task-instances", "", "List historic task instances", a.listHistoricTasks},
		{"POST", "/query/historic-task-instances", "", "Query historic task instances", a.queryHistoricTasks},
		{"POST", "/cmmn-query/historic-task-instances", "", "Query historic task instances (Flowable's own path)", a.queryHistoricTasks},
		{"GET", h + "/historic-task-instances/:taskId", "", "Get a historic task instance", a.getHistoricTask},
		{"DELETE", h + "/historic-task-instances/:taskId", designer, "Delete a historic (ended) task instance", a.deleteHistoricTask},
		{"GET", h + "/historic-task-instances/:taskId/variables/:variableName/data", designer, "Get a historic task instance's binary variable content", a.historicTaskVariableData},
		{"GET", h + "/historic-variable-instances", designer, "List historic variable instances", a.listHistoricVariables},
		{"POST", "/query/historic-variable-instances", designer, "Query historic variable instances", a.queryHistoricVariables},
		{"POST", "/cmmn-query/historic-variable-instances", designer, "Query historic variable instances (Flowable's own path)", a.queryHistoricVariables},
		{"GET", h + "/historic-variable-instances/:varInstanceId/data", designer, "Get a historic variable instance's binary content", a.historicVariableData},
	}
	for _, base := range []string{h + "/historic-case-instances", h + "/historic-case-instance"} {
		out = append(out, route{"GET", base + "/:caseInstanceId/identitylinks", "", "List a historic case instance's identity links", a.historicCaseLinks})
	}
	for _, base := range []string{h + "/historic-task-instances", h + "/historic-task-instance"} {
		out = append(out, route{"GET", base + "/:taskId/identitylinks", "", "List a historic task instance's identity links", a.historicTaskLinks})
	}
	return out
}
