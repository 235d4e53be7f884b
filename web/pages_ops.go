package web

import (
	"github.com/gofiber/fiber/v2"
)

// The operations pages: instances (page_instances.go), the inbox and its
// tasks (page_inbox.go, page_task.go), and the admin area (page_admin*.go, one
// file per tab). Their handlers read through the same interfaces as the API
// (Runtime, HumanTasks, Identity, Definitions, Jobs) and apply the same
// object-level checks.

// maxPickList bounds the users and groups listed in pickers and filters.
const maxPickList = 500

// opsRoutes registers the operations pages (called from routes).
func (p *pages) opsRoutes(app *fiber.App) {
	app.Get("/instances", p.requireSession, p.instances)
	app.Get("/instances/:instId", p.requireSession, p.instance)
	app.Get("/history", p.requireSession, p.history)
	app.Get("/inbox", p.requireSession, p.inbox)
	app.Get("/inbox/:id", p.requireSession, p.task)
	app.Get("/inbox/:id/item", p.requireSession, p.taskItem)
	app.Get("/admin", p.requireSession, p.admin)
}
