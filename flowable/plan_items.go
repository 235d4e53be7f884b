package flowable

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// Plan item instances are node instances (runtimes, DESIGN §8). Their id is
// "<instance id>-<runtime id>" (both snowflakes), so that one can be read without a
// store query of its own. As in Flowable's runtime service, only the plan items of
// case instances that have not ended are found here (history comes with part 2).

// planItem is seed 003's plan item instance.
type planItem struct {
	ID                       string  `json:"id"`
	URL                      string  `json:"url"`
	Name                     *string `json:"name"`
	CaseInstanceID           string  `json:"caseInstanceId"`
	CaseInstanceURL          string  `json:"caseInstanceUrl"`
	CaseDefinitionID         string  `json:"caseDefinitionId"`
	CaseDefinitionURL        string  `json:"caseDefinitionUrl"`
	DerivedCaseDefinitionID  *string `json:"derivedCaseDefinitionId"`
	DerivedCaseDefinitionURL *string `json:"derivedCaseDefinitionUrl"`
	StageInstanceID          *string `json:"stageInstanceId"`
	StageInstanceURL         *string `json:"stageInstanceUrl"`
	PlanItemDefinitionID     string  `json:"planItemDefinitionId"`
	PlanItemDefinitionType   string  `json:"planItemDefinitionType"`
	State                    string  `json:"state"`
	Stage                    bool    `json:"stage"`
	ElementID                string  `json:"elementId"`
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
	StartUserID              *string `json:"startUserId"`
	ReferenceID              *string `json:"referenceId"`
	ReferenceType            *string `json:"referenceType"`
	Completable              bool    `json:"completable"`
	EntryCriterionID         *string `json:"entryCriterionId"`
	ExitCriterionID          *string `json:"exitCriterionId"`
	FormKey                  *string `json:"formKey"`
	ExtraValue               *string `json:"extraValue"`
	TenantID                 string  `json:"tenantId"`

	created int64
	run     *engine.NodeRun
	inst    *engine.InstanceView
}

// planItemTypes maps templates to Flowable's plan item definition types; others are
// their template's id.
var planItemTypes = map[string]string{
	"approval": "humantask", "subprocess": "casetask", "delay": "timereventlistener", "milestone": "milestone",
	"external-task": "externalworkertask", "script": "scripttask", "http-request": "httpservicetask",
	"database-handler": "servicetask", "manual": "generictask", "webhook": "eventlistener", "cron-timer": "timereventlistener",
	"end": "generictask",
}

// planItemType is the plan item definition type of a template.
func planItemType(template string) string {
	if t, ok := planItemTypes[template]; ok {
		return t
	}
	return template
}

// planItemState maps a runtime's status to a plan item state.
func planItemState(status string) string {
	switch status {
	case engine.StatusPending:
		return "available"
	case engine.StatusRunning, engine.StatusWaiting:
		return "active"
	case engine.StatusDone, engine.StatusSkipped:
		return "completed"
	case engine.StatusFailed:
		return "failed"
	default: // canceled, timeout
		return "terminated"
	}
}

// planItemStates are the states a filter may name.
var planItemStates = []string{"available", "active", "completed", "failed", "terminated", "enabled", "disabled", "suspended", "waiting_for_repetition", "unavailable", "async-active"}

// unfinished are the instance statuses whose plan items the runtime resources show.
var unfinished = []string{engine.StatusPending, engine.StatusRunning, engine.StatusWaiting, engine.StatusSuspended}

func (a *API) planItemOf(c *fiber.Ctx, in *engine.InstanceView, n *engine.NodeRun) planItem {
	base := baseURL(c)
	id := in.ID.String() + "-" + n.ID.String()
	def := definitionID(in.ProcessID, in.Version)
	loc := a.cfg.Location
	p := planItem{ID: id, URL: base + "/cmmn-runtime/plan-item-instances/" + id,
		CaseInstanceID: in.ID.String(), CaseInstanceURL: base + "/cmmn-runtime/case-instances/" + in.ID.String(),
		CaseDefinitionID: def, CaseDefinitionURL: base + "/cmmn-repository/case-definitions/" + def,
		PlanItemDefinitionID: n.TaskID, PlanItemDefinitionType: planItemType(n.Template),
		State: planItemState(n.Status), ElementID: n.TaskID,
		CreateTime: isoTime(n.CreateAt, loc), LastAvailableTime: isoTime(n.CreateAt, loc), LastStartedTime: isoTime(n.StartAt, loc),
		TenantID: "", created: n.CreateAt, run: n, inst: in}
	if n.Name != "" {
		name := n.Name
		p.Name = &name
	}
	if in.Executor != "" {
		u := in.Executor
		p.StartUserID = &u
	}
	switch p.State {
	case "completed":
		p.CompletedTime, p.EndedTime = isoTime(n.EndAt, loc), isoTime(n.EndAt, loc)
	case "terminated":
		p.TerminatedTime, p.EndedTime = isoTime(n.EndAt, loc), isoTime(n.EndAt, loc)
	case "failed":
		p.EndedTime = isoTime(n.EndAt, loc)
	}
	return p
}

// parsePlanItemID splits "<instance id>-<runtime id>".
func parsePlanItemID(id string) (engine.ID, engine.ID, bool) {
	i, r, ok := strings.Cut(id, "-")
	if !ok {
		return 0, 0, false
	}
	inst, err1 := engine.ParseID(i)
	run, err2 := engine.ParseID(r)
	return inst, run, err1 == nil && err2 == nil
}

// mayWatch: designers and admins see every instance, users the ones they started
// (as the native API).
func mayWatch(u *engine.User, in *engine.Instance) bool {
	return u.HasRole(engine.RoleDesigner) || in.Executor == u.ID
}

// describe reads an unfinished instance the caller may see; nil when there is none.
func (a *API) describe(ctx context.Context, u *engine.User, id engine.ID) (*engine.InstanceView, error) {
	in, err := a.deps.Runtime.Describe(ctx, id)
	if errors.Is(err, engine.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !slices.Contains(unfinished, in.Status) || !mayWatch(u, in.Instance) {
		return nil, nil
	}
	return in, nil
}

// listPlanItems handles GET cmmn-runtime/plan-item-instances.
func (a *API) listPlanItems(c *fiber.Ctx) error {
	q := newQuery(c)
	p, err := pageParams(q, "createTime", "name")
	if err != nil {
		return err
	}
	before, err := q.date("createdBefore")
	if err != nil {
		return err
	}
	after, err := q.date("createdAfter")
	if err != nil {
		return err
	}
	withoutTenant, err := q.boolean("withoutTenantId")
	if err != nil {
		return err
	}
	if q.has("state") && !slices.Contains(planItemStates, q.str("state")) {
		return badRequest("query parameter state must be one of %s, not %q", strings.Join(planItemStates, ", "), q.str("state"))
	}
	var defKey string
	defVer := 0
	if q.has("caseDefinitionId") {
		k, v, ok := parseDefinitionID(q.str("caseDefinitionId"))
		if !ok {
			return c.JSON(page([]planItem{}, p, nil, nil, false))
		}
		defKey, defVer = k, v
	}
	startUser := q.str("startUserId")
	if startUser == "" {
		startUser = q.str("starUserId") // the seed's spelling
	}
	ctx, u := c.UserContext(), caller(c)

	// Which instances: the one named, or every unfinished one the caller may see.
	var insts []*engine.InstanceView
	var ids []engine.ID
	switch {
	case q.has("id"):
		if inst, _, ok := parsePlanItemID(q.str("id")); ok {
			ids = append(ids, inst)
		}
	case q.has("caseInstanceId"):
		if inst, err := engine.ParseID(q.str("caseInstanceId")); err == nil {
			ids = append(ids, inst)
		}
	default:
		executor := startUser
		if !u.HasRole(engine.RoleDesigner) {
			if executor != "" && executor != u.ID {
				return c.JSON(page([]planItem{}, p, nil, nil, false))
			}
			executor = u.ID
		}
		for _, status := range unfinished {
			for off := 0; ; off += listPageSize {
				list, total, err := a.deps.Runtime.ListInstances(ctx, engine.InstanceFilter{ProcessID: defKey, Status: status, Executor: executor,
					Page: engine.Page{Limit: listPageSize, Offset: off, Sort: "id"}})
				if err != nil {
					return err
				}
				for _, in := range list {
					ids = append(ids, in.ID)
				}
				if len(list) == 0 || off+len(list) >= total {
					break
				}
			}
		}
	}
	for _, id := range ids {
		in, err := a.describe(ctx, u, id)
		if err != nil {
			return err
		}
		if in != nil {
			insts = append(insts, in)
		}
	}
	types := map[string]bool{}
	if q.has("planItemDefinitionTypes") {
		for _, t := range strings.Split(q.str("planItemDefinitionTypes"), ",") {
			types[strings.TrimSpace(t)] = true
		}
	}
	var items []planItem
	for _, in := range insts {
		for _, t := range in.Tasks {
			for _, n := range t.Runtimes {
				it := a.planItemOf(c, in, n)
				switch {
				case q.has("id") && it.ID != q.str("id"),
					defKey != "" && (in.ProcessID != defKey || in.Version != defVer),
					q.has("stageInstanceId"), // flowcraft has no stages
					q.has("planItemDefinitionId") && it.PlanItemDefinitionID != q.str("planItemDefinitionId"),
					q.has("planItemDefinitionType") && it.PlanItemDefinitionType != q.str("planItemDefinitionType"),
					len(types) > 0 && !types[it.PlanItemDefinitionType],
					q.has("state") && it.State != q.str("state"),
					q.has("name") && (it.Name == nil || *it.Name != q.str("name")),
					q.has("elementId") && it.ElementID != q.str("elementId"),
					q.has("referenceId"), q.has("referenceType"),
					before != nil && it.created >= before.UnixMilli(),
					after != nil && it.created <= after.UnixMilli(),
					startUser != "" && in.Executor != startUser,
					q.has("tenantId") && q.str("tenantId") != it.TenantID,
					withoutTenant != nil && *withoutTenant != (it.TenantID == ""):
					continue
				}
				items = append(items, it)
			}
		}
	}
	key := func(it planItem) string {
		if p.Sort == "name" {
			if it.Name == nil {
				return ""
			}
			return *it.Name
		}
		return fmt.Sprintf("%020d", it.created)
	}
	return c.JSON(page(items, p, key, func(it planItem) string { return it.ID }, false))
}

// planItemParam resolves :planItemInstanceId to the instance and its runtime.
func (a *API) planItemParam(c *fiber.Ctx) (*engine.InstanceView, *engine.NodeRun, error) {
	id := param(c, "planItemInstanceId")
	instID, runID, ok := parsePlanItemID(id)
	if ok {
		in, err := a.describe(c.UserContext(), caller(c), instID)
		if err != nil {
			return nil, nil, err
		}
		if in != nil {
			for _, t := range in.Tasks {
				for _, n := range t.Runtimes {
					if n.ID == runID {
						return in, n, nil
					}
				}
			}
		}
	}
	return nil, nil, notFound("Could not find a plan item instance with id '%s'.", id)
}

// getPlanItem handles GET cmmn-runtime/plan-item-instances/{planItemInstanceId}.
func (a *API) getPlanItem(c *fiber.Ctx) error {
	in, n, err := a.planItemParam(c)
	if err != nil {
		return err
	}
	return c.JSON(a.planItemOf(c, in, n))
}

// planItemAction is the body of PUT plan-item-instances/{id}.
type planItemAction struct {
	Action *string `json:"action"`
}

// actOnPlanItem handles PUT cmmn-runtime/plan-item-instances/{planItemInstanceId}.
// trigger completes a waiting approval: the caller's open task of it is completed as
// POST /api/taskInst/{id} without an outcome does (its first outcome). Every other
// case answers 400 naming why: flowcraft's nodes start, end and wait by themselves.
func (a *API) actOnPlanItem(c *fiber.Ctx) error {
	var body planItemAction
	if err := a.decodeJSON(c, &body); err != nil {
		return err
	}
	in, n, err := a.planItemParam(c)
	if err != nil {
		return err
	}
	if body.Action == nil || *body.Action == "" {
		return badRequest("the body must name an action: start, trigger, enable, disable or evaluateCriteria")
	}
	switch action := *body.Action; action {
	case "start", "enable", "disable":
		return badRequest("action %s: flowcraft's plan items have no manual activation; a node starts when the flow reaches it", action)
	case "evaluateCriteria":
		return badRequest("action evaluateCriteria: flowcraft's plan items have no sentries; connections and their conditions are evaluated when a node ends")
	case "trigger":
	default:
		return badRequest("unknown action %q; use start, trigger, enable, disable or evaluateCriteria", action)
	}
	if n.Status != engine.StatusWaiting {
		return badRequest("plan item %s is %s, not waiting for a trigger", a.planItemOf(c, in, n).ID, n.Status)
	}
	switch n.Template {
	case "approval":
	case "delay":
		return badRequest("a delay (timer) ends at its time; it cannot be triggered")
	case "subprocess":
		return badRequest("a subprocess ends when its child instance ends; it cannot be triggered")
	default:
		return badRequest("a %s node cannot be triggered", n.Template)
	}
	u := caller(c)
	var open []*engine.HumanTask
	for _, t := range n.HumanTasks {
		if t.Status == engine.TaskOpen {
			open = append(open, t)
		}
	}
	var mine *engine.HumanTask
	for _, t := range open {
		if t.Assignee == u.ID {
			mine = t
			break
		}
	}
	if mine == nil && len(open) == 1 {
		mine = open[0] // a candidate's task: the engine checks who may complete it
	}
	if mine == nil {
		return badRequest("plan item %s has no open task of yours to complete", a.planItemOf(c, in, n).ID)
	}
	if _, err := a.deps.Tasks.CompleteTask(c.UserContext(), u, mine.ID, engine.TaskInput{}); err != nil {
		return err
	}
	view, err := a.deps.Runtime.Describe(c.UserContext(), in.ID)
	if err != nil {
		return err
	}
	for _, t := range view.Tasks {
		for _, r := range t.Runtimes {
			if r.ID == n.ID {
				return c.JSON(a.planItemOf(c, view, r))
			}
		}
	}
	return c.SendStatus(fiber.StatusNoContent)
}
