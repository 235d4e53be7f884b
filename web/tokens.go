package web

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
	"flowcraft/identity"
)

// tokenBody is the body of POST /api/tokens.
type tokenBody struct {
	Name      string `json:"name"`
	ExpiresIn int64  `json:"expiresIn"` // seconds; 0 = never; at most identity.MaxTokenTTL (10 years)
}

// createdToken is the answer to POST /api/tokens: the only time the secret is shown.
type createdToken struct {
	*identity.APIToken
	Token string `json:"token"`
}

// tokenOwner is whose tokens a request addresses: the caller, or ?user= for admins.
func tokenOwner(c *fiber.Ctx) (string, error) {
	u := caller(c)
	if other := query(c, "user"); other != "" && other != u.ID {
		if !u.HasRole(engine.RoleAdmin) {
			return "", engine.Coded(engine.ErrForbidden, engine.CodeAdminOnly, nil, "only admins may manage other users' tokens")
		}
		return other, nil
	}
	return u.ID, nil
}

// listTokens handles GET /api/tokens[?user=].
func (s *Server) listTokens(c *fiber.Ctx) error {
	owner, err := tokenOwner(c)
	if err != nil {
		return err
	}
	ts, err := s.deps.Identity.ListTokens(c.UserContext(), owner)
	if err != nil {
		return err
	}
	return list(c, ts, len(ts))
}

// createToken handles POST /api/tokens {"name", "expiresIn"} for the caller.
func (s *Server) createToken(c *fiber.Ctx) error {
	var b tokenBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	owner, err := tokenOwner(c)
	if err != nil {
		return err
	}
	// Check the range before converting: seconds × 1e9 overflows a Duration past ~292 years.
	if b.ExpiresIn < 0 || b.ExpiresIn > int64(identity.MaxTokenTTL/time.Second) {
		return engine.InvalidField("expiresIn", engine.CodeOutOfRange, engine.Params{"min": 0, "max": int64(identity.MaxTokenTTL / time.Second)},
			"expiresIn must be 0 (never expires) or 1 to %d seconds (10 years)", int64(identity.MaxTokenTTL/time.Second))
	}
	secret, t, err := s.deps.Identity.CreateToken(c.UserContext(), owner, b.Name, time.Duration(b.ExpiresIn)*time.Second)
	if err != nil {
		return err
	}
	return created(c, createdToken{APIToken: t, Token: secret})
}

// deleteToken handles DELETE /api/tokens/{id}: one's own, or anyone's for admins.
func (s *Server) deleteToken(c *fiber.Ctx) error {
	u := caller(c)
	owner := u.ID
	if u.HasRole(engine.RoleAdmin) {
		owner = ""
	}
	if err := s.deps.Identity.DeleteToken(c.UserContext(), param(c, "id"), owner); err != nil {
		return err
	}
	return noContent(c)
}
