package web

import (
	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
	"flowcraft/ui"
)

// adminUsers loads the users tab: the users matching ?q=, a page of them.
func (p *pages) adminUsers(c *fiber.Ctx, d *ui.AdminData, page engine.Page) error {
	d.Query = query(c, "q")
	page.Sort = "id"
	list, total, err := p.s.deps.Identity.ListUsers(c.UserContext(), d.Query, page)
	if err != nil {
		return err
	}
	for _, x := range list {
		d.Users = append(d.Users, ui.AdminUser{ID: x.ID, Name: x.Name, Email: x.Email, Role: x.Role, Groups: x.Groups, Disabled: x.Disabled, CreateAt: x.CreateAt})
	}
	d.Pager = ui.Pager{Offset: page.Offset, Limit: page.Limit, Count: len(list), Total: total, Base: listBase(c, "/admin", "tab", "q")}
	return nil
}
