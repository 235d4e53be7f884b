package flowable

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// The variables of a case instance (seed 003 "案例实例的变量"): designers and admins
// only (see case_instances.go). Writes to an instance that ended meanwhile answer 409.

// listCaseVariables handles GET …/case-instances/{caseInstanceId}/variables.
func (a *API) listCaseVariables(c *fiber.Ctx) error {
	in, err := a.caseParam(c)
	if err != nil {
		return err
	}
	vars, err := a.cases().ListVariables(c.UserContext(), in.ID)
	if err != nil {
		return err
	}
	return c.JSON(a.restVariables(c, in.ID.String(), vars))
}

// caseVariable reads :variableName of an instance; 404 naming both when it has none.
func (a *API) caseVariable(c *fiber.Ctx, in *engine.InstanceView, data bool) (*engine.Variable, error) {
	name := param(c, "variableName")
	var v *engine.Variable
	var err error
	if data {
		v, err = a.cases().VariableData(c.UserContext(), in.ID, name)
	} else {
		v, err = a.cases().GetVariable(c.UserContext(), in.ID, name)
	}
	if errors.Is(err, engine.ErrNotFound) {
		return nil, notFound("Case instance '%s' does not have a variable with name: '%s'.", in.ID, name)
	}
	return v, err
}

// getCaseVariable handles GET …/variables/{variableName}.
func (a *API) getCaseVariable(c *fiber.Ctx) error {
	in, err := a.caseParam(c)
	if err != nil {
		return err
	}
	v, err := a.caseVariable(c, in, false)
	if err != nil {
		return err
	}
	return c.JSON(restVariableOf(v, dataURL(c, in.ID.String(), v.Name), a.cfg.Location))
}

// caseVariableData handles GET …/variables/{variableName}/data: a binary variable's
// content with its content type; 404 for a variable that is not binary.
func (a *API) caseVariableData(c *fiber.Ctx) error {
	in, err := a.caseParam(c)
	if err != nil {
		return err
	}
	v, err := a.caseVariable(c, in, true)
	if err != nil {
		return err
	}
	if v.Type != engine.VarBinary {
		return notFound("The variable %s of case instance '%s' is a %s, which has no binary data stream; read its value from …/variables/%s.", v.Name, in.ID, v.Type, v.Name)
	}
	c.Set(fiber.HeaderContentType, v.ContentType)
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf("attachment; filename=%q", v.Name))
	return c.Send(v.Data)
}

// createCaseVariables handles POST …/variables: a JSON array of variables, all new
// (409 when the instance has one of them, and nothing is written), or one binary
// variable as multipart/form-data. 201 with what was created.
func (a *API) createCaseVariables(c *fiber.Ctx) error {
	return a.writeCaseVariables(c, true)
}

// putCaseVariables handles PUT …/variables: as POST, but existing variables are
// overwritten. A JSON array answers 201 (as Flowable), a binary upload 200.
func (a *API) putCaseVariables(c *fiber.Ctx) error {
	return a.writeCaseVariables(c, false)
}

func (a *API) writeCaseVariables(c *fiber.Ctx, create bool) error {
	if isMultipart(c) {
		in, err := a.caseParam(c)
		if err != nil {
			return err
		}
		v, err := binaryVariable(c, "")
		if err != nil {
			return err
		}
		write, status := a.cases().PutVariables, fiber.StatusOK
		if create {
			write, status = a.cases().CreateVariables, fiber.StatusCreated
		}
		out, err := write(c.UserContext(), in.ID, []engine.Variable{v})
		if err != nil {
			return err
		}
		return c.Status(status).JSON(restVariableOf(out[0], dataURL(c, in.ID.String(), v.Name), a.cfg.Location))
	}
	var body []variableIn
	if err := a.decodeJSON(c, &body); err != nil {
		return err
	}
	in, err := a.caseParam(c)
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
	write := a.cases().PutVariables
	if create {
		write = a.cases().CreateVariables
	}
	out, err := write(c.UserContext(), in.ID, vars)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(a.restVariables(c, in.ID.String(), out))
}

// putCaseVariable handles PUT …/variables/{variableName}: replaces an existing
// variable (404 when there is none) from a JSON object, or a binary one from a
// multipart upload. 200 with the variable.
func (a *API) putCaseVariable(c *fiber.Ctx) error {
	name := param(c, "variableName")
	var v engine.Variable
	if isMultipart(c) {
		if _, err := a.caseParam(c); err != nil {
			return err
		}
		var err error
		if v, err = binaryVariable(c, name); err != nil {
			return err
		}
	} else {
		var body variableIn
		if err := a.decodeJSON(c, &body); err != nil {
			return err
		}
		var err error
		if v, err = toVariable(body, "", name); err != nil {
			return err
		}
	}
	in, err := a.caseParam(c)
	if err != nil {
		return err
	}
	out, err := a.cases().UpdateVariable(c.UserContext(), in.ID, v)
	if errors.Is(err, engine.ErrNotFound) {
		return notFound("Case instance '%s' does not have a variable with name: '%s'.", in.ID, name)
	}
	if err != nil {
		return err
	}
	return c.JSON(restVariableOf(out, dataURL(c, in.ID.String(), out.Name), a.cfg.Location))
}

// deleteCaseVariable handles DELETE …/variables/{variableName}: 204.
func (a *API) deleteCaseVariable(c *fiber.Ctx) error {
	in, err := a.caseParam(c)
	if err != nil {
		return err
	}
	name := param(c, "variableName")
	err = a.cases().DeleteVariable(c.UserContext(), in.ID, name)
	if errors.Is(err, engine.ErrNotFound) {
		return notFound("Case instance '%s' does not have a variable with name: '%s'.", in.ID, name)
	}
	if err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
