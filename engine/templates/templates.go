// Package templates defines the node templates a flow is built from: their
// schemas (served to the browser designer, which builds its property panel
// from them), the static checks of their parameter values, the parsing of
// durations, cron expressions, time zones and times they take, and the
// execution of the actions that run to completion (script, http-request,
// database-handler; see Runner). The other templates (triggers, gateways,
// approval, delay, subprocess, end) are only described and checked here: the
// engine runs them.
//
// Each template is one Go type (Spec and Check in its file, Run in a *_exec.go
// file when it has one); a Registry holds a set of them in palette order.
//
// The package belongs to the domain: of flowcraft's packages it imports only
// scripting (scripts and {{ }} expressions), and it never touches the network or
// a database. Actions reach the outside through the interfaces in Services:
// HTTP (package httpclient, guarded against server-side request forgery) and
// Databases (package datasource).
package templates

import (
	"fmt"
	"strings"

	// Embedded time zone database, so time.LoadLocation("Asia/Shanghai")
	// works on machines without /usr/share/zoneinfo.
	_ "time/tzdata"
)

// Kind groups templates in the designer palette.
type Kind string

// The template kinds, in palette order.
const (
	KindTrigger Kind = "trigger"
	KindAction  Kind = "action"
	KindFlow    Kind = "flow"
	KindWait    Kind = "wait"
	KindEnd     Kind = "end"
)

// Label is a text in both UI languages.
type Label struct {
	Zh string `json:"zh"`
	En string `json:"en"`
}

// ParamType tells the designer which editor to show and the validator what to accept.
type ParamType string

// The parameter types.
const (
	// TypeString is a single-line string.
	TypeString ParamType = "string"
	// TypeText is a multi-line string.
	TypeText ParamType = "text"
	// TypeNumber is a JSON number.
	TypeNumber ParamType = "number"
	// TypeBoolean is a JSON boolean.
	TypeBoolean ParamType = "boolean"
	// TypeSelect is one of the parameter's Options (by value).
	TypeSelect ParamType = "select"
	// TypeCode is JavaScript source.
	TypeCode ParamType = "code"
	// TypeExpression is a JavaScript expression.
	TypeExpression ParamType = "expression"
	// TypeUsers is a list of user ids.
	TypeUsers ParamType = "users"
	// TypeGroups is a list of group ids.
	TypeGroups ParamType = "groups"
	// TypeKeyValue is an object of string to string, e.g. HTTP headers.
	TypeKeyValue ParamType = "keyvalue"
	// TypeJSON is any JSON value.
	TypeJSON ParamType = "json"
	// TypeArray is a list of strings.
	TypeArray ParamType = "array"
	// TypeForm is a list of form field definitions
	// ({key, label, type, required, options}).
	TypeForm ParamType = "form"
	// TypeDuration is a number of milliseconds or a string such as "90s",
	// "2h", "1h30m" or "3d" (see ParseDuration).
	TypeDuration ParamType = "duration"
	// TypeCron is a cron expression (see ParseCron).
	TypeCron ParamType = "cron"
)

// Option is one choice of a select parameter.
type Option struct {
	Value string `json:"value"`
	Label Label  `json:"label"`
}

// Param describes one parameter of a template.
type Param struct {
	Key         string    `json:"key"`
	Label       Label     `json:"label"`
	Type        ParamType `json:"type"`
	Default     any       `json:"default,omitempty"`
	Required    bool      `json:"required"`
	Options     []Option  `json:"options,omitempty"`
	Description Label     `json:"description"` // one-line help shown under the field
	Placeholder string    `json:"placeholder,omitempty"`
	// Min and Max bound a number parameter (inclusive) when set; the
	// designer may use them for its number input.
	Min *float64 `json:"min,omitempty"`
	Max *float64 `json:"max,omitempty"`
	// Secret marks a value that grants access (a signing key, credentials in headers):
	// it is shown only to roles that may read the definition, and redacted for others
	// wherever an instance shows it (see engine.Redactor). For a keyvalue parameter
	// every value is secret, the keys are not.
	Secret bool `json:"secret,omitempty"`
}

// Spec is the schema of one template, served as
// {"id","kind","label","description","icon","waits","parameters"}.
type Spec struct {
	ID          string `json:"id"`
	Kind        Kind   `json:"kind"`
	Label       Label  `json:"label"`
	Description Label  `json:"description"`
	// Icon is a short icon name the UI maps to an embedded SVG, e.g. "play",
	// "webhook", "clock", "code", "globe", "database", "diamond", "plus",
	// "circle", "user-check", "hourglass", "layers", "cpu", "stop".
	Icon string `json:"icon"`
	// Waits marks a wait-capable template: not allowed in a `fast` process.
	Waits      bool    `json:"waits"`
	Parameters []Param `json:"parameters"`
}

// Param returns the parameter with the given key.
func (s Spec) Param(key string) (Param, bool) {
	for _, p := range s.Parameters {
		if p.Key == key {
			return p, true
		}
	}
	return Param{}, false
}

// Problem is one static problem with a parameter value. Code and Params name it
// for programs and translations (the engine's stable problem codes, such as
// "required", "too_small" with "min"); empty Code means "invalid_value".
type Problem struct {
	Field   string         `json:"field"` // the parameter key
	Code    string         `json:"code,omitempty"`
	Params  map[string]any `json:"params,omitempty"`
	Message string         `json:"message"`
}

// String formats the problem as "field: message".
func (p Problem) String() string { return p.Field + ": " + p.Message }

// Template is implemented by one Go type per template file.
type Template interface {
	// Spec returns the template's schema. Each call returns a fresh value
	// that the caller may modify.
	Spec() Spec
	// Check statically validates parameter values (already merged with
	// defaults; values that are strings containing "{{" are dynamic and are
	// skipped for type/enum checks). Required-ness is checked by the caller
	// from Spec (see CheckRequired), not here. It returns every problem, not
	// the first; nil when there are none.
	Check(values map[string]any) []Problem
}

// Registry is a set of templates in registration (palette) order. It is
// immutable after construction and safe for concurrent use.
type Registry struct {
	order []Template
	byID  map[string]Template
}

// NewRegistry returns a registry of ts, in that order. It panics on a nil
// template, an empty id or a duplicate id (programmer errors).
func NewRegistry(ts ...Template) *Registry {
	r := &Registry{
		order: make([]Template, 0, len(ts)),
		byID:  make(map[string]Template, len(ts)),
	}
	for i, t := range ts {
		if t == nil {
			panic(fmt.Sprintf("templates: template %d is nil", i))
		}
		id := t.Spec().ID
		if strings.TrimSpace(id) == "" {
			panic(fmt.Sprintf("templates: template %d (%T) has an empty id", i, t))
		}
		if _, dup := r.byID[id]; dup {
			panic(fmt.Sprintf("templates: duplicate template id %q", id))
		}
		r.byID[id] = t
		r.order = append(r.order, t)
	}
	return r
}

// Builtin returns a registry of the built-in templates, in palette order.
func Builtin() *Registry { return NewRegistry(BuiltinTemplates()...) }

// BuiltinTemplates returns the initial template set in palette order, for building a
// registry with additions.
func BuiltinTemplates() []Template {
	return []Template{
		Manual{},
		Webhook{},
		CronTimer{},
		Script{},
		HTTPRequest{},
		DatabaseHandler{},
		ExclusiveGateway{},
		ParallelGateway{},
		InclusiveGateway{},
		Approval{},
		Delay{},
		Subprocess{},
		ExternalTask{},
		Milestone{},
		End{},
	}
}

// Get returns the template with the given id.
func (r *Registry) Get(id string) (Template, bool) {
	t, ok := r.byID[id]
	return t, ok
}

// Specs returns the schemas of all templates, in registration order. The
// result is freshly built and may be modified by the caller.
func (r *Registry) Specs() []Spec {
	specs := make([]Spec, len(r.order))
	for i, t := range r.order {
		specs[i] = t.Spec()
	}
	return specs
}

// IDs returns the template ids, in registration order.
func (r *Registry) IDs() []string {
	ids := make([]string, len(r.order))
	for i, t := range r.order {
		ids[i] = t.Spec().ID
	}
	return ids
}

// Len returns the number of templates.
func (r *Registry) Len() int { return len(r.order) }
