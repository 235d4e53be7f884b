package web

import (
	"context"
	"slices"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
	"flowcraft/ui"
)

// adminTabs are the tabs of the admin page; the first is the default.
var adminTabs = []string{"users", "groups", "tokens", "jobs"}

// admin handles GET /admin?tab=users|groups|tokens|jobs: administrators only.
// Every tab gets the pickers (all users and groups); the tab's own data comes
// from its loader (page_admin_<tab>.go).
func (p *pages) admin(c *fiber.Ctx) error {
	u := caller(c)
	if !u.HasRole(engine.RoleAdmin) {
		return p.render(c, fiber.StatusForbidden, ui.ErrorPage(p.frame(c, ""), fiber.StatusForbidden, ""))
	}
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	tab := c.Query("tab")
	if !slices.Contains(adminTabs, tab) {
		tab = adminTabs[0]
	}
	d := ui.AdminData{Page: p.frame(c, p.tr(c).T("admin.title")), Tab: tab}
	groups, err := p.adminPickers(c.UserContext(), &d)
	if err != nil {
		return err
	}
	switch tab {
	case "groups":
		err = p.adminGroups(c.UserContext(), &d, groups)
	case "tokens":
		err = p.adminTokens(c, &d, u)
	case "jobs":
		err = p.adminJobs(c, &d, page)
	default:
		err = p.adminUsers(c, &d, page)
	}
	if err != nil {
		return err
	}
	return p.render(c, fiber.StatusOK, ui.AdminPage(d))
}

// adminPickers fills the pickers of every admin tab, all users and groups,
// and returns the groups.
func (p *pages) adminPickers(ctx context.Context, d *ui.AdminData) ([]*engine.Group, error) {
	users, _, err := p.s.deps.Identity.ListUsers(ctx, "", engine.Page{Limit: maxPickList, Sort: "id"})
	if err != nil {
		return nil, err
	}
	for _, x := range users {
		label := x.Name
		if label == "" {
			label = x.ID
		}
		d.AllUsers = append(d.AllUsers, ui.Option{Value: x.ID, Label: label})
	}
	groups, _, err := p.s.deps.Identity.ListGroups(ctx, engine.Page{Limit: maxPickList, Sort: "id"})
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		d.AllGroups = append(d.AllGroups, ui.Option{Value: g.ID, Label: g.Name})
	}
	return groups, nil
}
