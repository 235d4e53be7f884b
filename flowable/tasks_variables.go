package flowable

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// Task variables (seed 003 "获取任务的所有变量" …): scope local are the task's own,
// global its instance's. Reading without a scope lists both (one name: the local one
// when it exists); writing and deleting without one mean local.

const scopeGlobal = "global"

// taskDataURL is the URL of a task variable's binary content.
func taskDataURL(c *fiber.Ctx, taskID, name string) string {
	return taskURL(c, taskID) + "/variables/" + url.PathEscape(name) + "/data"
}

// scopeParam reads ?scope: "", local or global.
func scopeParam(c *fiber.Ctx) (string, error) {
	s := newQuery(c).str("scope")
	if s != "" && s != scopeLocal && s != scopeGlobal {
		return "", badRequest("query parameter scope must be local or global, not %q", s)
	}
	return s, nil
}

func (a *API) restTaskVariable(c *fiber.Ctx, t *engine.HumanTask, v *engine.Variable, scope string) restVariable {
	rv := restVariableOf(v, taskDataURL(c, t.ID.String(), v.Name), a.cfg.Location)
	if scope == scopeGlobal && rv.ValueURL != "" {
		rv.ValueURL += "?scope=global"
	}
	rv.Scope = scope
	return rv
}

// listTaskVariables handles GET …/tasks/{taskId}/variables?scope=.
func (a *API) listTaskVariables(c *fiber.Ctx) error {
	scope, err := scopeParam(c)
	if err != nil {
		return err
	}
	t, err := a.taskParam(c)
	if err != nil {
		return err
	}
	ctx, u := c.UserContext(), caller(c)
	out := []restVariable{}
	if scope != scopeGlobal {
		vars, err := a.deps.Tasks.TaskVariables(ctx, u, t.ID)
		if err != nil {
			return err
		}
		for _, v := range vars {
			out = append(out, a.restTaskVariable(c, t, v, scopeLocal))
		}
	}
	if scope != scopeLocal {
		vars, err := a.deps.Runtime.ListVariables(ctx, t.InstanceID)
		if err != nil && !errors.Is(err, engine.ErrNotFound) {
			return err
		}
		for _, v := range vars {
			out = append(out, a.restTaskVariable(c, t, v, scopeGlobal))
		}
	}
	return c.JSON(out)
}

// taskVariable reads :variableName in a scope ("" = local, else global), with its
// content when data; 404 naming the task when there is none.
func (a *API) taskVariable(c *fiber.Ctx, t *engine.HumanTask, scope string, data bool) (*engine.Variable, string, error) {
	ctx, u := c.UserContext(), caller(c)
	name := param(c, "variableName")
	if scope != scopeGlobal {
		v, err := a.deps.Tasks.TaskVariable(ctx, u, t.ID, name)
		if err == nil {
			return v, scopeLocal, nil
		}
		if !errors.Is(err, engine.ErrNotFound) {
			return nil, "", err
		}
	}
	if scope != scopeLocal {
		var v *engine.Variable
		var err error
		if data {
			v, err = a.deps.Runtime.VariableData(ctx, t.InstanceID, name)
		} else {
			v, err = a.deps.Runtime.GetVariable(ctx, t.InstanceID, name)
		}
		if err == nil {
			return v, scopeGlobal, nil
		}
		if !errors.Is(err, engine.ErrNotFound) {
			return nil, "", err
		}
	}
	return nil, "", notFound("Task '%s' does not have a variable with name: '%s'.", t.ID, name)
}

// getTaskVariable handles GET …/variables/{variableName}?scope=.
func (a *API) getTaskVariable(c *fiber.Ctx) error {
	scope, err := scopeParam(c)
	if err != nil {
		return err
	}
	t, err := a.taskParam(c)
	if err != nil {
		return err
	}
	v, sc, err := a.taskVariable(c, t, scope, false)
	if err != nil {
		return err
	}
	return c.JSON(a.restTaskVariable(c, t, v, sc))
}

// taskVariableData handles GET …/variables/{variableName}/data?scope=: a binary
// variable's content; 404 for another type.
func (a *API) taskVariableData(c *fiber.Ctx) error {
	scope, err := scopeParam(c)
	if err != nil {
		return err
	}
	t, err := a.taskParam(c)
	if err != nil {
		return err
	}
	v, _, err := a.taskVariable(c, t, scope, true)
	if err != nil {
		return err
	}
	if v.Type != engine.VarBinary {
		return notFound("The variable %s of task '%s' is a %s, which has no binary data stream.", v.Name, t.ID, v.Type)
	}
	c.Set(fiber.HeaderContentType, v.ContentType)
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf("attachment; filename=%q", v.Name))
	return c.Send(v.Data)
}

// writtenScope is a written variable's scope: local when omitted.
func writtenScope(s *string) (string, error) {
	if s == nil || *s == "" {
		return scopeLocal, nil
	}
	if *s != scopeLocal && *s != scopeGlobal {
		return "", badRequest("scope must be local or global, not %q", *s)
	}
	return *s, nil
}

// writeTaskVariables writes variables of one scope; mode create, update or put.
func (a *API) writeTaskVariables(c *fiber.Ctx, t *engine.HumanTask, scope, mode string, vars []engine.Variable) ([]*engine.Variable, error) {
	ctx, u := c.UserContext(), caller(c)
	if scope == scopeLocal {
		return a.deps.Tasks.SetTaskVariables(ctx, u, t.ID, vars, mode, engine.DefaultMaxBinaryVariable)
	}
	switch mode {
	case "create":
		return a.deps.Runtime.CreateVariables(ctx, t.InstanceID, vars)
	case "update":
		v, err := a.deps.Runtime.UpdateVariable(ctx, t.InstanceID, vars[0])
		if errors.Is(err, engine.ErrNotFound) {
			return nil, notFound("Task '%s' does not have a variable with name: '%s'.", t.ID, vars[0].Name)
		}
		if err != nil {
			return nil, err
		}
		return []*engine.Variable{v}, nil
	}
	return a.deps.Runtime.PutVariables(ctx, t.InstanceID, vars)
}

// createTaskVariables handles POST …/tasks/{taskId}/variables: a JSON array (each
// with its scope, local by default; 409 when one exists) or one binary upload
// (form fields name, scope, type). 201 with what was created.
func (a *API) createTaskVariables(c *fiber.Ctx) error {
	if isMultipart(c) {
		t, err := a.taskParam(c)
		if err != nil {
			return err
		}
		v, err := binaryVariable(c, "")
		if err != nil {
			return err
		}
		scope, err := writtenScope(formScope(c))
		if err != nil {
			return err
		}
		out, err := a.writeTaskVariables(c, t, scope, "create", []engine.Variable{v})
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(a.restTaskVariable(c, t, out[0], scope))
	}
	var body []variableIn
	if err := a.decodeJSON(c, &body); err != nil {
		return err
	}
	t, err := a.taskParam(c)
	if err != nil {
		return err
	}
	if len(body) == 0 {
		return badRequest("Request didn't contain a list of variables to create.")
	}
	vars, err := toVariables(body, "")
	if err != nil {
		return err
	}
	byScope := map[string][]engine.Variable{}
	for i, in := range body {
		scope, err := writtenScope(in.Scope)
		if err != nil {
			return err
		}
		byScope[scope] = append(byScope[scope], vars[i])
	}
	out := []restVariable{}
	for _, scope := range []string{scopeLocal, scopeGlobal} {
		if len(byScope[scope]) == 0 {
			continue
		}
		written, err := a.writeTaskVariables(c, t, scope, "create", byScope[scope])
		if err != nil {
			return err
		}
		for _, v := range written {
			out = append(out, a.restTaskVariable(c, t, v, scope))
		}
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

// formScope is the scope form field of a multipart upload (nil when absent).
func formScope(c *fiber.Ctx) *string {
	form, err := c.MultipartForm()
	if err != nil || len(form.Value["scope"]) == 0 {
		return nil
	}
	return &form.Value["scope"][0]
}

// putTaskVariable handles PUT …/variables/{variableName}: replaces an existing
// variable of the scope (local by default; 404 when there is none) from a JSON object
// or a binary upload. 200 with the variable.
func (a *API) putTaskVariable(c *fiber.Ctx) error {
	name := param(c, "variableName")
	var v engine.Variable
	var scope string
	if isMultipart(c) {
		var err error
		if v, err = binaryVariable(c, name); err != nil {
			return err
		}
		if scope, err = writtenScope(formScope(c)); err != nil {
			return err
		}
	} else {
		var in variableIn
		if err := a.decodeJSON(c, &in); err != nil {
			return err
		}
		var err error
		if v, err = toVariable(in, "", name); err != nil {
			return err
		}
		if scope, err = writtenScope(in.Scope); err != nil {
			return err
		}
	}
	t, err := a.taskParam(c)
	if err != nil {
		return err
	}
	out, err := a.writeTaskVariables(c, t, scope, "update", []engine.Variable{v})
	if errors.Is(err, engine.ErrNotFound) {
		return notFound("Task '%s' does not have a variable with name: '%s'.", t.ID, name)
	}
	if err != nil {
		return err
	}
	return c.JSON(a.restTaskVariable(c, t, out[0], scope))
}

// deleteTaskVariable handles DELETE …/variables/{variableName}?scope= (local by
// default): 204, or 404 when the task has no such variable.
func (a *API) deleteTaskVariable(c *fiber.Ctx) error {
	scope, err := scopeParam(c)
	if err != nil {
		return err
	}
	t, err := a.taskParam(c)
	if err != nil {
		return err
	}
	name := param(c, "variableName")
	if scope == scopeGlobal {
		err = a.deps.Runtime.DeleteVariable(c.UserContext(), t.InstanceID, name)
	} else {
		err = a.deps.Tasks.DeleteTaskVariables(c.UserContext(), caller(c), t.ID, name)
	}
	if errors.Is(err, engine.ErrNotFound) {
		return notFound("Task '%s' does not have a variable with name: '%s'.", t.ID, name)
	}
	if err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// deleteTaskVariables handles DELETE …/tasks/{taskId}/variables: every local
// variable goes; 204.
func (a *API) deleteTaskVariables(c *fiber.Ctx) error {
	t, err := a.taskParam(c)
	if err != nil {
		return err
	}
	if err := a.deps.Tasks.DeleteTaskVariables(c.UserContext(), caller(c), t.ID, ""); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
