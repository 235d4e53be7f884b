package flowable

import (
	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// Info and query (ExternalWorkerJobCollectionResource, ExternalWorkerJobResource): the
// external worker jobs waiting for a worker or locked by one.

// externalJobSorts maps Flowable's sort properties to the engine's.
// (No job has a due date: dueDate sorts by id; a node instance belongs to one process
// instance: executionId sorts by that.)
var externalJobSorts = map[string]string{"id": "id", "dueDate": "id", "createTime": "createdAt", "executionId": "processInstanceId",
	"processInstanceId": "processInstanceId", "retries": "retries", "tenantId": "tenantId"}

// listExternalJobs handles GET jobs: Flowable's ExternalWorkerJobQueryRequest's
// filters, paged and sorted as every list. Filters a flowcraft job cannot match
// (scopeId, subScopeId, scopeDefinitionId: BPMN jobs have no scope; elementName:
// flowcraft's jobs do not carry their task's name) answer an empty page.
func (a *API) listExternalJobs(c *fiber.Ctx) error {
	q := newQuery(c)
	p, err := pageParams(q, "id", "dueDate", "createTime", "executionId", "processInstanceId", "retries", "tenantId")
	if err != nil {
		return err
	}
	bools := map[string]bool{}
	for _, name := range []string{"withException", "withoutTenantId", "locked", "unlocked"} {
		v, err := q.boolean(name)
		if err != nil {
			return err
		}
		bools[name] = v != nil && *v
	}
	f := engine.ExternalFilter{States: []string{engine.ExternalOpen, engine.ExternalLocked},
		Page: engine.Page{Sort: externalJobSorts[p.Sort], Desc: p.Order == "desc", Offset: p.Start, Limit: max(p.Size, 1)}}
	none := false
	id := func(name string, to *engine.ID) {
		if q.has(name) {
			v, err := engine.ParseID(q.str(name))
			none = none || err != nil || v == 0
			*to = v
		}
	}
	id("id", &f.ID)
	id("processInstanceId", &f.InstanceID)
	id("executionId", &f.NodeID)
	if q.has("processDefinitionId") {
		key, v, ok := parseDefinitionID(q.str("processDefinitionId"))
		none = none || !ok
		f.ProcessID, f.Version = key, v
	}
	if q.has("elementId") {
		f.TaskID = q.str("elementId")
		none = none || f.TaskID == ""
	}
	for _, name := range []string{"scopeId", "subScopeId", "scopeDefinitionId", "elementName"} {
		none = none || q.has(name)
	}
	if q.has("scopeType") && q.str("scopeType") != "bpmn" {
		none = true
	}
	if q.has("tenantId") {
		f.TenantIDs = []string{q.str("tenantId")}
	}
	if bools["withoutTenantId"] {
		none = none || q.has("tenantId") && q.str("tenantId") != ""
		f.TenantIDs = []string{""}
	}
	yes := true
	if bools["locked"] {
		f.Locked = &yes
	}
	if bools["unlocked"] {
		f.NotLocked = &yes
	}
	// Flowable's query with both: no job is locked and unlocked.
	none = none || bools["locked"] && bools["unlocked"]

	f.WithError = bools["withException"]
	if q.has("exceptionMessage") {
		msg := q.str("exceptionMessage")
		f.ErrorMessage = &msg
	}
	f.TenantLike = q.str("tenantIdLike")

	out := listResponse[externalJobResponse]{Data: []externalJobResponse{}, Start: p.Start, Sort: p.Sort, Order: p.Order}
	if none {
		return c.JSON(out)
	}
	jobs, total, err := a.deps.External.List(c.UserContext(), f)
	if err != nil {
		return err
	}
	for _, j := range jobs[:min(len(jobs), p.Size)] {
		out.Data = append(out.Data, a.externalJobOf(c, j))
	}
	out.Total, out.Size = total, len(out.Data)
	return c.JSON(out)
}

// getExternalJob handles GET jobs/{jobId}.
func (a *API) getExternalJob(c *fiber.Ctx) error {
	j, err := a.externalJobParam(c)
	if err != nil {
		return err
	}
	return c.JSON(a.externalJobOf(c, j))
}
