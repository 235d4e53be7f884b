package web

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
	"flowcraft/ui"
)

// The search pages: the history of ended instances, the done list's search and the
// admin's tab of the inbox (every open task, reassignment).

// pageVarFilter reads a page's variable condition (varName, varOp, varType,
// varValue, as the API's) with the form's values to show again.
func pageVarFilter(c *fiber.Ctx) (ui.VarFilter, []engine.VarCondition, error) {
	v := ui.VarFilter{Name: strings.TrimSpace(query(c, "varName")), Op: query(c, "varOp"), Type: query(c, "varType"), Value: query(c, "varValue")}
	if v.Name == "" && v.Value == "" {
		return v, nil, nil // the operator and type alone (the form's defaults) select nothing
	}
	conds, err := varCondition(c)
	return v, conds, err
}

// dayRange reads the from/to dates (YYYY-MM-DD, inclusive) of a page's form as unix
// ms: the start of from, the start of the day after to (0 when absent).
func (p *pages) dayRange(c *fiber.Ctx) (from, to string, after, before int64, err error) {
	from, to = query(c, "from"), query(c, "to")
	loc := p.s.cfg.Location
	if from != "" {
		t, err := parseDay(from, "from", loc)
		if err != nil {
			return from, to, 0, 0, err
		}
		after = t.UnixMilli()
	}
	if to != "" {
		t, err := parseDay(to, "to", loc)
		if err != nil {
			return from, to, 0, 0, err
		}
		before = t.AddDate(0, 0, 1).UnixMilli()
	}
	return from, to, after, before, nil
}

// doneSearch reads the done tab's search into f and answers the form's values.
func (p *pages) doneSearch(c *fiber.Ctx, f *engine.InboxFilter) (ui.DoneSearch, error) {
	s := ui.DoneSearch{BusinessKey: strings.TrimSpace(query(c, "businessKey")), Outcome: strings.TrimSpace(query(c, "outcome"))}
	var err error
	var after, before int64
	if s.From, s.To, after, before, err = p.dayRange(c); err != nil {
		return s, err
	}
	if s.Var, f.Variables, err = pageVarFilter(c); err != nil {
		return s, err
	}
	f.BusinessKey, f.Outcome, f.EndedAfter = s.BusinessKey, s.Outcome, after
	if before > 0 {
		f.EndedBefore = before - 1 // inclusive
	}
	return s, nil
}

// history handles GET /history?process=&outcome=&businessKey=&from=&to=&varName=&varOp=&varType=&varValue=:
// the ended instances (users: those they started), newest end first.
func (p *pages) history(c *fiber.Ctx) error {
	u := caller(c)
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	page.Sort, page.Desc = "endAt", true
	fl := ui.HistoryFilter{ProcessID: query(c, "process"), Outcome: query(c, "outcome"), BusinessKey: strings.TrimSpace(query(c, "businessKey"))}
	if fl.Outcome != "" && !engine.Ended(fl.Outcome) {
		return engine.InvalidField("outcome", engine.CodeOneOf, engine.Params{"allowed": "done, failed, canceled, timeout"}, "outcome must be an ended status")
	}
	f := engine.InstanceFilter{ProcessID: fl.ProcessID, Status: fl.Outcome, BusinessKeyLike: fl.BusinessKey, Finished: true, Page: page}
	if fl.From, fl.To, f.EndedAfter, f.EndedBefore, err = p.dayRange(c); err != nil {
		return err
	}
	if fl.Var, f.Variables, err = pageVarFilter(c); err != nil {
		return err
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
	d := ui.HistoryData{Page: p.frame(c, p.tr(c).T("history.title")), Filter: fl, AllUsers: all,
		Pager: ui.Pager{Offset: page.Offset, Limit: page.Limit, Count: len(list), Total: total,
			Base: listBase(c, "/history", "process", "outcome", "businessKey", "from", "to", "varName", "varOp", "varType", "varValue")}}
	for _, in := range list {
		d.Rows = append(d.Rows, ui.InstanceRow{ID: in.ID.String(), ProcessID: in.ProcessID, Name: in.Name, Status: in.Status,
			Executor: in.Executor, TriggerApp: in.TriggerApp, Error: in.Error, Version: in.Version,
			StartAt: in.StartAt, EndAt: in.EndAt, Cost: in.Cost, BusinessKey: in.BusinessKey})
	}
	if all {
		if d.Processes, err = p.processOptions(c); err != nil {
			return err
		}
	}
	return p.render(c, fiber.StatusOK, ui.HistoryPage(d))
}

// processOptions lists the processes as a filter's choices.
func (p *pages) processOptions(c *fiber.Ctx) ([]ui.Option, error) {
	procs, _, err := p.s.deps.Definitions.List(c.UserContext(), engine.ProcessFilter{Page: engine.Page{Limit: maxPickList, Sort: "name"}})
	if err != nil {
		return nil, err
	}
	out := make([]ui.Option, 0, len(procs))
	for _, pr := range procs {
		out = append(out, ui.Option{Value: pr.ID, Label: pr.Name})
	}
	return out, nil
}

// inboxAll handles GET /inbox?tab=all&user=&group=&process=&overdue=true&orphaned=true
// (admins): every open task, each reassignable.
func (p *pages) inboxAll(c *fiber.Ctx) error {
	u := caller(c)
	if !u.HasRole(engine.RoleAdmin) {
		return engine.Coded(engine.ErrForbidden, engine.CodeAdminOnly, nil, "only admins see every task")
	}
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	fl := ui.AdminTaskFilter{User: query(c, "user"), Group: query(c, "group"), ProcessID: query(c, "process")}
	if fl.Overdue, err = boolParam(c, "overdue"); err != nil {
		return err
	}
	if fl.Orphaned, err = boolParam(c, "orphaned"); err != nil {
		return err
	}
	ctx := c.UserContext()
	tasks, total, err := p.s.deps.Tasks.AdminTasks(ctx, u, engine.AdminTaskFilter{User: fl.User, Group: fl.Group, ProcessID: fl.ProcessID,
		Overdue: fl.Overdue, Orphaned: fl.Orphaned, Page: page})
	if err != nil {
		return err
	}
	d := ui.InboxAllData{Page: p.frame(c, p.tr(c).T("inbox.title")), Filter: fl,
		Pager: ui.Pager{Offset: page.Offset, Limit: page.Limit, Count: len(tasks), Total: total,
			Base: listBase(c, "/inbox", "tab", "user", "group", "process", "overdue", "orphaned")}}
	now := time.Now().UnixMilli()
	for _, t := range tasks {
		d.Rows = append(d.Rows, ui.AdminTaskRow{TaskRow: taskRow(t.HumanTask, u, now), Left: t.Left,
			CanReturn: (len(t.CandidateUsers) > 0 || len(t.CandidateGroups) > 0) && (t.Assignee != "" || t.Delegation != "")})
	}
	if _, n, err := p.s.deps.Tasks.Inbox(ctx, u, engine.InboxFilter{Status: engine.TaskOpen, Page: engine.Page{Limit: 1}}); err == nil {
		d.OpenCount = n
	}
	users, _, err := p.s.deps.Identity.ListUsers(ctx, "", engine.Page{Limit: maxPickList, Sort: "id"})
	if err != nil {
		return err
	}
	for _, x := range users {
		if x.Disabled {
			continue
		}
		label := x.ID
		if x.Name != "" && x.Name != x.ID {
			label = x.Name + " (" + x.ID + ")"
		}
		d.Users = append(d.Users, ui.Option{Value: x.ID, Label: label})
	}
	groups, _, err := p.s.deps.Identity.ListGroups(ctx, engine.Page{Limit: maxPickList, Sort: "id"})
	if err != nil {
		return err
	}
	for _, g := range groups {
		label := g.ID
		if g.Name != "" && g.Name != g.ID {
			label = g.Name + " (" + g.ID + ")"
		}
		d.Groups = append(d.Groups, ui.Option{Value: g.ID, Label: label})
	}
	if d.Processes, err = p.processOptions(c); err != nil {
		return err
	}
	if id := c.Query("reassigned"); id != "" {
		d.Page.Flash = p.flashFor(c, id, "admintasks.flash.reassigned")
	}
	return p.render(c, fiber.StatusOK, ui.InboxAllPage(d))
}
