package flowable

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// Flowable's external worker REST API (flowable-external-job-rest, DESIGN §10) at
// /flowable-rest/external-job-api: workers in any language acquire the jobs of
// flowcraft's external-task nodes, lock them, and complete, fail or end them with a
// BPMN error, speaking exactly what @flowable-oss/external-worker-client and
// Flowable's Java and Python clients speak. Routes, statuses and messages follow
// ExternalWorkerAcquireJobResource, ExternalWorkerUnacquireJobResource,
// ExternalWorkerJobCollectionResource and ExternalWorkerJobResource (Flowable 7.x):
//
//   - A flowcraft job is a BPMN job of Flowable's: processInstanceId,
//     processDefinitionId (the cmmn-api's "<key>:<version>") and executionId (the
//     waiting node instance) are set, the scope fields are null. So bpmnError works
//     and cmmnTerminate answers 400, as Flowable answers for a BPMN job.
//   - A completed job is gone (404), as Flowable deletes it; so is an incident (retries
//     ran out: Flowable moves it to the dead-letter jobs, outside this API).
//   - Acting on a job another worker holds, or whose lock flowcraft let go (expired),
//     is 403 "<workerId> does not hold a lock on the requested job".
//   - Errors are Flowable's statuses in this package's {statusCode, errorMessage}
//     shape, plus Flowable's own ErrorInfo fields {message, exception}, so that
//     clients reading either find theirs.
//   - Unknown properties of a body are ignored and a value of the wrong type is a 400,
//     as Spring's Jackson does for Flowable (the cmmn-api's 415s are seed 003's).
//   - Callers need the worker role (or admin): a worker's user name and password as
//     Basic, or its API token as Bearer.

// ExternalPrefix is where the external worker API is mounted.
const ExternalPrefix = "/flowable-rest/external-job-api"

// roleWorker is the role of external workers' accounts.
const roleWorker = engine.RoleWorker

// Bounds of the API are the engine's (numberOfTasks at most engine.MaxFetchTasks, a lock
// or retry timeout at most engine.MaxLockDuration — Flowable keeps a lock as an int of
// milliseconds, about 24.8 days —, a workerId at most engine.MaxWorkerIDLength
// characters, Flowable's LOCK_OWNER_ varchar(255)).

// ExternalJobs is what the external worker API needs (engine.ExternalTasks).
type ExternalJobs interface {
	Fetch(ctx context.Context, req engine.FetchRequest) ([]*engine.LockedJob, error)
	Complete(ctx context.Context, id engine.ID, workerID string, vars, local []*engine.Variable) error
	Fail(ctx context.Context, id engine.ID, f engine.Failure) error
	BPMNError(ctx context.Context, id engine.ID, workerID, code, message string, vars []*engine.Variable) error
	Unlock(ctx context.Context, id engine.ID) error
	Get(ctx context.Context, id engine.ID) (*engine.ExternalJob, error)
	List(ctx context.Context, f engine.ExternalFilter) ([]*engine.ExternalJob, int, error)
}

func (a *API) externalRoutes() []route {
	w := roleWorker
	return []route{
		{"GET", "/openapi.json", "", "OpenAPI 3.1 document of this API", a.externalOpenAPI},
		{"POST", "/acquire/jobs", w, "Acquire and lock external worker jobs of a topic", a.acquireJobs},
		{"POST", "/acquire/jobs/:jobId/complete", w, "Complete an external worker job", a.completeJob},
		{"POST", "/acquire/jobs/:jobId/bpmnError", w, "Complete an external worker job with a BPMN error", a.bpmnErrorJob},
		{"POST", "/acquire/jobs/:jobId/cmmnTerminate", w, "Complete an external worker job with a CMMN terminate transition (CMMN jobs only)", a.cmmnTerminateJob},
		{"POST", "/acquire/jobs/:jobId/fail", w, "Fail an external worker job", a.failJob},
		{"POST", "/unacquire/jobs", w, "Unacquire all external worker jobs of a worker", a.unacquireJobs},
		{"POST", "/unacquire/jobs/:jobId", w, "Unacquire an external worker job", a.unacquireJob},
		{"GET", "/jobs", w, "List external worker jobs", a.listExternalJobs},
		{"GET", "/jobs/:jobId", w, "Get an external worker job", a.getExternalJob},
	}
}

// mountExternal serves the external worker API under ExternalPrefix (nothing without
// Deps.External).
func (a *API) mountExternal(r fiber.Router) {
	if a.deps.External == nil {
		return
	}
	g := r.Group(ExternalPrefix, a.externalErrors, a.authenticate)
	for _, rt := range a.externalRoutes() {
		if rt.role != "" {
			g.Add(rt.method, rt.path, requireWorker, rt.handler)
		} else {
			g.Add(rt.method, rt.path, rt.handler)
		}
	}
	g.All("/*", a.externalNoRoute)
	r.All(ExternalPrefix, a.externalErrors, a.externalNoRoute)
}

// requireWorker admits workers and admins (403 otherwise): least privilege, a worker's
// account reaches this API and nothing else it does not already may.
func requireWorker(c *fiber.Ctx) error {
	u := caller(c)
	if u == nil || u.Role != roleWorker && !u.HasRole(engine.RoleAdmin) {
		have := ""
		if u != nil {
			have = u.Role
		}
		return errStatus(fiber.StatusForbidden, "this needs the worker or admin role; you are %s", have)
	}
	return c.Next()
}

// externalNoRoute answers 405 (with Allow) for a resource of the API under another
// method, else 404.
func (a *API) externalNoRoute(c *fiber.Ctx) error {
	path := strings.TrimPrefix(c.Path(), ExternalPrefix)
	var allow []string
	for _, rt := range a.extTable {
		if rt.pattern.MatchString(path) && !slices.Contains(allow, rt.method) {
			allow = append(allow, rt.method)
		}
	}
	if len(allow) > 0 {
		c.Set(fiber.HeaderAllow, strings.Join(allow, ", "))
		return errStatus(fiber.StatusMethodNotAllowed, "method %s is not allowed on %s; use %s", c.Method(), c.Path(), strings.Join(allow, ", "))
	}
	return errStatus(fiber.StatusNotFound, "no such resource: %s %s", c.Method(), c.Path())
}

// externalError is this API's error body: the package's {statusCode, errorMessage}
// and Flowable's ErrorInfo {message, exception} (message the status's category as
// Flowable's BaseExceptionHandlerAdvice names it, exception the detail).
type externalError struct {
	StatusCode   int    `json:"statusCode"`
	ErrorMessage string `json:"errorMessage"`
	Message      string `json:"message"`
	Exception    string `json:"exception,omitempty"`
}

// errorCategories are BaseExceptionHandlerAdvice's messages by status.
var errorCategories = map[int]string{
	fiber.StatusBadRequest:           "Bad request",
	fiber.StatusForbidden:            "Forbidden",
	fiber.StatusNotFound:             "Not found",
	fiber.StatusConflict:             "Conflict",
	fiber.StatusUnsupportedMediaType: "Content is not supported",
	fiber.StatusInternalServerError:  "Internal server error",
}

func (a *API) externalErrors(c *fiber.Ctx) error {
	err := c.Next()
	if err == nil {
		return nil
	}
	return a.ExternalErrorHandler(c, err)
}

// ExternalErrorHandler answers an error of a request under ExternalPrefix (also one
// raised before routing; see PrefixErrors).
func (a *API) ExternalErrorHandler(c *fiber.Ctx, err error) error {
	e := a.toError(c, err)
	if e.StatusCode == fiber.StatusUnauthorized {
		c.Set(fiber.HeaderWWWAuthenticate, `Basic realm="flowcraft", charset="UTF-8"`)
	}
	cat, ok := errorCategories[e.StatusCode]
	if !ok {
		cat = http.StatusText(e.StatusCode)
	}
	return c.Status(e.StatusCode).JSON(externalError{StatusCode: e.StatusCode, ErrorMessage: e.ErrorMessage, Message: cat, Exception: e.ErrorMessage})
}

// externalBaseURL is the scheme and host of the request with the API's prefix.
func externalBaseURL(c *fiber.Ctx) string {
	return c.Protocol() + "://" + c.Hostname() + ExternalPrefix
}

// decodeExternalJSON reads a request body as Flowable's Spring MVC does: JSON only
// (415 otherwise), unknown properties ignored, a malformed body or a value of the
// wrong type 400 ("JSON parse error"), a missing body 400.
func (a *API) decodeExternalJSON(c *fiber.Ctx, v any) error {
	ct := strings.ToLower(strings.TrimSpace(strings.SplitN(c.Get(fiber.HeaderContentType), ";", 2)[0]))
	if ct != fiber.MIMEApplicationJSON && !(strings.HasPrefix(ct, "application/") && strings.HasSuffix(ct, "+json")) {
		if ct == "" {
			ct = "none"
		}
		return errStatus(fiber.StatusUnsupportedMediaType, "Content-Type must be application/json, not %s", ct)
	}
	body := c.Body()
	if len(bytes.TrimSpace(body)) == 0 {
		return badRequest("Required request body is missing: send a JSON object")
	}
	if err := checkDepth(body, a.cfg.MaxJSONDepth); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			if te.Field == "" {
				return badRequest("JSON parse error: the body must be a JSON %s, not %s", jsonKind(te.Type.Kind().String()), te.Value)
			}
			return badRequest("JSON parse error: property %s must be a JSON %s, not %s", te.Field, jsonKind(te.Type.Kind().String()), te.Value)
		}
		return badRequest("JSON parse error: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest("JSON parse error: unexpected data after the JSON value")
	}
	return nil
}

// externalJobResponse is Flowable's ExternalWorkerJobResponse.
type externalJobResponse struct {
	ID                  string  `json:"id"`
	URL                 string  `json:"url"`
	CorrelationID       string  `json:"correlationId"`
	ProcessInstanceID   *string `json:"processInstanceId"`
	ProcessDefinitionID *string `json:"processDefinitionId"`
	ExecutionID         *string `json:"executionId"`
	ScopeID             *string `json:"scopeId"`
	SubScopeID          *string `json:"subScopeId"`
	ScopeDefinitionID   *string `json:"scopeDefinitionId"`
	ScopeType           *string `json:"scopeType"`
	ElementID           *string `json:"elementId"`
	ElementName         *string `json:"elementName"`
	Retries             int     `json:"retries"`
	ExceptionMessage    *string `json:"exceptionMessage"`
	DueDate             any     `json:"dueDate"`
	CreateTime          any     `json:"createTime"`
	TenantID            string  `json:"tenantId"`
	LockOwner           *string `json:"lockOwner"`
	LockExpirationTime  any     `json:"lockExpirationTime"`
}

// acquiredJobResponse is Flowable's AcquiredExternalWorkerJobResponse: the job and
// its variables.
type acquiredJobResponse struct {
	externalJobResponse
	Variables []engineRestVariable `json:"variables"`
}

// engineRestVariable is Flowable's EngineRestVariable as it answers one: the type is
// left out for a null value (Flowable finds no converter for null), valueUrl unless
// binary.
type engineRestVariable struct {
	Name     string `json:"name"`
	Type     string `json:"type,omitempty"`
	Value    any    `json:"value"`
	ValueURL string `json:"valueUrl,omitempty"`
}

// jobRetries is what Flowable shows as a job's retries: what the last failure left, or
// the task's retries (default 3, as Flowable's jobs start with 3).
func jobRetries(j *engine.ExternalJob) int {
	if j.Retries == nil {
		return j.TaskRetries
	}
	return *j.Retries
}

// isoTimeOf formats a time as the package does (isoTime); nil for the zero time.
func (a *API) isoTimeOf(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.In(a.cfg.Location).Format("2006-01-02T15:04:05.000Z07:00")
}

func (a *API) externalJobOf(c *fiber.Ctx, j *engine.ExternalJob) externalJobResponse {
	str := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	id := j.ID.String()
	r := externalJobResponse{ID: id, URL: externalBaseURL(c) + "/jobs/" + id, CorrelationID: id,
		ElementID: str(j.TaskID), Retries: jobRetries(j), ExceptionMessage: str(j.ErrorMessage),
		CreateTime: a.isoTimeOf(j.CreatedAt), TenantID: j.TenantID, LockOwner: str(j.WorkerID),
		LockExpirationTime: a.isoTimeOf(j.LockExpiresAt)}
	if j.InstanceID != 0 {
		r.ProcessInstanceID = str(j.InstanceID.String())
	}
	if j.NodeID != 0 {
		r.ExecutionID = str(j.NodeID.String())
	}
	if j.ProcessID != "" {
		r.ProcessDefinitionID = str(definitionID(j.ProcessID, j.ProcessVersion))
	}
	return r
}

func (a *API) acquiredJobOf(c *fiber.Ctx, j *engine.LockedJob) acquiredJobResponse {
	out := acquiredJobResponse{externalJobResponse: a.externalJobOf(c, &j.ExternalJob), Variables: []engineRestVariable{}}
	inst := j.InstanceID.String()
	for _, v := range j.Variables {
		rv := restVariableOf(v, dataURL(c, inst, v.Name), a.cfg.Location)
		ev := engineRestVariable{Name: rv.Name, Type: rv.Type, Value: rv.Value, ValueURL: rv.ValueURL}
		if ev.Value == nil && v.Type != engine.VarBinary {
			ev.Type = ""
		}
		out.Variables = append(out.Variables, ev)
	}
	return out
}

// externalJobParam reads the job of the path: 404 as Flowable's
// getExternalWorkerJobById when there is none, or when it is no longer an external
// worker job (completed or canceled, or an incident: Flowable's dead-letter job).
func (a *API) externalJobParam(c *fiber.Ctx) (*engine.ExternalJob, error) {
	raw := param(c, "jobId")
	nf := notFound("Could not find external worker job with id '%s'.", raw)
	id, err := engine.ParseID(raw)
	if err != nil || id == 0 {
		return nil, nf
	}
	j, err := a.deps.External.Get(c.UserContext(), id)
	switch {
	case errors.Is(err, engine.ErrNotFound):
		return nil, nf
	case err != nil:
		return nil, err
	case j.State != engine.ExternalOpen && j.State != engine.ExternalLocked:
		return nil, nf
	}
	return j, nil
}

// externalOpenAPI handles GET /flowable-rest/external-job-api/openapi.json.
func (a *API) externalOpenAPI(c *fiber.Ctx) error {
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "flowcraft — Flowable external worker REST API", "version": a.deps.Version,
			"description": "Flowable's external worker API (flowable-external-job-rest) served by flowcraft; see docs/flowable-api.md."},
		"servers": []any{map[string]any{"url": externalBaseURL(c)}},
		"paths":   openAPIPaths(a.externalRoutes(), "Needs the worker or admin role."),
		"components": map[string]any{
			"securitySchemes": map[string]any{"basic": map[string]any{"type": "http", "scheme": "basic"},
				"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
			"schemas": map[string]any{"Error": map[string]any{"type": "object", "required": []any{"statusCode", "errorMessage", "message"},
				"properties": map[string]any{"statusCode": map[string]any{"type": "integer"}, "errorMessage": map[string]any{"type": "string"},
					"message": map[string]any{"type": "string"}, "exception": map[string]any{"type": "string"}}}},
		},
		"security": []any{map[string]any{"basic": []any{}}, map[string]any{"bearer": []any{}}},
	}
	return c.JSON(doc)
}
