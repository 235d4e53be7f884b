package web

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// HumanTasks is what the inbox handlers need.
type HumanTasks interface {
	Inbox(ctx context.Context, u *engine.User, f engine.InboxFilter) ([]*engine.HumanTask, int, error)
	HumanTask(ctx context.Context, u *engine.User, id engine.ID) (*engine.HumanTask, error)
	Claim(ctx context.Context, u *engine.User, id engine.ID) (*engine.HumanTask, error)
	Unclaim(ctx context.Context, u *engine.User, id engine.ID) (*engine.HumanTask, error)
	Delegate(ctx context.Context, u *engine.User, id engine.ID, to, comment string) (*engine.HumanTask, error)
	Resolve(ctx context.Context, u *engine.User, id engine.ID, comment string) (*engine.HumanTask, error)
	CompleteTask(ctx context.Context, u *engine.User, id engine.ID, in engine.TaskInput) (*engine.HumanTask, error)
	Describe(ctx context.Context, id engine.ID) (*engine.InstanceView, error)
	AdminTasks(ctx context.Context, u *engine.User, f engine.AdminTaskFilter) ([]engine.AdminTask, int, error)
	Reassign(ctx context.Context, u *engine.User, id engine.ID, to, comment string) (*engine.HumanTask, error)
}

// taskDetail is a human task with its process context.
type taskDetail struct {
	*engine.HumanTask
	Instance *engine.Instance `json:"instance"`
}

// listTaskInsts handles GET /api/taskInsts?user=&status=open|done&processId=&sort=createAt|priority|due;
// the done list also takes businessKey, outcome, endedAfter, endedBefore and a
// variable condition (varName, varOp, varType, varValue).
func (s *Server) listTaskInsts(c *fiber.Ctx) error {
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	f := engine.InboxFilter{User: query(c, "user"), Status: query(c, "status"), ProcessID: query(c, "processId"), Page: page}
	if err := doneFilter(c, &f); err != nil {
		return err
	}
	tasks, total, err := s.deps.Tasks.Inbox(c.UserContext(), caller(c), f)
	if err != nil {
		return err
	}
	return list(c, s.inboxItems(tasks), total)
}

// seedTimeLayout is the seed's text time: "2023-12-01 10:00:00".
const seedTimeLayout = time.DateTime

// inboxItem is a task as the inbox lists it (seed 000): createAt is the seed's text
// time in the server's time zone (Config.Location) instead of unix ms. The other
// shapes of a task (GET /api/taskInst/{id}, the actions' answers, websocket events)
// keep unix ms.
type inboxItem struct {
	*engine.HumanTask
	CreateAt string `json:"createAt"` // "YYYY-MM-DD HH:MM:SS"
}

// inboxItems turns a page of the inbox into its list items.
func (s *Server) inboxItems(tasks []*engine.HumanTask) []inboxItem {
	out := make([]inboxItem, len(tasks))
	for i, t := range tasks {
		out[i] = inboxItem{HumanTask: t, CreateAt: time.UnixMilli(t.CreateAt).In(s.cfg.Location).Format(seedTimeLayout)}
	}
	return out
}

func taskID(c *fiber.Ctx) (engine.ID, error) {
	id, err := engine.ParseID(c.Params("id"))
	if err != nil {
		return 0, engine.Coded(engine.ErrNotFound, engine.CodeUnknownTaskInst, engine.Params{"id": c.Params("id")}, "%q is not a task id", c.Params("id"))
	}
	return id, nil
}

// getTaskInst handles GET /api/taskInst/{id}: the task, its form and process context.
func (s *Server) getTaskInst(c *fiber.Ctx) error {
	id, err := taskID(c)
	if err != nil {
		return err
	}
	t, err := s.deps.Tasks.HumanTask(c.UserContext(), caller(c), id)
	if err != nil {
		return err
	}
	v, err := s.deps.Tasks.Describe(c.UserContext(), t.InstanceID)
	if err != nil {
		return err
	}
	x, err := s.redactionFor(c.UserContext(), caller(c), v.ProcessID, v.Version)
	if err != nil {
		return err
	}
	return ok(c, taskDetail{HumanTask: t, Instance: x.Instance(v.Instance)})
}

// completeTaskInst handles POST /api/taskInst/{id}. The body is the seed's flat object:
// the form's field keys with their values, plus the reserved keys outcome and comment
// (engine.TaskInput); an unknown key is a 400 naming it.
func (s *Server) completeTaskInst(c *fiber.Ctx) error {
	var in engine.TaskInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	id, err := taskID(c)
	if err != nil {
		return err
	}
	t, err := s.deps.Tasks.CompleteTask(c.UserContext(), caller(c), id, in)
	if err != nil {
		return err
	}
	return ok(c, t)
}

// taskActionBody is the body of claim/unclaim/delegate/resolve (all optional but assignee).
type taskActionBody struct {
	Assignee string `json:"assignee"`
	Comment  string `json:"comment"`
}

// taskAction handles POST /api/taskInst/{id}/{claim|unclaim|delegate|resolve}.
func (s *Server) taskAction(action string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var b taskActionBody
		if err := decodeOptionalJSON(c, &b); err != nil {
			return err
		}
		id, err := taskID(c)
		if err != nil {
			return err
		}
		ctx, u := c.UserContext(), caller(c)
		var t *engine.HumanTask
		switch action {
		case "claim":
			t, err = s.deps.Tasks.Claim(ctx, u, id)
		case "unclaim":
			t, err = s.deps.Tasks.Unclaim(ctx, u, id)
		case "delegate":
			t, err = s.deps.Tasks.Delegate(ctx, u, id, b.Assignee, b.Comment)
		case "resolve":
			t, err = s.deps.Tasks.Resolve(ctx, u, id, b.Comment)
		}
		if err != nil {
			return err
		}
		return ok(c, t)
	}
}
