package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Process variable types, Flowable's names (seed 003). A variable keeps its type;
// VarNull is the type of a null value written without one.
const (
	VarString  = "string"
	VarShort   = "short"
	VarInteger = "integer"
	VarLong    = "long"
	VarDouble  = "double"
	VarBoolean = "boolean"
	VarDate    = "date"
	VarJSON    = "json"
	VarBinary  = "binary"
	VarNull    = "null"
)

// VarTypes are the types a client may declare.
var VarTypes = []string{VarString, VarShort, VarInteger, VarLong, VarDouble, VarBoolean, VarDate, VarJSON, VarBinary}

// DefaultMaxBinaryVariable bounds a binary variable's content unless
// RuntimeOptions.MaxBinaryVariable says otherwise: 10 MB.
const DefaultMaxBinaryVariable = 10 << 20

// DateLayout is how a date variable reads as text (what scripts see, what the store
// keeps): RFC 3339 in UTC with milliseconds, so that texts sort as times.
const DateLayout = "2006-01-02T15:04:05.000Z"

// Variable is a typed process variable. Value holds, by Type: string (string);
// int64 (short, integer, long); float64 (double); bool (boolean); time.Time in UTC
// (date); any JSON value as encoding/json decodes it (json); nil (binary, null). Any
// type may hold nil (a typed null). A binary variable's content is Data, of
// ContentType and Size bytes; lists leave Data nil (Runtime.VariableData reads it).
type Variable struct {
	Name        string
	Type        string
	Value       any
	ContentType string // binary only
	Size        int64  // binary only: the content's length
	Data        []byte // binary only: the content (writes, VariableData)
}

// ScriptValue is the variable as scripts see it, plain JSON data: numbers are
// float64, a date its DateLayout text, a binary variable the descriptor
// {"type": "binary", "contentType": ..., "size": ...} (the content stays out).
func (v *Variable) ScriptValue() any {
	switch x := v.Value.(type) {
	case int64:
		return float64(x)
	case time.Time:
		return x.UTC().Format(DateLayout)
	}
	if v.Type == VarBinary {
		return map[string]any{"type": VarBinary, "contentType": v.ContentType, "size": float64(v.Size)}
	}
	return v.Value
}

// StoredJSON is the JSON text a store keeps as the variable's value: ScriptValue,
// except that integers keep every digit.
func (v *Variable) StoredJSON() ([]byte, error) {
	if x, ok := v.Value.(int64); ok {
		return strconv.AppendInt(nil, x, 10), nil
	}
	return json.Marshal(v.ScriptValue())
}

// DecodeVariable rebuilds a stored variable from its type and StoredJSON text (a
// store's read path). Unknown types read as json.
func DecodeVariable(name, typ string, stored []byte, contentType string, size int64) (*Variable, error) {
	v := &Variable{Name: name, Type: typ}
	if typ == VarBinary {
		v.ContentType, v.Size = contentType, size
		return v, nil
	}
	if bytes.Equal(stored, []byte("null")) || len(stored) == 0 {
		return v, nil
	}
	var err error
	switch typ {
	case VarShort, VarInteger, VarLong:
		var n int64
		if n, err = strconv.ParseInt(string(stored), 10, 64); err != nil {
			var f float64 // a value written as a float (an older row)
			if err = json.Unmarshal(stored, &f); err == nil {
				n = int64(f)
			}
		}
		v.Value = n
	case VarDate:
		var s string
		if err = json.Unmarshal(stored, &s); err == nil {
			v.Value, err = ParseDate(s)
		}
	default:
		err = json.Unmarshal(stored, &v.Value)
	}
	if err != nil {
		return nil, fmt.Errorf("variable %s (%s): %w", name, typ, err)
	}
	return v, nil
}

// InferVarType is the type of a value written without one (seed 003): text is a
// string, true/false a boolean, a whole number an integer (a long beyond 32 bits),
// another number a double, an object or array json, null null; time.Time is a date
// and []byte binary.
func InferVarType(value any) string {
	switch x := value.(type) {
	case nil:
		return VarNull
	case string:
		return VarString
	case bool:
		return VarBoolean
	case time.Time:
		return VarDate
	case []byte:
		return VarBinary
	case int, int32, int16, int8, int64:
		n := toInt64(x)
		if n >= math.MinInt32 && n <= math.MaxInt32 {
			return VarInteger
		}
		return VarLong
	case json.Number:
		if n, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			if n >= math.MinInt32 && n <= math.MaxInt32 {
				return VarInteger
			}
			return VarLong
		}
		return VarDouble
	case float32, float64:
		f, _ := numberOf(x)
		if n, whole := wholeNumber(x, f); whole {
			if n >= math.MinInt32 && n <= math.MaxInt32 {
				return VarInteger
			}
			return VarLong
		}
		return VarDouble
	}
	return VarJSON
}

// NewVariable checks a variable a client writes and returns it in its canonical
// form (see Variable). An empty Type is inferred from the value (InferVarType). A
// declared numeric type takes a JSON number or text that reads as one; a date takes
// ISO-8601 text (with or without seconds, Z or an offset; a day alone is UTC
// midnight) or a time.Time; boolean takes only true or false, string only text; json
// any value; binary the content in Data (at most maxBinary bytes; ContentType
// defaults to application/octet-stream). A value that does not fit is ErrInvalid with
// the code bad_variable_value (field "value"), an unknown type one_of (field "type"),
// content over the bound variable_too_large.
func NewVariable(v Variable, maxBinary int64) (*Variable, error) {
	if strings.TrimSpace(v.Name) == "" {
		return nil, InvalidField("name", CodeRequired, Params{"field": "name"}, "a variable needs a name")
	}
	if v.Type == "" {
		if v.Data != nil {
			v.Type = VarBinary
		} else {
			v.Type = InferVarType(v.Value)
		}
	}
	if v.Type == VarBinary {
		if b, ok := v.Value.([]byte); ok && v.Data == nil {
			v.Data = b
		}
		if maxBinary <= 0 {
			maxBinary = DefaultMaxBinaryVariable
		}
		if int64(len(v.Data)) > maxBinary {
			return nil, InvalidField("value", CodeVariableTooLarge, Params{"name": v.Name, "max": maxBinary},
				"variable %s: the content has %d bytes, more than the %d allowed", v.Name, len(v.Data), maxBinary)
		}
		if v.ContentType == "" {
			v.ContentType = "application/octet-stream"
		}
		if v.Data == nil {
			v.Data = []byte{}
		}
		v.Value, v.Size = nil, int64(len(v.Data))
		return &v, nil
	}
	if !knownType(v.Type) && v.Type != VarNull {
		return nil, InvalidField("type", CodeOneOf, Params{"allowed": strings.Join(VarTypes, ", ")},
			"variable %s: unknown type %q; use one of %s", v.Name, v.Type, strings.Join(VarTypes, ", "))
	}
	val, ok := coerce(v.Type, v.Value, true)
	if !ok {
		return nil, InvalidField("value", CodeBadVariableValue, Params{"name": v.Name, "type": v.Type},
			"variable %s: the value %s is not a %s", v.Name, shortJSON(v.Value), v.Type)
	}
	out := Variable{Name: v.Name, Type: v.Type, Value: val}
	return &out, nil
}

func knownType(t string) bool {
	for _, k := range VarTypes {
		if k == t {
			return true
		}
	}
	return false
}

// refit is the variable a script's new value makes of an existing one: the declared
// type stays when the value still fits it (a whole number for an integer, ISO text
// for a date, anything for json, null for any type); otherwise the type is inferred
// again.
func refit(name string, old *Variable, value any) *Variable {
	if old != nil && old.Type != VarBinary && old.Type != VarNull {
		if val, ok := coerce(old.Type, value, false); ok {
			return &Variable{Name: name, Type: old.Type, Value: val}
		}
	}
	typ := InferVarType(value)
	val, _ := coerce(typ, value, false)
	return &Variable{Name: name, Type: typ, Value: val}
}

// coerce converts value to the canonical Go value of typ; ok is false when it does
// not fit. fromText lets numbers come as text (a client's JSON, as Flowable does);
// scripts' values must be numbers already.
func coerce(typ string, value any, fromText bool) (any, bool) {
	if value == nil {
		return nil, true
	}
	switch typ {
	case VarNull:
		return nil, false
	case VarString:
		s, ok := value.(string)
		return s, ok
	case VarBoolean:
		b, ok := value.(bool)
		return b, ok
	case VarShort, VarInteger, VarLong:
		var n int64
		switch x := value.(type) {
		case int, int8, int16, int32, int64:
			n = toInt64(x)
		case float32, float64, json.Number:
			f, ok := numberOf(x)
			if !ok {
				return nil, false
			}
			whole := false
			if n, whole = wholeNumber(x, f); !whole {
				return nil, false
			}
		case string:
			if !fromText {
				return nil, false
			}
			var err error
			if n, err = strconv.ParseInt(strings.TrimSpace(x), 10, 64); err != nil {
				return nil, false
			}
		default:
			return nil, false
		}
		lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
		switch typ {
		case VarShort:
			lo, hi = math.MinInt16, math.MaxInt16
		case VarInteger:
			lo, hi = math.MinInt32, math.MaxInt32
		}
		if n < lo || n > hi {
			return nil, false
		}
		return n, true
	case VarDouble:
		switch x := value.(type) {
		case int, int8, int16, int32, int64:
			return float64(toInt64(x)), true
		case float32, float64, json.Number:
			f, ok := numberOf(x)
			return f, ok && !math.IsInf(f, 0) && !math.IsNaN(f)
		case string:
			if !fromText {
				return nil, false
			}
			f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
			return f, err == nil && !math.IsInf(f, 0) && !math.IsNaN(f)
		}
		return nil, false
	case VarDate:
		switch x := value.(type) {
		case time.Time:
			return x.UTC().Truncate(time.Millisecond), true
		case string:
			t, err := ParseDate(x)
			return t, err == nil
		}
		return nil, false
	case VarJSON:
		if n, ok := value.(json.Number); ok {
			f, err := n.Float64()
			return f, err == nil
		}
		return value, true
	}
	return nil, false
}

// dateLayouts are the ISO-8601 forms a date variable or condition accepts.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05.999999999Z0700", // Flowable's own output: +0000
	"2006-01-02T15:04Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02",
}

// ParseDate reads ISO-8601 text: a date and time with or without seconds (and
// fractions), with Z, an offset (+08:00 or +0800) or none (UTC), or a day alone (UTC
// midnight). The result is in UTC, to the millisecond.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC().Truncate(time.Millisecond), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not an ISO-8601 date", s)
}

func toInt64(x any) int64 {
	switch n := x.(type) {
	case int:
		return int64(n)
	case int8:
		return int64(n)
	case int16:
		return int64(n)
	case int32:
		return int64(n)
	case int64:
		return n
	}
	return 0
}

// numberOf reads a floating or json.Number value.
func numberOf(x any) (float64, bool) {
	switch n := x.(type) {
	case float32:
		return float64(n), true
	case float64:
		return n, true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

// wholeNumber says whether a number is whole and fits an int64 (a json.Number's
// digits are read exactly).
func wholeNumber(x any, f float64) (int64, bool) {
	if n, ok := x.(json.Number); ok {
		if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
			return i, true
		}
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f) || f < -9.223372036854775e18 || f > 9.223372036854775e18 {
		return 0, false
	}
	return int64(f), true
}

// shortJSON is a value for a message, cut at 40 characters.
func shortJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}

// Operators of variable conditions (seed 003's query bodies).
const (
	OpEquals              = "equals"
	OpNotEquals           = "notEquals"
	OpEqualsIgnoreCase    = "equalsIgnoreCase"
	OpNotEqualsIgnoreCase = "notEqualsIgnoreCase"
	OpLessThan            = "lessThan"
	OpGreaterThan         = "greaterThan"
	OpLessThanOrEquals    = "lessThanOrEquals"
	OpGreaterThanOrEquals = "greaterThanOrEquals"
	OpLike                = "like"
)

// VarOperations are the operators of variable conditions.
var VarOperations = []string{OpEquals, OpNotEquals, OpEqualsIgnoreCase, OpNotEqualsIgnoreCase, OpLessThan,
	OpGreaterThan, OpLessThanOrEquals, OpGreaterThanOrEquals, OpLike}

// VarCondition selects instances by a variable (seed 003's {name, value, operation,
// type}): those with a variable Name whose value compares to Value by Operation. An
// empty Name with equals matches any variable with that value. Type is the value's
// type, inferred when empty (text: string, true/false: boolean, a whole number:
// integer or long by size, another number: double). Numeric types compare with
// every numeric variable (short, integer, long and double alike); a date with date
// variables; a string with string variables; a boolean with boolean variables.
// Strings take every operator (like with % as the wildcard, case-sensitive; the
// IgnoreCase operators fold ASCII letters); numbers and dates the (not) equals and
// ordering ones; booleans equals and notEquals.
type VarCondition struct {
	Name      string `json:"name"`
	Operation string `json:"operation"`
	Value     any    `json:"value"`
	Type      string `json:"type,omitempty"`
}

// orderedOps are the operators of numbers and dates.
var orderedOps = []string{OpEquals, OpNotEquals, OpLessThan, OpGreaterThan, OpLessThanOrEquals, OpGreaterThanOrEquals}

// varOpsByType lists the operators each queryable type takes.
var varOpsByType = map[string][]string{
	VarString: VarOperations, VarBoolean: VarOperations[:2:2],
	VarShort: orderedOps, VarInteger: orderedOps, VarLong: orderedOps, VarDouble: orderedOps, VarDate: orderedOps,
}

// NumericVarTypes are the types a numeric condition compares with.
var NumericVarTypes = []string{VarShort, VarInteger, VarLong, VarDouble}

// CheckVarConditions validates conditions and returns them in canonical form: the
// type set and the value converted as NewVariable does (int64, float64, bool,
// time.Time, string). Problems are ErrInvalid naming the condition
// ("variables[0].operation").
func CheckVarConditions(conds []VarCondition) ([]VarCondition, error) {
	if len(conds) == 0 {
		return nil, nil
	}
	out := make([]VarCondition, len(conds))
	var problems []FieldError
	for i, c := range conds {
		field := fmt.Sprintf("variables[%d]", i)
		if c.Operation == "" {
			c.Operation = OpEquals
		}
		if !slicesContains(VarOperations, c.Operation) {
			problems = append(problems, Problem("", field+".operation", CodeOneOf, Params{"allowed": strings.Join(VarOperations, ", ")},
				"unknown operation %q; use one of %s", c.Operation, strings.Join(VarOperations, ", ")))
			continue
		}
		if c.Value == nil {
			problems = append(problems, Problem("", field+".value", CodeRequired, Params{"field": field + ".value"}, "a variable condition needs a value"))
			continue
		}
		if c.Type == "" {
			c.Type = InferVarType(c.Value)
			if c.Type == VarInteger {
				if n, ok := coerce(VarLong, c.Value, false); ok && (n.(int64) > math.MaxInt32 || n.(int64) < math.MinInt32) {
					c.Type = VarLong
				}
			}
		}
		ops, queryable := varOpsByType[c.Type]
		if !queryable {
			if !knownType(c.Type) {
				problems = append(problems, Problem("", field+".type", CodeOneOf, Params{"allowed": strings.Join(VarTypes, ", ")},
					"unknown type %q; use one of %s", c.Type, strings.Join(VarTypes, ", ")))
			} else {
				problems = append(problems, Problem("", field+".type", CodeOperationNotForType, Params{"operation": c.Operation, "type": c.Type},
					"variables of type %s cannot be queried", c.Type))
			}
			continue
		}
		if !slicesContains(ops, c.Operation) {
			problems = append(problems, Problem("", field+".operation", CodeOperationNotForType, Params{"operation": c.Operation, "type": c.Type},
				"%s does not apply to a %s", c.Operation, c.Type))
			continue
		}
		if c.Name == "" && c.Operation != OpEquals {
			problems = append(problems, Problem("", field+".name", CodeRequired, Params{"field": field + ".name"},
				"a variable condition needs a name unless its operation is equals"))
			continue
		}
		val, ok := coerce(c.Type, c.Value, true)
		if !ok {
			problems = append(problems, Problem("", field+".value", CodeBadVariableValue, Params{"name": c.Name, "type": c.Type},
				"the value %s is not a %s", shortJSON(c.Value), c.Type))
			continue
		}
		c.Value = val
		out[i] = c
	}
	if len(problems) > 0 {
		return nil, &ValidationError{Problems: problems}
	}
	return out, nil
}

func slicesContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
