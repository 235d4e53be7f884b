package web

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// ExternalTasks is what the native external task handlers need (engine.ExternalTasks):
// the admin's view of the jobs workers fetch over Camunda's and Flowable's APIs.
type ExternalTasks interface {
	Get(ctx context.Context, id engine.ID) (*engine.ExternalJob, error)
	List(ctx context.Context, f engine.ExternalFilter) ([]*engine.ExternalJob, int, error)
	SetRetries(ctx context.Context, id engine.ID, retries int) error
}

// externalTaskView is an external job in the native API's shape (times in unix ms, 0
// when not set), for the instance page's live state.
type externalTaskView struct {
	ID             engine.ID `json:"id"`
	Topic          string    `json:"topic"`
	Priority       int64     `json:"priority"`
	State          string    `json:"state"` // open, locked, incident, done, canceled
	WorkerID       string    `json:"workerId,omitempty"`
	LockExpiresAt  int64     `json:"lockExpiresAt"`
	Retries        *int      `json:"retries"`     // null until a worker first reports a failure
	TaskRetries    int       `json:"taskRetries"` // the task's retries parameter, what a first failure counts down from
	ErrorMessage   string    `json:"errorMessage,omitempty"`
	ErrorCode      string    `json:"errorCode,omitempty"`    // the BPMN error a worker reported
	ErrorDetails   string    `json:"errorDetails,omitempty"` // admins only
	InstanceID     engine.ID `json:"instanceId"`
	TaskID         string    `json:"taskId"`
	NodeID         engine.ID `json:"nodeId"`
	ProcessID      string    `json:"processId"`
	ProcessVersion int       `json:"processVersion"`
	BusinessKey    string    `json:"businessKey,omitempty"`
	Suspended      bool      `json:"suspended,omitempty"`
	CreateAt       int64     `json:"createAt"`
	LockedAt       int64     `json:"lockedAt"`
	EndAt          int64     `json:"endAt"`
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func externalView(j *engine.ExternalJob, admin bool) externalTaskView {
	v := externalTaskView{ID: j.ID, Topic: j.Topic, Priority: j.Priority, State: j.State, WorkerID: j.WorkerID,
		LockExpiresAt: ms(j.LockExpiresAt), Retries: j.Retries, TaskRetries: j.TaskRetries, ErrorMessage: j.ErrorMessage, ErrorCode: j.ErrorCode, InstanceID: j.InstanceID,
		TaskID: j.TaskID, NodeID: j.NodeID, ProcessID: j.ProcessID, ProcessVersion: j.ProcessVersion, BusinessKey: j.BusinessKey,
		Suspended: j.Suspended, CreateAt: ms(j.CreatedAt), LockedAt: ms(j.LockedAt), EndAt: ms(j.EndedAt)}
	if admin {
		v.ErrorDetails = j.ErrorDetails
	}
	return v
}

// externalStates are the states ?state= accepts.
var externalStates = []string{engine.ExternalOpen, engine.ExternalLocked, engine.ExternalIncident, engine.ExternalDone, engine.ExternalCanceled}

// listExternalTasks handles GET /api/externalTasks?instanceId=&taskId=&topic=&state=:
// the external jobs of an instance (for whoever may see the instance), or of all
// instances (designers and admins); state is a comma list (default: open, locked,
// incident; "all" adds ended ones: done, canceled).
func (s *Server) listExternalTasks(c *fiber.Ctx) error {
	if s.deps.External == nil {
		return engine.Errorf(engine.ErrUnavailable, "external tasks are not available on this server")
	}
	u := caller(c)
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	f := engine.ExternalFilter{Topic: query(c, "topic"), TaskID: query(c, "taskId"), Page: page}
	if v := query(c, "instanceId"); v != "" {
		if f.InstanceID, err = engine.ParseID(v); err != nil {
			return engine.InvalidField("instanceId", engine.CodeBadID, nil, "instanceId is not an instance id")
		}
		in, err := s.deps.Runtime.Describe(c.UserContext(), f.InstanceID)
		if err != nil {
			return err
		}
		if err := mayWatch(u, in.Instance); err != nil {
			return err
		}
	} else if !u.HasRole(engine.RoleDesigner) {
		return engine.InvalidField("instanceId", engine.CodeRequired, engine.Params{"field": "instanceId"}, "instanceId is required (only designers and admins list every instance's external tasks)")
	}
	switch v := query(c, "state"); v {
	case "":
	case "all":
		f.States = externalStates
	default:
		for _, st := range strings.Split(v, ",") {
			st = strings.TrimSpace(st)
			if !slices.Contains(externalStates, st) {
				return engine.InvalidField("state", engine.CodeOneOf, engine.Params{"allowed": "open, locked, incident, done, canceled, all"}, "state must be open, locked, incident, done, canceled (comma separated) or all, not %q", st)
			}
			f.States = append(f.States, st)
		}
	}
	jobs, total, err := s.deps.External.List(c.UserContext(), f)
	if err != nil {
		return err
	}
	admin := u.HasRole(engine.RoleAdmin)
	out := make([]externalTaskView, len(jobs))
	for i, j := range jobs {
		out[i] = externalView(j, admin)
	}
	return list(c, out, total)
}

// externalTaskID reads the {id} of an external task path (a malformed one is unknown).
func externalTaskID(c *fiber.Ctx) (engine.ID, error) {
	id, err := engine.ParseID(c.Params("id"))
	if err != nil {
		return 0, engine.Coded(engine.ErrNotFound, engine.CodeNotFound, nil, "external task %q not found", c.Params("id"))
	}
	return id, nil
}
