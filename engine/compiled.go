package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"flowcraft/scripting"
	"fmt"
	"maps"
	"math/big"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"flowcraft/engine/templates"
)

// compiled is a definition version prepared for execution: tasks indexed, incoming
// edges counted, the input schema compiled. It is immutable and shared.
type compiled struct {
	p      *Process
	tasks  map[string]*ctask
	schema *jsonschema.Schema // nil when inputDataSchema is empty
	// reach[a] is the set of tasks reachable from a, computed on demand for inclusive joins.
	reachMu sync.Mutex
	reach   map[string]map[string]bool
}

// ctask is one task of a compiled definition.
type ctask struct {
	*Task
	spec     templates.Spec
	tpl      templates.Template
	incoming []string // distinct source task ids
	join     bool     // a parallel or inclusive gateway with more than one incoming branch
	params   map[string]any
	// secret are the keys of params whose template marks them secret (nil: none).
	secret []string
	// static is params as a runtime shows them when they are not rendered (trigger
	// and flow tasks): secret values hidden. Shared by every runtime: read only.
	static map[string]any
	// constParams: no parameter has {{ }} to resolve, so every runtime runs with
	// params as they are and shows static (see NodeRun.InputIsDefinition).
	constParams bool
}

// shown is what runtime n of t shows of the parameters it ran with (NodeRun.Input):
// params itself, or a copy with the secret values hidden. params must not change
// afterwards (templates only read them).
func (t *ctask) shown(params map[string]any) map[string]any {
	if len(t.secret) == 0 || params == nil {
		return params
	}
	out := maps.Clone(params)
	for _, k := range t.secret {
		if v, ok := out[k]; ok {
			out[k] = hide(v)
		}
	}
	return out
}

// shownParams is shown(params) for a runtime, and whether that is the definition's
// own (static: nothing was resolved).
func (t *ctask) shownParams(params map[string]any) (map[string]any, bool) {
	if t.constParams {
		return t.static, true
	}
	return t.shown(params), false
}

// fillInput gives a runtime read back from the store the parameters the store did
// not keep (NodeRun.InputIsDefinition): those of the definition, once it ran.
func (t *ctask) fillInput(n *NodeRun) {
	if n.Input == nil && t.constParams && n.StartAt != 0 && n.Status != StatusSkipped {
		n.Input, n.InputIsDefinition = t.static, true
	}
}

func compile(p *Process, reg *templates.Registry) (*compiled, error) {
	c := &compiled{p: p, tasks: make(map[string]*ctask, len(p.Tasks)), reach: map[string]map[string]bool{}}
	for _, t := range p.Tasks {
		tpl, ok := reg.Get(t.Template)
		if !ok {
			return nil, fmt.Errorf("task %s: unknown template %q", t.InstID, t.Template)
		}
		ct := &ctask{Task: t, spec: tpl.Spec(), tpl: tpl}
		raw := map[string]any{}
		for k, prm := range t.Parameters {
			if prm != nil {
				raw[k] = prm.Value
			}
		}
		ct.params = templates.WithDefaults(ct.spec, raw)
		for _, prm := range ct.spec.Parameters {
			if prm.Secret {
				ct.secret = append(ct.secret, prm.Key)
			}
		}
		ct.static = ct.shown(ct.params)
		ct.constParams = true
		for k, v := range ct.params {
			if p, ok := ct.spec.Param(k); (!ok || p.Type != templates.TypeCode) && scripting.ContainsTemplate(v) {
				ct.constParams = false
				break
			}
		}
		c.tasks[t.InstID] = ct
	}
	for _, t := range p.Tasks {
		seen := map[string]bool{}
		for _, conn := range t.Connections {
			target := c.tasks[conn.To]
			if target == nil || seen[conn.To] {
				continue
			}
			seen[conn.To] = true
			target.incoming = append(target.incoming, t.InstID)
		}
	}
	for _, ct := range c.tasks {
		ct.join = (ct.Template == "parallel-gateway" || ct.Template == "inclusive-gateway") && len(ct.incoming) > 1
	}
	schema, err := compileInputSchema(p.InputDataSchema)
	if err != nil {
		return nil, fmt.Errorf("inputDataSchema: %w", err)
	}
	c.schema = schema
	return c, nil
}

// inputSchemaURL names a definition's inputDataSchema for the schema compiler. It
// is not a file: a relative "file:" name would resolve against the server's
// working directory (and show it in messages); relative $refs resolve against it
// to URLs that noSchemaLoader refuses.
const inputSchemaURL = "https://flowcraft.invalid/inputDataSchema.json"

// compileInputSchema compiles a definition's inputDataSchema; nil when it is empty.
// The schema is one self-contained document: a $ref to another document (a
// file, a URL) is refused, not loaded (the library's default loader reads local
// files, so a designer could make the server read /dev/zero or any file).
func compileInputSchema(raw json.RawMessage) (*jsonschema.Schema, error) {
	s := bytes.TrimSpace(raw)
	if len(s) == 0 || string(s) == "{}" || string(s) == "null" {
		return nil, nil
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(s))
	if err != nil {
		return nil, err
	}
	comp := jsonschema.NewCompiler()
	comp.UseLoader(noSchemaLoader{})
	if err := comp.AddResource(inputSchemaURL, doc); err != nil {
		return nil, err
	}
	return comp.Compile(inputSchemaURL)
}

// noSchemaLoader refuses every document a schema refers to.
type noSchemaLoader struct{}

func (noSchemaLoader) Load(url string) (any, error) {
	return nil, errors.New("an input schema cannot refer to other documents; put the definition under $defs")
}

// reachable reports whether task `to` can be reached from task `from` by following
// connections (and goto error handlers), not passing through `to` on the way.
func (c *compiled) reachable(from, to string) bool {
	c.reachMu.Lock()
	defer c.reachMu.Unlock()
	key := from + "\x00" + to
	if r, ok := c.reach[key]; ok {
		return r[to]
	}
	seen := map[string]bool{from: true}
	queue := []string{from}
	found := false
	for len(queue) > 0 && !found {
		t := c.tasks[queue[0]]
		queue = queue[1:]
		if t == nil {
			continue
		}
		next := make([]string, 0, len(t.Connections)+1)
		for _, conn := range t.Connections {
			next = append(next, conn.To)
		}
		if t.ErrorHandler.Strategy == StrategyGoto {
			next = append(next, t.ErrorHandler.Target)
		}
		for _, n := range next {
			if n == to {
				found = true
				break
			}
			if !seen[n] {
				seen[n] = true
				queue = append(queue, n)
			}
		}
	}
	c.reach[key] = map[string]bool{to: found}
	return found
}

// validateInput checks trigger data against inputDataSchema.
func (c *compiled) validateInput(trigger any) error {
	if c.schema == nil {
		return nil
	}
	// The validator wants JSON-decoded values (json.Number aside): round-trip once.
	b, err := json.Marshal(trigger)
	if err != nil {
		return InvalidField("trigger", CodeNotJSON, nil, "trigger data is not JSON: %v", err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return InvalidField("trigger", CodeNotJSON, nil, "trigger data is not JSON: %v", err)
	}
	err = c.schema.Validate(v)
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return InvalidField("trigger", CodeSchema, nil, "%v", err)
	}
	printer := message.NewPrinter(language.English)
	var ps []FieldError
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			field := "trigger" + strings.TrimSuffix("/"+strings.Join(e.InstanceLocation, "/"), "/")
			ps = append(ps, schemaProblems(field, e.ErrorKind, e.ErrorKind.LocalizedString(printer))...)
			return
		}
		for _, cause := range e.Causes {
			walk(cause)
		}
	}
	walk(ve)
	return &ValidationError{Problems: ps}
}

// schemaProblems names one inputDataSchema violation at field with a problem
// code and its params: a missing property becomes "required" on the property's
// own field, so that a form can show it there.
func schemaProblems(field string, k jsonschema.ErrorKind, msg string) []FieldError {
	one := func(code Code, params Params) []FieldError {
		return []FieldError{{Field: field, Code: code, Params: params, Message: msg}}
	}
	ratParam := func(r *big.Rat) any {
		f, _ := r.Float64()
		return f
	}
	switch x := k.(type) {
	case *kind.Required:
		out := make([]FieldError, len(x.Missing))
		for i, m := range x.Missing {
			out[i] = FieldError{Field: field + "/" + m, Code: CodeRequired, Params: Params{"field": m}, Message: "missing property " + strconv.Quote(m)}
		}
		return out
	case *kind.Type:
		return one(CodeWrongType, Params{"want": strings.Join(x.Want, ", ")})
	case *kind.Minimum:
		return one(CodeTooSmall, Params{"min": ratParam(x.Want)})
	case *kind.ExclusiveMinimum:
		return one(CodeTooSmall, Params{"min": ratParam(x.Want)})
	case *kind.Maximum:
		return one(CodeTooLarge, Params{"max": ratParam(x.Want)})
	case *kind.ExclusiveMaximum:
		return one(CodeTooLarge, Params{"max": ratParam(x.Want)})
	case *kind.MinLength:
		return one(CodeTooShort, Params{"min": x.Want})
	case *kind.MaxLength:
		return one(CodeTooLong, Params{"max": x.Want})
	case *kind.MaxItems:
		return one(CodeTooMany, Params{"max": x.Want})
	case *kind.Enum:
		vals := make([]string, len(x.Want))
		for i, w := range x.Want {
			vals[i] = fmt.Sprint(w)
		}
		return one(CodeOneOf, Params{"allowed": strings.Join(vals, ", ")})
	case *kind.Const:
		return one(CodeOneOf, Params{"allowed": fmt.Sprint(x.Want)})
	case *kind.Pattern:
		return one(CodePattern, Params{"pattern": x.Want})
	case *kind.AdditionalProperties:
		return one(CodeUnknownField, Params{"field": strings.Join(x.Properties, ", ")})
	}
	return one(CodeSchema, Params{"error": msg})
}

// compiledCache keeps compiled definitions by id and version.
type compiledCache struct {
	mu sync.Mutex
	m  map[string]*compiled
}

func (cc *compiledCache) get(id string, version int) *compiled {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return cc.m[fmt.Sprintf("%s@%d", id, version)]
}

func (cc *compiledCache) put(c *compiled) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if len(cc.m) > 4096 {
		clear(cc.m)
	}
	cc.m[fmt.Sprintf("%s@%d", c.p.ID, c.p.Version)] = c
}

// schemaProblem is a compile error of an input schema on one line, without the
// schema's internal name.
func schemaProblem(err error) string {
	msg := strings.ReplaceAll(err.Error(), "'"+inputSchemaURL+"#'", "the schema")
	msg = strings.ReplaceAll(msg, inputSchemaURL, "")
	msg = strings.ReplaceAll(msg, "https://flowcraft.invalid/", "") // relative $refs
	msg = strings.ReplaceAll(msg, "failing loading", "cannot load")
	return strings.Join(strings.Fields(msg), " ")
}
