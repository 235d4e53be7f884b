package scripting

import (
	"errors"
	"fmt"

	"github.com/dlclark/regexp2/v2"
	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"
)

// vmState is one pooled goja runtime plus everything bound to it. It is used
// by one goroutine at a time.
type vmState struct {
	e      *Engine
	vm     *goja.Runtime
	global *goja.Object
	fns    map[*program]goja.Callable // program -> function instance in this runtime

	textFn goja.Value // template helper: value -> text

	// Go callbacks run as a JS-called native so JS exceptions, interrupts
	// and promise jobs are handled by goja (see callGo).
	goCall  goja.Callable
	pending func()

	stringify func(goja.FunctionCall) goja.Value // guarded JSON.stringify

	origRegExp *goja.Object // goja's RegExp constructor (not reachable from JS)
	evalFn     *goja.Object // the sandbox's eval (goja's eval intrinsic)
	safeRegExp *goja.Object // the sandbox's RegExp
	// regular expression guards (regexp.go)
	regexpProto *goja.Object
	regexps     map[regexp2Key]*regexp2.Regexp
	runes       runeCache

	cur       *run       // current run, nil between runs
	result    goja.Value // value returned by the last call
	runs      int
	broken    bool
	joinStack []*goja.Object // arrays being joined (cycle and depth guard)
}

func (e *Engine) getVM() *vmState {
	select {
	case st := <-e.pool:
		return st
	default:
		return e.newVM()
	}
}

func (e *Engine) putVM(st *vmState) {
	if st.broken || st.runs >= maxRunsPerVM {
		return
	}
	st.result = nil
	st.joinStack = st.joinStack[:0]
	st.runes = runeCache{} // may hold a long string
	select {
	case e.pool <- st:
	default:
	}
}

// newVM creates and hardens a runtime:
//   - no host objects: only ECMAScript built-ins plus console; GoError and
//     the binary-data constructors (ArrayBuffer, DataView, typed arrays) are
//     removed; source maps (which read files) are disabled for eval/Function;
//   - built-ins that can allocate without bound in one native call are
//     wrapped with size checks (see guards.go);
//   - every object reachable from the global object, including hidden
//     intrinsics such as iterator prototypes, is frozen, so nothing a run
//     does to built-ins or globals is visible to a later run. Inherited
//     properties commonly assigned on instances (toString, constructor,
//     name, message, ...) become accessors whose setter defines an own
//     property on the instance, so `this.name = ...` in an Error subclass
//     still works (the "override mistake" fix).
func (e *Engine) newVM() *vmState {
	vm := goja.New()
	vm.SetParserOptions(parser.WithDisableSourceMaps)
	vm.SetMaxCallStackSize(e.opts.MaxCallStack)
	st := &vmState{e: e, vm: vm, global: vm.GlobalObject(), fns: make(map[*program]goja.Callable)}
	if err := st.harden(); err != nil {
		// The hardening script is static; failing here is a programming error.
		panic(fmt.Sprintf("scripting: hardening runtime: %v", err))
	}
	return st
}

func (st *vmState) harden() error {
	vm := st.vm
	g := st.global
	for _, name := range []string{"GoError", "ArrayBuffer", "DataView", "SharedArrayBuffer",
		"Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array",
		"Int32Array", "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array"} {
		if err := g.Delete(name); err != nil {
			return err
		}
	}
	goCall, _ := goja.AssertFunction(vm.ToValue(func(goja.FunctionCall) goja.Value {
		if f := st.pending; f != nil {
			st.pending = nil
			f()
		}
		return goja.Undefined()
	}))
	st.goCall = goCall
	if err := st.installGuards(); err != nil {
		return err
	}
	if err := st.installRegexpGuards(); err != nil {
		return err
	}
	if err := st.installConsole(); err != nil {
		return err
	}
	st.textFn = st.native("text", 1, st.text)

	// Array constructor wrapper (JS) — see hardenSource.
	if _, err := vm.RunProgram(st.e.hardenJ); err != nil {
		return err
	}
	install, ok := goja.AssertFunction(g.Get("__flowcraftHarden"))
	if !ok {
		return errors.New("hardening function missing")
	}
	var safeArray, origArray *goja.Object
	species := st.native("get [Symbol.species]", 0, func(call goja.FunctionCall) goja.Value {
		if o, ok := call.This.(*goja.Object); ok && safeArray != nil && o.SameAs(safeArray) {
			return origArray
		}
		return call.This
	})
	natives := vm.NewObject()
	_ = natives.Set("maxArrayLen", st.e.opts.MaxArrayLen)
	_ = natives.Set("limitArray", st.native("limitArray", 1, func(call goja.FunctionCall) goja.Value {
		st.limitf("array length %v exceeds MaxArrayLen (%d)", call.Argument(0), st.e.opts.MaxArrayLen)
		return goja.Undefined()
	}))
	_ = natives.Set("species", species)
	_ = natives.Set("checkFunction", st.native("checkFunction", 2, st.checkFunction))
	_ = natives.Set("checkRegExp", st.native("checkRegExp", 4, st.checkRegExp))
	res, err := install(goja.Undefined(), natives)
	if err != nil {
		return err
	}
	pair := res.(*goja.Object)
	safeArray, origArray = pair.Get("0").(*goja.Object), pair.Get("1").(*goja.Object)
	st.origRegExp = pair.Get("3").(*goja.Object)
	st.safeRegExp = pair.Get("2").(*goja.Object)
	// Keep RegExp.prototype[Symbol.split]'s fast path (see internals.go).
	_ = setRegExpConstructor(vm, st.safeRegExp)

	if err := st.fixOverrideMistake(); err != nil {
		return err
	}
	freeze, ok := goja.AssertFunction(g.Get("__flowcraftFreeze"))
	if !ok {
		return errors.New("freeze function missing")
	}
	if err := g.Delete("__flowcraftHarden"); err != nil {
		return err
	}
	if err := g.Delete("__flowcraftFreeze"); err != nil {
		return err
	}
	if _, err = freeze(goja.Undefined(), vm.NewArray(origArray, st.textFn, species)); err != nil {
		return err
	}
	// Wrapping exec switched goja's regular expressions to their slow
	// generic paths; the wrapper behaves like exec, so switch them back.
	_ = restoreRegexpFastPath(vm, st.regexpProto)
	return nil
}

// native wraps a Go function as a JS function with the given name/length.
func (st *vmState) native(name string, length int, f func(goja.FunctionCall) goja.Value) goja.Value {
	o := st.vm.ToValue(f).(*goja.Object)
	_ = o.DefineDataProperty("name", st.vm.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = o.DefineDataProperty("length", st.vm.ToValue(length), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	return o
}

// overridable lists inherited properties that scripts commonly assign on
// their own objects; on frozen prototypes they become accessors (see newVM).
func overridable(ctor string) []string {
	switch ctor {
	case "Object":
		return []string{"constructor", "toString", "valueOf", "toLocaleString", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable"}
	case "Function":
		return []string{"constructor", "toString"}
	case "Error", "TypeError", "RangeError", "ReferenceError", "SyntaxError", "EvalError", "URIError", "AggregateError":
		return []string{"constructor", "name", "message", "toString"}
	}
	return nil
}

func (st *vmState) fixOverrideMistake() error {
	vm := st.vm
	for _, ctor := range []string{"Object", "Function", "Error", "TypeError", "RangeError", "ReferenceError", "SyntaxError", "EvalError", "URIError", "AggregateError"} {
		c, ok := st.global.Get(ctor).(*goja.Object)
		if !ok {
			continue
		}
		proto, ok := c.Get("prototype").(*goja.Object)
		if !ok {
			continue
		}
		for _, name := range overridable(ctor) {
			if !hasOwn(proto, name) {
				continue
			}
			value := proto.Get(name)
			getter := vm.ToValue(func(goja.FunctionCall) goja.Value { return value })
			setter := vm.ToValue(func(call goja.FunctionCall) goja.Value {
				this, ok := call.This.(*goja.Object)
				if !ok || this.SameAs(proto) {
					panic(vm.NewTypeError("Cannot assign to read only property '%s' of object", name))
				}
				if err := this.DefineDataProperty(name, call.Argument(0), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE); err != nil {
					panic(err)
				}
				return goja.Undefined()
			})
			if err := proto.DefineAccessorProperty(name, getter, setter, goja.FLAG_FALSE, goja.FLAG_FALSE); err != nil {
				return err
			}
		}
	}
	return nil
}

func hasOwn(o *goja.Object, name string) bool {
	for _, k := range o.GetOwnPropertyNames() {
		if k == name {
			return true
		}
	}
	return false
}

// fn returns the function instance of p in this runtime.
func (st *vmState) fn(p *program) (goja.Callable, error) {
	if f, ok := st.fns[p]; ok {
		return f, nil
	}
	v, err := st.vm.RunProgram(p.prog)
	if err != nil {
		return nil, err
	}
	f, ok := goja.AssertFunction(v)
	if !ok {
		return nil, errors.New("scripting: program did not produce a function")
	}
	if len(st.fns) >= maxFuncsPerVM {
		clear(st.fns)
	}
	st.fns[p] = f
	return f, nil
}

// call invokes p with args; the return value is left in st.result.
func (st *vmState) call(p *program, args []goja.Value) error {
	f, err := st.fn(p)
	if err != nil {
		return err
	}
	st.result, err = f(st.global, args...)
	return err
}

// callGo runs f as if it were a native function called from JS: JS
// exceptions and interrupts raised inside become the returned error, and
// promise jobs are drained afterwards.
func (st *vmState) callGo(f func()) error {
	st.pending = f
	_, err := st.goCall(goja.Undefined())
	st.pending = nil
	return err
}

// hardenSource defines two privileged functions used once per runtime and
// then deleted from the global object.
const hardenSource = `
globalThis.__flowcraftHarden = function (n) {
  'use strict';
  const O = Object, R = Reflect, g = globalThis;
  const defineProperty = O.defineProperty, getOwnPropertyDescriptor = O.getOwnPropertyDescriptor;
  const getPrototypeOf = O.getPrototypeOf;
  const ownKeys = R.ownKeys, construct = R.construct;
  // copyStatics gives Safe the own properties of Orig (static methods,
  // Symbol.species) and Orig's prototype, and makes it that prototype's
  // constructor.
  const copyStatics = (Orig, Safe, length) => {
    for (const k of ownKeys(Orig)) {
      if (k === 'prototype' || k === 'length') continue;
      defineProperty(Safe, k, getOwnPropertyDescriptor(Orig, k));
    }
    defineProperty(Safe, 'length', { value: length });
    defineProperty(Safe, 'prototype', { value: Orig.prototype, writable: false });
    defineProperty(Orig.prototype, 'constructor', { value: Safe });
  };

  const OrigArray = g.Array, maxArray = n.maxArrayLen, limitArray = n.limitArray;
  const SafeArray = function Array(...args) {
    if (args.length === 1 && typeof args[0] === 'number' && args[0] > maxArray) limitArray(args[0]);
    return construct(OrigArray, args, new.target === undefined ? OrigArray : new.target);
  };
  copyStatics(OrigArray, SafeArray, 1);
  defineProperty(SafeArray, Symbol.species, { get: n.species, configurable: true });
  defineProperty(g, 'Array', { value: SafeArray });

  // Function and the hidden async and generator function constructors check
  // the source they are given (see codeguard.go).
  const checkFunction = n.checkFunction;
  const wrapFunction = (Orig, kind) => {
    const Safe = function (...args) {
      const strs = checkFunction(kind, args);
      return construct(Orig, strs, new.target === undefined ? Orig : new.target);
    };
    copyStatics(Orig, Safe, 1);
    return Safe;
  };
  defineProperty(g, 'Function', { value: wrapFunction(g.Function, 0) });
  wrapFunction(getPrototypeOf(async function () {}).constructor, 1);
  wrapFunction(getPrototypeOf(function* () {}).constructor, 2);

  const OrigRegExp = g.RegExp, checkRegExp = n.checkRegExp;
  const SafeRegExp = function RegExp(pattern, flags) {
    const args = checkRegExp(pattern, flags, new.target === undefined, SafeRegExp);
    if (args === true) return pattern;
    return construct(OrigRegExp, args, new.target === undefined ? SafeRegExp : new.target);
  };
  copyStatics(OrigRegExp, SafeRegExp, 2);
  defineProperty(g, 'RegExp', { value: SafeRegExp });
  return [SafeArray, OrigArray, SafeRegExp, OrigRegExp];
};
globalThis.__flowcraftFreeze = function (roots) {
  'use strict';
  const O = Object, R = Reflect;
  const getOwnPropertyDescriptor = O.getOwnPropertyDescriptor, getPrototypeOf = O.getPrototypeOf;
  const freeze = O.freeze, ownKeys = R.ownKeys;
  function* gen() {}
  async function afn() {}
  const queue = [globalThis, gen, gen(), afn,
    [][Symbol.iterator](), new Map()[Symbol.iterator](), new Set()[Symbol.iterator](),
    ''[Symbol.iterator](), /x/[Symbol.matchAll]('x')];
  for (let i = 0; i < roots.length; i++) queue.push(roots[i]);
  const seen = new Set();
  while (queue.length > 0) {
    const o = queue.pop();
    if (o === null || (typeof o !== 'object' && typeof o !== 'function') || seen.has(o)) continue;
    seen.add(o);
    freeze(o);
    queue.push(getPrototypeOf(o));
    const keys = ownKeys(o);
    for (let i = 0; i < keys.length; i++) {
      const d = getOwnPropertyDescriptor(o, keys[i]);
      if (d === undefined) continue;
      if ('value' in d) queue.push(d.value); else queue.push(d.get, d.set);
    }
  }
  return seen.size;
};
`
