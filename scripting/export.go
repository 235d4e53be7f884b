package scripting

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// exporter converts JS values to Go data with JSON.stringify semantics:
// undefined, functions and symbols are dropped from objects (null in
// arrays, nil at the top), toJSON is honoured (so Dates become ISO
// strings), boxed primitives are unboxed, NaN and ±Infinity become nil, Map
// and Set become empty objects, BigInt and cycles are TypeErrors. Numbers
// are always float64. The approximate JSON size is accounted against
// MaxOutputSize and nesting against maxDepth.
type exporter struct {
	st     *vmState
	budget int64
	stack  []*goja.Object
	n      int
}

func (x *exporter) reset() {
	x.budget = int64(x.st.e.opts.MaxOutputSize)
	x.stack = x.stack[:0]
}

// exportResult runs f with an exporter. When objects is set (the values
// to export include objects) it runs inside callGo, so getters, toJSON
// methods and proxies it triggers behave like JS calls under the deadline.
func (st *vmState) exportResult(objects bool, f func(x *exporter)) error {
	x := &exporter{st: st}
	x.reset()
	if objects {
		return st.callGo(func() { f(x) })
	}
	return catchJS(func() { f(x) })
}

// catchJS runs Go code that may throw like a native function would (limit
// aborts, TypeErrors) outside of any JS call.
func catchJS(f func()) (err error) {
	defer func() {
		if x := recover(); x != nil {
			switch e := x.(type) {
			case *goja.InterruptedError:
				err = e
			case *goja.Exception:
				err = e
			case goja.Value:
				err = &Error{Kind: KindRuntime, Message: e.String()}
			default:
				panic(x)
			}
		}
	}()
	f()
	return nil
}

// top exports a top-level value (undefined -> nil).
func (x *exporter) top(v goja.Value) any {
	out, _ := x.value(v, "")
	return out
}

func (x *exporter) spend(n int) {
	x.budget -= int64(n)
	if x.budget < 0 {
		x.st.limitf("result exceeds MaxOutputSize (%d bytes)", x.st.e.opts.MaxOutputSize)
	}
}

// value exports v; ok is false when JSON would omit it.
func (x *exporter) value(v goja.Value, key string) (any, bool) {
	x.n++
	if x.n&1023 == 0 {
		x.st.checkStop()
	}
	if v == nil || goja.IsUndefined(v) {
		return nil, false
	}
	if goja.IsNull(v) {
		x.spend(4)
		return nil, true
	}
	o, isObj := v.(*goja.Object)
	if !isObj {
		return x.primitive(v)
	}
	if tj, ok := o.Get("toJSON").(*goja.Object); ok {
		if f, ok := goja.AssertFunction(tj); ok {
			r, err := f(o, x.st.vm.ToValue(key))
			if err != nil {
				panic(err)
			}
			if ro, ok := r.(*goja.Object); ok {
				o = ro
			} else {
				return x.value(r, key)
			}
		}
	}
	switch o.ClassName() {
	case "Function":
		return nil, false
	case "Number":
		return x.primitive(o.ToNumber())
	case "String":
		return x.primitive(o.ToString())
	case "Boolean":
		b, _ := o.Export().(bool)
		return x.primitive(x.st.vm.ToValue(b))
	case "BigInt":
		panic(x.st.vm.NewTypeError("Do not know how to serialize a BigInt"))
	}
	for _, p := range x.stack {
		if p.SameAs(o) {
			panic(x.st.vm.NewTypeError("Converting circular structure to JSON"))
		}
	}
	if len(x.stack) >= maxDepth {
		x.st.limitf("result nested deeper than %d", maxDepth)
	}
	x.stack = append(x.stack, o)
	defer func() { x.stack = x.stack[:len(x.stack)-1] }()
	if o.ClassName() == "Array" {
		n := toLength(o.Get("length"))
		if n > int64(x.st.e.opts.MaxArrayLen) {
			x.st.limitf("result array length %d exceeds MaxArrayLen (%d)", n, x.st.e.opts.MaxArrayLen)
		}
		x.spend(2)
		out := make([]any, n)
		for i := range out {
			el, _ := x.value(o.Get(strconv.Itoa(i)), strconv.Itoa(i))
			out[i] = el
			x.spend(1)
		}
		return out, true
	}
	x.spend(2)
	keys := o.Keys()
	out := make(map[string]any, len(keys))
	for _, k := range keys {
		el, ok := x.value(o.Get(k), k)
		if !ok {
			continue
		}
		x.spend(len(k) + 4)
		out[k] = el
	}
	return out, true
}

func (x *exporter) primitive(v goja.Value) (any, bool) {
	if _, ok := v.(*goja.Symbol); ok {
		return nil, false
	}
	switch e := v.Export().(type) {
	case bool:
		x.spend(5)
		return e, true
	case int64:
		x.spend(8)
		return float64(e), true
	case float64:
		x.spend(8)
		if math.IsNaN(e) || math.IsInf(e, 0) {
			return nil, true
		}
		return e, true
	case string:
		x.spend(len(e) + 2)
		return e, true
	case nil:
		return nil, true
	}
	// BigInt
	panic(x.st.vm.NewTypeError("Do not know how to serialize a BigInt"))
}

// describe renders a thrown value as an error message: "Name: message" for
// Error objects, the string itself for primitives, JSON for other objects.
// It may run user code (getters), so it runs through callGo while the run
// is still guarded.
func (st *vmState) describe(v goja.Value) string {
	msg := "uncaught exception"
	err := st.callGo(func() {
		switch {
		case v == nil || goja.IsUndefined(v):
			msg = "undefined"
		case goja.IsNull(v):
			msg = "null"
		default:
			o, ok := v.(*goja.Object)
			if !ok {
				msg = v.String()
				return
			}
			if o.ClassName() == "Error" {
				msg = o.String()
				return
			}
			if s := st.jsonText(o); s != "" {
				msg = s
				return
			}
			msg = o.String()
		}
	})
	if err != nil && msg == "uncaught exception" {
		msg = "uncaught exception (message unavailable)"
	}
	if len(msg) > maxLogMessage {
		msg = msg[:maxLogMessage] + "…"
	}
	return msg
}

// businessError reads the business error a thrown value carries: its errorCode
// when that is a string, and its errorMessage (else message) when a string. Like
// describe it may run user code, so it runs through callGo while the run is still
// guarded; a getter that throws means no code. A code is at most maxLogMessage
// bytes (a longer one is no code), the message is cut to that.
func (st *vmState) businessError(v goja.Value) (code, msg string) {
	o, ok := v.(*goja.Object)
	if !ok {
		return "", ""
	}
	str := func(name string) (string, bool) {
		x := o.Get(name)
		if _, isObj := x.(*goja.Object); isObj || x == nil {
			return "", false
		}
		s, ok := x.Export().(string)
		return s, ok
	}
	err := st.callGo(func() {
		c, ok := str("errorCode")
		if !ok || c == "" || len(c) > maxLogMessage {
			return // a code is short: a longer one is not cut into another
		}
		m, ok := str("errorMessage")
		if !ok {
			m, _ = str("message")
		}
		code, msg = c, m
	})
	if err != nil {
		return "", ""
	}
	return code, cutText(msg, maxLogMessage)
}

// cutText cuts s to at most n bytes, on a UTF-8 boundary.
func cutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// jsonText returns JSON.stringify(v) (guarded), or "" when undefined.
func (st *vmState) jsonText(v goja.Value) string {
	r := st.stringify(goja.FunctionCall{This: goja.Undefined(), Arguments: []goja.Value{v}})
	if r == nil || goja.IsUndefined(r) {
		return ""
	}
	return r.String()
}

// text is the template interpolation helper: null/undefined -> "", strings
// as is, other primitives via ToString, objects and arrays as JSON (an
// object whose JSON is a string, such as a Date, yields that string).
func (st *vmState) text(call goja.FunctionCall) goja.Value {
	v := call.Argument(0)
	switch x := v.(type) {
	case goja.String:
		return x
	case *goja.Object:
		r := st.stringify(goja.FunctionCall{This: goja.Undefined(), Arguments: []goja.Value{x}})
		if r == nil || goja.IsUndefined(r) {
			return st.vm.ToValue("")
		}
		if s := r.String(); strings.HasPrefix(s, `"`) {
			var u string
			if json.Unmarshal([]byte(s), &u) == nil {
				return st.vm.ToValue(u)
			}
		}
		return r
	}
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return st.vm.ToValue("")
	}
	if _, ok := v.(*goja.Symbol); ok {
		return st.vm.ToValue(v.String())
	}
	return st.toStr(v)
}
