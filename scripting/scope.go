package scripting

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/dop251/goja"
)

// toJS converts JSON-compatible Go data into plain JS values built in the
// runtime (never wrappers around Go values). Map keys are defined in sorted
// order so that key order is deterministic. Unsupported types go through
// encoding/json.
func (st *vmState) toJS(v any, depth int) (goja.Value, error) {
	if depth > maxDepth {
		return nil, &Error{Kind: KindLimit, Message: fmt.Sprintf("scope data nested deeper than %d", maxDepth)}
	}
	vm := st.vm
	switch x := v.(type) {
	case nil:
		return goja.Null(), nil
	case bool:
		return vm.ToValue(x), nil
	case string:
		return vm.ToValue(x), nil
	case float64:
		return vm.ToValue(x), nil
	case int:
		return vm.ToValue(x), nil
	case int64:
		return vm.ToValue(x), nil
	case float32:
		return vm.ToValue(float64(x)), nil
	case int8, int16, int32, uint8, uint16, uint32:
		return vm.ToValue(x), nil
	case uint, uint64:
		return vm.ToValue(x), nil
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return vm.ToValue(f), nil
		}
		return vm.ToValue(string(x)), nil
	case map[string]any:
		return st.toJSObject(x, depth)
	case []any:
		items := make([]any, len(x))
		for i, el := range x {
			jv, err := st.toJS(el, depth+1)
			if err != nil {
				return nil, err
			}
			items[i] = jv
		}
		return vm.NewArray(items...), nil
	case []string:
		items := make([]any, len(x))
		for i, el := range x {
			items[i] = vm.ToValue(el)
		}
		return vm.NewArray(items...), nil
	case []map[string]any:
		items := make([]any, len(x))
		for i, el := range x {
			jv, err := st.toJSObject(el, depth+1)
			if err != nil {
				return nil, err
			}
			items[i] = jv
		}
		return vm.NewArray(items...), nil
	case map[string]string:
		m := make(map[string]any, len(x))
		for k, el := range x {
			m[k] = el
		}
		return st.toJSObject(m, depth)
	case time.Time:
		return vm.ToValue(x.Format(time.RFC3339Nano)), nil
	case goja.Value:
		return nil, &Error{Kind: KindRuntime, Message: "scope value is a goja.Value; pass plain Go data"}
	}
	// Anything else (structs, typed maps/slices, json.RawMessage...):
	// round-trip through encoding/json so no Go value is exposed.
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, &Error{Kind: KindRuntime, Message: fmt.Sprintf("scope value of type %T is not JSON-compatible: %v", v, err)}
	}
	var generic any
	if err := json.Unmarshal(raw, &generic); err != nil {
		return nil, &Error{Kind: KindRuntime, Message: err.Error()}
	}
	return st.toJS(generic, depth)
}

// toJSObject converts a map to a plain object (an empty object for nil).
func (st *vmState) toJSObject(m map[string]any, d int) (*goja.Object, error) {
	obj := st.vm.NewObject()
	if len(m) == 0 {
		return obj, nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		jv, err := st.toJS(m[k], d+1)
		if err != nil {
			return nil, err
		}
		// Define (not set) so keys like "__proto__" stay plain data.
		if err := obj.DefineDataProperty(k, jv, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE); err != nil {
			return nil, err
		}
	}
	return obj, nil
}

// jsonEqual compares JSON-compatible values, treating all number types
// (and json.Number) by numeric value.
func jsonEqual(a, b any) bool {
	if fa, ok := ToFloat(a); ok {
		fb, ok := ToFloat(b)
		return ok && (fa == fb || math.IsNaN(fa) && math.IsNaN(fb))
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !jsonEqual(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !jsonEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	// Other Go types: compare their JSON forms.
	ra, err1 := json.Marshal(a)
	rb, err2 := json.Marshal(b)
	if err1 != nil || err2 != nil {
		return false
	}
	var ga, gb any
	if json.Unmarshal(ra, &ga) != nil || json.Unmarshal(rb, &gb) != nil {
		return false
	}
	if _, ok := ga.(map[string]any); !ok {
		if _, ok := ga.([]any); !ok {
			return string(ra) == string(rb)
		}
	}
	return jsonEqual(ga, gb)
}

// ToFloat converts a decoded JSON number (json.Number) or any Go number to
// float64; ok is false for anything else. Scripts and node templates share it.
func ToFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int8:
		return float64(x), true
	case int16:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint:
		return float64(x), true
	case uint8:
		return float64(x), true
	case uint16:
		return float64(x), true
	case uint32:
		return float64(x), true
	case uint64:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}
