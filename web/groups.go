package web

import (
	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// groupBody is the body of POST and PUT /api/groups.
type groupBody struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// memberBody is the body of POST /api/groups/{id}/members.
type memberBody struct {
	UserID string `json:"userId"`
}

// listGroups handles GET /api/groups.
func (s *Server) listGroups(c *fiber.Ctx) error {
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	gs, total, err := s.deps.Identity.ListGroups(c.UserContext(), page)
	if err != nil {
		return err
	}
	return list(c, gs, total)
}

// createGroup handles POST /api/groups.
func (s *Server) createGroup(c *fiber.Ctx) error {
	var b groupBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	g, err := s.deps.Identity.CreateGroup(c.UserContext(), &engine.Group{ID: b.ID, Name: b.Name})
	if err != nil {
		return err
	}
	return created(c, g)
}

// getGroup handles GET /api/groups/{id}.
func (s *Server) getGroup(c *fiber.Ctx) error {
	g, err := s.deps.Identity.GetGroup(c.UserContext(), param(c, "id"))
	if err != nil {
		return err
	}
	return ok(c, g)
}

// renameGroup handles PUT /api/groups/{id}.
func (s *Server) renameGroup(c *fiber.Ctx) error {
	var b groupBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	id := param(c, "id")
	if b.ID != "" && b.ID != id {
		return engine.InvalidField("id", engine.CodeImmutable, nil, "a group's id cannot change")
	}
	g, err := s.deps.Identity.RenameGroup(c.UserContext(), id, b.Name)
	if err != nil {
		return err
	}
	return ok(c, g)
}

// deleteGroup handles DELETE /api/groups/{id}.
func (s *Server) deleteGroup(c *fiber.Ctx) error {
	if err := s.deps.Identity.DeleteGroup(c.UserContext(), param(c, "id")); err != nil {
		return err
	}
	return noContent(c)
}

// listMembers handles GET /api/groups/{id}/members.
func (s *Server) listMembers(c *fiber.Ctx) error {
	us, err := s.deps.Identity.ListMembers(c.UserContext(), param(c, "id"))
	if err != nil {
		return err
	}
	return list(c, us, len(us))
}

// addMember handles POST /api/groups/{id}/members {"userId"}.
func (s *Server) addMember(c *fiber.Ctx) error {
	var b memberBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	if b.UserID == "" {
		return engine.InvalidField("userId", engine.CodeRequired, engine.Params{"field": "userId"}, "userId is required")
	}
	if err := s.deps.Identity.AddMember(c.UserContext(), param(c, "id"), b.UserID); err != nil {
		return err
	}
	return created(c, b)
}

// removeMember handles DELETE /api/groups/{id}/members/{userId}.
func (s *Server) removeMember(c *fiber.Ctx) error {
	if err := s.deps.Identity.RemoveMember(c.UserContext(), param(c, "id"), param(c, "userId")); err != nil {
		return err
	}
	return noContent(c)
}
