package camunda

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// fetchRequest is Camunda's FetchExternalTasksExtendedDto.
type fetchRequest struct {
	WorkerID             *string      `json:"workerId"`
	MaxTasks             *int         `json:"maxTasks"`
	UsePriority          *bool        `json:"usePriority"`
	AsyncResponseTimeout *int64       `json:"asyncResponseTimeout"`
	Topics               []fetchTopic `json:"topics"`
	Sorting              []sortingDto `json:"sorting"`
}

// fetchTopic is Camunda's FetchExternalTaskTopicDto.
type fetchTopic struct {
	TopicName                   *string        `json:"topicName"`
	LockDuration                *int64         `json:"lockDuration"`
	Variables                   []string       `json:"variables"` // null: all; []: none
	LocalVariables              bool           `json:"localVariables"`
	BusinessKey                 *string        `json:"businessKey"`
	ProcessDefinitionID         *string        `json:"processDefinitionId"`
	ProcessDefinitionIDIn       []string       `json:"processDefinitionIdIn"`
	ProcessDefinitionKey        *string        `json:"processDefinitionKey"`
	ProcessDefinitionKeyIn      []string       `json:"processDefinitionKeyIn"`
	ProcessDefinitionVersionTag *string        `json:"processDefinitionVersionTag"`
	ProcessVariables            map[string]any `json:"processVariables"`
	TenantIDIn                  []string       `json:"tenantIdIn"`
	WithoutTenantID             bool           `json:"withoutTenantId"`
	DeserializeValues           bool           `json:"deserializeValues"`
	IncludeExtensionProperties  bool           `json:"includeExtensionProperties"`
}

// sortingDto is one criterion of fetchAndLock's or a query's sorting.
type sortingDto struct {
	SortBy    string `json:"sortBy"`
	SortOrder string `json:"sortOrder"`
}

// lockedTask is Camunda's LockedExternalTaskDto.
type lockedTask struct {
	taskDto
	ErrorDetails        *string                `json:"errorDetails"`
	Variables           map[string]variableOut `json:"variables"`
	ExtensionProperties map[string]string      `json:"extensionProperties"`
}

// taskDto is Camunda's ExternalTaskDto.
type taskDto struct {
	ActivityID                  string  `json:"activityId"`
	ActivityInstanceID          string  `json:"activityInstanceId"`
	ErrorMessage                *string `json:"errorMessage"`
	ExecutionID                 string  `json:"executionId"`
	ID                          string  `json:"id"`
	LockExpirationTime          any     `json:"lockExpirationTime"`
	CreateTime                  any     `json:"createTime"`
	ProcessDefinitionID         string  `json:"processDefinitionId"`
	ProcessDefinitionKey        string  `json:"processDefinitionKey"`
	ProcessDefinitionVersionTag *string `json:"processDefinitionVersionTag"`
	ProcessInstanceID           string  `json:"processInstanceId"`
	TenantID                    *string `json:"tenantId"`
	Retries                     *int    `json:"retries"`
	Suspended                   bool    `json:"suspended"`
	WorkerID                    *string `json:"workerId"`
	TopicName                   string  `json:"topicName"`
	Priority                    int64   `json:"priority"`
	BusinessKey                 *string `json:"businessKey"`
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (a *API) toDto(j *engine.ExternalJob) taskDto {
	return taskDto{
		ActivityID:           j.TaskID,
		ActivityInstanceID:   j.TaskID + ":" + j.NodeID.String(),
		ErrorMessage:         nullable(j.ErrorMessage),
		ExecutionID:          j.NodeID.String(),
		ID:                   j.ID.String(),
		LockExpirationTime:   formatDate(j.LockExpiresAt, a.cfg.Location),
		CreateTime:           formatDate(j.CreatedAt, a.cfg.Location),
		ProcessDefinitionID:  j.ProcessID,
		ProcessDefinitionKey: j.ProcessID,
		ProcessInstanceID:    j.InstanceID.String(),
		TenantID:             nullable(j.TenantID),
		Retries:              j.Retries,
		Suspended:            j.Suspended,
		WorkerID:             nullable(j.WorkerID),
		TopicName:            j.Topic,
		Priority:             j.Priority,
		BusinessKey:          nullable(j.BusinessKey),
	}
}

// fetchAndLock handles POST /external-task/fetchAndLock (Camunda "Fetch and Lock
// External Tasks"): locks up to maxTasks tasks of the topics for workerId; with
// asyncResponseTimeout (ms, at most 1,800,000) and nothing to lock, it long-polls:
// the engine wakes it when a task of one of the topics appears. The poll ends early
// when the server shuts down (500 RestException "Request rejected due to shutdown of
// application server.", as Camunda) or the client goes away.
func (a *API) fetchAndLock(c *fiber.Ctx) error {
	var in fetchRequest
	if err := a.decodeJSON(c, &in, "FetchExternalTasksExtendedDto"); err != nil {
		return err
	}
	req, wait, empty, err := a.fetchOf(&in)
	if err != nil {
		return err
	}
	ctx, cancel := a.pollContext(c)
	defer cancel()
	var jobs []*engine.LockedJob
	if empty {
		// Nothing could match (no topics, maxTasks 0, a filter no task meets): wait
		// out the poll as Camunda does, so a client's loop does not spin.
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-ctx.Done():
			}
			t.Stop()
		}
	} else {
		jobs, err = a.deps.External.Fetch(ctx, req)
		if err != nil && len(jobs) == 0 {
			if ctx.Err() != nil && a.stop.Err() != nil {
				return &Error{Status: fiber.StatusInternalServerError, Type: "RestException", Message: "Request rejected due to shutdown of application server."}
			}
			if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
				return nil // the client went away: nobody reads an answer
			}
			return err
		}
	}
	if a.stop.Err() != nil && len(jobs) == 0 && wait > 0 {
		return &Error{Status: fiber.StatusInternalServerError, Type: "RestException", Message: "Request rejected due to shutdown of application server."}
	}
	out := make([]lockedTask, 0, len(jobs))
	for _, j := range jobs {
		out = append(out, lockedTask{
			taskDto:             a.toDto(&j.ExternalJob),
			ErrorDetails:        nullable(j.ErrorDetails),
			Variables:           fromVariables(j.Variables, a.cfg.Location),
			ExtensionProperties: map[string]string{},
		})
	}
	return c.JSON(out)
}

// fetchOf validates a fetchAndLock body and builds the engine's request. empty: no
// task can match, so there is nothing to ask the engine.
func (a *API) fetchOf(in *fetchRequest) (req engine.FetchRequest, wait time.Duration, empty bool, err error) {
	if in.WorkerID == nil || *in.WorkerID == "" {
		return req, 0, false, &Error{Status: fiber.StatusBadRequest, Type: "NullValueException", Message: "workerId is null", Code: &zero}
	}
	maxTasks := 0
	if in.MaxTasks != nil {
		maxTasks = *in.MaxTasks
	}
	if maxTasks < 0 {
		return req, 0, false, invalid("maxResults is not greater than or equal to 0")
	}
	if t := in.AsyncResponseTimeout; t != nil {
		if *t > MaxAsyncResponseTimeout.Milliseconds() {
			return req, 0, false, invalid("The asynchronous response timeout cannot be set to a value greater than %d milliseconds", MaxAsyncResponseTimeout.Milliseconds())
		}
		if *t > 0 {
			wait = time.Duration(*t) * time.Millisecond
		}
	}
	for _, s := range in.Sorting {
		if s.SortBy != "createTime" {
			return req, 0, false, invalid("Cannot set query parameter 'sortBy' to value '%s'", s.SortBy)
		}
		switch s.SortOrder {
		case "asc":
		case "desc":
			// The engine hands out the oldest task first (after priority); newest
			// first is not offered: refuse rather than silently ignore it.
			return req, 0, false, invalid("sorting by createTime desc is not supported by flowcraft; use asc")
		default:
			return req, 0, false, invalid("Cannot set query parameter 'sortOrder' to value '%s'", s.SortOrder)
		}
	}
	req = engine.FetchRequest{WorkerID: *in.WorkerID, MaxTasks: min(maxTasks, a.cfg.MaxTasks), Wait: wait}
	if in.UsePriority != nil {
		req.UsePriority = *in.UsePriority
	}
	seen := map[string]int{}
	for _, t := range in.Topics {
		if t.TopicName == nil || *t.TopicName == "" {
			return req, 0, false, invalid("topicName is null")
		}
		if t.LockDuration == nil || *t.LockDuration <= 0 {
			return req, 0, false, invalid("lockTime is not greater than 0")
		}
		if len(t.ProcessVariables) > 0 {
			return req, 0, false, invalid("processVariables filters of topic %s are not supported by flowcraft", *t.TopicName)
		}
		if t.ProcessDefinitionVersionTag != nil {
			// flowcraft definitions have no version tags: no task matches.
			continue
		}
		ids, any := processFilter(t)
		if any && len(ids) == 0 {
			continue // the id and key filters exclude each other
		}
		ft := engine.FetchTopic{
			Topic:          *t.TopicName,
			LockDuration:   time.Duration(*t.LockDuration) * time.Millisecond,
			Variables:      t.Variables,
			LocalVariables: t.LocalVariables,
			ProcessIDs:     ids,
			TenantIDs:      t.TenantIDIn,
			WithoutTenant:  t.WithoutTenantID,
		}
		if t.BusinessKey != nil {
			ft.BusinessKey = *t.BusinessKey
		}
		if i, dup := seen[ft.Topic]; dup { // Camunda keys the topics by name: the last wins
			req.Topics[i] = ft
			continue
		}
		seen[ft.Topic] = len(req.Topics)
		req.Topics = append(req.Topics, ft)
	}
	return req, wait, len(req.Topics) == 0 || req.MaxTasks == 0, nil
}

// processFilter intersects a topic's processDefinitionId(In) and
// processDefinitionKey(In) filters (both name the flowcraft process id); any is
// whether there is a filter at all.
func processFilter(t fetchTopic) (ids []string, any bool) {
	var sets [][]string
	if t.ProcessDefinitionID != nil {
		sets = append(sets, []string{*t.ProcessDefinitionID})
	}
	if t.ProcessDefinitionIDIn != nil {
		sets = append(sets, t.ProcessDefinitionIDIn)
	}
	if t.ProcessDefinitionKey != nil {
		sets = append(sets, []string{*t.ProcessDefinitionKey})
	}
	if t.ProcessDefinitionKeyIn != nil {
		sets = append(sets, t.ProcessDefinitionKeyIn)
	}
	if len(sets) == 0 {
		return nil, false
	}
	ids = append([]string(nil), sets[0]...)
	for _, s := range sets[1:] {
		var keep []string
		for _, id := range ids {
			if containsString(s, id) {
				keep = append(keep, id)
			}
		}
		ids = keep
	}
	return ids, true
}

// pollContext is the context of a long poll: it ends when the API closes (server
// shutdown, Close), when fasthttp's server shuts down (its RequestCtx's Done), or
// when the client goes away (watchClient).
func (a *API) pollContext(c *fiber.Ctx) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(a.stop)
	// The server's done channel, read now: the RequestCtx is reused once the handler
	// returns, so nothing may read it later.
	if done := c.Context().Done(); done != nil {
		go func() {
			select {
			case <-done:
				cancel()
			case <-ctx.Done():
			}
		}()
	}
	stopWatch := watchClient(c, cancel)
	return ctx, func() {
		stopWatch()
		cancel()
	}
}

// workerRequest is the body of a worker's action on one task, naming the worker.
type workerRequest interface{ worker() *string }

func (r *completeRequest) worker() *string   { return r.WorkerID }
func (r *failureRequest) worker() *string    { return r.WorkerID }
func (r *bpmnErrorRequest) worker() *string  { return r.WorkerID }
func (r *extendLockRequest) worker() *string { return r.WorkerID }

// heldTask is the task a worker acts on and the worker.
type heldTask struct {
	id     engine.ID
	raw    string // the id as the path wrote it
	worker string
}

// taskBody is the start of every action on one task: read the task id of the path and
// decode the body into req, a Camunda dto (a bad body answers before an unknown id,
// 404).
func (a *API) taskBody(c *fiber.Ctx, req any, dto string) (engine.ID, string, error) {
	id, raw, err := taskID(c)
	if derr := a.decodeJSON(c, req, dto); derr != nil {
		return 0, raw, derr
	}
	return id, raw, err
}

// workerAction is the start of a worker's action: taskBody, then check on the body
// when given, then its workerId (400 "workerId is null").
func (a *API) workerAction(c *fiber.Ctx, req workerRequest, dto string, check func() error) (heldTask, error) {
	id, raw, err := a.taskBody(c, req, dto)
	if err != nil {
		return heldTask{}, err
	}
	if check != nil {
		if err := check(); err != nil {
			return heldTask{}, err
		}
	}
	w := req.worker()
	if w == nil {
		return heldTask{}, restError(fiber.StatusBadRequest, "workerId is null")
	}
	return heldTask{id: id, raw: raw, worker: *w}, nil
}

// acted answers a worker's action: 204, or the engine's error in Camunda's words
// (action: one of the act* messages, for a lock the worker does not hold).
func (a *API) acted(c *fiber.Ctx, t heldTask, action string, err error) error {
	if err != nil {
		return a.lockError(c.UserContext(), t.id, t.raw, t.worker, action, err)
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// completeRequest is Camunda's CompleteExternalTaskDto.
type completeRequest struct {
	WorkerID       *string                `json:"workerId"`
	Variables      map[string]*typedValue `json:"variables"`
	LocalVariables map[string]*typedValue `json:"localVariables"`
}

// complete handles POST /external-task/{id}/complete → 204.
func (a *API) complete(c *fiber.Ctx) error {
	var in completeRequest
	var vars, local []*engine.Variable
	t, err := a.workerAction(c, &in, "CompleteExternalTaskDto", func() (err error) {
		if vars, err = toVariables(in.Variables); err != nil {
			return err
		}
		local, err = toVariables(in.LocalVariables)
		return err
	})
	if err != nil {
		return err
	}
	return a.acted(c, t, actComplete, a.deps.External.Complete(c.UserContext(), t.id, t.worker, vars, local))
}

// failureRequest is Camunda's ExternalTaskFailureDto.
type failureRequest struct {
	WorkerID     *string `json:"workerId"`
	ErrorMessage *string `json:"errorMessage"`
	ErrorDetails *string `json:"errorDetails"`
	Retries      *int    `json:"retries"`
	RetryTimeout *int64  `json:"retryTimeout"`
}

// failure handles POST /external-task/{id}/failure → 204: retries > 0 unlocks the
// task for another try after retryTimeout ms; retries 0 (also when absent, Camunda's
// int default) makes it an incident.
func (a *API) failure(c *fiber.Ctx) error {
	var in failureRequest
	f := engine.Failure{}
	t, err := a.workerAction(c, &in, "ExternalTaskFailureDto", func() error {
		if in.Retries != nil {
			f.Retries = *in.Retries
		}
		if f.Retries < 0 {
			return invalid("retries is not greater than or equal to 0")
		}
		if in.RetryTimeout != nil {
			if *in.RetryTimeout < 0 {
				return invalid("retryDuration is not greater than or equal to 0")
			}
			f.RetryTimeout = time.Duration(*in.RetryTimeout) * time.Millisecond
		}
		return nil
	})
	if err != nil {
		return err
	}
	f.WorkerID = t.worker
	if in.ErrorMessage != nil {
		f.ErrorMessage = *in.ErrorMessage
	}
	if in.ErrorDetails != nil {
		f.ErrorDetails = *in.ErrorDetails
	}
	return a.acted(c, t, actFailure, a.deps.External.Fail(c.UserContext(), t.id, f))
}

// bpmnErrorRequest is Camunda's ExternalTaskBpmnError.
type bpmnErrorRequest struct {
	WorkerID     *string                `json:"workerId"`
	ErrorCode    *string                `json:"errorCode"`
	ErrorMessage *string                `json:"errorMessage"`
	Variables    map[string]*typedValue `json:"variables"`
}

// bpmnError handles POST /external-task/{id}/bpmnError → 204: the flow follows the
// task's errorHandler.routes for errorCode.
func (a *API) bpmnError(c *fiber.Ctx) error {
	var in bpmnErrorRequest
	var vars []*engine.Variable
	t, err := a.workerAction(c, &in, "ExternalTaskBpmnError", func() (err error) {
		vars, err = toVariables(in.Variables)
		return err
	})
	if err != nil {
		return err
	}
	if in.ErrorCode == nil {
		return restError(fiber.StatusBadRequest, "errorCode is null")
	}
	msg := ""
	if in.ErrorMessage != nil {
		msg = *in.ErrorMessage
	}
	return a.acted(c, t, actBPMNError, a.deps.External.BPMNError(c.UserContext(), t.id, t.worker, *in.ErrorCode, msg, vars))
}

// extendLockRequest is Camunda's ExtendLockOnExternalTaskDto.
type extendLockRequest struct {
	WorkerID    *string `json:"workerId"`
	NewDuration *int64  `json:"newDuration"`
}

// extendLock handles POST /external-task/{id}/extendLock → 204: the lock expires
// newDuration ms from now.
func (a *API) extendLock(c *fiber.Ctx) error {
	var in extendLockRequest
	t, err := a.workerAction(c, &in, "ExtendLockOnExternalTaskDto", func() error {
		if in.NewDuration == nil || *in.NewDuration <= 0 {
			return restError(fiber.StatusBadRequest, "lockExpirationTime is not greater than 0")
		}
		return nil
	})
	if err != nil {
		return err
	}
	return a.acted(c, t, actExtendLock, a.deps.External.ExtendLock(c.UserContext(), t.id, t.worker, time.Duration(*in.NewDuration)*time.Millisecond))
}

// unlock handles POST /external-task/{id}/unlock → 204 (no body needed).
func (a *API) unlock(c *fiber.Ctx) error {
	id, raw, err := taskID(c)
	if err != nil {
		return err
	}
	if err := a.deps.External.Unlock(c.UserContext(), id); err != nil {
		return taskError(raw, err)
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// retriesRequest is Camunda's RetriesDto.
type retriesRequest struct {
	Retries *int `json:"retries"`
}

// setRetries handles PUT /external-task/{id}/retries → 204; on an incident, retries >
// 0 opens the task again.
func (a *API) setRetries(c *fiber.Ctx) error {
	var in retriesRequest
	id, raw, err := a.taskBody(c, &in, "RetriesDto")
	if err != nil {
		return err
	}
	if in.Retries == nil {
		return restError(fiber.StatusBadRequest, "The number of retries cannot be null.")
	}
	if *in.Retries < 0 {
		return &Error{Status: fiber.StatusBadRequest, Type: "BadUserRequestException",
			Message: "The number of retries cannot be negative: retries is not greater than or equal to 0", Code: &zero}
	}
	if err := a.deps.External.SetRetries(c.UserContext(), id, *in.Retries); err != nil {
		return taskError(raw, err)
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// getTask handles GET /external-task/{id}: a task not ended (Camunda's runtime query).
func (a *API) getTask(c *fiber.Ctx) error {
	j, err := a.liveTask(c)
	if err != nil {
		return err
	}
	return c.JSON(a.toDto(j))
}

// errorDetails handles GET /external-task/{id}/errorDetails: the last failure's
// details as text/plain; 204 when there are none (Camunda answers null).
func (a *API) errorDetails(c *fiber.Ctx) error {
	j, err := a.liveTask(c)
	if err != nil {
		return err
	}
	if j.ErrorDetails == "" {
		return c.SendStatus(fiber.StatusNoContent)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	return c.SendString(j.ErrorDetails)
}

func (a *API) liveTask(c *fiber.Ctx) (*engine.ExternalJob, error) {
	id, raw, err := taskID(c)
	if err != nil {
		return nil, err
	}
	j, err := a.deps.External.Get(c.UserContext(), id)
	if err != nil {
		return nil, taskError(raw, err)
	}
	if j.State == engine.ExternalDone {
		return nil, &Error{Status: fiber.StatusNotFound, Type: "RestException", Message: "External task with id " + raw + " does not exist"}
	}
	return j, nil
}

// taskID reads the {id} path parameter: an id that is not one of flowcraft's is an
// unknown task (404).
func taskID(c *fiber.Ctx) (engine.ID, string, error) {
	raw := c.Params("id")
	if d, err := url.PathUnescape(raw); err == nil {
		raw = d
	} else {
		raw = strings.Clone(raw)
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n <= 0 {
		return 0, raw, taskNotFound(raw)
	}
	return engine.ID(n), raw, nil
}
