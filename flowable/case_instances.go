package flowable

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/gofiber/fiber/v2"

	"flowcraft/diagram"
	"flowcraft/engine"
)

// Case instances are process instances (DESIGN §8). The id is the instance's
// (a snowflake, decimal); caseDefinitionId is the definition version it runs
// ("<key>:<version>", see catalog.go). As in Flowable's runtime service, the
// runtime resources find only instances that have not ended (pending, running,
// waiting, suspended): an ended one is history (part 2). DELETE ends an instance as
// a cancel does (Flowable's runtime delete terminates it); its rows stay, as history.
//
// State: active (pending, running, waiting), suspended, completed (done), failed,
// terminated (canceled, timeout).
//
// Starting: by caseDefinitionKey the latest version, by caseDefinitionId that version
// (an earlier one too). The variables become the instance's typed variables and, with the
// transientVariables, the start's trigger data ({name: value}), which the
// definition's inputDataSchema checks and its tasks read as trigger.<name>;
// transient variables are not stored.
//
// Who: every signed-in user may start what the engine lets them start (candidate
// starters); designers and admins see every instance, users the ones they started
// (as the native API). Variables are read and written by designers and admins
// (the native API shows a user's own instance's variables with secrets redacted;
// this API has no redaction).

// caseRuntime is what case instances need of the runtime (engine.Runtime).
type caseRuntime interface {
	StartInstance(ctx context.Context, processID string, trigger any, opts engine.StartOptions) (*engine.StartResult, error)
	Act(ctx context.Context, id engine.ID, action string) (*engine.Instance, error)
	ListVariables(ctx context.Context, id engine.ID) ([]*engine.Variable, error)
	GetVariable(ctx context.Context, id engine.ID, name string) (*engine.Variable, error)
	VariableData(ctx context.Context, id engine.ID, name string) (*engine.Variable, error)
	PutVariables(ctx context.Context, id engine.ID, vars []engine.Variable) ([]*engine.Variable, error)
	CreateVariables(ctx context.Context, id engine.ID, vars []engine.Variable) ([]*engine.Variable, error)
	UpdateVariable(ctx context.Context, id engine.ID, v engine.Variable) (*engine.Variable, error)
	DeleteVariable(ctx context.Context, id engine.ID, name string) error
}

// caseInstance is seed 003's case instance.
type caseInstance struct {
	ID                        string         `json:"id"`
	Name                      *string        `json:"name"`
	URL                       string         `json:"url"`
	BusinessKey               *string        `json:"businessKey"`
	StartTime                 any            `json:"startTime"`
	StartUserID               *string        `json:"startUserId"`
	State                     string         `json:"state"`
	Ended                     bool           `json:"ended"`
	CaseDefinitionID          string         `json:"caseDefinitionId"`
	CaseDefinitionURL         string         `json:"caseDefinitionUrl"`
	CaseDefinitionName        *string        `json:"caseDefinitionName"`
	CaseDefinitionDescription *string        `json:"caseDefinitionDescription"`
	ParentID                  *string        `json:"parentId"`
	CallbackID                *string        `json:"callbackId"`
	CallbackType              *string        `json:"callbackType"`
	ReferenceID               *string        `json:"referenceId"`
	ReferenceType             *string        `json:"referenceType"`
	Variables                 []restVariable `json:"variables"`
	TenantID                  string         `json:"tenantId"`
	Completed                 bool           `json:"completed"`

	in *engine.Instance
}

// caseState maps an instance status to a case instance state.
func caseState(status string) string {
	switch status {
	case engine.StatusSuspended:
		return "suspended"
	case engine.StatusDone:
		return "completed"
	case engine.StatusFailed:
		return "failed"
	case engine.StatusCanceled, engine.StatusTimeout:
		return "terminated"
	default: // pending, running, waiting
		return "active"
	}
}

// childCallbackType is Flowable's callback type of a case started by a case task.
const childCallbackType = "cmmn-1.1-to-cmmn-1.1-child-case"

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// caseURL is the URL of a case instance.
func caseURL(c *fiber.Ctx, id string) string {
	return baseURL(c) + "/cmmn-runtime/case-instances/" + id
}

// descriptions remembers definition descriptions by "<key>:<version>" within a request.
type descriptions map[string]*string

// caseInstanceOf builds the answer for an instance.
func (a *API) caseInstanceOf(c *fiber.Ctx, in *engine.Instance, descs descriptions) caseInstance {
	id := in.ID.String()
	def := definitionID(in.ProcessID, in.Version)
	state := caseState(in.Status)
	out := caseInstance{ID: id, URL: caseURL(c, id), BusinessKey: strPtr(in.BusinessKey),
		StartTime: isoTime(in.StartAt, a.cfg.Location), StartUserID: strPtr(in.Executor), State: state,
		Ended: engine.Ended(in.Status), CaseDefinitionID: def, CaseDefinitionURL: baseURL(c) + "/cmmn-repository/case-definitions/" + def,
		CaseDefinitionName: strPtr(in.Name), Variables: []restVariable{}, TenantID: in.TenantID,
		Completed: state == "completed", in: in}
	if d, ok := descs[def]; ok {
		out.CaseDefinitionDescription = d
	} else {
		if v, err := a.lookup(c.UserContext(), in.ProcessID, in.Version, "case definition", def); err == nil {
			d = strPtr(v.def.Description)
		}
		descs[def] = d
		out.CaseDefinitionDescription = d
	}
	if in.ParentID != 0 {
		out.ParentID = strPtr(in.ParentID.String())
		if in.ParentNodeID != 0 {
			out.CallbackID = strPtr(in.ParentID.String() + "-" + in.ParentNodeID.String()) // the parent's plan item
			t := childCallbackType
			out.CallbackType = &t
		}
	}
	return out
}

// withVariables adds an instance's variables to its answer.
func (a *API) withVariables(c *fiber.Ctx, ci *caseInstance) error {
	vars, err := a.cases().ListVariables(c.UserContext(), ci.in.ID)
	if errors.Is(err, engine.ErrNotFound) {
		return nil // deleted meanwhile
	}
	if err != nil {
		return err
	}
	ci.Variables = a.restVariables(c, ci.ID, vars)
	return nil
}

// cases is the runtime as case instances use it.
func (a *API) cases() caseRuntime { return a.deps.Runtime }

// mayReadVariables: variables are for designers and admins (see the package note).
func mayReadVariables(u *engine.User) error {
	if u.HasRole(engine.RoleDesigner) {
		return nil
	}
	return errStatus(fiber.StatusForbidden, "reading or writing case instance variables needs the designer role; you are %s", u.Role)
}

// caseParam resolves :caseInstanceId to an unfinished instance the caller may see
// (404 otherwise).
func (a *API) caseParam(c *fiber.Ctx) (*engine.InstanceView, error) {
	id := param(c, "caseInstanceId")
	if n, err := engine.ParseID(id); err == nil {
		in, err := a.describe(c.UserContext(), caller(c), n)
		if err != nil || in != nil {
			return in, err
		}
	}
	return nil, notFound("Could not find a case instance with id '%s'.", id)
}

// startCaseBody is the body of POST cmmn-runtime/case-instances.
type startCaseBody struct {
	CaseDefinitionID   *string      `json:"caseDefinitionId"`
	CaseDefinitionKey  *string      `json:"caseDefinitionKey"`
	BusinessKey        *string      `json:"businessKey"`
	TenantID           *string      `json:"tenantId"`
	Variables          []variableIn `json:"variables"`
	TransientVariables []variableIn `json:"transientVariables"`
	ReturnVariables    *bool        `json:"returnVariables"`
}

// startCase handles POST cmmn-runtime/case-instances: 201 with the instance; 400 for
// an unknown definition or bad variables.
func (a *API) startCase(c *fiber.Ctx) error {
	var b startCaseBody
	if err := a.decodeJSON(c, &b); err != nil {
		return err
	}
	u := caller(c)
	byID, byKey := b.CaseDefinitionID != nil && *b.CaseDefinitionID != "", b.CaseDefinitionKey != nil && *b.CaseDefinitionKey != ""
	var key string
	ver := 0
	switch {
	case byID && byKey:
		return badRequest("send caseDefinitionId or caseDefinitionKey, not both")
	case byID:
		k, v, ok := parseDefinitionID(*b.CaseDefinitionID)
		if !ok {
			return badRequest("Could not find a case definition with id '%s'.", *b.CaseDefinitionID)
		}
		key, ver = k, v
	case byKey:
		key = *b.CaseDefinitionKey
	default:
		return badRequest("caseDefinitionId or caseDefinitionKey is required")
	}
	ctx := c.UserContext()
	head, err := a.deps.Definitions.Get(ctx, key)
	if errors.Is(err, engine.ErrNotFound) {
		if byID {
			return badRequest("Could not find a case definition with id '%s'.", *b.CaseDefinitionID)
		}
		return badRequest("Could not find a case definition with key '%s'.", key)
	}
	if err != nil {
		return err
	}
	if ver > head.Version {
		return badRequest("Could not find a case definition with id '%s'.", *b.CaseDefinitionID)
	}
	if b.ReturnVariables != nil && *b.ReturnVariables {
		if err := mayReadVariables(u); err != nil {
			return err
		}
	}
	vars, err := toVariables(b.Variables, "variables")
	if err != nil {
		return err
	}
	transient, err := toVariables(b.TransientVariables, "transientVariables")
	if err != nil {
		return err
	}
	// The trigger data: every variable's value as scripts see it.
	trigger := map[string]any{}
	for _, list := range [][]engine.Variable{vars, transient} {
		for _, v := range list {
			t, err := engine.NewVariable(v, 0)
			if err != nil {
				return err
			}
			trigger[v.Name] = t.ScriptValue()
		}
	}
	opts := engine.StartOptions{By: u.ID, Caller: u, TriggerApp: "manual", Variables: vars, Version: ver}
	if b.BusinessKey != nil {
		opts.BusinessKey = *b.BusinessKey
	}
	if b.TenantID != nil {
		opts.TenantID = *b.TenantID
	}
	res, err := a.cases().StartInstance(ctx, key, trigger, opts)
	if errors.Is(err, engine.ErrNotFound) {
		return badRequest("Could not find a case definition with key '%s'.", key) // deleted meanwhile
	}
	if err != nil {
		return err
	}
	out := a.caseInstanceOf(c, res.Instance, descriptions{})
	if b.ReturnVariables != nil && *b.ReturnVariables {
		if err := a.withVariables(c, &out); err != nil {
			return err
		}
	}
	c.Location(out.URL)
	return c.Status(fiber.StatusCreated).JSON(out)
}

// getCase handles GET cmmn-runtime/case-instances/{caseInstanceId}.
func (a *API) getCase(c *fiber.Ctx) error {
	in, err := a.caseParam(c)
	if err != nil {
		return err
	}
	return c.JSON(a.caseInstanceOf(c, in.Instance, descriptions{}))
}

// deleteCase handles DELETE cmmn-runtime/case-instances/{caseInstanceId}: the
// instance is canceled (it ends; its rows stay as history). Designers and admins
// delete every instance, users the ones they started.
func (a *API) deleteCase(c *fiber.Ctx) error {
	in, err := a.caseParam(c)
	if err != nil {
		return err
	}
	if _, err := a.cases().Act(c.UserContext(), in.ID, engine.ActionCancel); err != nil {
		if errors.Is(err, engine.ErrConflict) {
			return notFound("Could not find a case instance with id '%s'.", in.ID) // it ended meanwhile
		}
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// caseQuery is what selects case instances: the list's query parameters or the
// query's body.
type caseQuery struct {
	ID, DefinitionKey, DefinitionID, BusinessKey, InvolvedUser string
	TenantID, TenantIDLike                                     string
	WithoutTenantID, IncludeVariables                          bool
	Variables                                                  []engine.VarCondition
	page                                                       paging
}

// caseSorts are the sorts of case instance lists, the default first.
var caseSorts = []string{"id", "caseDefinitionId", "tenantId", "caseDefinitionKey", "startTime"}

// listCases handles GET cmmn-runtime/case-instances.
func (a *API) listCases(c *fiber.Ctx) error {
	q := newQuery(c)
	p, err := pageParams(q, caseSorts...)
	if err != nil {
		return err
	}
	cq := caseQuery{ID: q.str("id"), DefinitionKey: q.str("caseDefinitionKey"), DefinitionID: q.str("caseDefinitionId"),
		BusinessKey: q.str("businessKey"), InvolvedUser: q.str("involvedUser"), TenantID: q.str("tenantId"),
		TenantIDLike: q.str("tenantIdLike"), page: p}
	for name, dst := range map[string]*bool{"withoutTenantId": &cq.WithoutTenantID, "includeCaseVariables": &cq.IncludeVariables} {
		b, err := q.boolean(name)
		if err != nil {
			return err
		}
		if b != nil {
			*dst = *b
		}
	}
	return a.answerCases(c, cq)
}

// conditionIn is a variable condition of a query body.
type conditionIn struct {
	Name      *string         `json:"name"`
	Value     json.RawMessage `json:"value"`
	Operation *string         `json:"operation"`
	Operator  *string         `json:"operator"` // the seed's table calls it so
	Type      *string         `json:"type"`
}

// caseQueryBody is the body of POST query/case-instances.
type caseQueryBody struct {
	CaseInstanceID       *string       `json:"caseInstanceId"`
	ID                   *string       `json:"id"`
	CaseDefinitionKey    *string       `json:"caseDefinitionKey"`
	CaseDefinitionID     *string       `json:"caseDefinitionId"`
	BusinessKey          *string       `json:"businessKey"`
	InvolvedUser         *string       `json:"involvedUser"`
	TenantID             *string       `json:"tenantId"`
	TenantIDLike         *string       `json:"tenantIdLike"`
	WithoutTenantID      *bool         `json:"withoutTenantId"`
	IncludeCaseVariables *bool         `json:"includeCaseVariables"`
	Variables            []conditionIn `json:"variables"`
	Start                *int32        `json:"start"`
	Size                 *int32        `json:"size"`
	Sort                 *string       `json:"sort"`
	Order                *string       `json:"order"`
}

// queryCases handles POST query/case-instances: the list's filters in a body, with
// variable conditions {name, value, operation, type}. Paging comes from the body or
// the query string (the body wins).
func (a *API) queryCases(c *fiber.Ctx) error {
	var b caseQueryBody
	if err := a.decodeJSON(c, &b); err != nil {
		return err
	}
	p, err := pageParams(newQuery(c), caseSorts...)
	if err != nil {
		return err
	}
	if b.Start != nil {
		if *b.Start < 0 {
			return badRequest("start must not be negative")
		}
		p.Start = int(*b.Start)
	}
	if b.Size != nil {
		if *b.Size < 0 {
			return badRequest("size must not be negative")
		}
		p.Size = int(*b.Size)
	}
	if b.Sort != nil {
		if !slices.Contains(caseSorts, *b.Sort) {
			return badRequest("sort must be one of %v, not %q", caseSorts, *b.Sort)
		}
		p.Sort = *b.Sort
	}
	if b.Order != nil {
		if *b.Order != "asc" && *b.Order != "desc" {
			return badRequest("order must be asc or desc, not %q", *b.Order)
		}
		p.Order = *b.Order
	}
	str := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	cq := caseQuery{ID: str(b.CaseInstanceID), DefinitionKey: str(b.CaseDefinitionKey), DefinitionID: str(b.CaseDefinitionID),
		BusinessKey: str(b.BusinessKey), InvolvedUser: str(b.InvolvedUser), TenantID: str(b.TenantID), TenantIDLike: str(b.TenantIDLike),
		WithoutTenantID: b.WithoutTenantID != nil && *b.WithoutTenantID, IncludeVariables: b.IncludeCaseVariables != nil && *b.IncludeCaseVariables,
		page: p}
	if cq.ID == "" {
		cq.ID = str(b.ID)
	}
	conds := make([]engine.VarCondition, 0, len(b.Variables))
	for i, v := range b.Variables {
		vc := engine.VarCondition{Name: str(v.Name), Type: str(v.Type), Operation: str(v.Operation)}
		if vc.Operation == "" {
			vc.Operation = str(v.Operator)
		}
		if vc.Operation == "" {
			return badRequest("variables[%d].operation is required: one of %v", i, engine.VarOperations)
		}
		if len(bytes.TrimSpace(v.Value)) > 0 {
			dec := json.NewDecoder(bytes.NewReader(v.Value))
			dec.UseNumber()
			if err := dec.Decode(&vc.Value); err != nil {
				return badRequest("variables[%d].value: malformed JSON: %v", i, err)
			}
		}
		switch vc.Value.(type) {
		case map[string]any, []any:
			return badRequest("variables[%d].value must be a string, number, boolean or date, not an object or array", i)
		}
		conds = append(conds, vc)
	}
	if cq.Variables, err = engine.CheckVarConditions(conds); err != nil {
		return err
	}
	return a.answerCases(c, cq)
}

// answerCases runs a case query and answers the page. The store filters and pages
// (sorts id, startTime, tenantId); the sorts by definition read every match and sort
// them here.
func (a *API) answerCases(c *fiber.Ctx, cq caseQuery) error {
	u := caller(c)
	if cq.IncludeVariables {
		if err := mayReadVariables(u); err != nil {
			return err
		}
	}
	empty := func() error { return c.JSON(page([]caseInstance{}, cq.page, nil, nil, false)) }
	f := engine.InstanceFilter{ProcessID: cq.DefinitionKey, InvolvedUser: cq.InvolvedUser, BusinessKey: cq.BusinessKey,
		TenantID: cq.TenantID, TenantIDLike: cq.TenantIDLike, WithoutTenantID: cq.WithoutTenantID, Variables: cq.Variables,
		Unfinished: true}
	if cq.DefinitionID != "" {
		k, v, ok := parseDefinitionID(cq.DefinitionID)
		if !ok || f.ProcessID != "" && f.ProcessID != k {
			return empty()
		}
		f.ProcessID, f.Version = k, v
	}
	if cq.ID != "" {
		id, err := engine.ParseID(cq.ID)
		if err != nil {
			return empty()
		}
		f.ID = id
	}
	// Users see the instances they started (involvement: see identitylinks.go).
	if !u.HasRole(engine.RoleDesigner) {
		f.Executor = u.ID
	}
	ctx := c.UserContext()
	var list []*engine.Instance
	total := 0
	storeSort := map[string]string{"id": "id", "startTime": "startAt", "tenantId": "tenantId"}[cq.page.Sort]
	if storeSort != "" {
		f.Page = engine.Page{Limit: cq.page.Size, Offset: cq.page.Start, Sort: storeSort, Desc: cq.page.Order == "desc"}
		if f.Limit == 0 {
			f.Limit = 1 // the total only
		}
		var err error
		if list, total, err = a.deps.Runtime.ListInstances(ctx, f); err != nil {
			return err
		}
		if cq.page.Size == 0 {
			list = nil
		}
	} else {
		all, err := a.allInstances(ctx, f)
		if err != nil {
			return err
		}
		list, total = all, len(all)
	}
	descs := descriptions{}
	items := make([]caseInstance, 0, len(list))
	for _, in := range list {
		items = append(items, a.caseInstanceOf(c, in, descs))
	}
	out := listResponse[caseInstance]{Data: items, Total: total, Start: cq.page.Start, Sort: cq.page.Sort, Order: cq.page.Order, Size: len(items)}
	if storeSort == "" {
		out = page(items, cq.page, caseSortKey(cq.page.Sort), func(ci caseInstance) string { return fmt.Sprintf("%020s", ci.ID) }, false)
	}
	if cq.IncludeVariables {
		for i := range out.Data {
			if err := a.withVariables(c, &out.Data[i]); err != nil {
				return err
			}
		}
	}
	return c.JSON(out)
}

// caseSortKey is the sort key of a case instance list sorted here.
func caseSortKey(sort string) func(caseInstance) string {
	return func(ci caseInstance) string {
		if sort == "caseDefinitionId" {
			return fmt.Sprintf("%s:%010d", ci.in.ProcessID, ci.in.Version)
		}
		return ci.in.ProcessID // caseDefinitionKey
	}
}

// allInstances lists every instance the filter selects.
func (a *API) allInstances(ctx context.Context, f engine.InstanceFilter) ([]*engine.Instance, error) {
	var all []*engine.Instance
	for off := 0; ; off += listPageSize {
		f.Page = engine.Page{Limit: listPageSize, Offset: off, Sort: "id"}
		list, total, err := a.deps.Runtime.ListInstances(ctx, f)
		if err != nil {
			return nil, err
		}
		all = append(all, list...)
		if len(list) == 0 || off+len(list) >= total {
			return all, nil
		}
	}
}

// caseDiagram handles GET cmmn-runtime/case-instances/{caseInstanceId}/diagram: the
// definition version the instance runs, each task coloured by the status of its
// latest runtime (SVG).
func (a *API) caseDiagram(c *fiber.Ctx) error {
	in, err := a.caseParam(c)
	if err != nil {
		return err
	}
	p := &engine.Process{ID: in.ProcessID, Name: in.Name, Version: in.Version}
	status := map[string]string{}
	for _, t := range in.Tasks {
		p.Tasks = append(p.Tasks, t.Task)
		if t.Status != "" {
			status[t.InstID] = t.Status
		}
	}
	if len(p.Tasks) == 0 {
		return badRequest("case instance %s has no tasks to draw", in.ID)
	}
	c.Set(fiber.HeaderContentType, "image/svg+xml")
	return c.Send(diagram.SVG(p, diagram.Options{Kind: a.kindOf, Status: status}))
}

// stage is one entry of a stage overview.
type stage struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Current bool   `json:"current"`
	Ended   bool   `json:"ended"`
	EndTime any    `json:"endTime"`
}

// stageOverview handles GET cmmn-runtime/case-instances/{caseInstanceId}/stage-overview
// (and the seed's /cmmn-runtime/{caseInstanceId}/stage-overview): flowcraft has no
// stages, so each task of the instance's definition is one, in the definition's
// order: current while its latest runtime is pending, running or waiting, ended
// when it ended (endTime then). Ended instances answer too (their history).
func (a *API) stageOverview(c *fiber.Ctx) error {
	id := param(c, "caseInstanceId")
	n, err := engine.ParseID(id)
	var in *engine.InstanceView
	if err == nil {
		in, err = a.deps.Runtime.Describe(c.UserContext(), n)
	}
	if errors.Is(err, engine.ErrNotFound) || err == nil && !mayWatch(caller(c), in.Instance) {
		return notFound("Could not find a case instance with id '%s'.", id)
	}
	if err != nil {
		return err
	}
	out := make([]stage, 0, len(in.Tasks))
	for _, t := range in.Tasks {
		s := stage{ID: t.InstID, Name: t.Name}
		if t.Name == "" {
			s.Name = t.InstID
		}
		switch {
		case t.Status == "":
		case engine.Ended(t.Status):
			s.Ended = true
			if last := t.Runtimes[len(t.Runtimes)-1]; last.EndAt > 0 {
				s.EndTime = isoTime(last.EndAt, a.cfg.Location)
			}
		default:
			s.Current = true
		}
		out = append(out, s)
	}
	return c.JSON(out)
}

// caseRoutes are the case instance resources. Each answers at cmmn-runtime/… and at
// the seed's literal runtime/… too.
func (a *API) caseRoutes() []route {
	designer := engine.RoleDesigner
	var out []route
	for _, base := range []string{"/cmmn-runtime/case-instances", "/runtime/case-instances"} {
		one := base + "/:caseInstanceId"
		out = append(out,
			route{"POST", base, "", "Start a case instance", a.startCase},
			route{"GET", base, "", "List case instances", a.listCases},
			route{"GET", one, "", "Get a case instance", a.getCase},
			route{"DELETE", one, "", "Delete (terminate) a case instance", a.deleteCase},
			route{"GET", one + "/diagram", "", "Get a case instance's diagram (SVG)", a.caseDiagram},
			route{"GET", one + "/stage-overview", "", "Get a case instance's stage overview", a.stageOverview},
			route{"GET", one + "/identitylinks", "", "List a case instance's identity links", a.listCaseLinks},
			route{"POST", one + "/identitylinks", designer, "Add an identity link to a case instance", a.addCaseLink},
			route{"GET", one + "/identitylinks/users/:userId/:type", "", "Get an identity link of a case instance", a.getCaseLink},
			route{"DELETE", one + "/identitylinks/users/:userId/:type", designer, "Remove an identity link from a case instance", a.removeCaseLink},
			route{"GET", one + "/variables", designer, "List a case instance's variables", a.listCaseVariables},
			route{"POST", one + "/variables", designer, "Create case instance variables (JSON array, or a binary one as multipart)", a.createCaseVariables},
			route{"PUT", one + "/variables", designer, "Create or update case instance variables (JSON array, or a binary one as multipart)", a.putCaseVariables},
			route{"GET", one + "/variables/:variableName", designer, "Get a case instance variable", a.getCaseVariable},
			route{"PUT", one + "/variables/:variableName", designer, "Update a case instance variable (JSON, or binary as multipart)", a.putCaseVariable},
			route{"DELETE", one + "/variables/:variableName", designer, "Delete a case instance variable", a.deleteCaseVariable},
			route{"GET", one + "/variables/:variableName/data", designer, "Get a binary case instance variable's content", a.caseVariableData},
		)
	}
	return append(out,
		route{"POST", "/query/case-instances", "", "Query case instances (variable conditions)", a.queryCases},
		route{"POST", "/cmmn-query/case-instances", "", "Query case instances (Flowable's own path)", a.queryCases},
		route{"GET", "/cmmn-runtime/:caseInstanceId/stage-overview", "", "Get a case instance's stage overview (the seed's literal path)", a.stageOverview},
	)
}
