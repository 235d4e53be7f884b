package engine

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"

	"flowcraft/engine/templates"
)

// Redacted stands for a secret value that the viewer may not read.
const Redacted = "••••••"

// MayReadSecrets reports whether u may read a definition's secrets: the roles that
// may read definitions (designers and admins). Until credentials are stored apart
// from definitions, everyone else sees them redacted wherever an instance shows them.
func MayReadSecrets(u *User) bool { return u.HasRole(RoleDesigner) }

// Redactor knows which template parameters hold secrets (templates.Param.Secret).
type Redactor struct {
	secret map[string]map[string]bool // template id → secret parameter keys
}

// NewRedactor returns a redactor for the templates of specs.
func NewRedactor(specs []templates.Spec) *Redactor {
	r := &Redactor{secret: map[string]map[string]bool{}}
	for _, s := range specs {
		for _, p := range s.Parameters {
			if p.Secret {
				if r.secret[s.ID] == nil {
					r.secret[s.ID] = map[string]bool{}
				}
				r.secret[s.ID][p.Key] = true
			}
		}
	}
	return r
}

// Redaction hides the secrets of one definition from one viewer: in the definition
// itself and wherever they appear verbatim in its instances (trigger data, runtime
// input, output, errors and logs, variables). A nil *Redaction changes nothing.
type Redaction struct {
	secret map[string]map[string]bool
	values []string // secret strings to scrub from instance data, longest first
}

// For returns what viewer u may see of definition p and its instances: nil (nothing
// hidden) when u may read secrets. p may be nil (the definition is gone): then no
// secret is known and instance data is shown as it is.
func (r *Redactor) For(u *User, p *Process) *Redaction {
	if MayReadSecrets(u) {
		return nil
	}
	x := &Redaction{secret: r.secret}
	if p == nil {
		return x
	}
	seen := map[string]bool{}
	add := func(v string) {
		v = strings.TrimSpace(v)
		if len(v) >= minScrubLen && !seen[v] {
			seen[v] = true
			x.values = append(x.values, v)
		}
	}
	add(p.TriggerToken)
	for _, t := range p.Tasks {
		for key, param := range t.Parameters {
			if param == nil || !r.secret[t.Template][key] {
				continue
			}
			for _, v := range []any{param.Value, param.Default} {
				switch v := v.(type) {
				case string:
					secretParts(v, add)
				case map[string]any:
					for name, hv := range v {
						if s, ok := hv.(string); ok && !publicHeaders[strings.ToLower(name)] {
							secretParts(s, add)
						}
					}
				}
			}
		}
	}
	slices.SortFunc(x.values, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return x
}

// minScrubLen is the shortest secret scrubbed from instance data: shorter strings
// would mangle unrelated text (they are still hidden in the definition).
const minScrubLen = 6

// publicHeaders are request headers whose values are not credentials: they are hidden
// in the definition like every header value, but not scrubbed from instance data.
var publicHeaders = map[string]bool{
	"accept": true, "accept-encoding": true, "accept-language": true, "content-type": true,
	"content-language": true, "cache-control": true, "user-agent": true, "pragma": true,
}

// secretParts passes on the parts of a secret value that could appear verbatim
// elsewhere: the literal text outside {{ }} expressions, and the credentials after
// an authorization scheme ("Bearer abc" → "abc" too).
func secretParts(v string, add func(string)) {
	for _, part := range literalParts(v) {
		add(part)
		if scheme, cred, ok := strings.Cut(strings.TrimSpace(part), " "); ok && len(scheme) <= 10 {
			add(cred)
		}
	}
}

// literalParts splits s around its {{ }} expressions.
func literalParts(s string) []string {
	var out []string
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			return append(out, s)
		}
		out = append(out, s[:i])
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			return out
		}
		s = s[i+j+2:]
	}
}

// Process returns p with its secrets replaced by Redacted: the webhook token and the
// values of secret parameters (keys of keyvalue parameters stay). p is not modified.
func (x *Redaction) Process(p *Process) *Process {
	if x == nil || p == nil {
		return p
	}
	cp := *p
	if cp.TriggerToken != "" {
		cp.TriggerToken = Redacted
	}
	cp.Tasks = make([]*Task, len(p.Tasks))
	for i, t := range p.Tasks {
		cp.Tasks[i] = x.Task(t)
	}
	return &cp
}

// Task returns t with the values of its secret parameters replaced by Redacted (and
// known secrets scrubbed from the others). t is not modified.
func (x *Redaction) Task(t *Task) *Task {
	if x == nil || t == nil {
		return t
	}
	tc := *t
	tc.Parameters = make(map[string]*Parameter, len(t.Parameters))
	for key, param := range t.Parameters {
		if param == nil {
			tc.Parameters[key] = nil
			continue
		}
		pc := *param
		if x.secret[t.Template][key] {
			pc.Value, pc.Default = hide(pc.Value), hide(pc.Default)
		} else {
			pc.Value = x.Value(pc.Value)
		}
		tc.Parameters[key] = &pc
	}
	return &tc
}

// hide replaces a secret parameter value: a string by Redacted, each value of an object.
func hide(v any) any {
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		if v == "" {
			return v
		}
		return Redacted
	case map[string]any:
		out := make(map[string]any, len(v))
		for k := range v {
			out[k] = Redacted
		}
		return out
	}
	return Redacted
}

// View returns v with the secrets scrubbed from its instance, its tasks' parameters
// (as Process hides them) and its runtimes.
func (x *Redaction) View(v *InstanceView) *InstanceView {
	if x == nil || v == nil {
		return v
	}
	cp := *v
	cp.Instance, cp.Tasks = x.Instance(v.Instance), make([]*TaskView, len(v.Tasks))
	for i, t := range v.Tasks {
		tc := *t
		tc.Task = x.Task(t.Task)
		tc.Runtimes = make([]*NodeRun, len(t.Runtimes))
		for j, n := range t.Runtimes {
			tc.Runtimes[j] = x.Node(n)
		}
		cp.Tasks[i] = &tc
	}
	return &cp
}

// Instance returns in with the secrets scrubbed from its trigger data, output and error.
func (x *Redaction) Instance(in *Instance) *Instance {
	if x.noop() || in == nil {
		return in
	}
	cp := *in
	cp.Trigger, cp.Output, cp.Error = x.Value(in.Trigger), x.Value(in.Output), x.String(in.Error)
	return &cp
}

// Node returns n with the secrets scrubbed from its input (the resolved parameters,
// whose secret parameters the engine hides already), incoming data, output, error,
// logs and human tasks.
func (x *Redaction) Node(n *NodeRun) *NodeRun {
	if x.noop() || n == nil {
		return n
	}
	cp := *n
	cp.Incoming, cp.Output, cp.Error = x.Value(n.Incoming), x.Value(n.Output), x.String(n.Error)
	if n.Input != nil {
		cp.Input, _ = x.Value(n.Input).(map[string]any)
	}
	if n.Logs != nil {
		cp.Logs = slices.Clone(n.Logs)
		for i := range cp.Logs {
			cp.Logs[i].Message = x.String(cp.Logs[i].Message)
		}
	}
	if n.HumanTasks != nil {
		cp.HumanTasks = make([]*HumanTask, len(n.HumanTasks))
		for i, t := range n.HumanTasks {
			cp.HumanTasks[i] = x.HumanTask(t)
		}
	}
	return &cp
}

// HumanTask returns t with the secrets scrubbed from its content, comment and form data.
func (x *Redaction) HumanTask(t *HumanTask) *HumanTask {
	if x.noop() || t == nil {
		return t
	}
	cp := *t
	cp.Content, cp.Comment = x.String(t.Content), x.String(t.Comment)
	if t.FormData != nil {
		cp.FormData, _ = x.Value(map[string]any(t.FormData)).(map[string]any)
	}
	return &cp
}

// Variables returns vars with the secrets scrubbed.
func (x *Redaction) Variables(vars map[string]any) map[string]any {
	if x.noop() || vars == nil {
		return vars
	}
	out, _ := x.Value(vars).(map[string]any)
	return out
}

// String returns s with every known secret replaced by Redacted.
func (x *Redaction) String(s string) string {
	if x.noop() {
		return s
	}
	for _, v := range x.values {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, Redacted)
		}
	}
	return s
}

// Value returns a copy of a JSON-like value with the secrets scrubbed from its strings
// (object keys included). Values of other Go types are scrubbed through their JSON form.
func (x *Redaction) Value(v any) any {
	if x.noop() {
		return v
	}
	switch v := v.(type) {
	case nil, bool, float64, int, int64, json.Number:
		return v
	case string:
		return x.String(v)
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[x.String(k)] = x.Value(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = x.Value(e)
		}
		return out
	case map[string]string:
		out := make(map[string]string, len(v))
		for k, e := range v {
			out[x.String(k)] = x.String(e)
		}
		return out
	}
	b, err := json.Marshal(v)
	if err != nil || !x.containsSecret(string(b)) {
		return v
	}
	var generic any
	if json.Unmarshal(b, &generic) != nil {
		return Redacted
	}
	return x.Value(generic)
}

func (x *Redaction) containsSecret(s string) bool {
	for _, v := range x.values {
		if strings.Contains(s, v) {
			return true
		}
	}
	return false
}

// noop reports whether there is nothing to scrub from instance data.
func (x *Redaction) noop() bool { return x == nil || len(x.values) == 0 }
