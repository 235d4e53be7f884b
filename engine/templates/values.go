package templates

import (
	"flowcraft/scripting"
	"fmt"
	"maps"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// IsDynamic reports whether v is a dynamic value: a string containing "{{",
// resolved only at run time and therefore skipped by static type checks.
func IsDynamic(v any) bool {
	s, ok := v.(string)
	return ok && strings.Contains(s, "{{")
}

// IsUnset reports whether v counts as "not set": nil or a string that is
// empty after trimming white space (what an empty form input produces).
func IsUnset(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	}
	return false
}

// WithDefaults returns a new map holding values, with the default of every
// parameter of spec whose value is unset (see IsUnset) filled in. values is
// not modified.
func WithDefaults(spec Spec, values map[string]any) map[string]any {
	out := make(map[string]any, len(values)+len(spec.Parameters))
	for k, v := range values {
		out[k] = v
	}
	for _, p := range spec.Parameters {
		if p.Default != nil && IsUnset(out[p.Key]) {
			out[p.Key] = p.Default
		}
	}
	return out
}

// CheckRequired returns a problem for every required parameter of spec whose
// value is unset (see IsUnset). It complements Template.Check, which does
// not check required-ness.
func CheckRequired(spec Spec, values map[string]any) []Problem {
	var probs []Problem
	for _, p := range spec.Parameters {
		if p.Required && IsUnset(values[p.Key]) {
			probs = append(probs, Problem{Field: p.Key, Code: "required", Params: map[string]any{"field": p.Key}, Message: "is required"})
		}
	}
	return probs
}

// checkParams checks every value of values against the type (and options,
// range) of its parameter in spec. Unset and dynamic values are skipped;
// keys not in spec are ignored.
func checkParams(spec Spec, values map[string]any) []Problem {
	var probs []Problem
	for _, p := range spec.Parameters {
		for _, pr := range checkParam(p, values[p.Key]) {
			pr.Field = p.Key
			probs = append(probs, pr)
		}
	}
	return probs
}

// checkParam returns the problems of one value of parameter p (without Field).
func checkParam(p Param, v any) []Problem {
	if IsUnset(v) || IsDynamic(v) {
		return nil
	}
	wrongType := func(want string) []Problem {
		return []Problem{{Code: "wrong_type", Params: map[string]any{"want": want}, Message: "must be " + want + ", got " + jsonType(v)}}
	}
	switch p.Type {
	case TypeString, TypeText, TypeCode, TypeExpression:
		if _, ok := v.(string); !ok {
			return wrongType("string")
		}
	case TypeNumber:
		f, ok := scripting.ToFloat(v)
		if !ok {
			return wrongType("number")
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return []Problem{{Code: "invalid_value", Message: "must be a finite number"}}
		}
		var probs []Problem
		if p.Min != nil && f < *p.Min {
			probs = append(probs, Problem{Code: "too_small", Params: map[string]any{"min": *p.Min}, Message: "must be at least " + formatNumber(*p.Min)})
		}
		if p.Max != nil && f > *p.Max {
			probs = append(probs, Problem{Code: "too_large", Params: map[string]any{"max": *p.Max}, Message: "must be at most " + formatNumber(*p.Max)})
		}
		return probs
	case TypeBoolean:
		if _, ok := v.(bool); !ok {
			return wrongType("boolean")
		}
	case TypeSelect:
		s, ok := v.(string)
		if !ok {
			return wrongType("string")
		}
		for _, o := range p.Options {
			if o.Value == s {
				return nil
			}
		}
		allowed := make([]string, len(p.Options))
		for i, o := range p.Options {
			allowed[i] = o.Value
		}
		return []Problem{{Code: "one_of", Params: map[string]any{"allowed": strings.Join(allowed, ", ")},
			Message: fmt.Sprintf("must be one of %s, got %q", optionList(p.Options), s)}}
	case TypeUsers, TypeGroups, TypeArray:
		return invalidValues(checkStringList(v))
	case TypeKeyValue:
		return invalidValues(checkKeyValue(v))
	case TypeForm:
		return invalidValues(checkForm(v))
	case TypeDuration:
		if _, err := ParseDuration(v); err != nil {
			return []Problem{{Code: "invalid_value", Message: err.Error()}}
		}
	case TypeCron:
		s, ok := v.(string)
		if !ok {
			return wrongType("string")
		}
		if _, err := ParseCron(s); err != nil {
			return []Problem{{Code: "bad_cron", Params: map[string]any{"error": err.Error()}, Message: err.Error()}}
		}
	case TypeJSON:
		// Anything decoded from JSON is acceptable.
	}
	return nil
}

// invalidValues turns detailed messages into problems of code invalid_value
// (the English message says what is wrong).
func invalidValues(msgs []string) []Problem {
	probs := make([]Problem, len(msgs))
	for i, m := range msgs {
		probs[i] = Problem{Code: "invalid_value", Message: m}
	}
	return probs
}

// stringList returns v as a list of strings when it is a []string or a []any
// holding only strings.
func stringList(v any) ([]string, bool) {
	switch x := v.(type) {
	case []string:
		return x, true
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out[i] = s
		}
		return out, true
	}
	return nil, false
}

// checkStringList checks that v is a list of non-empty strings.
func checkStringList(v any) []string {
	var items []any
	switch x := v.(type) {
	case []string:
		items = make([]any, len(x))
		for i, s := range x {
			items[i] = s
		}
	case []any:
		items = x
	default:
		return []string{"must be a list of strings or a {{ }} expression, got " + jsonType(v)}
	}
	var msgs []string
	for i, e := range items {
		s, ok := e.(string)
		switch {
		case !ok:
			msgs = append(msgs, fmt.Sprintf("item %d must be a string, got %s", i+1, jsonType(e)))
		case strings.TrimSpace(s) == "":
			msgs = append(msgs, fmt.Sprintf("item %d is empty", i+1))
		}
	}
	return msgs
}

// checkKeyValue checks that v is an object of string values with non-empty keys.
func checkKeyValue(v any) []string {
	switch x := v.(type) {
	case map[string]string:
		for k := range x {
			if strings.TrimSpace(k) == "" {
				return []string{"keys must not be empty"}
			}
		}
		return nil
	case map[string]any:
		var msgs []string
		for _, k := range slices.Sorted(maps.Keys(x)) {
			if strings.TrimSpace(k) == "" {
				msgs = append(msgs, "keys must not be empty")
				continue
			}
			if _, ok := x[k].(string); !ok {
				msgs = append(msgs, fmt.Sprintf("value of %q must be a string, got %s", k, jsonType(x[k])))
			}
		}
		return msgs
	}
	return []string{"must be an object of strings, got " + jsonType(v)}
}

// formFieldTypes returns the field types an approval form may use.
func formFieldTypes() []string {
	return []string{"text", "textarea", "number", "boolean", "date", "select"}
}

// checkForm checks a list of form field definitions
// {key, label, type, required, options}.
func checkForm(v any) []string {
	items, ok := v.([]any)
	if !ok {
		return []string{"must be a list of form fields, got " + jsonType(v)}
	}
	var msgs []string
	seen := make(map[string]bool, len(items))
	for i, item := range items {
		name := fmt.Sprintf("field %d", i+1)
		f, ok := item.(map[string]any)
		if !ok {
			msgs = append(msgs, fmt.Sprintf("%s must be an object, got %s", name, jsonType(item)))
			continue
		}
		key, ok := f["key"].(string)
		switch {
		case f["key"] == nil || (ok && strings.TrimSpace(key) == ""):
			msgs = append(msgs, name+": key is required")
		case !ok:
			msgs = append(msgs, fmt.Sprintf("%s: key must be a string, got %s", name, jsonType(f["key"])))
		default:
			name = fmt.Sprintf("field %d (%q)", i+1, key)
			if seen[key] {
				msgs = append(msgs, name+": duplicate key")
			}
			seen[key] = true
		}
		switch l := f["label"].(type) {
		case nil, string:
		case map[string]any:
			for _, lang := range []string{"zh", "en"} {
				if t, ok := l[lang]; ok {
					if _, ok := t.(string); !ok {
						msgs = append(msgs, fmt.Sprintf("%s: label.%s must be a string", name, lang))
					}
				}
			}
		default:
			msgs = append(msgs, fmt.Sprintf("%s: label must be a string or {zh, en}, got %s", name, jsonType(l)))
		}
		typ, ok := f["type"].(string)
		switch {
		case f["type"] == nil:
			msgs = append(msgs, fmt.Sprintf("%s: type is required (one of %s)", name, quoteList(formFieldTypes())))
		case !ok || !slices.Contains(formFieldTypes(), typ):
			msgs = append(msgs, fmt.Sprintf("%s: unknown type %s (want one of %s)", name, describe(f["type"]), quoteList(formFieldTypes())))
		}
		if r, ok := f["required"]; ok && r != nil {
			if _, ok := r.(bool); !ok {
				msgs = append(msgs, fmt.Sprintf("%s: required must be true or false, got %s", name, jsonType(r)))
			}
		}
		if typ == "select" {
			msgs = append(msgs, checkFormOptions(name, f["options"])...)
		}
	}
	return msgs
}

// checkFormOptions checks the options of a select form field: a non-empty
// list of strings or {value, label} objects with unique non-empty values.
func checkFormOptions(name string, v any) []string {
	opts, ok := v.([]any)
	if !ok && v != nil {
		if ss, isStrings := v.([]string); isStrings {
			opts = make([]any, len(ss))
			for i, s := range ss {
				opts[i] = s
			}
			ok = true
		}
	}
	if !ok || len(opts) == 0 {
		return []string{name + ": a select field needs a non-empty list of options"}
	}
	var msgs []string
	seen := make(map[string]bool, len(opts))
	for j, o := range opts {
		var val string
		switch x := o.(type) {
		case string:
			val = x
		case map[string]any:
			s, ok := x["value"].(string)
			if !ok {
				msgs = append(msgs, fmt.Sprintf("%s: option %d needs a string value", name, j+1))
				continue
			}
			val = s
		default:
			msgs = append(msgs, fmt.Sprintf("%s: option %d must be a string or {value, label}, got %s", name, j+1, jsonType(o)))
			continue
		}
		switch {
		case strings.TrimSpace(val) == "":
			msgs = append(msgs, fmt.Sprintf("%s: option %d has an empty value", name, j+1))
		case seen[val]:
			msgs = append(msgs, fmt.Sprintf("%s: duplicate option %q", name, val))
		}
		seen[val] = true
	}
	return msgs
}

// checkHTTPURL checks that s is an absolute http or https URL with a host.
func checkHTTPURL(s string) error {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("is not a valid URL: %v", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("must be an absolute http(s) URL, got %q", s)
	}
	if u.Host == "" {
		return fmt.Errorf("has no host: %q", s)
	}
	return nil
}

// jsonType names the JSON type of a decoded value, for messages.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case []any, []string:
		return "array"
	case map[string]any, map[string]string:
		return "object"
	}
	if _, ok := scripting.ToFloat(v); ok {
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

// describe renders a value briefly for a message: strings quoted, others by type.
func describe(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return jsonType(v)
}

func formatNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func optionList(opts []Option) string {
	vals := make([]string, len(opts))
	for i, o := range opts {
		vals[i] = o.Value
	}
	return quoteList(vals)
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

// bound returns a pointer to f, for Param.Min and Param.Max.
func bound(f float64) *float64 { return &f }
