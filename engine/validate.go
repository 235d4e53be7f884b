package engine

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"flowcraft/engine/templates"
	"flowcraft/scripting"
)

// ScriptChecker compiles user JavaScript without running it. *scripting.Engine implements it.
type ScriptChecker interface {
	CheckScript(code string) []scripting.Problem
	CheckExpression(expr string) []scripting.Problem
	CheckTemplate(tmpl string) []scripting.Problem
}

// Limits of a definition, to keep one definition from exhausting the server.
const (
	maxNameLen     = 200
	maxTasks       = 2000
	maxConnections = 64
	maxRetry       = 100
	maxErrorRoutes = 50
)

// Validator checks process definitions against the template registry and the script compiler.
type Validator struct {
	templates *templates.Registry
	scripts   ScriptChecker
}

// NewValidator returns a Validator.
func NewValidator(reg *templates.Registry, scripts ScriptChecker) *Validator {
	return &Validator{templates: reg, scripts: scripts}
}

// problems collects FieldErrors.
type problems []FieldError

func (ps *problems) add(taskID, field string, code Code, params Params, format string, args ...any) {
	*ps = append(*ps, Problem(taskID, field, code, params, format, args...))
}

// Normalize fills what a client may leave out: engine, task ids, names, positions,
// parameter label/type/default/required from the schema, and the read-only derived
// fields startTaskInstId, endTaskInstId and triggerApp. It never fails; Validate judges.
func (v *Validator) Normalize(p *Process) {
	if p.Engine == "" {
		p.Engine = EngineStandard
	}
	for _, raw := range []*json.RawMessage{&p.InputDataSchema, &p.OutputDataSchema, &p.Extension, &p.Metadata} {
		if len(*raw) == 0 || string(*raw) == "null" {
			*raw = json.RawMessage("{}")
		}
	}
	p.StartTaskInstID, p.EndTaskInstID, p.TriggerApp = "", "", ""
	for i, t := range p.Tasks {
		if t == nil {
			continue
		}
		if t.InstID == "" {
			t.InstID = NewTaskID()
		}
		if len(t.Positions) == 0 {
			t.Positions = []float64{float64(80 + 180*i), 160}
		}
		if t.Connections == nil {
			t.Connections = []Connection{}
		}
		if t.Parameters == nil {
			t.Parameters = map[string]*Parameter{}
		}
		tpl, ok := v.templates.Get(t.Template)
		if !ok {
			continue
		}
		spec := tpl.Spec()
		if t.Name == "" {
			t.Name = spec.Label.Zh
		}
		for _, ps := range spec.Parameters {
			prm := t.Parameters[ps.Key]
			if prm == nil {
				continue
			}
			if prm.Label == "" {
				prm.Label = ps.Label.Zh
			}
			if prm.Type == "" {
				prm.Type = string(ps.Type)
			}
			if prm.Default == nil && ps.Default != nil {
				prm.Default = ps.Default
			}
			if ps.Required {
				prm.Required = true
			}
		}
		switch spec.Kind {
		case templates.KindTrigger:
			if p.StartTaskInstID == "" {
				p.StartTaskInstID = t.InstID
				p.TriggerApp = t.Template
			}
		case templates.KindEnd:
			if p.EndTaskInstID == "" {
				p.EndTaskInstID = t.InstID
			}
		}
	}
}

// Validate returns a *ValidationError listing every problem of p, or nil.
// Call Normalize first.
func (v *Validator) Validate(p *Process) error {
	var ps problems
	v.checkProcess(p, &ps)
	ids := v.checkTaskIDs(p, &ps)
	triggers := 0
	for _, t := range p.Tasks {
		if t == nil {
			continue
		}
		tpl, known := v.templates.Get(t.Template)
		if !known {
			if t.Template == "" {
				ps.add(t.InstID, "template", CodeRequired, Params{"field": "template"}, "template is required")
			} else {
				ps.add(t.InstID, "template", CodeUnknownTemplate, Params{"template": t.Template}, "unknown template %q", t.Template)
			}
		}
		var spec templates.Spec
		if known {
			spec = tpl.Spec()
			if spec.Kind == templates.KindTrigger {
				triggers++
			}
			if spec.Waits && p.Engine == EngineFast {
				ps.add(t.InstID, "template", CodeWaitsInFast, Params{"template": t.Template}, "template %q waits (for people, timers or other processes) and cannot run in a fast process; use engine \"standard\"", t.Template)
			}
			v.checkParameters(t, tpl, &ps)
		}
		v.checkTask(t, spec, known, ids, &ps)
	}
	switch {
	case triggers == 0:
		ps.add("", "tasks", CodeNoTrigger, nil, "the process needs exactly one trigger task (manual, webhook or cron-timer); it has none")
	case triggers > 1:
		ps.add("", "tasks", CodeTriggerCount, Params{"count": triggers}, "the process needs exactly one trigger task; it has %d", triggers)
	}
	if triggers == 1 {
		v.checkGraph(p, ids, &ps)
	}
	if len(ps) > 0 {
		return &ValidationError{Problems: ps}
	}
	return nil
}

// maxTimeoutMs bounds timeouts and intervals (10 years): larger values would overflow
// time.Duration (ms × 1e6) and due times (now + ms), firing at once instead of never.
const maxTimeoutMs = int64(10 * 365 * 24 * time.Hour / time.Millisecond)

func (v *Validator) checkProcess(p *Process, ps *problems) {
	name := strings.TrimSpace(p.Name)
	switch {
	case name == "":
		ps.add("", "name", CodeRequired, Params{"field": "name"}, "name is required")
	case utf8.RuneCountInString(p.Name) > maxNameLen:
		ps.add("", "name", CodeTooLong, Params{"max": maxNameLen}, "name is longer than %d characters", maxNameLen)
	}
	if p.Engine != EngineStandard && p.Engine != EngineFast {
		ps.add("", "engine", CodeOneOf, Params{"allowed": EngineStandard + ", " + EngineFast}, "engine must be %q or %q, not %q", EngineStandard, EngineFast, p.Engine)
	}
	if p.Timeout < 0 || p.Timeout > maxTimeoutMs {
		ps.add("", "timeout", CodeOutOfRange, Params{"min": 0, "max": maxTimeoutMs}, "timeout must be 0 (none) or 1 to %d milliseconds (10 years)", maxTimeoutMs)
	}
	for field, raw := range map[string]json.RawMessage{
		"inputDataSchema": p.InputDataSchema, "outputDataSchema": p.OutputDataSchema,
		"extension": p.Extension, "metadata": p.Metadata,
	} {
		if !isJSONObject(raw) {
			ps.add("", field, CodeNotObject, nil, "%s must be a JSON object", field)
		}
	}
	// Starts check their data against inputDataSchema: a schema that does not
	// compile would make every start fail.
	if isJSONObject(p.InputDataSchema) {
		if _, err := compileInputSchema(p.InputDataSchema); err != nil {
			ps.add("", "inputDataSchema", CodeInvalidSchema, Params{"error": schemaProblem(err)}, "inputDataSchema is not a valid JSON Schema: %s", schemaProblem(err))
		}
	}
	switch {
	case len(p.Tasks) == 0:
		ps.add("", "tasks", CodeRequired, Params{"field": "tasks"}, "a process needs at least one task")
	case len(p.Tasks) > maxTasks:
		ps.add("", "tasks", CodeTooMany, Params{"max": maxTasks}, "a process may have at most %d tasks", maxTasks)
	}
	for i, t := range p.Tasks {
		if t == nil {
			ps.add("", fmt.Sprintf("tasks[%d]", i), CodeNullTask, nil, "task is null")
		}
	}
}

// checkTaskIDs reports bad and duplicate ids and returns the set of ids.
func (v *Validator) checkTaskIDs(p *Process, ps *problems) map[string]*Task {
	ids := make(map[string]*Task, len(p.Tasks))
	for _, t := range p.Tasks {
		if t == nil {
			continue
		}
		if !taskIDPattern.MatchString(t.InstID) {
			ps.add(t.InstID, "instId", CodeBadID, nil, "task id must be 1-64 characters of letters, digits, '_', '-' or '.'")
		}
		if _, dup := ids[t.InstID]; dup {
			ps.add(t.InstID, "instId", CodeDuplicateTaskID, Params{"id": t.InstID}, "duplicate task id %q", t.InstID)
			continue
		}
		ids[t.InstID] = t
	}
	return ids
}

func (v *Validator) checkTask(t *Task, spec templates.Spec, known bool, ids map[string]*Task, ps *problems) {
	id := t.InstID
	if utf8.RuneCountInString(t.Name) > maxNameLen {
		ps.add(id, "name", CodeTooLong, Params{"max": maxNameLen}, "name is longer than %d characters", maxNameLen)
	}
	if len(t.Positions) != 2 || !finite(t.Positions[0]) || !finite(t.Positions[1]) {
		ps.add(id, "positions", CodeBadPositions, nil, "positions must be [x, y]")
	}
	if t.Timeout < 0 || t.Timeout > maxTimeoutMs {
		ps.add(id, "timeout", CodeOutOfRange, Params{"min": 0, "max": maxTimeoutMs}, "timeout must be 0 (none) or 1 to %d milliseconds (10 years)", maxTimeoutMs)
	}
	if len(t.Connections) > maxConnections {
		ps.add(id, "connections", CodeTooMany, Params{"max": maxConnections}, "a task may have at most %d outgoing connections", maxConnections)
	}
	isGateway := spec.Kind == templates.KindFlow
	seen := map[string]bool{}
	defaults := 0
	for i, c := range t.Connections {
		field := fmt.Sprintf("connections[%d]", i)
		switch {
		case c.To == "":
			ps.add(id, field+".to", CodeRequired, Params{"field": "to"}, "connection needs a target task")
		case ids[c.To] == nil:
			ps.add(id, field+".to", CodeUnknownTask, Params{"id": c.To}, "connection to unknown task %q", c.To)
		case seen[c.To]:
			ps.add(id, field+".to", CodeDuplicateConnection, Params{"id": c.To}, "duplicate connection to %q", c.To)
		}
		seen[c.To] = true
		if c.Default {
			defaults++
			if !isGateway && known {
				ps.add(id, field+".default", CodeDefaultNotGateway, nil, "only a gateway's connection can be the default")
			}
			if c.Condition != "" {
				ps.add(id, field+".condition", CodeDefaultWithCondition, nil, "the default connection takes no condition")
			}
		}
		if c.Condition != "" {
			v.checkCode(id, field+".condition", c.Condition, v.scripts.CheckExpression, ps)
		}
		if known && (spec.ID == "exclusive-gateway" || spec.ID == "inclusive-gateway") &&
			len(t.Connections) > 1 && c.Condition == "" && !c.Default {
			ps.add(id, field+".condition", CodeConditionOrDefault, nil, "a gateway connection needs a condition or default: true")
		}
	}
	if defaults > 1 {
		ps.add(id, "connections", CodeDefaultCount, Params{"count": defaults}, "at most one connection may be the default; found %d", defaults)
	}
	if known && spec.Kind == templates.KindEnd && len(t.Connections) > 0 {
		ps.add(id, "connections", CodeEndHasConnections, nil, "an end task has no outgoing connections")
	}
	v.checkErrorHandler(t, ids, ps)
	v.checkLoopHandler(t, ps)
}

func (v *Validator) checkErrorHandler(t *Task, ids map[string]*Task, ps *problems) {
	eh, id := t.ErrorHandler, t.InstID
	if eh.Retry < 0 || eh.Retry > maxRetry {
		ps.add(id, "errorHandler.retry", CodeOutOfRange, Params{"min": 0, "max": maxRetry}, "retry must be between 0 and %d", maxRetry)
	}
	if eh.Interval < 0 || eh.Interval > maxTimeoutMs {
		ps.add(id, "errorHandler.interval", CodeOutOfRange, Params{"min": 0, "max": maxTimeoutMs}, "interval must be 0 or 1 to %d milliseconds (10 years)", maxTimeoutMs)
	}
	if eh.Backoff < 0 || !finite(eh.Backoff) || (eh.Backoff > 0 && eh.Backoff < 1) {
		ps.add(id, "errorHandler.backoff", CodeBadBackoff, nil, "backoff must be 0 or a multiplier of at least 1")
	}
	switch eh.Strategy {
	case "", StrategyFail, StrategyIgnore:
		if eh.Target != "" {
			ps.add(id, "errorHandler.target", CodeTargetUnused, nil, "target is only used with strategy %q", StrategyGoto)
		}
	case StrategyGoto:
		switch {
		case eh.Target == "":
			ps.add(id, "errorHandler.target", CodeRequired, Params{"field": "target"}, "strategy %q needs a target task", StrategyGoto)
		case ids[eh.Target] == nil:
			ps.add(id, "errorHandler.target", CodeUnknownTask, Params{"id": eh.Target}, "target is unknown task %q", eh.Target)
		}
	default:
		ps.add(id, "errorHandler.strategy", CodeOneOf, Params{"allowed": "fail, ignore, goto"}, "strategy must be fail, ignore or goto, not %q", eh.Strategy)
	}
	if len(eh.Routes) > maxErrorRoutes {
		ps.add(id, "errorHandler.routes", CodeTooMany, Params{"max": maxErrorRoutes}, "at most %d error routes", maxErrorRoutes)
		return
	}
	codes := make(map[string]bool, len(eh.Routes))
	for i, r := range eh.Routes {
		field := fmt.Sprintf("errorHandler.routes[%d]", i)
		switch {
		case r.Target == "":
			ps.add(id, field+".target", CodeRequired, Params{"field": "target"}, "an error route needs a target task")
		case ids[r.Target] == nil:
			ps.add(id, field+".target", CodeUnknownTask, Params{"id": r.Target}, "target is unknown task %q", r.Target)
		}
		if codes[r.ErrorCode] {
			ps.add(id, field+".errorCode", CodeDuplicate, Params{"value": r.ErrorCode}, "error code %q is routed twice", r.ErrorCode)
		}
		codes[r.ErrorCode] = true
	}
}

func (v *Validator) checkLoopHandler(t *Task, ps *problems) {
	lh, id := t.LoopHandler, t.InstID
	switch lh.Mode {
	case "":
		if lh != (LoopHandler{}) {
			ps.add(id, "loopHandler.mode", CodeOneOf, Params{"allowed": LoopForEach + ", " + LoopWhile}, "mode must be %q or %q", LoopForEach, LoopWhile)
		}
	case LoopForEach:
		if strings.TrimSpace(lh.Items) == "" {
			ps.add(id, "loopHandler.items", CodeRequired, Params{"field": "items"}, "a forEach loop needs items, e.g. \"{{ input.rows }}\"")
		} else {
			v.checkCode(id, "loopHandler.items", lh.Items, v.scripts.CheckTemplate, ps)
		}
		if lh.MaxConcurrency < 0 {
			ps.add(id, "loopHandler.maxConcurrency", CodeTooSmall, Params{"min": 0}, "maxConcurrency must be 0 (default) or positive")
		}
	case LoopWhile:
		if strings.TrimSpace(lh.Condition) == "" {
			ps.add(id, "loopHandler.condition", CodeRequired, Params{"field": "condition"}, "a while loop needs a condition")
		} else {
			v.checkCode(id, "loopHandler.condition", lh.Condition, v.scripts.CheckExpression, ps)
		}
		if lh.Max <= 0 {
			ps.add(id, "loopHandler.max", CodeRequired, Params{"field": "max"}, "a while loop needs max, the most iterations it may run")
		}
	default:
		ps.add(id, "loopHandler.mode", CodeOneOf, Params{"allowed": LoopForEach + ", " + LoopWhile}, "mode must be %q or %q, not %q", LoopForEach, LoopWhile, lh.Mode)
	}
}

func (v *Validator) checkParameters(t *Task, tpl templates.Template, ps *problems) {
	spec := tpl.Spec()
	raw := make(map[string]any, len(t.Parameters))
	keys := make([]string, 0, len(t.Parameters))
	for k := range t.Parameters {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		prm := t.Parameters[k]
		sp, ok := spec.Param(k)
		if !ok {
			ps.add(t.InstID, "parameters."+k, CodeUnknownParameter, Params{"template": t.Template, "parameter": k}, "template %q has no parameter %q", t.Template, k)
			continue
		}
		if prm == nil {
			continue
		}
		raw[k] = prm.Value
		if s, isString := prm.Value.(string); isString {
			if sp.Type == templates.TypeCode {
				v.checkCode(t.InstID, "parameters."+k, s, v.scripts.CheckScript, ps)
			} else if scripting.HasTemplate(s) {
				v.checkCode(t.InstID, "parameters."+k, s, v.scripts.CheckTemplate, ps)
			}
		}
	}
	values := templates.WithDefaults(spec, raw)
	for _, pr := range templates.CheckRequired(spec, values) {
		sp, _ := spec.Param(pr.Field)
		ps.add(t.InstID, "parameters."+pr.Field, CodeRequired, Params{"field": pr.Field}, "%s (%s) is required", sp.Label.En, pr.Field)
	}
	for _, pr := range tpl.Check(values) {
		code := Code(pr.Code)
		if code == "" {
			code = CodeInvalidValue
		}
		ps.add(t.InstID, "parameters."+pr.Field, code, Params(pr.Params), "%s", pr.Message)
	}
}

// checkCode reports compile problems of one piece of user JavaScript.
func (v *Validator) checkCode(taskID, field, src string, check func(string) []scripting.Problem, ps *problems) {
	for _, pr := range check(src) {
		ps.add(taskID, field, CodeScriptSyntax, Params{"line": pr.Line, "column": pr.Column, "error": pr.Message}, "line %d, column %d: %s", pr.Line, pr.Column, pr.Message)
	}
}

// checkGraph reports tasks unreachable from the trigger, connections into the trigger
// and cycles that have no way out.
func (v *Validator) checkGraph(p *Process, ids map[string]*Task, ps *problems) {
	start := p.StartTaskInstID
	for _, t := range p.Tasks {
		if t == nil {
			continue
		}
		for _, c := range t.Connections {
			if c.To == start {
				ps.add(t.InstID, "connections", CodeIntoTrigger, Params{"trigger": start}, "connection into the trigger task %q; a trigger starts the flow and has no incoming connections", start)
			}
		}
	}
	reached := map[string]bool{start: true}
	queue := []string{start}
	for len(queue) > 0 {
		t := ids[queue[0]]
		queue = queue[1:]
		if t == nil {
			continue
		}
		for _, c := range t.Connections {
			if ids[c.To] != nil && !reached[c.To] {
				reached[c.To] = true
				queue = append(queue, c.To)
			}
		}
		for _, target := range errorTargets(t) {
			if ids[target] != nil && !reached[target] {
				reached[target] = true
				queue = append(queue, target)
			}
		}
	}
	for _, t := range p.Tasks {
		if t != nil && !reached[t.InstID] && ids[t.InstID] == t {
			ps.add(t.InstID, "", CodeUnreachable, Params{"trigger": start}, "task is unreachable from the trigger %q", start)
		}
	}
	for _, cycle := range cyclesWithoutExit(p, ids) {
		ps.add(cycle[0], "connections", CodeCycleWithoutExit, Params{"cycle": strings.Join(append(cycle, cycle[0]), " → ")}, "cycle without an exit: %s; add a gateway with a condition that leaves it, or use a loopHandler", strings.Join(append(cycle, cycle[0]), " → "))
	}
}

// cyclesWithoutExit finds the strongly connected components of the graph (Tarjan) that
// contain a cycle but have no connection leaving them. A loop needs a way out.
func cyclesWithoutExit(p *Process, ids map[string]*Task) [][]string {
	index := map[string]int{}
	low := map[string]int{}
	onStack := map[string]bool{}
	var stack []string
	var out [][]string
	next := 0
	var strongConnect func(id string)
	strongConnect = func(id string) {
		index[id], low[id] = next, next
		next++
		stack = append(stack, id)
		onStack[id] = true
		for _, c := range ids[id].Connections {
			if ids[c.To] == nil {
				continue
			}
			if _, seen := index[c.To]; !seen {
				strongConnect(c.To)
				low[id] = min(low[id], low[c.To])
			} else if onStack[c.To] {
				low[id] = min(low[id], index[c.To])
			}
		}
		if low[id] != index[id] {
			return
		}
		var comp []string
		for {
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[top] = false
			comp = append(comp, top)
			if top == id {
				break
			}
		}
		if isCycle(comp, ids) && !hasExit(comp, ids) {
			// Report in definition order for stable messages.
			order := map[string]int{}
			for i, t := range p.Tasks {
				if t != nil {
					order[t.InstID] = i
				}
			}
			sort.Slice(comp, func(i, j int) bool { return order[comp[i]] < order[comp[j]] })
			out = append(out, comp)
		}
	}
	for _, t := range p.Tasks {
		if t == nil || ids[t.InstID] != t {
			continue
		}
		if _, seen := index[t.InstID]; !seen {
			strongConnect(t.InstID)
		}
	}
	return out
}

func isCycle(comp []string, ids map[string]*Task) bool {
	if len(comp) > 1 {
		return true
	}
	for _, c := range ids[comp[0]].Connections {
		if c.To == comp[0] {
			return true
		}
	}
	return false
}

func hasExit(comp []string, ids map[string]*Task) bool {
	in := make(map[string]bool, len(comp))
	for _, id := range comp {
		in[id] = true
	}
	for _, id := range comp {
		t := ids[id]
		for _, c := range t.Connections {
			if !in[c.To] {
				return true
			}
		}
		for _, target := range errorTargets(t) {
			if !in[target] {
				return true
			}
		}
	}
	return false
}

// errorTargets are the tasks a failure of t may continue at: the goto target and the
// error routes' targets.
func errorTargets(t *Task) []string {
	var out []string
	if t.ErrorHandler.Strategy == StrategyGoto {
		out = append(out, t.ErrorHandler.Target)
	}
	for _, r := range t.ErrorHandler.Routes {
		out = append(out, r.Target)
	}
	return out
}

func isJSONObject(raw json.RawMessage) bool {
	var m map[string]any
	return json.Unmarshal(raw, &m) == nil && m != nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
