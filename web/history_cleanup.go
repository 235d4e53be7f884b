package web

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// Retention is the history cleanup (engine.Retention).
type Retention interface {
	Cleanup(ctx context.Context) (*engine.CleanupReport, error)
}

// historyCleanup handles POST /api/history/cleanup: the cleanup runs now (a small
// batch per write transaction) and the answer says what it removed.
func (s *Server) historyCleanup(c *fiber.Ctx) error {
	rep, err := s.deps.Retention.Cleanup(c.UserContext())
	if err != nil {
		return err
	}
	return ok(c, rep)
}
