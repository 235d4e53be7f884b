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
	f := engine.ProcessFilter{Name: query(c, "name"), NameLike: query(c, "nameLike"), Search: query(c, "q"), Enabled: enabled, Creator: query(c, "creator"), Page: page}
	ps, total, err := s.deps.Definitions.List(c.UserContext(), f)
	if err != nil {
		return err
	}
	items := make([]processListItem, len(ps))
	for i, p := range ps {
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
}

// patchProcess handles PATCH /api/process/{id}.
func (s *Server) patchProcess(c *fiber.Ctx) error {
	var b processPatch
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	if b.Name == nil && b.Description == nil && b.Enabled == nil {
		return engine.InvalidField("", engine.CodeNothingToChange, nil, "nothing to change: send name, description or enabled")
	}
	out, err := s.deps.Definitions.Patch(c.UserContext(), param(c, "id"), b.Name, b.Description, b.Enabled, caller(c).ID)
	if err != nil {
		return err
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
