package web

import (
	"slices"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
	"flowcraft/ui"
)

// adminTokens loads the tokens tab: the API tokens of ?user= (a user of the
// picker; else the caller's own).
func (p *pages) adminTokens(c *fiber.Ctx, d *ui.AdminData, u *engine.User) error {
	d.TokenUser = query(c, "user")
	if !slices.ContainsFunc(d.AllUsers, func(o ui.Option) bool { return o.Value == d.TokenUser }) {
		d.TokenUser = u.ID
	}
	ts, err := p.s.deps.Identity.ListTokens(c.UserContext(), d.TokenUser)
	if err != nil {
		return err
	}
	for _, t := range ts {
		d.Tokens = append(d.Tokens, ui.AdminToken{ID: t.ID, UserID: t.UserID, Name: t.Name, Prefix: t.Prefix,
			CreateAt: t.CreateAt, LastUsedAt: t.LastUsedAt, ExpiresAt: t.ExpiresAt})
	}
	return nil
}
