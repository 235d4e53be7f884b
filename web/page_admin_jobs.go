package web

import (
	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
	"flowcraft/ui"
)

// adminJobs loads the jobs tab: the engine's jobs (all, or ?status=pending|dead)
// by due time, a page of them.
func (p *pages) adminJobs(c *fiber.Ctx, d *ui.AdminData, page engine.Page) error {
	d.JobStatus = query(c, "status")
	if d.JobStatus != "pending" && d.JobStatus != "dead" {
		d.JobStatus = ""
	}
	page.Sort = "dueAt"
	jobs, total, err := p.s.deps.Jobs.ListJobs(c.UserContext(), d.JobStatus, page)
	if err != nil {
		return err
	}
	for _, j := range jobs {
		d.Jobs = append(d.Jobs, ui.AdminJob{ID: j.ID.String(), Kind: j.Kind, InstanceID: j.InstanceID.String(), TaskID: j.TaskID,
			Status: j.Status, Error: j.Error, DueAt: j.DueAt, CreateAt: j.CreateAt, Attempts: j.Attempts, MaxAttempts: j.MaxAttempts})
	}
	d.Pager = ui.Pager{Offset: page.Offset, Limit: page.Limit, Count: len(jobs), Total: total, Base: listBase(c, "/admin", "tab", "status")}
	return nil
}
