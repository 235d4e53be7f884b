package web

import (
	"slices"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
	"flowcraft/ui"
)

// adminJobs loads the jobs tab: the engine's jobs (all, or one queue:
// ?queue=executable|timer|suspended|dead; the older ?status=pending|dead still
// filters) by due time, a page of them.
func (p *pages) adminJobs(c *fiber.Ctx, d *ui.AdminData, page engine.Page) error {
	d.JobStatus = query(c, "status")
	if d.JobStatus != "pending" && d.JobStatus != "dead" {
		d.JobStatus = ""
	}
	d.JobQueue = query(c, "queue")
	if !slices.Contains(engine.JobQueues, d.JobQueue) {
		d.JobQueue = ""
	}
	if d.JobStatus == "dead" && d.JobQueue == "" {
		d.JobQueue = engine.JobQueueDead
	}
	page.Sort = "dueAt"
	jobs, total, err := p.s.deps.Jobs.List(c.UserContext(), engine.JobFilter{Status: d.JobStatus, Queue: d.JobQueue, Page: page})
	if err != nil {
		return err
	}
	for _, j := range jobs {
		d.Jobs = append(d.Jobs, ui.AdminJob{ID: j.ID.String(), Kind: j.Kind, InstanceID: j.InstanceID.String(), TaskID: j.TaskID,
			Status: j.Status, Queue: j.Queue, Error: j.Error, DueAt: j.DueAt, CreateAt: j.CreateAt, Attempts: j.Attempts, MaxAttempts: j.MaxAttempts})
	}
	d.Pager = ui.Pager{Offset: page.Offset, Limit: page.Limit, Count: len(jobs), Total: total, Base: listBase(c, "/admin", "tab", "status", "queue")}
	return nil
}
