//go:build !(linux || darwin)

package camunda

import "github.com/gofiber/fiber/v2"

// watchClient does not watch on this platform: a long poll whose client went away
// runs to its asyncResponseTimeout.
func watchClient(c *fiber.Ctx, gone func()) (stop func()) { return func() {} }
