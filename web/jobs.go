package web

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// Jobs is what the job handlers need (engine.JobAdmin).
type Jobs interface {
	List(ctx context.Context, f engine.JobFilter) ([]*engine.Job, int, error)
	Get(ctx context.Context, id engine.ID) (*engine.Job, error)
	Execute(ctx context.Context, id engine.ID) error
	Move(ctx context.Context, id engine.ID) error
	Delete(ctx context.Context, id engine.ID) error
}

// listJobs handles GET /api/jobs: the job table, filtered by status (pending|dead),
// queue (executable|timer|suspended|dead: Flowable's job kinds), instanceId, taskId
// and withException=true; each job with its queue and its instance's process.
func (s *Server) listJobs(c *fiber.Ctx) error {
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	f := engine.JobFilter{Status: query(c, "status"), Queue: query(c, "queue"), TaskID: query(c, "taskId"), Page: page}
	if v := query(c, "instanceId"); v != "" {
		if f.InstanceID, err = engine.ParseID(v); err != nil {
			return engine.InvalidField("instanceId", engine.CodeBadID, nil, "instanceId is not an instance id")
		}
	}
	switch query(c, "withException") {
	case "", "false":
	case "true":
		f.WithException = true
	default:
		return engine.InvalidField("withException", engine.CodeOneOf, engine.Params{"allowed": "true, false"}, "withException must be true or false")
	}
	if f.Page.Sort == "" {
		f.Page.Sort = "dueAt"
	}
	jobs, total, err := s.deps.Jobs.List(c.UserContext(), f)
	if err != nil {
		return err
	}
	return list(c, jobs, total)
}

// jobID reads the {id} of a job path.
func jobID(c *fiber.Ctx) (engine.ID, error) {
	id, err := engine.ParseID(c.Params("id"))
	if err != nil {
		return 0, engine.Coded(engine.ErrNotFound, engine.CodeJobNotFound, engine.Params{"id": c.Params("id")}, "job %q not found", c.Params("id"))
	}
	return id, nil
}

// getJob handles GET /api/jobs/{id}.
func (s *Server) getJob(c *fiber.Ctx) error {
	id, err := jobID(c)
	if err != nil {
		return err
	}
	j, err := s.deps.Jobs.Get(c.UserContext(), id)
	if err != nil {
		return err
	}
	return ok(c, j)
}

// retryJob handles POST /api/jobs/{id}/retry: a dead job runs again now.
func (s *Server) retryJob(c *fiber.Ctx) error {
	id, err := engine.ParseID(c.Params("id"))
	if err != nil {
		return err
	}
	if err := s.deps.Jobs.Move(c.UserContext(), id); err != nil {
		return err
	}
	return noContent(c)
}

// executeJob handles POST /api/jobs/{id}/execute: a pending job is due now (a dead one
// is revived) and the job executor runs it at once; 409 while it is running.
func (s *Server) executeJob(c *fiber.Ctx) error {
	id, err := jobID(c)
	if err != nil {
		return err
	}
	if err := s.deps.Jobs.Execute(c.UserContext(), id); err != nil {
		return err
	}
	return noContent(c)
}

// deleteJob handles DELETE /api/jobs/{id}.
func (s *Server) deleteJob(c *fiber.Ctx) error {
	id, err := jobID(c)
	if err != nil {
		return err
	}
	if err := s.deps.Jobs.Delete(c.UserContext(), id); err != nil {
		return err
	}
	return noContent(c)
}
