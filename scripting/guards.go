package scripting

import (
	"fmt"
	"math"

	"github.com/dop251/goja"
)

// Guards: the built-ins that could exceed the sandbox's limits inside one native
// call are replaced by wrappers that check first (installGuards), and the helpers
// they share.

// nativeFn is a built-in implemented in Go.
type nativeFn = func(goja.FunctionCall) goja.Value

// limitf aborts the current script with an uncatchable limit error.
func (st *vmState) limitf(format string, args ...any) {
	sig := &stopSignal{kind: KindLimit, msg: fmt.Sprintf(format, args...)}
	if r := st.cur; r != nil {
		if r.prog != nil && r.prog.smap != nil {
			sig.line, sig.col, _ = stackInfo(r.prog, st.vm.CaptureCallStack(0, nil))
		}
		r.fail(sig)
	}
	panic(&goja.InterruptedError{})
}

// limitError is a limit *Error raised from Go after JS has finished.
func (st *vmState) limitError(msg string) *Error {
	return &Error{Kind: KindLimit, Message: msg}
}

// checkStop aborts a long Go loop when the run was asked to stop.
func (st *vmState) checkStop() {
	if r := st.cur; r != nil && r.stopped.Load() {
		panic(&goja.InterruptedError{})
	}
}

// nativeOf returns the Go function behind a native built-in, or nil.
func nativeOf(v goja.Value) nativeFn {
	if o, ok := v.(*goja.Object); ok {
		if f, ok := o.Export().(func(goja.FunctionCall) goja.Value); ok {
			return f
		}
	}
	return nil
}

// wrap replaces obj[name] by a guarded version of the built-in.
func (st *vmState) wrap(obj *goja.Object, name string, guard func(orig nativeFn) nativeFn) error {
	orig := nativeOf(obj.Get(name))
	if orig == nil {
		return fmt.Errorf("built-in %s is not native", name)
	}
	length := int(obj.Get(name).(*goja.Object).Get("length").ToInteger())
	f := st.native(name, length, guard(orig))
	return obj.DefineDataProperty(name, f, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// proto returns the prototype object of the global constructor ctor.
func (st *vmState) proto(ctor string) *goja.Object {
	return st.global.Get(ctor).(*goja.Object).Get("prototype").(*goja.Object)
}

// installGuards wraps the built-ins that can allocate (or loop) without
// bound inside a single native call, where neither the deadline nor the
// memory monitor can interrupt them. The guards live in files named for what
// they guard: strings (stringguard.go), replace (replaceguard.go), match,
// matchAll, split and search (matchguard.go), arrays (arrayguard.go),
// argument lists (arglistguard.go), JSON (jsonguard.go), source text built at
// run time (codeguard.go); regular expressions against the deadline are
// guarded separately (regexp.go).
func (st *vmState) installGuards() error {
	strProto := st.proto("String")
	reflectObj := st.global.Get("Reflect").(*goja.Object)
	jsonObj := st.global.Get("JSON").(*goja.Object)
	type g struct {
		obj   *goja.Object
		name  string
		guard func(nativeFn) nativeFn
	}
	guards := []g{
		{strProto, "repeat", st.repeatGuard},
		{strProto, "padStart", st.padGuard},
		{strProto, "padEnd", st.padGuard},
		{strProto, "concat", st.concatGuard},
		{strProto, "replace", st.replaceGuard(false)},
		{strProto, "replaceAll", st.replaceGuard(true)},
		{strProto, "match", st.matchGuard("match")},
		{strProto, "matchAll", st.matchGuard("matchAll")},
		{strProto, "split", st.matchGuard("split")},
		{strProto, "search", st.matchGuard("search")},
		{st.global, "eval", st.evalGuard},
		{st.proto("RegExp"), "compile", st.compileGuard},
		{st.global.Get("String").(*goja.Object), "raw", st.stringRawGuard},
		{st.global.Get("Array").(*goja.Object), "from", st.arrayFromGuard},
		{st.proto("Function"), "apply", st.argListGuard(1)},
		{reflectObj, "apply", st.argListGuard(2)},
		{reflectObj, "construct", st.argListGuard(1)},
		{jsonObj, "parse", st.jsonParseGuard},
		{jsonObj, "stringify", st.jsonStringifyGuard},
	}
	for _, x := range guards {
		if err := st.wrap(x.obj, x.name, x.guard); err != nil {
			return err
		}
	}
	// The eval wrapper becomes goja's eval intrinsic so direct eval keeps
	// working; Function.prototype.__flowcraftEvalArgs guards direct eval
	// calls (see codeguard.go).
	st.evalFn = st.global.Get("eval").(*goja.Object)
	_ = setEvalIntrinsic(st.vm, st.evalFn)
	if err := st.proto("Function").DefineDataProperty(evalArgsName, st.native(evalArgsName, 0, st.evalArgs), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE); err != nil {
		return err
	}
	st.stringify = nativeOf(jsonObj.Get("stringify"))

	if err := st.guardArrayMethods(); err != nil {
		return err
	}
	return st.guardStringIterator()
}

// thisString converts a String.prototype method's receiver like the
// built-in would; ok is false for null/undefined (left to the built-in to
// reject).
func (st *vmState) thisString(call goja.FunctionCall) (goja.String, bool) {
	if call.This == nil || goja.IsUndefined(call.This) || goja.IsNull(call.This) {
		return nil, false
	}
	return st.toStr(call.This), true
}

// toStr is the ECMAScript ToString (goja's Value.ToString leaves
// primitives unconverted).
func (st *vmState) toStr(v goja.Value) goja.String {
	if o, ok := v.(*goja.Object); ok {
		v = o.ToString()
	}
	if s, ok := v.(goja.String); ok {
		return s
	}
	if _, ok := v.(*goja.Symbol); ok {
		panic(st.vm.NewTypeError("Cannot convert a Symbol value to a string"))
	}
	return asString(st.vm.ToValue(v.String()))
}

// asString returns v as a goja.String, or the empty string.
func asString(v goja.Value) goja.String {
	if s, ok := v.(goja.String); ok {
		return s
	}
	return goja.StringFromUTF16(nil)
}

// toLength is the ECMAScript ToLength, clamped to 2^53-1.
func toLength(v goja.Value) int64 {
	if v == nil || goja.IsUndefined(v) {
		return 0
	}
	f := v.ToFloat()
	if math.IsNaN(f) || f <= 0 {
		return 0
	}
	if f > 1<<53-1 {
		return 1<<53 - 1
	}
	return int64(f)
}
