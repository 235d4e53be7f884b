package web

import (
	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
	"flowcraft/identity"
)

// listUsers handles GET /api/users[?q=].
func (s *Server) listUsers(c *fiber.Ctx) error {
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	us, total, err := s.deps.Identity.ListUsers(c.UserContext(), query(c, "q"), page)
	if err != nil {
		return err
	}
	return list(c, us, total)
}

// createUser handles POST /api/users: {"id","name","email","role","password","groups"}.
func (s *Server) createUser(c *fiber.Ctx) error {
	var in identity.UserInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	u := &engine.User{ID: in.ID}
	in.Apply(u)
	password := ""
	if in.Password != nil {
		password = *in.Password
	}
	out, err := s.deps.Identity.CreateUser(c.UserContext(), u, password)
	if err != nil {
		return err
	}
	return created(c, out)
}

// getUser handles GET /api/users/{id}.
func (s *Server) getUser(c *fiber.Ctx) error {
	u, err := s.deps.Identity.GetUser(c.UserContext(), param(c, "id"))
	if err != nil {
		return err
	}
	return ok(c, u)
}

// updateUser handles PUT and PATCH /api/users/{id}: fields left out stay as they are.
func (s *Server) updateUser(c *fiber.Ctx) error {
	var in identity.UserInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	id := param(c, "id")
	if in.ID != "" && in.ID != id {
		return engine.InvalidField("id", engine.CodeImmutable, nil, "a user's id cannot change")
	}
	if id == caller(c).ID && in.Role != nil && *in.Role != engine.RoleAdmin {
		return engine.Coded(engine.ErrConflict, engine.CodeOwnAccount, nil, "you cannot take the admin role from yourself")
	}
	if id == caller(c).ID && in.Disabled != nil && *in.Disabled {
		return engine.Coded(engine.ErrConflict, engine.CodeOwnAccount, nil, "you cannot disable your own account")
	}
	u, err := s.deps.Identity.UpdateUser(c.UserContext(), id, in)
	if err != nil {
		return err
	}
	return ok(c, u)
}

// deleteUser handles DELETE /api/users/{id}.
func (s *Server) deleteUser(c *fiber.Ctx) error {
	if err := s.deps.Identity.DeleteUser(c.UserContext(), param(c, "id"), caller(c).ID); err != nil {
		return err
	}
	return noContent(c)
}

// unlockUser handles POST /api/users/{id}/unlock: lifts a lockout after failed sign-ins.
func (s *Server) unlockUser(c *fiber.Ctx) error {
	if err := s.deps.Identity.Unlock(c.UserContext(), param(c, "id"), caller(c).ID); err != nil {
		return err
	}
	return noContent(c)
}
