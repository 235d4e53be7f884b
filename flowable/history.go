package flowable

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// History (seed 003 "历史"): what flowcraft already keeps, ended or not — instances,
// runtimes, human tasks, variables — the same rows queried (DESIGN §8). A historic
// case instance is any instance (the runtime resources show the unfinished ones);
// a historic plan item any runtime, a milestone a runtime of a milestone task; a
// historic task instance any human task; a historic variable instance an instance's
// variable with its latest value (flowcraft keeps no earlier values), id
// "<instance id>-<name>". Users see what belongs to the instances they started,
// designers and admins everything (as the runtime resources).

// historyRuntime is what history needs of the runtime beyond Runtime's reads.
type historyRuntime interface {
	DeleteInstance(ctx context.Context, id engine.ID) error
}

// historicCase is seed 003's historic case instance.
type historicCase struct {
	ID                        string         `json:"id"`
	URL                       string         `json:"url"`
	Name                      *string        `json:"name"`
	BusinessKey               *string        `json:"businessKey"`
	CaseDefinitionID          string         `json:"caseDefinitionId"`
	CaseDefinitionURL         string         `json:"caseDefinitionUrl"`
	CaseDefinitionName        *string        `json:"caseDefinitionName"`
	CaseDefinitionDescription *string        `json:"caseDefinitionDescription"`
	StartTime                 any            `json:"startTime"`
	EndTime                   any            `json:"endTime"`
	StartUserID               *string        `json:"startUserId"`
	SuperProcessInstanceID    *string        `json:"superProcessInstanceId"`
	Variables                 []restVariable `json:"variables"`
	TenantID                  string         `json:"tenantId"`
	State                     string         `json:"state"`
	CallbackID                *string        `json:"callbackId"`
	CallbackType              *string        `json:"callbackType"`
	ReferenceID               *string        `json:"referenceId"`
	ReferenceType             *string        `json:"referenceType"`
}

// historicCaseURL is the URL of a historic case instance.
func historicCaseURL(c *fiber.Ctx, id string) string {
	return baseURL(c) + "/cmmn-history/historic-case-instances/" + id
}

func (a *API) historicCaseOf(c *fiber.Ctx, in *engine.Instance, descs descriptions) historicCase {
	ci := a.caseInstanceOf(c, in, descs)
	return historicCase{ID: ci.ID, URL: historicCaseURL(c, ci.ID), Name: ci.Name, BusinessKey: ci.BusinessKey,
		CaseDefinitionID: ci.CaseDefinitionID, CaseDefinitionURL: ci.CaseDefinitionURL, CaseDefinitionName: ci.CaseDefinitionName,
		CaseDefinitionDescription: ci.CaseDefinitionDescription, StartTime: ci.StartTime, EndTime: isoTime(in.EndAt, a.cfg.Location),
		StartUserID: ci.StartUserID, Variables: []restVariable{}, TenantID: ci.TenantID, State: ci.State,
		CallbackID: ci.CallbackID, CallbackType: ci.CallbackType}
}

// historicCaseSorts are the sorts of historic case instance lists (the store's), the
// default first.
var historicCaseSorts = []string{"caseInstanceId", "startTime", "endTime", "tenantId"}

// historicCaseQuery is what selects historic case instances.
type historicCaseQuery struct {
	caseQuery
	Finished                      *bool
	FinishedAfter, FinishedBefore int64
	StartedAfter, StartedBefore   int64
	StartedBy                     string
}

// dateParam reads an ISO-8601 query parameter as unix ms (0 when absent).
func dateParam(q query, name string) (int64, error) {
	t, err := q.date(name)
	if err != nil || t == nil {
		return 0, err
	}
	return t.UnixMilli(), nil
}

// listHistoricCases handles GET cmmn-history/historic-case-instances.
func (a *API) listHistoricCases(c *fiber.Ctx) error {
	q := newQuery(c)
	p, err := pageParams(q, historicCaseSorts...)
	if err != nil {
		return err
	}
	hq := historicCaseQuery{caseQuery: caseQuery{ID: q.str("caseInstanceId"), DefinitionKey: q.str("caseDefinitionKey"),
		DefinitionID: q.str("caseDefinitionId"), BusinessKey: q.str("businessKey"), InvolvedUser: q.str("involvedUser"),
		TenantID: q.str("tenantId"), TenantIDLike: q.str("tenantIdLike"), page: p}, StartedBy: q.str("startedBy")}
	for name, dst := range map[string]*bool{"withoutTenantId": &hq.WithoutTenantID, "includeCaseVariables": &hq.IncludeVariables} {
		b, err := q.boolean(name)
		if err != nil {
			return err
		}
		if b != nil {
			*dst = *b
		}
	}
	if hq.Finished, err = q.boolean("finished"); err != nil {
		return err
	}
	for name, dst := range map[string]*int64{"finishedAfter": &hq.FinishedAfter, "finishedBefore": &hq.FinishedBefore,
		"startedAfter": &hq.StartedAfter, "startedBefore": &hq.StartedBefore} {
		if *dst, err = dateParam(q, name); err != nil {
			return err
		}
	}
	return a.answerHistoricCases(c, hq)
}

// historicCaseQueryBody is the body of POST query/historic-case-instances.
type historicCaseQueryBody struct {
	CaseInstanceID       *string       `json:"caseInstanceId"`
	CaseDefinitionKey    *string       `json:"caseDefinitionKey"`
	CaseDefinitionID     *string       `json:"caseDefinitionId"`
	BusinessKey          *string       `json:"businessKey"`
	InvolvedUser         *string       `json:"involvedUser"`
	Finished             *bool         `json:"finished"`
	FinishedAfter        *string       `json:"finishedAfter"`
	FinishedBefore       *string       `json:"finishedBefore"`
	StartedAfter         *string       `json:"startedAfter"`
	StartedBefore        *string       `json:"startedBefore"`
	StartedBy            *string       `json:"startedBy"`
	IncludeCaseVariables *bool         `json:"includeCaseVariables"`
	TenantID             *string       `json:"tenantId"`
	TenantIDLike         *string       `json:"tenantIdLike"`
	WithoutTenantID      *bool         `json:"withoutTenantId"`
	Variables            []conditionIn `json:"variables"`
	Start                *int32        `json:"start"`
	Size                 *int32        `json:"size"`
	Sort                 *string       `json:"sort"`
	Order                *string       `json:"order"`
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// bodyPaging applies a query body's paging over the query string's.
func bodyPaging(c *fiber.Ctx, sorts []string, start, size *int32, sort, order *string) (paging, error) {
	p, err := pageParams(newQuery(c), sorts...)
	if err != nil {
		return p, err
	}
	if start != nil {
		if *start < 0 {
			return p, badRequest("start must not be negative")
		}
		p.Start = int(*start)
	}
	if size != nil {
		if *size < 0 {
			return p, badRequest("size must not be negative")
		}
		p.Size = int(*size)
	}
	if sort != nil {
		if !slices.Contains(sorts, *sort) {
			return p, badRequest("sort must be one of %v, not %q", sorts, *sort)
		}
		p.Sort = *sort
	}
	if order != nil {
		if *order != "asc" && *order != "desc" {
			return p, badRequest("order must be asc or desc, not %q", *order)
		}
		p.Order = *order
	}
	return p, nil
}

// bodyDate parses a query body's date (0 when absent).
func bodyDate(s *string, name string) (int64, error) {
	if s == nil {
		return 0, nil
	}
	t, ok := parseISO(*s)
	if !ok {
		return 0, badRequest("%s must be an ISO-8601 date and time like 2013-04-03T23:45Z, not %q", name, *s)
	}
	return t.UnixMilli(), nil
}

// varConditions checks a query body's variable conditions.
func varConditions(in []conditionIn) ([]engine.VarCondition, error) {
	conds := make([]engine.VarCondition, 0, len(in))
	for i, v := range in {
		vc := engine.VarCondition{Name: str(v.Name), Type: str(v.Type), Operation: str(v.Operation)}
		if vc.Operation == "" {
			vc.Operation = str(v.Operator)
		}
		if vc.Operation == "" {
			return nil, badRequest("variables[%d].operation is required: one of %v", i, engine.VarOperations)
		}
		if len(bytes.TrimSpace(v.Value)) > 0 {
			dec := json.NewDecoder(bytes.NewReader(v.Value))
			dec.UseNumber()
			if err := dec.Decode(&vc.Value); err != nil {
				return nil, badRequest("variables[%d].value: malformed JSON: %v", i, err)
			}
		}
		switch vc.Value.(type) {
		case map[string]any, []any:
			return nil, badRequest("variables[%d].value must be a string, number, boolean or date, not an object or array", i)
		}
		conds = append(conds, vc)
	}
	return engine.CheckVarConditions(conds)
}

// queryHistoricCases handles POST query/historic-case-instances.
func (a *API) queryHistoricCases(c *fiber.Ctx) error {
	var b historicCaseQueryBody
	if err := a.decodeJSON(c, &b); err != nil {
		return err
	}
	p, err := bodyPaging(c, historicCaseSorts, b.Start, b.Size, b.Sort, b.Order)
	if err != nil {
		return err
	}
	hq := historicCaseQuery{caseQuery: caseQuery{ID: str(b.CaseInstanceID), DefinitionKey: str(b.CaseDefinitionKey),
		DefinitionID: str(b.CaseDefinitionID), BusinessKey: str(b.BusinessKey), InvolvedUser: str(b.InvolvedUser),
		TenantID: str(b.TenantID), TenantIDLike: str(b.TenantIDLike), WithoutTenantID: b.WithoutTenantID != nil && *b.WithoutTenantID,
		IncludeVariables: b.IncludeCaseVariables != nil && *b.IncludeCaseVariables, page: p},
		Finished: b.Finished, StartedBy: str(b.StartedBy)}
	for _, d := range []struct {
		s    *string
		name string
		dst  *int64
	}{{b.FinishedAfter, "finishedAfter", &hq.FinishedAfter}, {b.FinishedBefore, "finishedBefore", &hq.FinishedBefore},
		{b.StartedAfter, "startedAfter", &hq.StartedAfter}, {b.StartedBefore, "startedBefore", &hq.StartedBefore}} {
		if *d.dst, err = bodyDate(d.s, d.name); err != nil {
			return err
		}
	}
	if hq.Variables, err = varConditions(b.Variables); err != nil {
		return err
	}
	return a.answerHistoricCases(c, hq)
}

// answerHistoricCases runs a historic case query (one store query) and answers the page.
func (a *API) answerHistoricCases(c *fiber.Ctx, hq historicCaseQuery) error {
	u := caller(c)
	if hq.IncludeVariables {
		if err := mayReadVariables(u); err != nil {
			return err
		}
	}
	empty := func() error { return c.JSON(page([]historicCase{}, hq.page, nil, nil, false)) }
	f := engine.InstanceFilter{ProcessID: hq.DefinitionKey, InvolvedUser: hq.InvolvedUser, BusinessKey: hq.BusinessKey,
		TenantID: hq.TenantID, TenantIDLike: hq.TenantIDLike, WithoutTenantID: hq.WithoutTenantID, Variables: hq.Variables,
		StartedAfter: hq.StartedAfter, StartedBefore: hq.StartedBefore, EndedAfter: hq.FinishedAfter, EndedBefore: hq.FinishedBefore,
		Executor: hq.StartedBy}
	if hq.StartedAfter > 0 {
		f.StartedAfter++ // after, not at
	}
	if hq.FinishedAfter > 0 {
		f.EndedAfter++
	}
	if hq.Finished != nil {
		if *hq.Finished {
			f.Finished = true
		} else {
			if hq.FinishedAfter > 0 || hq.FinishedBefore > 0 {
				return empty()
			}
			f.Unfinished = true
		}
	}
	if hq.DefinitionID != "" {
		k, v, ok := parseDefinitionID(hq.DefinitionID)
		if !ok || f.ProcessID != "" && f.ProcessID != k {
			return empty()
		}
		f.ProcessID, f.Version = k, v
	}
	if hq.ID != "" {
		id, err := engine.ParseID(hq.ID)
		if err != nil {
			return empty()
		}
		f.ID = id
	}
	if !u.HasRole(engine.RoleDesigner) {
		if f.Executor != "" && f.Executor != u.ID {
			return empty()
		}
		f.Executor = u.ID
	}
	sort := map[string]string{"caseInstanceId": "id", "startTime": "startAt", "endTime": "endAt", "tenantId": "tenantId"}[hq.page.Sort]
	f.Page = engine.Page{Limit: hq.page.Size, Offset: hq.page.Start, Sort: sort, Desc: hq.page.Order == "desc"}
	list, total, err := a.deps.Runtime.ListInstances(c.UserContext(), f)
	if err != nil {
		return err
	}
	descs := descriptions{}
	items := make([]historicCase, 0, len(list))
	for _, in := range list {
		hc := a.historicCaseOf(c, in, descs)
		if hq.IncludeVariables {
			vars, err := a.cases().ListVariables(c.UserContext(), in.ID)
			if err != nil && !errors.Is(err, engine.ErrNotFound) {
				return err
			}
			hc.Variables = a.restVariables(c, hc.ID, vars)
		}
		items = append(items, hc)
	}
	return c.JSON(listResponse[historicCase]{Data: items, Total: total, Start: hq.page.Start, Sort: hq.page.Sort, Order: hq.page.Order, Size: len(items)})
}

// historicCaseParam resolves :caseInstanceId to any instance the caller may see.
func (a *API) historicCaseParam(c *fiber.Ctx) (*engine.InstanceView, error) {
	id := param(c, "caseInstanceId")
	if n, err := engine.ParseID(id); err == nil {
		in, err := a.deps.Runtime.Describe(c.UserContext(), n)
		if err == nil && mayWatch(caller(c), in.Instance) {
			return in, nil
		}
		if err != nil && !errors.Is(err, engine.ErrNotFound) {
			return nil, err
		}
	}
	return nil, notFound("Could not find a historic case instance with id '%s'.", id)
}

// getHistoricCase handles GET cmmn-history/historic-case-instances/{caseInstanceId}.
func (a *API) getHistoricCase(c *fiber.Ctx) error {
	in, err := a.historicCaseParam(c)
	if err != nil {
		return err
	}
	return c.JSON(a.historicCaseOf(c, in.Instance, descriptions{}))
}

// deleteHistoricCase handles DELETE cmmn-history/historic-case-instances/{caseInstanceId}:
// an ended instance and every row of it are deleted (204); one that has not ended
// is a 409 (terminate it first, with DELETE cmmn-runtime/case-instances/{id}).
func (a *API) deleteHistoricCase(c *fiber.Ctx) error {
	in, err := a.historicCaseParam(c)
	if err != nil {
		return err
	}
	if err := a.history().DeleteInstance(c.UserContext(), in.ID); err != nil {
		if errors.Is(err, engine.ErrNotFound) {
			return notFound("Could not find a historic case instance with id '%s'.", in.ID)
		}
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// history is the runtime as history uses it.
func (a *API) history() historyRuntime { return a.deps.Runtime }

// historicLink is seed 003's historic identity link.
type historicLink struct {
	Type            string  `json:"type"`
	UserID          *string `json:"userId"`
	GroupID         *string `json:"groupId"`
	TaskID          *string `json:"taskId"`
	TaskURL         *string `json:"taskUrl"`
	CaseInstanceID  *string `json:"caseInstanceId"`
	CaseInstanceURL *string `json:"caseInstanceUrl"`
}

// historicCaseLinks handles GET cmmn-history/historic-case-instances/{id}/identitylinks
// (and the seed's historic-case-instance/…): the case instance's links (identitylinks.go).
func (a *API) historicCaseLinks(c *fiber.Ctx) error {
	in, err := a.historicCaseParam(c)
	if err != nil {
		return err
	}
	links, _, err := a.caseLinks(c, in)
	if err != nil {
		return err
	}
	id, u := in.ID.String(), historicCaseURL(c, in.ID.String())
	out := make([]historicLink, 0, len(links))
	for _, l := range links {
		out = append(out, historicLink{Type: l.Type, UserID: l.User, GroupID: l.Group, CaseInstanceID: &id, CaseInstanceURL: &u})
	}
	return c.JSON(out)
}

// historicCaseVariableData handles GET …/historic-case-instances/{id}/variables/{name}/data.
func (a *API) historicCaseVariableData(c *fiber.Ctx) error {
	in, err := a.historicCaseParam(c)
	if err != nil {
		return err
	}
	if err := mayReadVariables(caller(c)); err != nil {
		return err
	}
	v, err := a.caseVariable(c, in, true)
	if err != nil {
		return err
	}
	return sendBinary(c, v, in.ID.String())
}

// sendBinary answers a binary variable's content; 404 for another type.
func sendBinary(c *fiber.Ctx, v *engine.Variable, inst string) error {
	if v.Type != engine.VarBinary {
		return notFound("The variable %s of case instance '%s' is a %s, which has no binary data stream.", v.Name, inst, v.Type)
	}
	c.Set(fiber.HeaderContentType, "application/octet-stream")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf("attachment; filename=%q", v.Name))
	return c.Send(v.Data)
}

// historicPlanItem is seed 003's historic plan item instance.
type historicPlanItem struct {
	ID                       string  `json:"id"`
	Name                     *string `json:"name"`
	State                    string  `json:"state"`
	CaseDefinitionID         string  `json:"caseDefinitionId"`
	DerivedCaseDefinitionID  *string `json:"derivedCaseDefinitionId"`
	CaseInstanceID           string  `json:"caseInstanceId"`
	StageInstanceID          *string `json:"stageInstanceId"`
	Stage                    bool    `json:"stage"`
	ElementID                string  `json:"elementId"`
	PlanItemDefinitionID     string  `json:"planItemDefinitionId"`
	PlanItemDefinitionType   string  `json:"planItemDefinitionType"`
	CreateTime               any     `json:"createTime"`
	LastAvailableTime        any     `json:"lastAvailableTime"`
	LastEnabledTime          any     `json:"lastEnabledTime"`
	LastDisabledTime         any     `json:"lastDisabledTime"`
	LastStartedTime          any     `json:"lastStartedTime"`
	LastSuspendedTime        any     `json:"lastSuspendedTime"`
	CompletedTime            any     `json:"completedTime"`
	OccurredTime             any     `json:"occurredTime"`
	TerminatedTime           any     `json:"terminatedTime"`
	ExitTime                 any     `json:"exitTime"`
	EndedTime                any     `json:"endedTime"`
	LastUpdatedTime          any     `json:"lastUpdatedTime"`
	StartUserID              *string `json:"startUserId"`
	ReferenceID              *string `json:"referenceId"`
	ReferenceType            *string `json:"referenceType"`
	EntryCriterionID         *string `json:"entryCriterionId"`
	ExitCriterionID          *string `json:"exitCriterionId"`
	FormKey                  *string `json:"formKey"`
	ExtraValue               *string `json:"extraValue"`
	ShowInOverview           bool    `json:"showInOverview"`
	TenantID                 string  `json:"tenantId"`
	URL                      string  `json:"url"`
	CaseInstanceURL          string  `json:"caseInstanceUrl"`
	CaseDefinitionURL        string  `json:"caseDefinitionUrl"`
	DerivedCaseDefinitionURL *string `json:"derivedCaseDefinitionUrl"`
	StageInstanceURL         *string `json:"stageInstanceUrl"`

	created int64
	run     *engine.NodeRun
}

func (a *API) historicPlanItemOf(c *fiber.Ctx, in *engine.InstanceView, n *engine.NodeRun) historicPlanItem {
	p := a.planItemOf(c, in, n)
	last := n.UpdateAt
	if n.EndAt > last {
		last = n.EndAt
	}
	if last == 0 {
		last = n.CreateAt
	}
	if n.Template == "milestone" && p.State == "completed" {
		p.OccurredTime = p.CompletedTime
	}
	return historicPlanItem{ID: p.ID, Name: p.Name, State: p.State, CaseDefinitionID: p.CaseDefinitionID, CaseInstanceID: p.CaseInstanceID,
		ElementID: p.ElementID, PlanItemDefinitionID: p.PlanItemDefinitionID, PlanItemDefinitionType: p.PlanItemDefinitionType,
		CreateTime: p.CreateTime, LastAvailableTime: p.LastAvailableTime, LastStartedTime: p.LastStartedTime, CompletedTime: p.CompletedTime,
		OccurredTime: p.OccurredTime, TerminatedTime: p.TerminatedTime, EndedTime: p.EndedTime, LastUpdatedTime: isoTime(last, a.cfg.Location),
		StartUserID: p.StartUserID, ShowInOverview: true, TenantID: in.TenantID,
		URL: baseURL(c) + "/cmmn-history/historic-planitem-instances/" + p.ID, CaseInstanceURL: historicCaseURL(c, p.CaseInstanceID),
		CaseDefinitionURL: p.CaseDefinitionURL, created: n.CreateAt, run: n}
}

// historicRuns lists the runtimes of the instance a list names (caseInstanceId, or the
// instance of a plan item id): history keeps every instance, so a list that names
// none would read them all; it is refused with a 400 instead.
func (a *API) historicRuns(c *fiber.Ctx, q query, idParam string) ([]historicPlanItem, error) {
	var inst engine.ID
	switch {
	case q.has(idParam):
		id, _, ok := parsePlanItemID(q.str(idParam))
		if !ok {
			return nil, nil
		}
		inst = id
	case q.has("caseInstanceId"):
		id, err := engine.ParseID(q.str("caseInstanceId"))
		if err != nil {
			return nil, nil
		}
		inst = id
	default:
		return nil, badRequest("this list needs caseInstanceId (or %s): history keeps every instance's runtimes", idParam)
	}
	in, err := a.deps.Runtime.Describe(c.UserContext(), inst)
	if errors.Is(err, engine.ErrNotFound) || err == nil && !mayWatch(caller(c), in.Instance) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []historicPlanItem
	for _, t := range in.Tasks {
		for _, n := range t.Runtimes {
			out = append(out, a.historicPlanItemOf(c, in, n))
		}
	}
	return out, nil
}

// historicPlanItemDates are the date filters of historic plan item lists: name → the
// time it bounds, and whether it is an upper bound.
var historicPlanItemDates = func() map[string]func(historicPlanItem) any {
	m := map[string]func(historicPlanItem) any{}
	for _, f := range []struct {
		name string
		get  func(historicPlanItem) any
	}{{"created", func(p historicPlanItem) any { return p.CreateTime }}, {"lastAvailable", func(p historicPlanItem) any { return p.LastAvailableTime }},
		{"lastEnabled", func(p historicPlanItem) any { return p.LastEnabledTime }}, {"lastDisabled", func(p historicPlanItem) any { return p.LastDisabledTime }},
		{"lastStarted", func(p historicPlanItem) any { return p.LastStartedTime }}, {"lastSuspended", func(p historicPlanItem) any { return p.LastSuspendedTime }},
		{"completed", func(p historicPlanItem) any { return p.CompletedTime }}, {"terminated", func(p historicPlanItem) any { return p.TerminatedTime }},
		{"occurred", func(p historicPlanItem) any { return p.OccurredTime }}, {"exit", func(p historicPlanItem) any { return p.ExitTime }},
		{"ended", func(p historicPlanItem) any { return p.EndedTime }}} {
		m[f.name+"Before"], m[f.name+"After"] = f.get, f.get
	}
	return m
}()

// listHistoricPlanItems handles GET cmmn-history/historic-planitem-instances (and the
// seed's historic-planitem-instance).
func (a *API) listHistoricPlanItems(c *fiber.Ctx) error {
	q := newQuery(c)
	p, err := pageParams(q, "createTime", "name")
	if err != nil {
		return err
	}
	if q.has("planItemInstanceState") && !slices.Contains(planItemStates, q.str("planItemInstanceState")) {
		return badRequest("query parameter planItemInstanceState must be one of %s, not %q", strings.Join(planItemStates, ", "), q.str("planItemInstanceState"))
	}
	bounds := map[string]time.Time{}
	for name := range historicPlanItemDates {
		t, err := q.date(name)
		if err != nil {
			return err
		}
		if t != nil {
			bounds[name] = *t
		}
	}
	withoutTenant, err := q.boolean("withoutTenantId")
	if err != nil {
		return err
	}
	runs, err := a.historicRuns(c, q, "planItemInstanceId")
	if err != nil {
		return err
	}
	items := []historicPlanItem{}
	for _, it := range runs {
		if !planItemMatches(q, it, "planItemInstanceId", "planItemInstanceName", bounds) ||
			q.has("planItemInstanceState") && it.State != q.str("planItemInstanceState") ||
			withoutTenant != nil && *withoutTenant && it.TenantID != "" {
			continue
		}
		items = append(items, it)
	}
	key := func(it historicPlanItem) string {
		if p.Sort == "name" {
			return str(it.Name)
		}
		return fmt.Sprintf("%020d", it.created)
	}
	return c.JSON(page(items, p, key, func(it historicPlanItem) string { return it.ID }, false))
}

// planItemMatches applies the filters historic plan items and milestones share.
func planItemMatches(q query, it historicPlanItem, idParam, nameParam string, bounds map[string]time.Time) bool {
	switch {
	case q.has(idParam) && it.ID != q.str(idParam),
		q.has(nameParam) && str(it.Name) != q.str(nameParam),
		q.has("caseDefinitionId") && it.CaseDefinitionID != q.str("caseDefinitionId"),
		q.has("stageInstanceId"), q.has("referenceId"), q.has("referenceType"),
		q.has("elementId") && it.ElementID != q.str("elementId"),
		q.has("planItemDefinitionId") && it.PlanItemDefinitionID != q.str("planItemDefinitionId"),
		q.has("planItemDefinitionType") && it.PlanItemDefinitionType != q.str("planItemDefinitionType"),
		q.has("startUserId") && str(it.StartUserID) != q.str("startUserId"),
		q.has("tenantId") && it.TenantID != q.str("tenantId"):
		return false
	}
	for name, t := range bounds {
		v, _ := historicPlanItemDates[name](it).(string)
		if v == "" {
			return false
		}
		at, _ := parseISO(v)
		if strings.HasSuffix(name, "Before") && !at.Before(t) || strings.HasSuffix(name, "After") && !at.After(t) {
			return false
		}
	}
	return true
}

// historicPlanItemParam resolves :planItemInstanceId to any runtime the caller may see.
func (a *API) historicPlanItemParam(c *fiber.Ctx, what string) (historicPlanItem, error) {
	id := param(c, "planItemInstanceId")
	if instID, runID, ok := parsePlanItemID(id); ok {
		in, err := a.deps.Runtime.Describe(c.UserContext(), instID)
		if err != nil && !errors.Is(err, engine.ErrNotFound) {
			return historicPlanItem{}, err
		}
		if err == nil && mayWatch(caller(c), in.Instance) {
			for _, t := range in.Tasks {
				for _, n := range t.Runtimes {
					if n.ID == runID && (what != "milestone" || n.Template == "milestone") {
						return a.historicPlanItemOf(c, in, n), nil
					}
				}
			}
		}
	}
	return historicPlanItem{}, notFound("Could not find a historic %s instance with id '%s'.", what, id)
}

// getHistoricPlanItem handles GET cmmn-history/historic-planitem-instances/{id}.
func (a *API) getHistoricPlanItem(c *fiber.Ctx) error {
	it, err := a.historicPlanItemParam(c, "plan item")
	if err != nil {
		return err
	}
	return c.JSON(it)
}

// milestone is seed 003's historic milestone instance: a runtime of a milestone task
// that was reached (it passed through).
type milestone struct {
	ID               string `json:"id"`
	Name             string `json:"name"`
	ElementID        string `json:"elementId"`
	CaseInstanceID   string `json:"caseInstanceId"`
	CaseDefinitionID string `json:"caseDefinitionId"`
	Timestamp        any    `json:"timestamp"`
	// The seed's example ends in "..."; these are Flowable's own
	// (HistoricMilestoneInstanceResponse).
	URL               string `json:"url"`
	CaseInstanceURL   string `json:"historicCaseInstanceUrl"`
	CaseDefinitionURL string `json:"caseDefinitionUrl"`

	at int64
}

func milestoneOf(c *fiber.Ctx, it historicPlanItem) milestone {
	m := milestone{ID: it.ID, Name: str(it.Name), ElementID: it.ElementID, CaseInstanceID: it.CaseInstanceID,
		CaseDefinitionID: it.CaseDefinitionID, Timestamp: it.CompletedTime, URL: baseURL(c) + "/cmmn-history/historic-milestone-instances/" + it.ID,
		CaseInstanceURL: it.CaseInstanceURL, CaseDefinitionURL: it.CaseDefinitionURL, at: it.run.EndAt}
	if m.Name == "" {
		m.Name = it.ElementID
	}
	return m
}

// listMilestones handles GET cmmn-history/historic-milestone-instances: the milestone
// tasks the instance named reached.
func (a *API) listMilestones(c *fiber.Ctx) error {
	q := newQuery(c)
	p, err := pageParams(q, "caseInstanceId", "timestamp", "name")
	if err != nil {
		return err
	}
	bounds := map[string]time.Time{}
	for _, name := range []string{"reachedBefore", "reachedAfter"} {
		t, err := q.date(name)
		if err != nil {
			return err
		}
		if t != nil {
			bounds["completed"+strings.TrimPrefix(name, "reached")] = *t
		}
	}
	runs, err := a.historicRuns(c, q, "mileStoneId")
	if err != nil {
		return err
	}
	items := []milestone{}
	for _, it := range runs {
		if it.run.Template != "milestone" || it.State != "completed" || !planItemMatches(q, it, "mileStoneId", "mileStoneName", bounds) {
			continue
		}
		items = append(items, milestoneOf(c, it))
	}
	key := func(m milestone) string {
		switch p.Sort {
		case "name":
			return m.Name
		case "timestamp":
			return fmt.Sprintf("%020d", m.at)
		}
		return m.CaseInstanceID
	}
	return c.JSON(page(items, p, key, func(m milestone) string { return m.ID }, false))
}

// getMilestone handles GET cmmn-history/historic-milestone-instances/{milestoneInstanceId}.
func (a *API) getMilestone(c *fiber.Ctx) error {
	it, err := a.historicPlanItemParam(c, "milestone")
	if err != nil {
		return err
	}
	if it.State != "completed" {
		return notFound("Could not find a historic milestone instance with id '%s'.", it.ID)
	}
	return c.JSON(milestoneOf(c, it))
}
