package web

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// The admin's task handlers: every open task, and reassignment.

// adminTaskInsts handles GET /api/admin/taskInsts?user=&group=&processId=&overdue=&orphaned=
// (admin): every open task, each with "left" set when its assignee has left.
func (s *Server) adminTaskInsts(c *fiber.Ctx) error {
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	f := engine.AdminTaskFilter{User: query(c, "user"), Group: query(c, "group"), ProcessID: query(c, "processId"), Page: page}
	if f.Overdue, err = boolParam(c, "overdue"); err != nil {
		return err
	}
	if f.Orphaned, err = boolParam(c, "orphaned"); err != nil {
		return err
	}
	tasks, total, err := s.deps.Tasks.AdminTasks(c.UserContext(), caller(c), f)
	if err != nil {
		return err
	}
	return list(c, tasks, total)
}

// boolParam reads a true/false query parameter (absent: false).
func boolParam(c *fiber.Ctx, name string) (bool, error) {
	v := query(c, name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, engine.InvalidField(name, engine.CodeWrongType, engine.Params{"want": "boolean"}, "%s must be true or false", name)
	}
	return b, nil
}

// reassignBody is the body of POST /api/taskInst/{id}/reassign: assignee empty or
// null returns the task to its candidates.
type reassignBody struct {
	Assignee *string `json:"assignee"`
	Comment  string  `json:"comment"`
}

// reassignTaskInst handles POST /api/taskInst/{id}/reassign (admin).
func (s *Server) reassignTaskInst(c *fiber.Ctx) error {
	var b reassignBody
	if err := decodeOptionalJSON(c, &b); err != nil {
		return err
	}
	id, err := taskID(c)
	if err != nil {
		return err
	}
	to := ""
	if b.Assignee != nil {
		to = strings.TrimSpace(*b.Assignee)
	}
	t, err := s.deps.Tasks.Reassign(c.UserContext(), caller(c), id, to, b.Comment)
	if err != nil {
		return err
	}
	return ok(c, t)
}
