package web

import (
	"encoding/base64"
	"strings"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
	"flowcraft/identity"
)

const (
	sessionCookie  = "flowcraft_session"
	langCookie     = "flowcraft_lang"
	csrfHeader     = "X-CSRF-Token"
	csrfFormField  = "_csrf"
	localUser      = "user"
	localSession   = "session"
	localRequestID = "requestid"
)

// caller returns the authenticated user of the request (set by authenticate).
func caller(c *fiber.Ctx) *engine.User {
	u, _ := c.Locals(localUser).(*engine.User)
	return u
}

// callerSession returns the browser session of the request, if it used one.
func callerSession(c *fiber.Ctx) *identity.Session {
	s, _ := c.Locals(localSession).(*identity.Session)
	return s
}

// authenticate identifies the caller by, in order: HTTP Basic, a Bearer API token, or
// the session cookie. Requests authenticated by cookie that change state must carry
// the session's CSRF token in the X-CSRF-Token header (or the _csrf form field).
func (s *Server) authenticate(c *fiber.Ctx) error {
	u, sess, err := s.identify(c)
	if err != nil {
		return err
	}
	if sess != nil && !isSafeMethod(c.Method()) {
		token := c.Get(csrfHeader)
		if token == "" {
			token = c.FormValue(csrfFormField)
		}
		if !identity.CSRFMatches(sess, token) {
			return codedErr(fiber.StatusForbidden, engine.CodeCSRF, nil, "missing or wrong CSRF token: send the X-CSRF-Token header from GET /api/me")
		}
	}
	c.Locals(localUser, u)
	if sess != nil {
		c.Locals(localSession, sess)
	}
	return c.Next()
}

// identify resolves the credentials of a request without enforcing CSRF, and refuses
// a caller the path is closed to (identity.Admit: a worker account outside the worker
// APIs) with a 403.
func (s *Server) identify(c *fiber.Ctx) (*engine.User, *identity.Session, error) {
	u, sess, err := s.credentials(c)
	if err != nil {
		return nil, nil, err
	}
	if err := identity.Admit(u, c.Path()); err != nil {
		return nil, nil, err
	}
	return u, sess, nil
}

// credentials resolves the credentials of a request.
func (s *Server) credentials(c *fiber.Ctx) (*engine.User, *identity.Session, error) {
	ctx := c.UserContext()
	auth := c.Get(fiber.HeaderAuthorization)
	scheme, cred, _ := strings.Cut(auth, " ")
	cred = strings.TrimSpace(cred)
	switch {
	case strings.EqualFold(scheme, "Basic"):
		raw, err := base64.StdEncoding.DecodeString(cred)
		if err != nil {
			return nil, nil, engine.Coded(engine.ErrUnauthorized, engine.CodeBadAuthorization, nil, "malformed Basic credentials")
		}
		user, pass, ok := strings.Cut(string(raw), ":")
		if !ok {
			return nil, nil, engine.Coded(engine.ErrUnauthorized, engine.CodeBadAuthorization, nil, "malformed Basic credentials")
		}
		// c.IP() is the peer address. Behind a reverse proxy every client shares the
		// proxy's address (per-address throttling then applies to all together); Fiber's
		// ProxyHeader with EnableTrustedProxyCheck/TrustedProxies would read the client's
		// from X-Forwarded-For, which must only be trusted from known proxies.
		u, err := s.deps.Identity.CheckPassword(ctx, user, pass, c.IP())
		return u, nil, err
	case strings.EqualFold(scheme, "Bearer"):
		u, err := s.deps.Identity.CheckToken(ctx, cred)
		return u, nil, err
	case auth != "":
		return nil, nil, engine.Coded(engine.ErrUnauthorized, engine.CodeBadAuthorization, nil, "unsupported Authorization scheme %q; use Basic or Bearer", scheme)
	}
	if secret := c.Cookies(sessionCookie); secret != "" {
		sess, u, err := s.deps.Identity.SessionUser(ctx, secret)
		return u, sess, err
	}
	return nil, nil, engine.Coded(engine.ErrUnauthorized, engine.CodeAuthRequired, nil, "authentication required: use HTTP Basic, an API token (Authorization: Bearer ...) or sign in")
}

// requireRole lets the request through only when the caller has role r or above.
func (s *Server) requireRole(r string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u := caller(c)
		if u == nil {
			return engine.Coded(engine.ErrUnauthorized, engine.CodeAuthRequired, nil, "authentication required")
		}
		if !u.HasRole(r) {
			return engine.Coded(engine.ErrForbidden, engine.CodeRoleRequired, engine.Params{"role": r, "have": u.Role}, "this needs the %s role; you are %s", r, u.Role)
		}
		return c.Next()
	}
}

func isSafeMethod(m string) bool {
	return m == fiber.MethodGet || m == fiber.MethodHead || m == fiber.MethodOptions
}
