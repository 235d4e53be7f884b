package web

import (
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
	"flowcraft/ui"
)

// Page handlers of the operations pages: instances, the inbox and its tasks,
// and the admin area. They read through the same interfaces as the API
// (Runtime, HumanTasks, Identity, Definitions, Jobs) and apply the same
// object-level checks.

// maxPickList bounds the users and groups listed in pickers and filters.
const maxPickList = 500

// opsRoutes registers the operations pages (called from routes).
func (p *pages) opsRoutes(app *fiber.App) {
	app.Get("/instances", p.requireSession, p.instances)
	app.Get("/instances/:instId", p.requireSession, p.instance)
	app.Get("/inbox", p.requireSession, p.inbox)
	app.Get("/inbox/:id", p.requireSession, p.task)
	app.Get("/inbox/:id/item", p.requireSession, p.taskItem)
	app.Get("/admin", p.requireSession, p.admin)
}

// ---------- instances ----------

// instances handles GET /instances?process=&status=&from=&to=&offset=&limit=.
func (p *pages) instances(c *fiber.Ctx) error {
	u := caller(c)
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	page.Sort, page.Desc = "startAt", true
	fl := ui.InstanceFilter{ProcessID: query(c, "process"), Status: query(c, "status"), From: query(c, "from"), To: query(c, "to")}
	f := engine.InstanceFilter{ProcessID: fl.ProcessID, Status: fl.Status, Page: page}
	if f.StartedAfter, err = dayStart(fl.From, "from"); err != nil {
		return err
	}
	if fl.To != "" {
		end, err := dayStart(fl.To, "to")
		if err != nil {
			return err
		}
		f.StartedBefore = end + int64(24*time.Hour/time.Millisecond)
	}
	all := u.HasRole(engine.RoleDesigner)
	if !all {
		f.Executor = u.ID
	}
	list, total, err := p.s.deps.Runtime.ListInstances(c.UserContext(), f)
	if err != nil {
		return err
	}
	if err := p.s.redactInstances(c.UserContext(), u, list); err != nil {
		return err
	}
	d := ui.InstancesData{Page: p.frame(c, p.tr(c).T("instances.title")), Filter: fl, AllUsers: all,
		Pager: ui.Pager{Offset: page.Offset, Limit: page.Limit, Count: len(list), Total: total, Base: listBase(c, "/instances", "process", "status", "from", "to")}}
	for _, in := range list {
		d.Rows = append(d.Rows, ui.InstanceRow{ID: in.ID.String(), ProcessID: in.ProcessID, Name: in.Name, Status: in.Status,
			Executor: in.Executor, TriggerApp: in.TriggerApp, Error: in.Error, Version: in.Version,
			StartAt: in.StartAt, EndAt: in.EndAt, Cost: in.Cost})
	}
	if all {
		procs, _, err := p.s.deps.Definitions.List(c.UserContext(), engine.ProcessFilter{Page: engine.Page{Limit: maxPickList, Sort: "name"}})
		if err != nil {
			return err
		}
		for _, pr := range procs {
			d.Processes = append(d.Processes, ui.Option{Value: pr.ID, Label: pr.Name})
		}
	}
	return render(c, fiber.StatusOK, ui.InstancesPage(d))
}

// dayStart parses a YYYY-MM-DD date (UTC) to unix ms; "" is 0.
func dayStart(v, name string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	t, err := time.Parse("2006-01-02", v)
	if err != nil {
		return 0, engine.InvalidField(name, engine.CodeBadTime, engine.Params{"example": "2024-05-31"}, "%s must be a date like 2024-05-31", name)
	}
	return t.UnixMilli(), nil
}

// listBase is a list page's path with the given query parameters kept (for the pager).
func listBase(c *fiber.Ctx, path string, keep ...string) string {
	v := url.Values{}
	for _, k := range keep {
		if x := c.Query(k); x != "" {
			v.Set(k, x)
		}
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// instance handles GET /instances/{inst_id}.
func (p *pages) instance(c *fiber.Ctx) error {
	u := caller(c)
	id, err := instanceID(c)
	if err != nil {
		return err
	}
	v, err := p.s.deps.Runtime.Describe(c.UserContext(), id)
	if err != nil {
		return err
	}
	if err := mayWatch(u, v.Instance); err != nil {
		return err
	}
	def, err := p.s.definitionOf(c.UserContext(), v.ProcessID, v.Version)
	if err != nil {
		return err
	}
	// Users see the instances they started, but not the definition's secrets.
	x := p.s.redactor.For(u, def)
	v, def = x.View(v), x.Process(def)
	in := v.Instance
	view, err := json.Marshal(v)
	if err != nil {
		return err
	}
	specs, err := json.Marshal(p.s.deps.Templates.Specs())
	if err != nil {
		return err
	}
	d := ui.InstanceData{Page: p.frame(c, in.Name), ID: in.ID.String(), ProcessID: in.ProcessID, Name: in.Name,
		Status: in.Status, Executor: in.Executor, TriggerApp: in.TriggerApp, Engine: in.Engine, Error: in.Error,
		Version: in.Version, StartAt: in.StartAt, EndAt: in.EndAt, Cost: in.Cost,
		CanControl: u.HasRole(engine.RoleDesigner) || in.Executor == u.ID,
		CanDesign:  u.HasRole(engine.RoleDesigner),
		View:       view, Templates: specs}
	if in.ParentID != 0 {
		d.ParentID = in.ParentID.String()
	}
	if def != nil {
		if d.Definition, err = json.Marshal(def); err != nil {
			return err
		}
	} else {
		d.CanDesign = false
	}
	return render(c, fiber.StatusOK, ui.InstancePage(d))
}

// ---------- inbox ----------

// inbox handles GET /inbox[?tab=done][&sort=priority|due][&completed=<task id>].
func (p *pages) inbox(c *fiber.Ctx) error {
	u := caller(c)
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	tab := "todo"
	if c.Query("tab") == "done" {
		tab = "done"
	}
	d := ui.InboxData{Page: p.frame(c, p.tr(c).T("inbox.title")), Tab: tab, Me: ui.InboxUser{ID: u.ID, Groups: u.Groups}}
	if d.Me.Groups == nil {
		d.Me.Groups = []string{}
	}
	f := engine.InboxFilter{Status: engine.TaskOpen, Page: page}
	if tab == "done" {
		f.Status = engine.TaskDone
		f.Page.Sort, f.Page.Desc = "endAt", true
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
	d.Pager = ui.Pager{Offset: page.Offset, Limit: page.Limit, Count: len(tasks), Total: total, Base: listBase(c, "/inbox", "tab", "sort")}
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
	return render(c, fiber.StatusOK, ui.InboxPage(d))
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
	return render(c, fiber.StatusOK, ui.TaskItem(p.tr(c), taskRow(t, caller(c), time.Now().UnixMilli())))
}

// humanTask reads the :id task the caller may see.
func (p *pages) humanTask(c *fiber.Ctx) (*engine.HumanTask, error) {
	id, err := taskID(c)
	if err != nil {
		return nil, err
	}
	return p.s.deps.Tasks.HumanTask(c.UserContext(), caller(c), id)
}

// task handles GET /inbox/{task_inst_id}: the task with its form and process context.
func (p *pages) task(c *fiber.Ctx) error {
	u := caller(c)
	t, err := p.humanTask(c)
	if err != nil {
		return err
	}
	now := time.Now().UnixMilli()
	d := ui.TaskData{Page: p.frame(c, t.Name), Task: taskRow(t, u, now), Outcomes: t.Outcomes}
	if d.Outcomes == nil {
		d.Outcomes = []string{}
	}
	form := t.Form
	if form == nil {
		form = []engine.FormField{}
	}
	if d.Form, err = json.Marshal(form); err != nil {
		return err
	}
	d.FormData = ui.KVs(anyMap(t.FormData))
	for _, h := range t.History {
		d.History = append(d.History, ui.TaskEntry{User: h.User, Action: h.Action, Outcome: h.Outcome, Comment: h.Comment, To: h.To, At: h.At})
	}
	if v, err := p.s.deps.Tasks.Describe(c.UserContext(), t.InstanceID); err == nil {
		x, err := p.s.redactionFor(c.UserContext(), u, v.ProcessID, v.Version)
		if err != nil {
			return err
		}
		in := x.Instance(v.Instance)
		d.Instance = ui.TaskInstance{ID: in.ID.String(), Status: in.Status, Executor: in.Executor, StartAt: in.StartAt,
			CanOpen: mayWatch(u, in) == nil}
		d.Trigger = ui.KVs(in.Trigger)
	} else if !errors.Is(err, engine.ErrNotFound) {
		return err
	}
	open := t.Status == engine.TaskOpen
	candidate := isCandidate(t, u)
	delegatedToMe := t.Delegation == engine.DelegationPending && t.Assignee == u.ID && t.Owner != u.ID
	d.CanResolve = open && delegatedToMe
	d.CanAct = open && t.MayAct(u) && !delegatedToMe
	d.CanClaim = open && t.Assignee == "" && candidate
	d.CanUnclaim = open && t.Assignee == u.ID && t.Delegation != engine.DelegationPending && (len(t.CandidateUsers) > 0 || len(t.CandidateGroups) > 0)
	d.CanDelegate = open && (t.Assignee == u.ID || (t.Assignee == "" && candidate)) && !delegatedToMe
	if d.CanDelegate {
		users, _, err := p.s.deps.Identity.ListUsers(c.UserContext(), "", engine.Page{Limit: maxPickList, Sort: "id"})
		if err == nil {
			for _, x := range users {
				if x.ID == u.ID || x.Disabled {
					continue
				}
				label := x.ID
				if x.Name != "" && x.Name != x.ID {
					label = x.Name + " (" + x.ID + ")"
				}
				d.Users = append(d.Users, ui.Option{Value: x.ID, Label: label})
			}
		}
	}
	return render(c, fiber.StatusOK, ui.TaskPage(d))
}

// isCandidate reports whether u is a candidate of t, directly or through a group.
func isCandidate(t *engine.HumanTask, u *engine.User) bool {
	if slices.Contains(t.CandidateUsers, u.ID) {
		return true
	}
	for _, g := range t.CandidateGroups {
		if slices.Contains(u.Groups, g) {
			return true
		}
	}
	return false
}

// anyMap turns a form's answers into a generic value for ui.KVs (nil stays nil).
func anyMap(m map[string]any) any {
	if len(m) == 0 {
		return nil
	}
	return m
}

// ---------- admin ----------

// admin handles GET /admin?tab=users|groups|tokens|jobs: administrators only.
func (p *pages) admin(c *fiber.Ctx) error {
	u := caller(c)
	if !u.HasRole(engine.RoleAdmin) {
		return render(c, fiber.StatusForbidden, ui.ErrorPage(p.frame(c, ""), fiber.StatusForbidden, ""))
	}
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	tab := c.Query("tab")
	if !slices.Contains([]string{"users", "groups", "tokens", "jobs"}, tab) {
		tab = "users"
	}
	d := ui.AdminData{Page: p.frame(c, p.tr(c).T("admin.title")), Tab: tab}
	// Pickers: every user and group.
	users, _, err := p.s.deps.Identity.ListUsers(ctx, "", engine.Page{Limit: maxPickList, Sort: "id"})
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, x := range users {
		label := x.Name
		if label == "" {
			label = x.ID
		}
		names[x.ID] = label
		d.AllUsers = append(d.AllUsers, ui.Option{Value: x.ID, Label: label})
	}
	groups, _, err := p.s.deps.Identity.ListGroups(ctx, engine.Page{Limit: maxPickList, Sort: "id"})
	if err != nil {
		return err
	}
	for _, g := range groups {
		d.AllGroups = append(d.AllGroups, ui.Option{Value: g.ID, Label: g.Name})
	}
	switch tab {
	case "users":
		d.Query = query(c, "q")
		page.Sort = "id"
		list, total, err := p.s.deps.Identity.ListUsers(ctx, d.Query, page)
		if err != nil {
			return err
		}
		for _, x := range list {
			d.Users = append(d.Users, ui.AdminUser{ID: x.ID, Name: x.Name, Email: x.Email, Role: x.Role, Groups: x.Groups, Disabled: x.Disabled, CreateAt: x.CreateAt})
		}
		d.Pager = ui.Pager{Offset: page.Offset, Limit: page.Limit, Count: len(list), Total: total, Base: listBase(c, "/admin", "tab", "q")}
	case "groups":
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
	case "tokens":
		d.TokenUser = query(c, "user")
		if _, ok := names[d.TokenUser]; !ok {
			d.TokenUser = u.ID
		}
		ts, err := p.s.deps.Identity.ListTokens(ctx, d.TokenUser)
		if err != nil {
			return err
		}
		for _, t := range ts {
			d.Tokens = append(d.Tokens, ui.AdminToken{ID: t.ID, UserID: t.UserID, Name: t.Name, Prefix: t.Prefix,
				CreateAt: t.CreateAt, LastUsedAt: t.LastUsedAt, ExpiresAt: t.ExpiresAt})
		}
	case "jobs":
		d.JobStatus = query(c, "status")
		if d.JobStatus != "pending" && d.JobStatus != "dead" {
			d.JobStatus = ""
		}
		page.Sort = "dueAt"
		jobs, total, err := p.s.deps.Jobs.ListJobs(ctx, d.JobStatus, page)
		if err != nil {
			return err
		}
		for _, j := range jobs {
			d.Jobs = append(d.Jobs, ui.AdminJob{ID: j.ID.String(), Kind: j.Kind, InstanceID: j.InstanceID.String(), TaskID: j.TaskID,
				Status: j.Status, Error: j.Error, DueAt: j.DueAt, CreateAt: j.CreateAt, Attempts: j.Attempts, MaxAttempts: j.MaxAttempts})
		}
		d.Pager = ui.Pager{Offset: page.Offset, Limit: page.Limit, Count: len(jobs), Total: total, Base: listBase(c, "/admin", "tab", "status")}
	}
	return render(c, fiber.StatusOK, ui.AdminPage(d))
}
