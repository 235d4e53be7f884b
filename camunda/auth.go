package camunda

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
	"flowcraft/identity"
)

// authenticate admits HTTP Basic (a flowcraft user's name and password, checked by
// identity, which throttles failures and caches a verified credential briefly; what
// camunda-external-task-client-js's BasicAuthInterceptor sends) or a flowcraft API
// token as Bearer. No sessions, so no CSRF: a browser's cookie does not admit.
// Failures are Camunda's 401 (engine-rest's authentication filter answers 401 with a
// WWW-Authenticate challenge).
func (a *API) authenticate(c *fiber.Ctx) error {
	u, err := identity.Authenticate(c.UserContext(), a.deps.Identity, c.Get(fiber.HeaderAuthorization), c.IP(), c.Path())
	var he *identity.HeaderError
	if errors.As(err, &he) {
		return unauthorized(he.Message)
	}
	if err != nil {
		return err // wrong credentials 401; a worker account outside the worker APIs 403
	}
	c.Locals(localUser, u)
	return c.Next()
}

// requireWorker admits the worker role and admin (least privilege: designers and
// users work through the native API, not as external workers); 403 otherwise.
func (a *API) requireWorker(c *fiber.Ctx) error {
	u := caller(c)
	if u == nil || !(u.Role == roleWorker || u.HasRole(engine.RoleAdmin)) {
		role := ""
		if u != nil {
			role = u.Role
		}
		return &Error{Status: fiber.StatusForbidden, Type: "AuthorizationException",
			Message: "The user with id '" + userID(u) + "' (role " + role + ") may not use the external task API: it needs the worker or admin role."}
	}
	return c.Next()
}

func userID(u *engine.User) string {
	if u == nil {
		return ""
	}
	return u.ID
}

func unauthorized(msg string) *Error {
	return &Error{Status: fiber.StatusUnauthorized, Type: "AuthenticationException", Message: msg}
}
