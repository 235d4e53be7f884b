package scripting

import (
	"strconv"

	"github.com/dop251/goja"
)

// arrayFromGuard bounds Array.from of an array-like or a string by MaxArrayLen.
func (st *vmState) arrayFromGuard(orig nativeFn) nativeFn {
	maxArr := int64(st.e.opts.MaxArrayLen)
	return func(call goja.FunctionCall) goja.Value {
		switch a := call.Argument(0).(type) {
		case *goja.Object:
			st.checkLen(a, "Array.from")
		case goja.String:
			if int64(a.Length()) > maxArr {
				st.limitf("Array.from of a string of length %d exceeds MaxArrayLen (%d)", a.Length(), maxArr)
			}
		}
		return orig(call)
	}
}

// guardArrayMethods wraps Array.prototype: every method that walks or
// allocates `length` elements checks it first; join is reimplemented with size
// accounting. Array.prototype[Symbol.iterator], the same function as values(),
// gets the same wrapper.
func (st *vmState) guardArrayMethods() error {
	maxArr := int64(st.e.opts.MaxArrayLen)
	arrProto := st.proto("Array")
	wrapped := map[*goja.Object]goja.Value{}
	for _, name := range arrProto.GetOwnPropertyNames() {
		switch name {
		case "constructor", "length", "push", "pop", "at":
			continue
		}
		fo, ok := arrProto.Get(name).(*goja.Object)
		if !ok {
			continue
		}
		var f nativeFn
		switch name {
		case "join":
			f = st.join
		case "concat":
			orig := nativeOf(fo)
			f = func(call goja.FunctionCall) goja.Value {
				total := st.thisLen(call)
				for _, a := range call.Arguments {
					if o, ok := a.(*goja.Object); ok && o.ClassName() == "Array" {
						total += toLength(o.Get("length"))
					}
				}
				if total > maxArr {
					st.limitf("array length %d exceeds MaxArrayLen (%d)", total, maxArr)
				}
				return orig(call)
			}
		default:
			orig := nativeOf(fo)
			if orig == nil {
				continue
			}
			f = func(call goja.FunctionCall) goja.Value {
				if n := st.thisLen(call); n > maxArr {
					st.limitf("array length %d exceeds MaxArrayLen (%d) in Array.prototype.%s", n, maxArr, name)
				}
				return orig(call)
			}
		}
		nf := st.native(name, int(fo.Get("length").ToInteger()), f)
		wrapped[fo] = nf
		if err := arrProto.DefineDataProperty(name, nf, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
			return err
		}
	}
	if it, ok := arrProto.GetSymbol(goja.SymIterator).(*goja.Object); ok {
		for orig, nf := range wrapped {
			if orig.SameAs(it) {
				if err := arrProto.DefineDataPropertySymbol(goja.SymIterator, nf, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// checkLen refuses an array-like whose length exceeds MaxArrayLen.
func (st *vmState) checkLen(o *goja.Object, what string) {
	if n := toLength(o.Get("length")); n > int64(st.e.opts.MaxArrayLen) {
		st.limitf("%s of length %d exceeds MaxArrayLen (%d)", what, n, st.e.opts.MaxArrayLen)
	}
}

// thisLen is the length of an Array.prototype method's receiver.
func (st *vmState) thisLen(call goja.FunctionCall) int64 {
	if o, ok := call.This.(*goja.Object); ok {
		return toLength(o.Get("length"))
	}
	return 0
}

// join reimplements Array.prototype.join with accounting of the result
// length, a cycle check (cyclic elements join as "") and a nesting limit;
// nested arrays are joined through toString, i.e. recursively through here.
func (st *vmState) join(call goja.FunctionCall) goja.Value {
	maxStr := int64(st.e.opts.MaxStringLen)
	o := call.This.ToObject(st.vm)
	for _, a := range st.joinStack {
		if a.SameAs(o) {
			return goja.StringFromUTF16(nil)
		}
	}
	if len(st.joinStack) >= maxDepth {
		st.limitf("array nesting deeper than %d in join", maxDepth)
	}
	n := toLength(o.Get("length"))
	var sep goja.String = asString(st.vm.ToValue(","))
	if a := call.Argument(0); !goja.IsUndefined(a) {
		sep = st.toStr(a)
	}
	if n == 0 {
		return st.vm.ToValue("")
	}
	if n > int64(st.e.opts.MaxArrayLen) {
		st.limitf("array length %d exceeds MaxArrayLen (%d) in join", n, st.e.opts.MaxArrayLen)
	}
	if (n-1)*int64(sep.Length()) > maxStr {
		st.limitf("joined string exceeds MaxStringLen (%d)", maxStr)
	}
	st.joinStack = append(st.joinStack, o)
	defer func() { st.joinStack = st.joinStack[:len(st.joinStack)-1] }()
	var b goja.StringBuilder
	total := int64(0)
	for i := int64(0); i < n; i++ {
		if i&1023 == 1023 {
			st.checkStop()
		}
		if i > 0 {
			b.WriteString(sep)
			total += int64(sep.Length())
		}
		el := o.Get(strconv.FormatInt(i, 10))
		if el == nil || goja.IsUndefined(el) || goja.IsNull(el) {
			continue
		}
		s := st.toStr(el)
		total += int64(s.Length())
		if total > maxStr {
			st.limitf("joined string of length >= %d exceeds MaxStringLen (%d)", total, maxStr)
		}
		b.WriteString(s)
	}
	return b.String()
}
