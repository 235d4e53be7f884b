package camunda

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"time"

	"flowcraft/engine"
)

// DateLayout is Camunda's default date format, "yyyy-MM-dd'T'HH:mm:ss.SSSZ"
// (REST reference, "Date Format"): 2026-01-01T10:00:00.000+0000.
const DateLayout = "2006-01-02T15:04:05.000-0700"

// typedValue is Camunda's VariableValueDto as a client sends it.
type typedValue struct {
	Type      string                     `json:"type"`
	Value     json.RawMessage            `json:"value"`
	ValueInfo map[string]json.RawMessage `json:"valueInfo"`
}

// variableOut is a VariableValueDto as Camunda answers it.
type variableOut struct {
	Type      string         `json:"type"`
	Value     any            `json:"value"`
	ValueInfo map[string]any `json:"valueInfo"`
}

// Camunda's value type names for the engine's (ValueType.getName, capitalised as the
// REST API writes them).
var typeNames = map[string]string{
	engine.VarString:  "String",
	engine.VarShort:   "Short",
	engine.VarInteger: "Integer",
	engine.VarLong:    "Long",
	engine.VarDouble:  "Double",
	engine.VarBoolean: "Boolean",
	engine.VarDate:    "Date",
	engine.VarJSON:    "Json",
	engine.VarBinary:  "Bytes",
	engine.VarNull:    "Null",
}

// toVariables converts a Camunda variables object into engine variables, in name
// order. A variable with valueInfo.transient true is left out (Camunda does not keep
// transient variables). what names the call for messages ("complete", "bpmnError").
func toVariables(in map[string]*typedValue) ([]*engine.Variable, error) {
	if len(in) == 0 {
		return nil, nil
	}
	names := make([]string, 0, len(in))
	for n := range in {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]*engine.Variable, 0, len(in))
	for _, name := range names {
		tv := in[name]
		if tv == nil {
			tv = &typedValue{}
		}
		if t, ok := tv.ValueInfo["transient"]; ok && bytes.Equal(bytes.TrimSpace(t), []byte("true")) {
			continue
		}
		v, err := toVariable(name, tv)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// toVariable converts one typed value as VariableValueDto.toTypedValue does: the type
// is case-insensitive; without one it is inferred from the JSON value; Json and
// Object (serializationDataFormat application/json) take the serialized JSON text;
// Bytes and File take base64; Date Camunda's date format (ISO-8601 with an offset is
// accepted too).
func toVariable(name string, tv *typedValue) (*engine.Variable, error) {
	var value any
	raw := bytes.TrimSpace(tv.Value)
	if len(raw) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&value); err != nil {
			return nil, invalid("Cannot read the value of variable '%s': %v", name, err)
		}
	}
	typ := strings.ToLower(strings.TrimSpace(tv.Type))
	v := engine.Variable{Name: name, Value: value}
	switch typ {
	case "":
		// untyped: the JSON value's own type (Jackson's)
	case "string", "short", "integer", "long", "double", "boolean", "date":
		v.Type = typ
	case "null":
		v.Type, v.Value = engine.VarNull, nil
	case "json", "object":
		if typ == "object" {
			if f := infoString(tv.ValueInfo, "serializationDataFormat"); f != "" && f != "application/json" {
				return nil, invalid("Cannot deserialize object in variable '%s': serialization data format '%s' is not supported; use application/json", name, f)
			}
		}
		v.Type = engine.VarJSON
		if s, ok := value.(string); ok {
			var parsed any
			dec := json.NewDecoder(strings.NewReader(s))
			dec.UseNumber()
			if err := dec.Decode(&parsed); err != nil || dec.More() {
				return nil, invalid("Cannot convert value '%s' of variable '%s' to type %s: it is not JSON", clip(s), name, tv.Type)
			}
			v.Value = parsed
		}
	case "bytes", "file":
		v.Type = engine.VarBinary
		data := []byte{}
		if value != nil {
			s, ok := value.(string)
			if !ok {
				return nil, invalid("Cannot convert value of variable '%s' to type %s: it must be base64 text", name, tv.Type)
			}
			d, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return nil, invalid("Cannot convert value of variable '%s' to type %s: it is not base64", name, tv.Type)
			}
			data = d
		}
		v.Value, v.Data = nil, data
		v.ContentType = infoString(tv.ValueInfo, "mimeType")
		if v.ContentType == "" {
			v.ContentType = infoString(tv.ValueInfo, "mimetype")
		}
	default:
		return nil, invalid("Unsupported value type '%s'", tv.Type)
	}
	out, err := engine.NewVariable(v, 0)
	if err != nil {
		var ve *engine.ValidationError
		if errors.As(err, &ve) {
			return nil, invalid("Cannot convert value '%s' of variable '%s' to type %s", clip(string(raw)), name, tv.Type)
		}
		return nil, err
	}
	return out, nil
}

func infoString(info map[string]json.RawMessage, key string) string {
	var s string
	if raw, ok := info[key]; ok {
		_ = json.Unmarshal(raw, &s)
	}
	return s
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// fromVariables is the variables object Camunda answers: {name: {type, value,
// valueInfo}}; Json's value is its serialized text (as Camunda's Spin JSON values),
// a date Camunda's date format in loc, Bytes base64.
func fromVariables(vars []*engine.Variable, loc *time.Location) map[string]variableOut {
	out := make(map[string]variableOut, len(vars))
	for _, v := range vars {
		out[v.Name] = fromVariable(v, loc)
	}
	return out
}

func fromVariable(v *engine.Variable, loc *time.Location) variableOut {
	typ, ok := typeNames[v.Type]
	if !ok {
		typ = "Json"
	}
	o := variableOut{Type: typ, Value: v.Value, ValueInfo: map[string]any{}}
	switch v.Type {
	case engine.VarDate:
		if t, ok := v.Value.(time.Time); ok {
			o.Value = t.In(loc).Format(DateLayout)
		}
	case engine.VarBinary:
		o.Value = nil
		if v.Data != nil {
			o.Value = base64.StdEncoding.EncodeToString(v.Data)
		}
	case engine.VarString, engine.VarShort, engine.VarInteger, engine.VarLong, engine.VarDouble, engine.VarBoolean, engine.VarNull:
	default: // json and anything else: serialized JSON text
		if v.Value != nil {
			b, err := json.Marshal(v.Value)
			if err == nil {
				o.Value = string(b)
			}
		}
	}
	return o
}

// formatDate writes t in Camunda's date format, nil for the zero time.
func formatDate(t time.Time, loc *time.Location) any {
	if t.IsZero() {
		return nil
	}
	return t.In(loc).Format(DateLayout)
}

// parseDate reads a date parameter: Camunda's format, or ISO-8601 with an offset.
func parseDate(s string) (time.Time, error) {
	if t, err := time.Parse(DateLayout, s); err == nil {
		return t, nil
	}
	return engine.ParseDate(s)
}
