package web

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
)

// healthz handles GET /healthz: the process is alive.
func (s *Server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// readyz handles GET /readyz: the database answers within a second.
func (s *Server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), time.Second)
	defer cancel()
	if err := s.deps.DB.Ping(ctx); err != nil {
		s.log.Warn("not ready", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "database": "not answering"})
	}
	return c.JSON(fiber.Map{"status": "ok", "database": "ok", "version": s.deps.Version})
}
