package web

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
	"flowcraft/ui"
)

// The inbox page (待办/已办) and its rows, which the inbox's script also
// fetches one at a time when a task arrives live.

// inbox handles GET /inbox[?tab=done|all][&sort=priority|due][&completed=<task id>]; the
// done tab searches (doneSearch), the all tab is the admin's (inboxAll).
func (p *pages) inbox(c *fiber.Ctx) error {
	u := caller(c)
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	tab := "todo"
	switch c.Query("tab") {
	case "done":
		tab = "done"
	case "all":
		return p.inboxAll(c)
	}
	d := ui.InboxData{Page: p.frame(c, p.tr(c).T("inbox.title")), Tab: tab, Me: ui.InboxUser{ID: u.ID, Groups: u.Groups}}
	if d.Me.Groups == nil {
		d.Me.Groups = []string{}
	}
	f := engine.InboxFilter{Status: engine.TaskOpen, Page: page}
	if tab == "done" {
		f.Status = engine.TaskDone
		f.Page.Sort, f.Page.Desc = "endAt", true
		if d.Done, err = p.doneSearch(c, &f); err != nil {
			return err
		}
	} else {
		switch s := c.Query("sort"); s {
		case "priority":
			f.Page.Sort, f.Page.Desc, d.Sort = "priority", true, s
		case "due":
			f.Page.Sort, f.Page.Desc, d.Sort = "due", false, s
		default:
			f.Page.Sort, f.Page.Desc = "createAt", true
		}
	}
	tasks, total, err := p.s.deps.Tasks.Inbox(c.UserContext(), u, f)
	if err != nil {
		return err
	}
	d.Pager = ui.Pager{Offset: page.Offset, Limit: page.Limit, Count: len(tasks), Total: total, Base: listBase(c, "/inbox", "tab", "sort", "businessKey", "outcome", "from", "to", "varName", "varOp", "varType", "varValue")}
	now := time.Now().UnixMilli()
	for _, t := range tasks {
		d.Rows = append(d.Rows, taskRow(t, u, now))
	}
	if tab == "todo" {
		d.OpenCount = total
	} else if _, n, err := p.s.deps.Tasks.Inbox(c.UserContext(), u, engine.InboxFilter{Status: engine.TaskOpen, Page: engine.Page{Limit: 1}}); err == nil {
		d.OpenCount = n
	}
	if id := c.Query("completed"); id != "" {
		d.Page.Flash = p.flashFor(c, id, "inbox.flash.completed")
	} else if id := c.Query("resolved"); id != "" {
		d.Page.Flash = p.flashFor(c, id, "inbox.flash.resolved")
	}
	return p.render(c, fiber.StatusOK, ui.InboxPage(d))
}

// flashFor is the notice after acting on a task ("" when the task cannot be read).
func (p *pages) flashFor(c *fiber.Ctx, id, key string) string {
	tid, err := engine.ParseID(id)
	if err != nil {
		return ""
	}
	t, err := p.s.deps.Tasks.HumanTask(c.UserContext(), caller(c), tid)
	if err != nil {
		return ""
	}
	return p.tr(c).Tf(key, "task", t.Name, "process", t.ProcessName)
}

// taskRow is a human task as the inbox shows it.
func taskRow(t *engine.HumanTask, u *engine.User, now int64) ui.TaskRow {
	return ui.TaskRow{ID: t.ID.String(), Name: t.Name, Content: t.Content, ProcessID: t.ProcessID, ProcessName: t.ProcessName,
		InstanceID: t.InstanceID.String(), Assignee: t.Assignee, Owner: t.Owner, Delegation: t.Delegation, Status: t.Status,
		Outcome: t.Outcome, Comment: t.Comment, CompletedBy: t.CompletedBy,
		CandidateUsers: t.CandidateUsers, CandidateGroups: t.CandidateGroups, Priority: t.Priority,
		CreateAt: t.CreateAt, DueAt: t.DueAt, EndAt: t.EndAt, Me: u.ID, Now: now}
}

// taskItem handles GET /inbox/{id}/item: one inbox row (HTML), for the inbox's script.
func (p *pages) taskItem(c *fiber.Ctx) error {
	t, err := p.humanTask(c)
	if err != nil {
		return err
	}
	return p.render(c, fiber.StatusOK, ui.TaskItem(p.tr(c), taskRow(t, caller(c), time.Now().UnixMilli())))
}

// humanTask reads the :id task the caller may see.
func (p *pages) humanTask(c *fiber.Ctx) (*engine.HumanTask, error) {
	id, err := taskID(c)
	if err != nil {
		return nil, err
	}
	return p.s.deps.Tasks.HumanTask(c.UserContext(), caller(c), id)
}
