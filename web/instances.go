package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// Runtime is what the instance handlers need from the engine.
type Runtime interface {
	StartInstance(ctx context.Context, processID string, trigger any, opts engine.StartOptions) (*engine.StartResult, error)
	ListInstances(ctx context.Context, f engine.InstanceFilter) ([]*engine.Instance, int, error)
	Describe(ctx context.Context, id engine.ID) (*engine.InstanceView, error)
	DescribeTask(ctx context.Context, id engine.ID, taskID string) (*engine.TaskView, error)
	Act(ctx context.Context, id engine.ID, action string) (*engine.Instance, error)
	DeleteInstance(ctx context.Context, id engine.ID) error
	Variables(ctx context.Context, id engine.ID) (map[string]any, error)
	SetVariables(ctx context.Context, id engine.ID, vars map[string]any) (map[string]any, error)
	DeleteVariable(ctx context.Context, id engine.ID, name string) error
}

// maxWait bounds ?wait=: a request never holds a connection longer than this.
const maxWait = 60 * time.Second

// startResponse is the answer to a start: the id, and with ?wait= the outcome.
type startResponse struct {
	ID       engine.ID `json:"id"`
	Status   string    `json:"status,omitempty"`
	Output   any       `json:"output,omitempty"`
	Error    string    `json:"error,omitempty"`
	Existing bool      `json:"existing,omitempty"` // a repeated Idempotency-Key
}

// startProcess handles POST /api/process/{id}[?wait=5s][&businessKey=...][&tenantId=...]:
// the body is the trigger data (any JSON, seed 000), so the instance's business key and
// tenant come as query parameters.
func (s *Server) startProcess(c *fiber.Ctx) error {
	var trigger any
	body := bytes.TrimSpace(c.Body())
	if len(body) > 0 {
		if err := requireJSON(c); err != nil {
			return err
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		if err := dec.Decode(&trigger); err != nil {
			return jsonError(body, err)
		}
		if dec.More() {
			return errTrailingData
		}
	}
	if trigger == nil {
		trigger = map[string]any{}
	}
	wait, err := waitParam(c)
	if err != nil {
		return err
	}
	key := strings.Clone(c.Get("Idempotency-Key"))
	if len(key) > 200 {
		return engine.InvalidField("Idempotency-Key", engine.CodeTooLong, engine.Params{"max": 200}, "the Idempotency-Key header may have at most 200 characters")
	}
	u := caller(c)
	res, err := s.deps.Runtime.StartInstance(c.UserContext(), param(c, "id"), trigger, engine.StartOptions{
		By: u.ID, Caller: u, IdempotencyKey: key, IdempotencyScope: "user:" + u.ID, Wait: wait, TriggerApp: "manual",
		BusinessKey: query(c, "businessKey"), TenantID: query(c, "tenantId")})
	if err != nil {
		return err
	}
	out := startResponse{ID: res.Instance.ID, Existing: res.Existing}
	if wait > 0 || res.Existing {
		x, err := s.redactionFor(c.UserContext(), caller(c), res.Instance.ProcessID, res.Instance.Version)
		if err != nil {
			return err
		}
		in := x.Instance(res.Instance)
		out.Status, out.Error = in.Status, in.Error
		if res.Ended {
			out.Output = in.Output
		}
	}
	c.Location("/api/processInst/" + res.Instance.ID.String())
	if res.Existing {
		return ok(c, out)
	}
	return created(c, out)
}

func waitParam(c *fiber.Ctx) (time.Duration, error) {
	v := c.Query("wait")
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		// Bound the milliseconds before converting: a huge number would overflow.
		if ms, err2 := strconv.ParseInt(v, 10, 64); err2 == nil && ms >= 0 && ms <= maxWait.Milliseconds() {
			d, err = time.Duration(ms)*time.Millisecond, nil
		}
	}
	if err != nil || d < 0 || d > maxWait {
		return 0, engine.InvalidField("wait", engine.CodeOutOfRange, engine.Params{"min": 0, "max": int64(maxWait / time.Second)}, "wait must be a duration like 5s, at most %s", maxWait)
	}
	return d, nil
}

// instanceID reads the :instId route parameter.
func instanceID(c *fiber.Ctx) (engine.ID, error) {
	return engine.ParseID(c.Params("instId"))
}

// mayWatch is the object-level check for reading an instance: designers and admins
// see all; other users the instances they started.
func mayWatch(u *engine.User, in *engine.Instance) error {
	if u.HasRole(engine.RoleDesigner) || in.Executor == u.ID {
		return nil
	}
	return engine.Coded(engine.ErrForbidden, engine.CodeNotYourInstance, nil, "instance %s was started by someone else", in.ID)
}

// listInstances handles GET /api/processInst.
func (s *Server) listInstances(c *fiber.Ctx) error {
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	f := engine.InstanceFilter{ProcessID: query(c, "procId"), Status: query(c, "status"), Executor: query(c, "executor"),
		BusinessKey: query(c, "businessKey"), BusinessKeyLike: query(c, "businessKeyLike"), TenantID: query(c, "tenantId"), Page: page}
	if f.StartedAfter, err = timeParam(c, "startedAfter"); err != nil {
		return err
	}
	if f.StartedBefore, err = timeParam(c, "startedBefore"); err != nil {
		return err
	}
	if f.Variables, err = varCondition(c); err != nil {
		return err
	}
	if p := c.Query("parent"); p != "" {
		if f.ParentID, err = engine.ParseID(p); err != nil {
			return engine.InvalidField("parent", engine.CodeBadID, nil, "parent must be an instance id")
		}
	}
	if u := caller(c); !u.HasRole(engine.RoleDesigner) {
		if f.Executor != "" && f.Executor != u.ID {
			return engine.Coded(engine.ErrForbidden, engine.CodeNotYourInstance, nil, "you may list only the instances you started")
		}
		f.Executor = u.ID
	}
	list_, total, err := s.deps.Runtime.ListInstances(c.UserContext(), f)
	if err != nil {
		return err
	}
	if err := s.redactInstances(c.UserContext(), caller(c), list_); err != nil {
		return err
	}
	return list(c, list_, total)
}

// timeParam reads unix milliseconds or an RFC 3339 time.
func timeParam(c *fiber.Ctx, name string) (int64, error) {
	v := c.Query(name)
	if v == "" {
		return 0, nil
	}
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
		return ms, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return 0, engine.InvalidField(name, engine.CodeBadTime, engine.Params{"example": "2024-05-31T08:00:00Z"}, "%s must be unix milliseconds or an RFC 3339 time", name)
	}
	return t.UnixMilli(), nil
}

// watchedInstance describes the instance of the :instId parameter if the caller may
// see it, as they may see it (secrets redacted), with the redaction it applied.
func (s *Server) watchedInstance(c *fiber.Ctx, u *engine.User) (*engine.InstanceView, *engine.Redaction, error) {
	id, err := instanceID(c)
	if err != nil {
		return nil, nil, err
	}
	v, err := s.deps.Runtime.Describe(c.UserContext(), id)
	if err != nil {
		return nil, nil, err
	}
	if err := mayWatch(u, v.Instance); err != nil {
		return nil, nil, err
	}
	x, err := s.redactionFor(c.UserContext(), u, v.ProcessID, v.Version)
	if err != nil {
		return nil, nil, err
	}
	return x.View(v), x, nil
}

// getInstance handles GET /api/processInst/{inst_id}: the instance view, bare (seed 000).
func (s *Server) getInstance(c *fiber.Ctx) error {
	v, _, err := s.watchedInstance(c, caller(c))
	if err != nil {
		return err
	}
	return bare(c, v)
}

// getInstanceTask handles GET /api/processInst/{inst_id}/{task_id}: the task with its
// runtimes, bare (seed 000).
func (s *Server) getInstanceTask(c *fiber.Ctx) error {
	v, _, err := s.watchedInstance(c, caller(c))
	if err != nil {
		return err
	}
	taskID := c.Params("taskId")
	for _, t := range v.Tasks {
		if t.InstID == taskID {
			return bare(c, t)
		}
	}
	return engine.Coded(engine.ErrNotFound, engine.CodeNoSuchTask, engine.Params{"task": taskID}, "instance %s has no task %s", v.ID, taskID)
}

// actionBody is the body of PUT /api/processInst/{inst_id}.
type actionBody struct {
	Action string `json:"action"`
}

// actOnInstance handles PUT /api/processInst/{inst_id} {"action": cancel|suspend|resume|retry}.
func (s *Server) actOnInstance(c *fiber.Ctx) error {
	var b actionBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	id, err := instanceID(c)
	if err != nil {
		return err
	}
	if _, err := s.mayControl(c, id); err != nil {
		return err
	}
	switch b.Action {
	case engine.ActionCancel, engine.ActionSuspend, engine.ActionResume, engine.ActionRetry:
	default:
		return engine.InvalidField("action", engine.CodeOneOf, engine.Params{"allowed": "cancel, suspend, resume, retry"}, "action must be cancel, suspend, resume or retry")
	}
	in, err := s.deps.Runtime.Act(c.UserContext(), id, b.Action)
	if err != nil {
		return err
	}
	x, err := s.redactionFor(c.UserContext(), caller(c), in.ProcessID, in.Version)
	if err != nil {
		return err
	}
	return ok(c, x.Instance(in))
}

// mayControl: designers and admins steer every instance; users the ones they started.
// For users it returns the instance it checked (nil for designers and admins).
func (s *Server) mayControl(c *fiber.Ctx, id engine.ID) (*engine.Instance, error) {
	u := caller(c)
	if u.HasRole(engine.RoleDesigner) {
		return nil, nil
	}
	v, err := s.deps.Runtime.Describe(c.UserContext(), id)
	if err != nil {
		return nil, err
	}
	return v.Instance, mayWatch(u, v.Instance)
}

// deleteInstance handles DELETE /api/processInst/{inst_id}.
func (s *Server) deleteInstance(c *fiber.Ctx) error {
	id, err := instanceID(c)
	if err != nil {
		return err
	}
	if err := s.deps.Runtime.DeleteInstance(c.UserContext(), id); err != nil {
		return err
	}
	return noContent(c)
}

// getVariables handles GET /api/processInst/{inst_id}/variables.
func (s *Server) getVariables(c *fiber.Ctx) error {
	id, err := instanceID(c)
	if err != nil {
		return err
	}
	in, err := s.mayControl(c, id)
	if err != nil {
		return err
	}
	vars, err := s.deps.Runtime.Variables(c.UserContext(), id)
	if err != nil {
		return err
	}
	if in != nil {
		x, err := s.redactionFor(c.UserContext(), caller(c), in.ProcessID, in.Version)
		if err != nil {
			return err
		}
		vars = x.Variables(vars)
	}
	return ok(c, vars)
}

// putVariables handles PUT /api/processInst/{inst_id}/variables: the body's variables
// are created or replaced, the others stay (merge); the answer is every variable.
func (s *Server) putVariables(c *fiber.Ctx) error {
	var vars map[string]any
	if err := decodeJSON(c, &vars); err != nil {
		return err
	}
	if vars == nil {
		return engine.InvalidField("", engine.CodeNotObject, nil, "send a JSON object of variables")
	}
	id, err := instanceID(c)
	if err != nil {
		return err
	}
	out, err := s.deps.Runtime.SetVariables(c.UserContext(), id, vars)
	if err != nil {
		return err
	}
	return ok(c, out)
}

// deleteVariable handles DELETE /api/processInst/{inst_id}/variables/{name}: 204, or
// 404 when the instance has no such variable.
func (s *Server) deleteVariable(c *fiber.Ctx) error {
	id, err := instanceID(c)
	if err != nil {
		return err
	}
	name, err := url.PathUnescape(c.Params("name"))
	if err != nil || name == "" {
		return engine.InvalidField("name", engine.CodeInvalidValue, nil, "not a variable name: %q", c.Params("name"))
	}
	if err := s.deps.Runtime.DeleteVariable(c.UserContext(), id, name); err != nil {
		return err
	}
	return noContent(c)
}
