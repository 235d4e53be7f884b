package flowable

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"flowcraft/identity"
)

// authenticate admits HTTP Basic (a flowcraft user's name and password: checked by
// identity, which throttles failures per account and address and caches a verified
// credential briefly) or a flowcraft API token (Authorization: Bearer fc_...). There
// are no sessions here, so no CSRF: a browser's cookie does not admit.
func (a *API) authenticate(c *fiber.Ctx) error {
	u, err := identity.Authenticate(c.UserContext(), a.deps.Identity, c.Get(fiber.HeaderAuthorization), c.IP(), c.Path())
	var he *identity.HeaderError
	if errors.As(err, &he) {
		return errStatus(fiber.StatusUnauthorized, "%s", he.Message)
	}
	if err != nil {
		return err // wrong credentials 401; a worker outside the worker APIs 403
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
