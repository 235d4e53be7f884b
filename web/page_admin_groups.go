package web

import (
	"context"

	"flowcraft/engine"
	"flowcraft/ui"
)

// adminGroups loads the groups tab: each group with its members.
func (p *pages) adminGroups(ctx context.Context, d *ui.AdminData, groups []*engine.Group) error {
	for _, g := range groups {
		ms, err := p.s.deps.Identity.ListMembers(ctx, g.ID)
		if err != nil {
			return err
		}
		ag := ui.AdminGroup{ID: g.ID, Name: g.Name, CreateAt: g.CreateAt}
		for _, m := range ms {
			label := m.Name
			if label == "" {
				label = m.ID
			}
			ag.Members = append(ag.Members, ui.Option{Value: m.ID, Label: label})
		}
		d.Groups = append(d.Groups, ag)
	}
	return nil
}
