package web

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// Jobs is what the job handlers need.
type Jobs interface {
	ListJobs(ctx context.Context, status string, page engine.Page) ([]*engine.Job, int, error)
	ReviveJob(ctx context.Context, id engine.ID, now int64) error
}

// listJobs handles GET /api/jobs[?status=pending|dead].
func (s *Server) listJobs(c *fiber.Ctx) error {
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	status := query(c, "status")
	if status != "" && status != "pending" && status != "dead" {
		return engine.InvalidField("status", engine.CodeOneOf, engine.Params{"allowed": "pending, dead"}, "status must be pending or dead")
	}
	jobs, total, err := s.deps.Jobs.ListJobs(c.UserContext(), status, page)
	if err != nil {
		return err
	}
	return list(c, jobs, total)
}

// retryJob handles POST /api/jobs/{id}/retry: a dead job runs again now.
func (s *Server) retryJob(c *fiber.Ctx) error {
	id, err := engine.ParseID(c.Params("id"))
	if err != nil {
		return err
	}
	if err := s.deps.Jobs.ReviveJob(c.UserContext(), id, time.Now().UnixMilli()); err != nil {
		return err
	}
	return noContent(c)
}
