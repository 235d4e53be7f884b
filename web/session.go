package web

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// loginBody is the body of POST /api/login.
type loginBody struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// meResponse is the answer of GET /api/me and POST /api/login.
type meResponse struct {
	User      *engine.User `json:"user"`
	CSRFToken string       `json:"csrfToken,omitempty"` // send as X-CSRF-Token with cookie auth
}

// login handles POST /api/login: checks the password and sets the session cookie.
func (s *Server) login(c *fiber.Ctx) error {
	var b loginBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	if b.Username == "" || b.Password == "" {
		return engine.InvalidField("username", engine.CodeRequired, engine.Params{"field": "username"}, "username and password are required")
	}
	secret, sess, u, err := s.deps.Identity.Login(c.UserContext(), b.Username, b.Password, c.IP())
	if err != nil {
		return err
	}
	s.setSessionCookie(c, secret, time.UnixMilli(sess.ExpiresAt))
	return ok(c, meResponse{User: u, CSRFToken: sess.CSRF})
}

// logout handles POST /api/logout.
func (s *Server) logout(c *fiber.Ctx) error {
	if err := s.deps.Identity.Logout(c.UserContext(), c.Cookies(sessionCookie)); err != nil {
		return err
	}
	s.clearSessionCookie(c)
	return noContent(c)
}

// me handles GET /api/me.
func (s *Server) me(c *fiber.Ctx) error {
	r := meResponse{User: caller(c)}
	if sess := callerSession(c); sess != nil {
		r.CSRFToken = sess.CSRF
	}
	return ok(c, r)
}

func (s *Server) setSessionCookie(c *fiber.Ctx, secret string, expires time.Time) {
	c.Cookie(&fiber.Cookie{
		Name: sessionCookie, Value: secret, Path: "/", Expires: expires,
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: s.secure(c),
	})
}

func (s *Server) clearSessionCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{
		Name: sessionCookie, Value: "", Path: "/", Expires: time.Unix(0, 0), MaxAge: -1,
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: s.secure(c),
	})
}

func (s *Server) secure(c *fiber.Ctx) bool {
	return s.cfg.SecureCookie || strings.EqualFold(c.Protocol(), "https")
}
