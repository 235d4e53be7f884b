package flowable

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// Acquire and execute (ExternalWorkerAcquireJobResource) and unacquire
// (ExternalWorkerUnacquireJobResource): the worker's side of the external worker API.

// acquireRequest is Flowable's AcquireExternalWorkerJobRequest.
type acquireRequest struct {
	Topic        *string       `json:"topic"`
	LockDuration durationField `json:"lockDuration"`
	// NumberOfTasks defaults to 1.
	NumberOfTasks *int64 `json:"numberOfTasks"`
	// NumberOfRetries is how often Flowable retries an acquisition that lost an
	// optimistic lock (default 5); flowcraft's acquisition does not lose one, so it only
	// matters as Flowable's loop does: 0 acquires nothing.
	NumberOfRetries *int64  `json:"numberOfRetries"`
	WorkerID        *string `json:"workerId"`
	ScopeType       *string `json:"scopeType"`
}

// completionRequest is Flowable's ExternalWorkerJobCompleteRequest,
// ExternalWorkerJobErrorRequest (errorCode) and ExternalWorkerJobTerminateRequest.
type completionRequest struct {
	WorkerID  *string      `json:"workerId"`
	Variables []variableIn `json:"variables"`
	ErrorCode *string      `json:"errorCode"`
}

// failureRequest is Flowable's ExternalWorkerJobFailureRequest.
type failureRequest struct {
	WorkerID     *string       `json:"workerId"`
	ErrorMessage *string       `json:"errorMessage"`
	ErrorDetails *string       `json:"errorDetails"`
	Retries      *int64        `json:"retries"`
	RetryTimeout durationField `json:"retryTimeout"`
}

// unacquireRequest is Flowable's UnacquireExternalWorkerJobsRequest.
type unacquireRequest struct {
	WorkerID *string `json:"workerId"`
	TenantID *string `json:"tenantId"`
}

// workerIDOf checks a body's workerId: required (Flowable's "workerId is required"),
// at most Flowable's 255 characters.
func workerIDOf(w *string, required string) (string, error) {
	if w == nil || *w == "" {
		return "", badRequest("%s", required)
	}
	if len(*w) > engine.MaxWorkerIDLength {
		return "", badRequest("workerId must be at most %d characters", engine.MaxWorkerIDLength)
	}
	return *w, nil
}

// workerRequest is an action's body, naming the worker that acts.
type workerRequest interface{ worker() *string }

func (r *completionRequest) worker() *string { return r.WorkerID }
func (r *failureRequest) worker() *string    { return r.WorkerID }
func (r *unacquireRequest) worker() *string  { return r.WorkerID }

// heldJob is the start of every action on one job: decode the body into req, check its
// workerId (missing: the resource's own message), run check on the body when given,
// then find the job, which the worker must hold (404 unknown, 403 not held).
func (a *API) heldJob(c *fiber.Ctx, req workerRequest, missing string, check func() error) (string, *engine.ExternalJob, error) {
	if err := a.decodeExternalJSON(c, req); err != nil {
		return "", nil, err
	}
	worker, err := workerIDOf(req.worker(), missing)
	if err != nil {
		return "", nil, err
	}
	if check != nil {
		if err := check(); err != nil {
			return "", nil, err
		}
	}
	j, err := a.lockedJob(c, worker)
	if err != nil {
		return "", nil, err
	}
	return worker, j, nil
}

// lockError is Flowable's answer to a worker acting on a job it does not hold.
func lockError(workerID string) *Error {
	return errStatus(fiber.StatusForbidden, "%s does not hold a lock on the requested job", workerID)
}

// lockedJob reads the job of the path and checks that workerID holds its lock (404,
// 403), as the resource does before it acts.
func (a *API) lockedJob(c *fiber.Ctx, workerID string) (*engine.ExternalJob, error) {
	j, err := a.externalJobParam(c)
	if err != nil {
		return nil, err
	}
	if j.WorkerID != workerID || j.State != engine.ExternalLocked {
		return nil, lockError(workerID)
	}
	return j, nil
}

// actionError maps the engine's answer to an action on a job: the lock lost in the
// meantime (ErrConflict) is the same 403, a job gone the same 404.
func actionError(c *fiber.Ctx, err error, workerID string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, engine.ErrConflict):
		return lockError(workerID)
	case errors.Is(err, engine.ErrNotFound):
		return notFound("Could not find external worker job with id '%s'.", param(c, "jobId"))
	}
	return err
}

// flowableTypes maps Flowable's variable types that flowcraft keeps as one of its own
// (java.time values as dates, big numbers as double or long, UUIDs as text).
var flowableTypes = map[string]string{
	"instant": engine.VarDate, "localDate": engine.VarDate, "localDateTime": engine.VarDate,
	"bigdecimal": engine.VarDouble, "biginteger": engine.VarLong, "uuid": engine.VarString,
}

// workerVariables converts the variables a worker sends (Flowable's
// [{name, type, value}]); a missing name, an unknown type or a value that does not fit
// its type is a 400.
func workerVariables(in []variableIn) ([]*engine.Variable, error) {
	out := make([]*engine.Variable, 0, len(in))
	seen := map[string]bool{}
	for i, x := range in {
		if x.Name == nil {
			return nil, badRequest("Variable name is required.")
		}
		if x.Type != nil {
			if t, ok := flowableTypes[*x.Type]; ok {
				x.Type = &t
			}
			// Flowable's external job API has no converter for these (nor flowcraft a
			// way to send their content here).
			if *x.Type == engine.VarBinary || *x.Type == "serializable" {
				return nil, badRequest("Variable '%s' has unsupported type: '%s'.", *x.Name, *x.Type)
			}
		}
		x.Scope = nil // Flowable's EngineRestVariable has none
		v, err := toVariable(x, fmt.Sprintf("variables[%d].", i), "")
		if err != nil {
			return nil, err
		}
		if v.Type == engine.VarDate {
			if s, ok := v.Value.(string); ok && len(s) > 10 && !strings.ContainsAny(s[10:], "Zz+-") {
				v.Value = s + "Z" // a localDateTime: no zone, read as UTC
			}
		}
		nv, err := engine.NewVariable(v, 0)
		if err != nil {
			return nil, err
		}
		if seen[nv.Name] {
			// Flowable keeps the last of a name (a map); so does flowcraft.
			for k, p := range out {
				if p.Name == nv.Name {
					out = append(out[:k], out[k+1:]...)
					break
				}
			}
		}
		seen[nv.Name] = true
		out = append(out, nv)
	}
	return out, nil
}

// acquireJobs handles POST acquire/jobs: locks up to numberOfTasks open jobs of the
// topic for the worker and answers them with their variables (200, possibly []).
// Flowable's acquisition does not wait for jobs; neither does this one (the clients
// poll with a pause between empty answers).
func (a *API) acquireJobs(c *fiber.Ctx) error {
	var req acquireRequest
	if err := a.decodeExternalJSON(c, &req); err != nil {
		return err
	}
	if req.Topic == nil || *req.Topic == "" {
		return badRequest("topic is required")
	}
	if !req.LockDuration.Set {
		return badRequest("lockDuration is required")
	}
	if req.LockDuration.err != nil {
		return badRequest("lockDuration: %v", req.LockDuration.err)
	}
	lock := req.LockDuration.Value
	if lock <= 0 {
		return badRequest("lockDuration must be positive, not %s", lock)
	}
	if lock > engine.MaxLockDuration {
		return badRequest("lockDuration must be at most P365D (a year), not %s", lock)
	}
	worker, err := workerIDOf(req.WorkerID, "workerId is required")
	if err != nil {
		return err
	}
	n, retries := int64(1), int64(5)
	if req.NumberOfTasks != nil {
		n = *req.NumberOfTasks
	}
	if req.NumberOfRetries != nil {
		retries = *req.NumberOfRetries
	}
	switch {
	case n < 1:
		return badRequest("requested number of jobs must not be smaller than 1")
	case n > engine.MaxFetchTasks:
		return badRequest("numberOfTasks must be at most %d, not %d", engine.MaxFetchTasks, n)
	case retries < 0 || retries > math.MaxInt32:
		return badRequest("numberOfRetries must be a whole number from 0 to %d, not %d", math.MaxInt32, retries)
	}
	out := []acquiredJobResponse{}
	// Flowable's acquisition loop runs numberOfRetries times at most: 0 acquires
	// nothing. flowcraft's jobs are BPMN jobs: a scopeType other than bpmn selects none.
	if retries == 0 || req.ScopeType != nil && *req.ScopeType != "" && *req.ScopeType != "bpmn" {
		return c.JSON(out)
	}
	jobs, err := a.deps.External.Fetch(c.UserContext(), engine.FetchRequest{WorkerID: worker, MaxTasks: int(n), UsePriority: true,
		Topics: []engine.FetchTopic{{Topic: *req.Topic, LockDuration: lock}}})
	if err != nil {
		return err
	}
	for _, j := range jobs {
		out = append(out, a.acquiredJobOf(c, j))
	}
	return c.JSON(out)
}

// completeJob handles POST acquire/jobs/{jobId}/complete: the variables go into the
// process variables and become the task's output; the flow goes on (204).
func (a *API) completeJob(c *fiber.Ctx) error {
	var req completionRequest
	worker, j, err := a.heldJob(c, &req, "workerId is required", nil)
	if err != nil {
		return err
	}
	vars, err := workerVariables(req.Variables)
	if err != nil {
		return err
	}
	if err := actionError(c, a.deps.External.Complete(c.UserContext(), j.ID, worker, vars, nil), worker); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// bpmnErrorJob handles POST acquire/jobs/{jobId}/bpmnError: the variables are written
// and the flow follows the task's errorHandler.routes for errorCode, else the task
// fails with the error and its strategy applies (204).
func (a *API) bpmnErrorJob(c *fiber.Ctx) error {
	var req completionRequest
	worker, j, err := a.heldJob(c, &req, "workerId is required", nil)
	if err != nil {
		return err
	}
	vars, err := workerVariables(req.Variables)
	if err != nil {
		return err
	}
	code := ""
	if req.ErrorCode != nil {
		code = *req.ErrorCode
	}
	if err := actionError(c, a.deps.External.BPMNError(c.UserContext(), j.ID, worker, code, "", vars), worker); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// cmmnTerminateJob handles POST acquire/jobs/{jobId}/cmmnTerminate. Flowable
// terminates only CMMN jobs and answers 400 for a BPMN job's; every flowcraft job is
// one (it has a process instance), so after the same checks (workerId, the job, its
// lock) this is that 400.
func (a *API) cmmnTerminateJob(c *fiber.Ctx) error {
	var req completionRequest
	_, j, err := a.heldJob(c, &req, "workerId is required", nil)
	if err != nil {
		return err
	}
	return badRequest("Can only terminate CMMN external job. Job with id '%s' is from scope 'bpmn' (a process instance): complete it, or end it with a BPMN error", j.ID)
}

// failJob handles POST acquire/jobs/{jobId}/fail: with retries left (the sent retries,
// else one fewer than the job had) the job is unlocked and may be acquired again after
// retryTimeout; at 0 it becomes an incident (the task fails and its strategy applies).
func (a *API) failJob(c *fiber.Ctx) error {
	var req failureRequest
	worker, j, err := a.heldJob(c, &req, "workerId is required", func() error {
		if req.Retries != nil && (*req.Retries < 0 || *req.Retries > math.MaxInt32) {
			return badRequest("retries must be a whole number from 0 to %d, not %d", math.MaxInt32, *req.Retries)
		}
		if req.RetryTimeout.err != nil {
			return badRequest("retryTimeout: %v", req.RetryTimeout.err)
		}
		if d := req.RetryTimeout.Value; d < 0 || d > engine.MaxLockDuration {
			return badRequest("retryTimeout must be from PT0S to P365D, not %s", d)
		}
		return nil
	})
	if err != nil {
		return err
	}
	f := engine.Failure{WorkerID: worker, RetryTimeout: req.RetryTimeout.Value}
	if req.ErrorMessage != nil {
		f.ErrorMessage = *req.ErrorMessage
	}
	if req.ErrorDetails != nil {
		f.ErrorDetails = *req.ErrorDetails
	}
	if req.Retries != nil {
		f.Retries = int(*req.Retries)
	} else {
		f.Decrement = true // Flowable: "If not set it will be reduced by 1"
	}
	if err := actionError(c, a.deps.External.Fail(c.UserContext(), j.ID, f), worker); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// unacquireJob handles POST unacquire/jobs/{jobId}: the worker gives its lock back; the
// job may be acquired again at once (204).
func (a *API) unacquireJob(c *fiber.Ctx) error {
	var req unacquireRequest
	worker, j, err := a.heldJob(c, &req, "worker id is required", nil)
	if err != nil {
		return err
	}
	if err := actionError(c, a.deps.External.Unlock(c.UserContext(), j.ID), worker); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// unacquireJobs handles POST unacquire/jobs: every lock the worker holds (of the
// tenant, when given) is given back (204).
func (a *API) unacquireJobs(c *fiber.Ctx) error {
	var req unacquireRequest
	if err := a.decodeExternalJSON(c, &req); err != nil {
		return err
	}
	worker, err := workerIDOf(req.WorkerID, "worker id is required")
	if err != nil {
		return err
	}
	locked := true
	f := engine.ExternalFilter{WorkerID: worker, Locked: &locked, Page: engine.Page{Limit: 1000}}
	if req.TenantID != nil && *req.TenantID != "" {
		f.TenantIDs = []string{*req.TenantID}
	}
	// Each round unlocks what the last listed; a job the worker locks meanwhile is its
	// own business. Bounded, in case a lock outlives its Unlock.
	for range 100 {
		jobs, _, err := a.deps.External.List(c.UserContext(), f)
		if err != nil {
			return err
		}
		n := 0
		for _, j := range jobs {
			if j.WorkerID != worker {
				continue
			}
			if err := a.deps.External.Unlock(c.UserContext(), j.ID); err != nil && !errors.Is(err, engine.ErrNotFound) {
				return err
			}
			n++
		}
		if n == 0 || len(jobs) < f.Limit {
			break
		}
	}
	return c.SendStatus(fiber.StatusNoContent)
}
