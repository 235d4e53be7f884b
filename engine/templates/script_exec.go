package templates

import (
	"context"
	"errors"

	"flowcraft/scripting"
)

// Run executes the script in the sandbox; its return value is the output and the
// variables it set come back to the engine.
func (Script) Run(ctx context.Context, c *Call) (Outcome, error) {
	code, _ := c.Params["code"].(string)
	res, err := c.Services.Scripts.RunScript(ctx, code, c.Scope)
	if err != nil {
		var se *scripting.Error
		if errors.As(err, &se) {
			return Outcome{Logs: se.Logs}, err
		}
		return Outcome{}, err
	}
	return Outcome{Output: res.Value, Vars: res.Vars, VarsChanged: res.VarsChanged, Logs: res.Logs}, nil
}
