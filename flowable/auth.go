package flowable

import (
	"encoding/base64"
	"strings"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
	"flowcraft/identity"
)

// authenticate admits HTTP Basic (a flowcraft user's name and password: checked by
// identity, which throttles failures per account and address and caches a verified
// credential briefly) or a flowcraft API token (Authorization: Bearer fc_...). There
// are no sessions here, so no CSRF: a browser's cookie does not admit.
func (a *API) authenticate(c *fiber.Ctx) error {
	auth := c.Get(fiber.HeaderAuthorization)
	scheme, cred, _ := strings.Cut(auth, " ")
	cred = strings.TrimSpace(cred)
	var (
		u   *engine.User
		err error
	)
	switch {
	case strings.EqualFold(scheme, "Basic"):
		raw, derr := base64.StdEncoding.DecodeString(cred)
		user, pass, ok := strings.Cut(string(raw), ":")
		if derr != nil || !ok {
			return errStatus(fiber.StatusUnauthorized, "malformed Basic credentials")
		}
		u, err = a.deps.Identity.CheckPassword(c.UserContext(), user, pass, c.IP())
	case strings.EqualFold(scheme, "Bearer"):
		u, err = a.deps.Identity.CheckToken(c.UserContext(), cred)
	case auth != "":
		return errStatus(fiber.StatusUnauthorized, "unsupported Authorization scheme %q; use Basic or Bearer", scheme)
	default:
		return errStatus(fiber.StatusUnauthorized, "authentication required: use HTTP Basic or a flowcraft API token (Authorization: Bearer ...)")
	}
	if err != nil {
		return err
	}
	if err := identity.Admit(u, c.Path()); err != nil {
		return err // a worker outside the worker APIs: 403
	}
	c.Locals(localUser, u)
	return c.Next()
}

// requireRole admits callers with role r or above (403 otherwise).
func requireRole(r string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u := caller(c)
		if u == nil || !u.HasRole(r) {
			have := ""
			if u != nil {
				have = u.Role
			}
			return errStatus(fiber.StatusForbidden, "this needs the %s role; you are %s", r, have)
		}
		return c.Next()
	}
}
