package templates

import (
	"context"

	"flowcraft/scripting"
)

// Call is one execution of a template that runs to completion (an action).
type Call struct {
	ProcessID  string
	InstanceID string
	TaskID     string
	// Params are the task's parameter values with defaults filled in and {{ }}
	// expressions rendered; parameters of type code are left as written.
	Params map[string]any
	// Input is the output of the task that led here.
	Input any
	// Scope is what scripts see (input, trigger, vars, nodes, instance, item, index).
	Scope    scripting.Scope
	Services *Services
}

// Outcome is what an execution produced.
type Outcome struct {
	Output      any
	Vars        map[string]any // the process variables after the run, when VarsChanged
	VarsChanged bool
	Logs        []scripting.LogEntry
}

// Runner is implemented by templates that execute synchronously: script,
// http-request, database-handler. The context carries the task's deadline.
type Runner interface {
	Run(ctx context.Context, c *Call) (Outcome, error)
}

// Services are the dependencies shared by all executions.
type Services struct {
	Scripts *scripting.Engine
	HTTP    HTTP      // sends http-request calls (package httpclient)
	Data    Databases // named databases for database-handler (package datasource)
}
