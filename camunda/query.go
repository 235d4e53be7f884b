package camunda

import (
	"context"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// taskQuery is Camunda's ExternalTaskQueryDto (GET's query parameters, POST's body).
type taskQuery struct {
	ExternalTaskID             *string      `json:"externalTaskId"`
	ExternalTaskIDIn           []string     `json:"externalTaskIdIn"`
	TopicName                  *string      `json:"topicName"`
	WorkerID                   *string      `json:"workerId"`
	Locked                     *bool        `json:"locked"`
	NotLocked                  *bool        `json:"notLocked"`
	WithRetriesLeft            *bool        `json:"withRetriesLeft"`
	NoRetriesLeft              *bool        `json:"noRetriesLeft"`
	LockExpirationAfter        *string      `json:"lockExpirationAfter"`
	LockExpirationBefore       *string      `json:"lockExpirationBefore"`
	ActivityID                 *string      `json:"activityId"`
	ActivityIDIn               []string     `json:"activityIdIn"`
	ExecutionID                *string      `json:"executionId"`
	ProcessInstanceID          *string      `json:"processInstanceId"`
	ProcessInstanceIDIn        []string     `json:"processInstanceIdIn"`
	ProcessDefinitionID        *string      `json:"processDefinitionId"`
	TenantIDIn                 []string     `json:"tenantIdIn"`
	Active                     *bool        `json:"active"`
	Suspended                  *bool        `json:"suspended"`
	PriorityHigherThanOrEquals *int64       `json:"priorityHigherThanOrEquals"`
	PriorityLowerThanOrEquals  *int64       `json:"priorityLowerThanOrEquals"`
	Sorting                    []sortingDto `json:"sorting"`
}

// sortFields maps Camunda's sortBy values of the external task query to the
// engine's list sort fields.
var sortFields = map[string]string{
	"id":                   "id",
	"lockExpirationTime":   "lockExpiresAt",
	"processInstanceId":    "processInstanceId",
	"processDefinitionId":  "processId",
	"processDefinitionKey": "processId",
	"taskPriority":         "priority",
	"createTime":           "createdAt",
	"tenantId":             "tenantId",
}

// listTasks handles GET /external-task (Camunda "Get External Tasks").
func (a *API) listTasks(c *fiber.Ctx) error {
	q, err := queryFromParams(c)
	if err != nil {
		return err
	}
	if s, o := c.Query("sortBy"), c.Query("sortOrder"); s != "" || o != "" {
		if s == "" || o == "" {
			return invalid("Only a single sorting parameter specified. sortBy and sortOrder required")
		}
		q.Sorting = []sortingDto{{SortBy: s, SortOrder: o}}
	}
	return a.answerList(c, q)
}

// queryTasks handles POST /external-task (Camunda "Get External Tasks (POST)").
func (a *API) queryTasks(c *fiber.Ctx) error {
	var q taskQuery
	if err := a.decodeJSON(c, &q, "ExternalTaskQueryDto"); err != nil {
		return err
	}
	return a.answerList(c, &q)
}

// countTasks handles GET /external-task/count → {"count": n}.
func (a *API) countTasks(c *fiber.Ctx) error {
	q, err := queryFromParams(c)
	if err != nil {
		return err
	}
	return a.answerCount(c, q)
}

// queryCount handles POST /external-task/count → {"count": n} (sorting is ignored).
func (a *API) queryCount(c *fiber.Ctx) error {
	var q taskQuery
	if err := a.decodeJSON(c, &q, "ExternalTaskQueryDto"); err != nil {
		return err
	}
	q.Sorting = nil
	return a.answerCount(c, &q)
}

func (a *API) answerList(c *fiber.Ctx, q *taskQuery) error {
	first, err := intParam(c, "firstResult", 0)
	if err != nil {
		return err
	}
	maxResults, err := intParam(c, "maxResults", a.cfg.MaxResults)
	if err != nil {
		return err
	}
	if maxResults > a.cfg.MaxResults {
		return &Error{Status: fiber.StatusBadRequest, Type: "BadUserRequestException", Message: "Max results limit of " + strconv.Itoa(a.cfg.MaxResults) + " exceeded!", Code: &zero}
	}
	f, post, err := a.filterOf(q)
	if err != nil {
		return err
	}
	out := []taskDto{}
	if post == nil {
		f.Page.Offset, f.Page.Limit = first, maxResults
		if maxResults == 0 {
			return c.JSON(out)
		}
		jobs, _, err := a.deps.External.List(c.UserContext(), f)
		if err != nil {
			return err
		}
		for _, j := range jobs {
			out = append(out, a.toDto(j))
		}
		return c.JSON(out)
	}
	jobs, err := a.listAll(c.UserContext(), f, post)
	if err != nil {
		return err
	}
	for i := first; i < len(jobs) && len(out) < maxResults; i++ {
		out = append(out, a.toDto(jobs[i]))
	}
	return c.JSON(out)
}

func (a *API) answerCount(c *fiber.Ctx, q *taskQuery) error {
	f, post, err := a.filterOf(q)
	if err != nil {
		return err
	}
	if post == nil {
		f.Page.Limit = 1
		_, total, err := a.deps.External.List(c.UserContext(), f)
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"count": total})
	}
	jobs, err := a.listAll(c.UserContext(), f, post)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"count": len(jobs)})
}

// maxScan bounds the tasks a query with filters the engine does not take (applied
// here) reads: beyond it the query answers 400 asking for a narrower one.
const maxScan = 10_000

// listAll reads every task of f (page by page) and keeps those post accepts.
func (a *API) listAll(ctx context.Context, f engine.ExternalFilter, post func(*engine.ExternalJob) bool) ([]*engine.ExternalJob, error) {
	var out []*engine.ExternalJob
	f.Page.Offset, f.Page.Limit = 0, 1000
	for {
		jobs, total, err := a.deps.External.List(ctx, f)
		if err != nil {
			return nil, err
		}
		if total > maxScan {
			return nil, invalid("the query matches more than %d external tasks before its filters on ids, executions, lock expiration, suspension or priority; narrow it with topicName, workerId, processInstanceId or processDefinitionId", maxScan)
		}
		for _, j := range jobs {
			if post(j) {
				out = append(out, j)
			}
		}
		f.Page.Offset += len(jobs)
		if len(jobs) == 0 || f.Page.Offset >= total {
			return out, nil
		}
	}
}

// filterOf turns a query into the engine's filter, and post: the filters the engine
// does not take, applied here (nil when there are none).
func (a *API) filterOf(q *taskQuery) (engine.ExternalFilter, func(*engine.ExternalJob) bool, error) {
	var f engine.ExternalFilter
	if q.ExternalTaskID != nil {
		id, err := strconv.ParseInt(*q.ExternalTaskID, 10, 64)
		if err != nil || id <= 0 {
			id = -1 // matches nothing
		}
		f.ID = engine.ID(id)
	}
	if q.TopicName != nil {
		f.Topic = *q.TopicName
	}
	if q.WorkerID != nil {
		f.WorkerID = *q.WorkerID
	}
	f.Locked, f.NotLocked = onlyTrue(q.Locked), onlyTrue(q.NotLocked)
	f.WithRetries, f.NoRetries = onlyTrue(q.WithRetriesLeft), onlyTrue(q.NoRetriesLeft)
	if q.ProcessInstanceID != nil {
		id, err := strconv.ParseInt(*q.ProcessInstanceID, 10, 64)
		if err != nil || id <= 0 {
			id = -1
		}
		f.InstanceID = engine.ID(id)
	}
	if q.ProcessDefinitionID != nil {
		f.ProcessID = *q.ProcessDefinitionID
	}
	if q.ActivityID != nil {
		f.TaskID = *q.ActivityID
	}
	f.TenantIDs = q.TenantIDIn
	switch len(q.Sorting) {
	case 0:
	default:
		s := q.Sorting[0]
		field, ok := sortFields[s.SortBy]
		if !ok {
			return f, nil, invalid("Cannot set query parameter 'sortBy' to value '%s'", s.SortBy)
		}
		if s.SortOrder != "asc" && s.SortOrder != "desc" {
			return f, nil, invalid("Cannot set query parameter 'sortOrder' to value '%s'", s.SortOrder)
		}
		f.Page.Sort, f.Page.Desc = field, s.SortOrder == "desc"
	}

	// Filters the engine's list does not take.
	var checks []func(*engine.ExternalJob) bool
	if q.ExternalTaskIDIn != nil {
		ids := q.ExternalTaskIDIn
		checks = append(checks, func(j *engine.ExternalJob) bool { return containsString(ids, j.ID.String()) })
	}
	if q.ActivityIDIn != nil {
		ids := q.ActivityIDIn
		checks = append(checks, func(j *engine.ExternalJob) bool { return containsString(ids, j.TaskID) })
	}
	if q.ProcessInstanceIDIn != nil {
		ids := q.ProcessInstanceIDIn
		checks = append(checks, func(j *engine.ExternalJob) bool { return containsString(ids, j.InstanceID.String()) })
	}
	if q.ExecutionID != nil {
		id := *q.ExecutionID
		checks = append(checks, func(j *engine.ExternalJob) bool { return j.NodeID.String() == id })
	}
	for _, d := range []struct {
		name  string
		v     *string
		after bool
	}{{"lockExpirationAfter", q.LockExpirationAfter, true}, {"lockExpirationBefore", q.LockExpirationBefore, false}} {
		if d.v == nil {
			continue
		}
		t, err := parseDate(*d.v)
		if err != nil {
			return f, nil, invalid("Cannot set query parameter '%s' to value '%s': expected the format yyyy-MM-dd'T'HH:mm:ss.SSSZ", d.name, *d.v)
		}
		after := d.after
		checks = append(checks, func(j *engine.ExternalJob) bool {
			if j.LockExpiresAt.IsZero() {
				return false
			}
			if after {
				return j.LockExpiresAt.After(t)
			}
			return j.LockExpiresAt.Before(t)
		})
	}
	if onlyTrue(q.Active) != nil {
		checks = append(checks, func(j *engine.ExternalJob) bool { return !j.Suspended })
	}
	if onlyTrue(q.Suspended) != nil {
		checks = append(checks, func(j *engine.ExternalJob) bool { return j.Suspended })
	}
	if p := q.PriorityHigherThanOrEquals; p != nil {
		v := *p
		checks = append(checks, func(j *engine.ExternalJob) bool { return j.Priority >= v })
	}
	if p := q.PriorityLowerThanOrEquals; p != nil {
		v := *p
		checks = append(checks, func(j *engine.ExternalJob) bool { return j.Priority <= v })
	}
	if len(checks) == 0 {
		return f, nil, nil
	}
	return f, func(j *engine.ExternalJob) bool {
		for _, ok := range checks {
			if !ok(j) {
				return false
			}
		}
		return true
	}, nil
}

// onlyTrue is a Camunda "value may only be true" flag: false matches every task.
func onlyTrue(b *bool) *bool {
	if b == nil || !*b {
		return nil
	}
	t := true
	return &t
}

// queryFromParams reads the query parameters of GET /external-task and /count,
// typed as Camunda's (booleans true/false, longs, dates; lists comma-separated);
// a value that does not parse is 400 "Cannot set query parameter ...". Unknown
// parameters are ignored, as JAX-RS does.
func queryFromParams(c *fiber.Ctx) (*taskQuery, error) {
	q := &taskQuery{}
	str := func(name string) *string {
		if v := c.Query(name); v != "" {
			s := strings.Clone(v)
			return &s
		}
		return nil
	}
	list := func(name string) []string {
		if v := c.Query(name); v != "" {
			return strings.Split(strings.Clone(v), ",")
		}
		return nil
	}
	var err error
	boolean := func(name string) *bool {
		v := c.Query(name)
		if v == "" || err != nil {
			return nil
		}
		b, perr := strconv.ParseBool(v)
		if perr != nil || (v != "true" && v != "false") {
			err = invalid("Cannot set query parameter '%s' to value '%s'", name, v)
			return nil
		}
		return &b
	}
	long := func(name string) *int64 {
		v := c.Query(name)
		if v == "" || err != nil {
			return nil
		}
		n, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil {
			err = invalid("Cannot set query parameter '%s' to value '%s'", name, v)
			return nil
		}
		return &n
	}
	q.ExternalTaskID, q.ExternalTaskIDIn = str("externalTaskId"), list("externalTaskIdIn")
	q.TopicName, q.WorkerID = str("topicName"), str("workerId")
	q.Locked, q.NotLocked = boolean("locked"), boolean("notLocked")
	q.WithRetriesLeft, q.NoRetriesLeft = boolean("withRetriesLeft"), boolean("noRetriesLeft")
	q.LockExpirationAfter, q.LockExpirationBefore = str("lockExpirationAfter"), str("lockExpirationBefore")
	q.ActivityID, q.ActivityIDIn, q.ExecutionID = str("activityId"), list("activityIdIn"), str("executionId")
	q.ProcessInstanceID, q.ProcessInstanceIDIn = str("processInstanceId"), list("processInstanceIdIn")
	q.ProcessDefinitionID, q.TenantIDIn = str("processDefinitionId"), list("tenantIdIn")
	q.Active, q.Suspended = boolean("active"), boolean("suspended")
	q.PriorityHigherThanOrEquals, q.PriorityLowerThanOrEquals = long("priorityHigherThanOrEquals"), long("priorityLowerThanOrEquals")
	return q, err
}

// intParam reads firstResult or maxResults (a non-negative integer).
func intParam(c *fiber.Ctx, name string, def int) (int, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, invalid("Cannot set query parameter '%s' to value '%s'", name, v)
	}
	return n, nil
}
