package web

import "github.com/gofiber/fiber/v2"

// listTemplates handles GET /api/templates: every node template with its parameter schema.
func (s *Server) listTemplates(c *fiber.Ctx) error {
	specs := s.deps.Templates.Specs()
	return list(c, specs, len(specs))
}
