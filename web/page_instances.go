package web

import (
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
	"flowcraft/ui"
)

// The instances pages: the list with its filters, and one instance live.

// instances handles GET /instances?process=&status=&from=&to=&businessKey=&offset=&limit=.
func (p *pages) instances(c *fiber.Ctx) error {
	u := caller(c)
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	page.Sort, page.Desc = "startAt", true
	fl := ui.InstanceFilter{ProcessID: query(c, "process"), Status: query(c, "status"), From: query(c, "from"), To: query(c, "to"),
		BusinessKey: strings.TrimSpace(query(c, "businessKey"))}
	f := engine.InstanceFilter{ProcessID: fl.ProcessID, Status: fl.Status, BusinessKeyLike: fl.BusinessKey, Page: page}
	if fl.Var, f.Variables, err = pageVarFilter(c); err != nil {
		return err
	}
	loc := p.s.cfg.Location
	if fl.From != "" {
		from, err := parseDay(fl.From, "from", loc)
		if err != nil {
			return err
		}
		f.StartedAfter = from.UnixMilli()
	}
	if fl.To != "" {
		to, err := parseDay(fl.To, "to", loc)
		if err != nil {
			return err
		}
		f.StartedBefore = to.AddDate(0, 0, 1).UnixMilli() // the day's end, 23 or 25 hours on a daylight-saving change
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
		Pager: ui.Pager{Offset: page.Offset, Limit: page.Limit, Count: len(list), Total: total, Base: listBase(c, "/instances", "process", "status", "from", "to", "businessKey", "varName", "varOp", "varType", "varValue")}}
	for _, in := range list {
		d.Rows = append(d.Rows, ui.InstanceRow{ID: in.ID.String(), ProcessID: in.ProcessID, Name: in.Name, Status: in.Status,
			Executor: in.Executor, TriggerApp: in.TriggerApp, Error: in.Error, Version: in.Version,
			StartAt: in.StartAt, EndAt: in.EndAt, Cost: in.Cost, BusinessKey: in.BusinessKey})
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
	return p.render(c, fiber.StatusOK, ui.InstancesPage(d))
}

// parseDay parses a YYYY-MM-DD date to the start of that day in the server's
// time zone (the pages show times in it).
func parseDay(v, name string, loc *time.Location) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02", v, loc)
	if err != nil {
		return t, engine.InvalidField(name, engine.CodeBadTime, engine.Params{"example": "2024-05-31"}, "%s must be a date like 2024-05-31", name)
	}
	return t, nil
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
		BusinessKey: in.BusinessKey, Version: in.Version, StartAt: in.StartAt, EndAt: in.EndAt, Cost: in.Cost,
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
	return p.render(c, fiber.StatusOK, ui.InstancePage(d))
}
