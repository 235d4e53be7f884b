package scripting

import "github.com/dop251/goja"

// repeatGuard bounds String.prototype.repeat by MaxStringLen.
func (st *vmState) repeatGuard(orig nativeFn) nativeFn {
	maxStr := int64(st.e.opts.MaxStringLen)
	return func(call goja.FunctionCall) goja.Value {
		if s, ok := st.thisString(call); ok {
			n := call.Argument(0).ToNumber()
			if c := n.ToFloat(); c >= 1 && float64(s.Length())*c > float64(maxStr) {
				st.limitf("string of length %d repeated %v times exceeds MaxStringLen (%d)", s.Length(), n, maxStr)
			}
			call.This, call.Arguments = s, []goja.Value{n}
		}
		return orig(call)
	}
}

func (st *vmState) padGuard(orig nativeFn) nativeFn {
	maxStr := int64(st.e.opts.MaxStringLen)
	return func(call goja.FunctionCall) goja.Value {
		s, ok := st.thisString(call)
		if !ok {
			return orig(call)
		}
		n := call.Argument(0).ToNumber()
		fill := call.Argument(1)
		emptyFill := false
		if fs, ok := fill.(goja.String); ok && fs.Length() == 0 {
			emptyFill = true
		}
		if l := n.ToFloat(); !emptyFill && l > float64(maxStr) && l > float64(s.Length()) {
			st.limitf("padded string length %v exceeds MaxStringLen (%d)", n, maxStr)
		}
		args := []goja.Value{n}
		if len(call.Arguments) > 1 {
			args = append(args, fill)
		}
		call.This, call.Arguments = s, args
		return orig(call)
	}
}

// concatGuard bounds String.prototype.concat by MaxStringLen; the arguments
// are converted once, here, and handed to the built-in as strings.
func (st *vmState) concatGuard(orig nativeFn) nativeFn {
	maxStr := int64(st.e.opts.MaxStringLen)
	return func(call goja.FunctionCall) goja.Value {
		s, ok := st.thisString(call)
		if !ok {
			return orig(call)
		}
		total := int64(s.Length())
		args := make([]goja.Value, len(call.Arguments))
		for i, a := range call.Arguments {
			as := st.toStr(a)
			args[i] = as
			total += int64(as.Length())
		}
		if total > maxStr {
			st.limitf("concatenated string of length %d exceeds MaxStringLen (%d)", total, maxStr)
		}
		call.This, call.Arguments = s, args
		return orig(call)
	}
}

// stringRawGuard bounds String.raw's raw array by MaxArrayLen.
func (st *vmState) stringRawGuard(orig nativeFn) nativeFn {
	return func(call goja.FunctionCall) goja.Value {
		if o, ok := call.Argument(0).(*goja.Object); ok {
			if raw, ok := o.Get("raw").(*goja.Object); ok {
				st.checkLen(raw, "String.raw")
			}
		}
		return orig(call)
	}
}

// guardStringIterator bounds String.prototype[Symbol.iterator]: spreading a
// string materializes one element per code point.
func (st *vmState) guardStringIterator() error {
	maxArr := int64(st.e.opts.MaxArrayLen)
	strProto := st.proto("String")
	it := nativeOf(strProto.GetSymbol(goja.SymIterator))
	if it == nil {
		return nil
	}
	f := st.native("[Symbol.iterator]", 0, func(call goja.FunctionCall) goja.Value {
		if s, ok := call.This.(goja.String); ok && int64(s.Length()) > maxArr {
			st.limitf("iterating a string of length %d exceeds MaxArrayLen (%d)", s.Length(), maxArr)
		}
		return it(call)
	})
	return strProto.DefineDataPropertySymbol(goja.SymIterator, f, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// checkReceiver refuses strings longer than MaxStringLen (they can only
// have been built with +).
func (st *vmState) checkReceiver(s goja.String) {
	if n := s.Length(); n > st.e.opts.MaxStringLen {
		st.limitf("string of length %d exceeds MaxStringLen (%d)", n, st.e.opts.MaxStringLen)
	}
}
