package web

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// varParams are the query parameters of one typed variable condition on the native
// lists (GET /api/processInst, the done list, the history page).
var varParams = map[string]string{"name": "varName", "operation": "varOp", "type": "varType", "value": "varValue"}

// varCondition reads ?varName=&varOp=&varType=&varValue= as a variable condition
// (engine.VarCondition; none without varName and varValue). varOp defaults to equals;
// without varType the value is what it spells in JSON (a number, true or false),
// else text. Problems name the parameters.
func varCondition(c *fiber.Ctx) ([]engine.VarCondition, error) {
	name, op, typ, raw := query(c, "varName"), query(c, "varOp"), query(c, "varType"), query(c, "varValue")
	if name == "" && raw == "" && op == "" && typ == "" {
		return nil, nil
	}
	var value any = raw
	switch typ {
	case "":
		var v any
		if err := json.Unmarshal([]byte(raw), &v); err == nil {
			switch v.(type) {
			case float64, bool:
				value = v
			}
		}
	case engine.VarBoolean:
		b, err := strconv.ParseBool(strings.TrimSpace(raw))
		if err != nil {
			return nil, engine.InvalidField("varValue", engine.CodeBadVariableValue, engine.Params{"name": name, "type": typ},
				"varValue %q is not a boolean (true or false)", raw)
		}
		value = b
	}
	if raw == "" {
		value = nil
	}
	conds := []engine.VarCondition{{Name: name, Operation: op, Type: typ, Value: value}}
	checked, err := engine.CheckVarConditions(conds)
	var ve *engine.ValidationError
	if errors.As(err, &ve) {
		for i, p := range ve.Problems {
			if j := strings.LastIndexByte(p.Field, '.'); j >= 0 {
				if param, ok := varParams[p.Field[j+1:]]; ok {
					ve.Problems[i].Field = param
				}
			}
			if p.Params != nil {
				if f, ok := p.Params["field"].(string); ok && strings.HasPrefix(f, "variables[") {
					if j := strings.LastIndexByte(f, '.'); j >= 0 {
						ve.Problems[i].Params["field"] = varParams[f[j+1:]]
					}
				}
			}
		}
		return nil, ve
	}
	return checked, err
}

// doneFilter reads the done list's search: businessKey, outcome, endedAfter,
// endedBefore (unix ms or RFC 3339) and a variable condition. On the open list
// they are refused: open tasks have no outcome or end.
func doneFilter(c *fiber.Ctx, f *engine.InboxFilter) error {
	var err error
	f.BusinessKey, f.Outcome = query(c, "businessKey"), query(c, "outcome")
	if f.EndedAfter, err = timeParam(c, "endedAfter"); err != nil {
		return err
	}
	if f.EndedBefore, err = timeParam(c, "endedBefore"); err != nil {
		return err
	}
	if f.Variables, err = varCondition(c); err != nil {
		return err
	}
	if f.Status != engine.TaskDone && (f.BusinessKey != "" || f.Outcome != "" || f.EndedAfter != 0 || f.EndedBefore != 0 || len(f.Variables) > 0) {
		return engine.InvalidField("status", engine.CodeDoneOnly, nil, "businessKey, outcome, endedAfter, endedBefore and variable conditions search the done list: add status=done")
	}
	return nil
}
