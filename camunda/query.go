package camunda

import (
	"strconv"
	"strings"
	"time"

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
	f, none, err := a.filterOf(q)
	if err != nil {
		return err
	}
	out := []taskDto{}
	if none || maxResults == 0 {
		return c.JSON(out)
	}
	f.Page.Offset, f.Page.Limit = first, maxResults
	jobs, _, err := a.deps.External.List(c.UserContext(), f)
	if err != nil {
		return err
	}
	for _, j := range jobs {
		out = append(out, a.toDto(j))
	}
	return c.JSON(out)
}

func (a *API) answerCount(c *fiber.Ctx, q *taskQuery) error {
	f, none, err := a.filterOf(q)
	if err != nil {
		return err
	}
	if none {
		return c.JSON(fiber.Map{"count": 0})
	}
	f.Page.Limit = 0 // the total only
	_, total, err := a.deps.External.List(c.UserContext(), f)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"count": total})
}

// filterOf turns a query into the engine's filter (every filter is the store's:
// counts and pages are exact); none: no task can match (an empty or unparsable id
// list, an execution id that is not flowcraft's, active and suspended together).
func (a *API) filterOf(q *taskQuery) (f engine.ExternalFilter, none bool, err error) {
	if q.ExternalTaskID != nil {
		f.ID = exactID(*q.ExternalTaskID)
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
		f.InstanceID = exactID(*q.ProcessInstanceID)
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
			return f, false, invalid("Cannot set query parameter 'sortBy' to value '%s'", s.SortBy)
		}
		if s.SortOrder != "asc" && s.SortOrder != "desc" {
			return f, false, invalid("Cannot set query parameter 'sortOrder' to value '%s'", s.SortOrder)
		}
		f.Page.Sort, f.Page.Desc = field, s.SortOrder == "desc"
	}

	// A list given (even empty) keeps the tasks whose id is one of it, as written.
	if q.ExternalTaskIDIn != nil {
		f.IDs = exactIDs(q.ExternalTaskIDIn)
		none = none || len(f.IDs) == 0
	}
	if q.ActivityIDIn != nil {
		f.TaskIDs = q.ActivityIDIn
		none = none || len(f.TaskIDs) == 0
	}
	if q.ProcessInstanceIDIn != nil {
		f.InstanceIDs = exactIDs(q.ProcessInstanceIDIn)
		none = none || len(f.InstanceIDs) == 0
	}
	if q.ExecutionID != nil {
		ids := exactIDs([]string{*q.ExecutionID})
		none = none || len(ids) == 0
		if len(ids) > 0 {
			f.NodeID = ids[0]
		}
	}
	for _, d := range []struct {
		name string
		v    *string
		to   **time.Time
	}{{"lockExpirationAfter", q.LockExpirationAfter, &f.LockExpiresAfter}, {"lockExpirationBefore", q.LockExpirationBefore, &f.LockExpiresBefore}} {
		if d.v == nil {
			continue
		}
		t, err := parseDate(*d.v)
		if err != nil {
			return f, false, invalid("Cannot set query parameter '%s' to value '%s': expected the format yyyy-MM-dd'T'HH:mm:ss.SSSZ", d.name, *d.v)
		}
		*d.to = &t
	}
	active, suspended := onlyTrue(q.Active) != nil, onlyTrue(q.Suspended) != nil
	if active || suspended {
		f.Suspended = &suspended
	}
	none = none || active && suspended
	f.PriorityMin, f.PriorityMax = q.PriorityHigherThanOrEquals, q.PriorityLowerThanOrEquals
	return f, none, nil
}

// exactIDs are the ids of a list written as flowcraft writes them (positive, decimal,
// no sign or leading zero); the others match no task.
func exactIDs(list []string) []engine.ID {
	var out []engine.ID
	for _, s := range list {
		if id := exactID(s); id > 0 {
			out = append(out, id)
		}
	}
	return out
}

// exactID is the id s spells as flowcraft writes ids, else -1, which no task has.
func exactID(s string) engine.ID {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || strconv.FormatInt(n, 10) != s {
		return -1
	}
	return engine.ID(n)
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
