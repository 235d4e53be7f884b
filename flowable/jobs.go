package flowable

import (
	"context"
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// Jobs (cmmn-management): the job table by Flowable's job kinds (DESIGN §8) —
// jobs (executable: pending and due), timer-jobs (pending, not due yet: timers,
// timeouts, a retry's back-off), suspended-jobs (of a suspended instance) and
// deadletter-jobs (out of attempts) — with the management service's filters and
// actions. Admins only.

// Jobs is what the job resources need (engine.JobAdmin).
type Jobs interface {
	List(ctx context.Context, f engine.JobFilter) ([]*engine.Job, int, error)
	Get(ctx context.Context, id engine.ID) (*engine.Job, error)
	Execute(ctx context.Context, id engine.ID) error
	Move(ctx context.Context, id engine.ID) error
	Delete(ctx context.Context, id engine.ID) error
}

// jobCollections maps the resources to queues.
var jobCollections = []struct{ path, queue string }{
	{"jobs", engine.JobQueueExecutable},
	{"timer-jobs", engine.JobQueueTimer},
	{"suspended-jobs", engine.JobQueueSuspended},
	{"deadletter-jobs", engine.JobQueueDead},
}

// jobResponse is Flowable's job (CMMN management API).
type jobResponse struct {
	ID                 string  `json:"id"`
	URL                string  `json:"url"`
	CaseInstanceID     *string `json:"caseInstanceId"`
	CaseInstanceURL    *string `json:"caseInstanceUrl"`
	CaseDefinitionID   *string `json:"caseDefinitionId"`
	CaseDefinitionURL  *string `json:"caseDefinitionUrl"`
	PlanItemInstanceID *string `json:"planItemInstanceId"`
	ElementID          *string `json:"elementId"`
	ElementName        *string `json:"elementName"`
	HandlerType        string  `json:"handlerType"`
	Retries            int     `json:"retries"`
	ExceptionMessage   *string `json:"exceptionMessage"`
	DueDate            any     `json:"dueDate"`
	CreateTime         any     `json:"createTime"`
	LockOwner          *string `json:"lockOwner"`
	LockExpirationTime any     `json:"lockExpirationTime"`
	TenantID           string  `json:"tenantId"`
}

// jobSorts maps the sort parameter to the store's sorts.
var jobSorts = map[string]string{"id": "id", "dueDate": "dueAt", "createTime": "createAt", "retries": "retries",
	"caseInstanceId": "instanceId", "processInstanceId": "instanceId", "executionId": "instanceId", "tenantId": "id"}

func (a *API) jobRoutes() []route {
	admin := engine.RoleAdmin
	var out []route
	for _, col := range jobCollections {
		base := "/cmmn-management/" + col.path
		queue := col.queue
		out = append(out,
			route{"GET", base, admin, "List " + col.path, func(c *fiber.Ctx) error { return a.listJobs(c, col.path, queue) }},
			route{"GET", base + "/:jobId", admin, "Get one of " + col.path, func(c *fiber.Ctx) error { return a.getJob(c, col.path, queue) }},
			route{"DELETE", base + "/:jobId", admin, "Delete one of " + col.path, func(c *fiber.Ctx) error { return a.deleteJob(c, queue) }},
			route{"GET", base + "/:jobId/exception-stacktrace", admin, "Get the exception stack trace of one of " + col.path,
				func(c *fiber.Ctx) error { return a.jobStacktrace(c, queue) }},
		)
		if queue != engine.JobQueueSuspended {
			out = append(out, route{"POST", base + "/:jobId", admin, "Act on one of " + col.path + " (" + jobActionsOf(queue) + ")",
				func(c *fiber.Ctx) error { return a.actOnJob(c, queue) }})
		}
	}
	return out
}

// jobActionsOf names the actions a queue accepts.
func jobActionsOf(queue string) string {
	switch queue {
	case engine.JobQueueExecutable:
		return "execute"
	case engine.JobQueueTimer:
		return "move, execute"
	default:
		return "move"
	}
}

func (a *API) jobOf(c *fiber.Ctx, col string, j *engine.Job) jobResponse {
	base := baseURL(c)
	loc := a.cfg.Location
	r := jobResponse{ID: j.ID.String(), URL: base + "/cmmn-management/" + col + "/" + j.ID.String(), HandlerType: j.Kind,
		Retries: max(j.MaxAttempts-j.Attempts, 0), DueDate: isoTime(j.DueAt, loc), CreateTime: isoTime(j.CreateAt, loc)}
	str := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	if j.InstanceID != 0 {
		r.CaseInstanceID = str(j.InstanceID.String())
		r.CaseInstanceURL = str(base + "/cmmn-runtime/case-instances/" + j.InstanceID.String())
		if j.NodeID != 0 {
			r.PlanItemInstanceID = str(j.InstanceID.String() + "-" + j.NodeID.String())
		}
	}
	if j.ProcessID != "" {
		def := definitionID(j.ProcessID, j.Version)
		r.CaseDefinitionID = &def
		r.CaseDefinitionURL = str(base + "/cmmn-repository/case-definitions/" + def)
	}
	r.ElementID = str(j.TaskID)
	r.ExceptionMessage = str(j.Error)
	if j.LockOwner != "" {
		r.LockOwner = str(j.LockOwner)
		r.LockExpirationTime = isoTime(j.LockExpiry, loc)
	}
	return r
}

// listJobs handles GET cmmn-management/{jobs,timer-jobs,suspended-jobs,deadletter-jobs}.
func (a *API) listJobs(c *fiber.Ctx, col, queue string) error {
	q := newQuery(c)
	p, err := pageParams(q, "id", "dueDate", "createTime", "retries", "caseInstanceId", "processInstanceId", "executionId", "tenantId")
	if err != nil {
		return err
	}
	f := engine.JobFilter{Queue: queue, TaskID: q.str("elementId"), ExceptionMessage: q.str("exceptionMessage"),
		Page: engine.Page{Sort: jobSorts[p.Sort], Desc: p.Order == "desc", Limit: p.Size, Offset: p.Start}}
	for _, b := range []struct {
		name string
		to   *bool
	}{{"timersOnly", &f.TimersOnly}, {"messagesOnly", &f.MessagesOnly}, {"withException", &f.WithException},
		{"locked", &f.Locked}, {"unlocked", &f.Unlocked}} {
		v, err := q.boolean(b.name)
		if err != nil {
			return err
		}
		*b.to = v != nil && *v
	}
	if f.TimersOnly && f.MessagesOnly {
		return badRequest("only one of timersOnly and messagesOnly can be true")
	}
	if f.Locked && f.Unlocked {
		return badRequest("only one of locked and unlocked can be true")
	}
	for _, d := range []struct {
		name string
		to   *int64
	}{{"dueBefore", &f.DueBefore}, {"dueAfter", &f.DueAfter}} {
		t, err := q.date(d.name)
		if err != nil {
			return err
		}
		if t != nil {
			*d.to = t.UnixMilli()
			if *d.to == 0 {
				*d.to = 1 // the epoch itself: 0 means no filter
			}
		}
	}
	// Ids that cannot exist match nothing (an empty page, as Flowable's query).
	none := false
	id := func(name string, to *engine.ID) {
		if q.has(name) {
			v, err := engine.ParseID(q.str(name))
			if err != nil || v == 0 {
				none = true
			}
			*to = v
		}
	}
	id("id", &f.ID)
	id("caseInstanceId", &f.InstanceID)
	if q.has("planItemInstanceId") {
		inst, node, ok := parsePlanItemID(q.str("planItemInstanceId"))
		none = none || !ok || f.InstanceID != 0 && f.InstanceID != inst
		f.InstanceID, f.NodeID = inst, node
	}
	if q.has("caseDefinitionId") {
		key, v, ok := parseDefinitionID(q.str("caseDefinitionId"))
		none = none || !ok
		f.ProcessID, f.Version = key, v
	}
	if q.has("elementId") && f.TaskID == "" || q.has("exceptionMessage") && f.ExceptionMessage == "" {
		none = true
	}
	if withoutScope, err := q.boolean("withoutScopeId"); err != nil {
		return err
	} else if withoutScope != nil && *withoutScope {
		none = true // every flowcraft job belongs to an instance
	}
	out := listResponse[jobResponse]{Data: []jobResponse{}, Start: p.Start, Sort: p.Sort, Order: p.Order}
	if none {
		return c.JSON(out)
	}
	jobs, total, err := a.deps.Jobs.List(c.UserContext(), f)
	if err != nil {
		return err
	}
	for _, j := range jobs {
		out.Data = append(out.Data, a.jobOf(c, col, j))
	}
	out.Total, out.Size = total, len(out.Data)
	return c.JSON(out)
}

// jobParam reads the job of the path, 404 unless it is in queue.
func (a *API) jobParam(c *fiber.Ctx, queue string) (*engine.Job, error) {
	raw := param(c, "jobId")
	id, err := engine.ParseID(raw)
	if err != nil || id == 0 {
		return nil, notFound("could not find a job with id '%s'", raw)
	}
	j, err := a.deps.Jobs.Get(c.UserContext(), id)
	if errors.Is(err, engine.ErrNotFound) || err == nil && j.Queue != queue {
		return nil, notFound("could not find a job with id '%s'", raw)
	}
	return j, err
}

// getJob handles GET cmmn-management/{...}/{jobId}.
func (a *API) getJob(c *fiber.Ctx, col, queue string) error {
	j, err := a.jobParam(c, queue)
	if err != nil {
		return err
	}
	return c.JSON(a.jobOf(c, col, j))
}

// deleteJob handles DELETE cmmn-management/{...}/{jobId}.
func (a *API) deleteJob(c *fiber.Ctx, queue string) error {
	j, err := a.jobParam(c, queue)
	if err != nil {
		return err
	}
	if err := a.deps.Jobs.Delete(c.UserContext(), j.ID); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// jobStacktrace handles GET cmmn-management/{...}/{jobId}/exception-stacktrace: the
// job's last error as text/plain (flowcraft keeps the error message; Go has no Java
// stack trace), 404 when it has none.
func (a *API) jobStacktrace(c *fiber.Ctx, queue string) error {
	j, err := a.jobParam(c, queue)
	if err != nil {
		return err
	}
	if j.Error == "" {
		return notFound("job %s has no exception stacktrace", j.ID)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	return c.SendString(j.Error)
}

// jobAction is the body of POST cmmn-management/{...}/{jobId}.
type jobAction struct {
	Action *string `json:"action"`
}

// actOnJob handles POST cmmn-management/{jobs,timer-jobs,deadletter-jobs}/{jobId}:
// execute (jobs, timer-jobs: the job is made due now and the job executor runs it at
// once; the answer does not wait for it) or move (timer-jobs: to the executable jobs,
// i.e. due now; deadletter-jobs: back to the executable jobs with its attempts reset).
func (a *API) actOnJob(c *fiber.Ctx, queue string) error {
	var body jobAction
	if err := a.decodeJSON(c, &body); err != nil {
		return err
	}
	allowed := jobActionsOf(queue)
	if body.Action == nil || *body.Action == "" {
		return badRequest("the body must name an action: %s", allowed)
	}
	action := *body.Action
	switch {
	case queue == engine.JobQueueExecutable && action == "execute",
		queue == engine.JobQueueTimer && (action == "execute" || action == "move"),
		queue == engine.JobQueueDead && action == "move":
	case action == "moveToHistoryJob":
		return badRequest("action moveToHistoryJob: flowcraft has no history jobs (history is written with each step)")
	default:
		return badRequest("invalid action %s; use %s", strconv.Quote(action), allowed)
	}
	j, err := a.jobParam(c, queue)
	if err != nil {
		return err
	}
	if queue == engine.JobQueueDead {
		err = a.deps.Jobs.Move(c.UserContext(), j.ID)
	} else {
		err = a.deps.Jobs.Execute(c.UserContext(), j.ID)
	}
	if err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
