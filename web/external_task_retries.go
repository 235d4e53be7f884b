package web

import (
	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// maxExternalRetries bounds the retries an admin may give an external task.
const maxExternalRetries = 1000

// retriesBody is the body of POST /api/externalTasks/{id}/retries.
type retriesBody struct {
	Retries *int `json:"retries"`
}

// setExternalTaskRetries handles POST /api/externalTasks/{id}/retries {"retries": n}
// (admins): sets the job's retries; an incident with retries > 0 opens again and the
// node waits for a worker again. Answers the job as it is then.
func (s *Server) setExternalTaskRetries(c *fiber.Ctx) error {
	if s.deps.External == nil {
		return engine.Errorf(engine.ErrUnavailable, "external tasks are not available on this server")
	}
	id, err := externalTaskID(c)
	if err != nil {
		return err
	}
	var b retriesBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	switch {
	case b.Retries == nil:
		return engine.InvalidField("retries", engine.CodeRequired, engine.Params{"field": "retries"}, "retries is required")
	case *b.Retries < 0 || *b.Retries > maxExternalRetries:
		return engine.InvalidField("retries", engine.CodeOutOfRange, engine.Params{"min": 0, "max": maxExternalRetries}, "retries must be a whole number from 0 to %d", maxExternalRetries)
	}
	ctx := c.UserContext()
	if err := s.deps.External.SetRetries(ctx, id, *b.Retries); err != nil {
		return err
	}
	j, err := s.deps.External.Get(ctx, id)
	if err != nil {
		return err
	}
	return ok(c, externalView(j, true))
}
