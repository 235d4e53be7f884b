package web

import (
	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// processListItem is a definition in a list: everything but the tasks.
type processListItem struct {
	*engine.Process
	Tasks *struct{} `json:"tasks,omitempty"`
}

type idResponse struct {
	ID string `json:"id"`
}

// createProcess handles POST /api/process.
func (s *Server) createProcess(c *fiber.Ctx) error {
	var p engine.Process
	if err := decodeJSON(c, &p); err != nil {
		return err
	}
	out, err := s.deps.Definitions.Create(c.UserContext(), &p, caller(c).ID)
	if err != nil {
		return err
	}
	c.Location("/api/process/" + out.ID)
	return created(c, idResponse{ID: out.ID})
}

// listProcesses handles GET /api/process.
func (s *Server) listProcesses(c *fiber.Ctx) error {
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	enabled, err := boolQuery(c, "enabled")
	if err != nil {
		return err
	}
	startable, err := boolQuery(c, "startable")
	if err != nil {
		return err
	}
	f := engine.ProcessFilter{Name: query(c, "name"), NameLike: query(c, "nameLike"), Search: query(c, "q"), Enabled: enabled,
		Creator: query(c, "creator"), TenantID: query(c, "tenantId"), Category: query(c, "category"), Page: page}
	// Designers list every process; everyone else the processes they may start, which
	// is what ?startable=true lists for anyone: enabled, and its candidate starters
	// (none, or the caller or a group of theirs) admit the caller.
	u := caller(c)
	designer := u.HasRole(engine.RoleDesigner)
	onlyStartable := startable != nil && *startable
	if !designer {
		if startable != nil && !*startable {
			return engine.Coded(engine.ErrForbidden, engine.CodeRoleRequired, engine.Params{"role": engine.RoleDesigner, "have": u.Role},
				"listing processes you may not start needs the %s role; you are %s", engine.RoleDesigner, u.Role)
		}
		onlyStartable = true
	}
	if onlyStartable {
		on := true
		f.StartableBy, f.Enabled = u, &on
	}
	ps, total, err := s.deps.Definitions.List(c.UserContext(), f)
	if err != nil {
		return err
	}
	items := make([]processListItem, len(ps))
	for i, p := range ps {
		if !designer {
			cp := *p
			cp.TriggerToken = "" // never shown to users (they list no webhook process anyway)
			p = &cp
		}
		items[i] = processListItem{Process: p}
	}
	return list(c, items, total)
}

// getProcess handles GET /api/process/{id}: the definition, bare (seed 000).
func (s *Server) getProcess(c *fiber.Ctx) error {
	p, err := s.deps.Definitions.Get(c.UserContext(), param(c, "id"))
	if err != nil {
		return err
	}
	return bare(c, p)
}

// replaceProcess handles PUT /api/process/{id}: the body's version must be current.
func (s *Server) replaceProcess(c *fiber.Ctx) error {
	var p engine.Process
	if err := decodeJSON(c, &p); err != nil {
		return err
	}
	id := param(c, "id")
	if p.ID != "" && p.ID != id {
		return engine.InvalidField("id", engine.CodeMismatch, engine.Params{"expected": id}, "the body's id %q does not match the URL's %q", p.ID, id)
	}
	if p.Version == 0 {
		return engine.InvalidField("version", engine.CodeRequired, engine.Params{"field": "version"}, "version is required: send the version you edited, as read from GET /api/process/%s", id)
	}
	out, err := s.deps.Definitions.Replace(c.UserContext(), id, &p, caller(c).ID)
	if err != nil {
		return err
	}
	return ok(c, out)
}

// processPatch is the body of PATCH /api/process/{id}.
type processPatch struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
	Enabled     *bool   `json:"enabled"`
	Category    *string `json:"category"` // set on the current version, without a new one
}

// patchProcess handles PATCH /api/process/{id}.
func (s *Server) patchProcess(c *fiber.Ctx) error {
	var b processPatch
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	if b.Name == nil && b.Description == nil && b.Enabled == nil && b.Category == nil {
		return engine.InvalidField("", engine.CodeNothingToChange, nil, "nothing to change: send name, description, enabled or category")
	}
	ctx, id, by := c.UserContext(), param(c, "id"), caller(c).ID
	var out *engine.Process
	var err error
	if b.Name != nil || b.Description != nil || b.Enabled != nil {
		if out, err = s.deps.Definitions.Patch(ctx, id, b.Name, b.Description, b.Enabled, by); err != nil {
			return err
		}
	} else if out, err = s.deps.Definitions.Get(ctx, id); err != nil {
		return err
	}
	if b.Category != nil {
		if err := s.deps.Definitions.SetCategory(ctx, id, out.Version, *b.Category, by); err != nil {
			return err
		}
		out.Category = *b.Category
	}
	return ok(c, out)
}

// deleteProcess handles DELETE /api/process/{id}[?cascade=true].
func (s *Server) deleteProcess(c *fiber.Ctx) error {
	cascade, err := boolQuery(c, "cascade")
	if err != nil {
		return err
	}
	if err := s.deps.Definitions.Delete(c.UserContext(), param(c, "id"), cascade != nil && *cascade, caller(c).ID); err != nil {
		return err
	}
	return noContent(c)
}

// listProcessVersions handles GET /api/process/{id}/versions.
func (s *Server) listProcessVersions(c *fiber.Ctx) error {
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	vs, total, err := s.deps.Definitions.Versions(c.UserContext(), param(c, "id"), page)
	if err != nil {
		return err
	}
	return list(c, vs, total)
}

// getProcessTask handles GET /api/process/{id}/{task_id}: the task, bare (seed 000).
func (s *Server) getProcessTask(c *fiber.Ctx) error {
	id, taskID := param(c, "id"), param(c, "taskId")
	p, err := s.deps.Definitions.Get(c.UserContext(), id)
	if err != nil {
		return err
	}
	t := p.Task(taskID)
	if t == nil {
		return engine.Coded(engine.ErrNotFound, engine.CodeNoSuchTask, engine.Params{"task": taskID}, "process %s has no task %s", id, taskID)
	}
	return bare(c, t)
}

// listStarters handles GET /api/process/{id}/starters: the candidate starters, users
// first ({"userId"} or {"groupId"} each); an empty list lets every user start it.
func (s *Server) listStarters(c *fiber.Ctx) error {
	starters, err := s.deps.Definitions.Starters(c.UserContext(), param(c, "id"))
	if err != nil {
		return err
	}
	if starters == nil {
		starters = []engine.Starter{}
	}
	return list(c, starters, len(starters))
}

// addStarter handles POST /api/process/{id}/starters with {"userId"} or {"groupId"}
// → 201 with the starter (also when it was listed already).
func (s *Server) addStarter(c *fiber.Ctx) error {
	var b engine.Starter
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	out, err := s.deps.Definitions.AddStarter(c.UserContext(), param(c, "id"), b, caller(c).ID)
	if err != nil {
		return err
	}
	return created(c, out)
}

// removeStarter handles DELETE /api/process/{id}/starters/{users|groups}/{id} → 204;
// 404 when the process does not list it.
func (s *Server) removeStarter(c *fiber.Ctx) error {
	var st engine.Starter
	switch who := param(c, "starterId"); param(c, "family") {
	case "users":
		st.UserID = who
	case "groups":
		st.GroupID = who
	default:
		return engine.InvalidField("family", engine.CodeOneOf, engine.Params{"allowed": "users, groups"}, "the family must be users or groups, not %q", param(c, "family"))
	}
	if err := s.deps.Definitions.RemoveStarter(c.UserContext(), param(c, "id"), st, caller(c).ID); err != nil {
		return err
	}
	return noContent(c)
}
