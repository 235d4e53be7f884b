package web

import (
	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
	"flowcraft/scripting"
)

// checkBody is the body of POST /api/scripts/check. Kind is "script" (default: a
// function body that may return), "expression" (a condition) or "template" ({{ }} text).
type checkBody struct {
	Code string `json:"code"`
	Kind string `json:"kind"`
}

type checkResult struct {
	OK     bool                `json:"ok"`
	Errors []scripting.Problem `json:"errors"`
}

// checkScript handles POST /api/scripts/check: compiles without running.
func (s *Server) checkScript(c *fiber.Ctx) error {
	var b checkBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	var problems []scripting.Problem
	switch b.Kind {
	case "", "script":
		problems = s.deps.Scripts.CheckScript(b.Code)
	case "expression":
		problems = s.deps.Scripts.CheckExpression(b.Code)
	case "template":
		problems = s.deps.Scripts.CheckTemplate(b.Code)
	default:
		return engine.InvalidField("kind", engine.CodeOneOf, engine.Params{"allowed": "script, expression, template"}, "kind must be script, expression or template")
	}
	if problems == nil {
		problems = []scripting.Problem{}
	}
	return ok(c, checkResult{OK: len(problems) == 0, Errors: problems})
}
