package scripting

import (
	"strconv"

	"github.com/dop251/goja"
)

// jsonParseGuard rejects texts nested deeper than maxDepth before the
// recursive parser sees them.
func (st *vmState) jsonParseGuard(orig nativeFn) nativeFn {
	return func(call goja.FunctionCall) goja.Value {
		text := st.toStr(call.Argument(0))
		if d := jsonDepth(text.String()); d > maxDepth {
			st.limitf("JSON nested deeper than %d", maxDepth)
		}
		args := append([]goja.Value{text}, call.Arguments[min(1, len(call.Arguments)):]...)
		call.Arguments = args
		return orig(call)
	}
}

// jsonDepth returns the maximum bracket nesting of a JSON text.
func jsonDepth(s string) int {
	depth, maxD := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			for i++; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' {
					i++
				}
			}
		case '[', '{':
			depth++
			maxD = max(maxD, depth)
		case ']', '}':
			depth--
		}
	}
	return maxD
}

// jsonStringifyGuard serializes through a native replacer that accounts
// for the output size and nesting depth, throwing a limit error before the
// built-in can build an oversized string (e.g. for exponentially shared
// sub-objects). A user replacer function is called from it; an array
// replacer is emulated for the accounting pass and then applied by the
// built-in.
func (st *vmState) jsonStringifyGuard(orig nativeFn) nativeFn {
	maxStr := int64(st.e.opts.MaxStringLen)
	return func(call goja.FunctionCall) goja.Value {
		value := call.Argument(0)
		if _, ok := value.(*goja.Object); !ok {
			return orig(call)
		}
		replacer, space := call.Argument(1), call.Argument(2)
		indent := int64(0)
		switch sp := space.(type) {
		case goja.String:
			indent = int64(min(10, sp.Length()))
		case *goja.Object:
			indent = 10
		default:
			if !goja.IsUndefined(space) && !goja.IsNull(space) {
				indent = max(0, min(10, space.ToInteger()))
			}
		}
		var userFn goja.Callable
		var allow map[string]bool
		if ro, ok := replacer.(*goja.Object); ok {
			if f, ok := goja.AssertFunction(ro); ok {
				userFn = f
			} else if ro.ClassName() == "Array" {
				allow = map[string]bool{}
				n := toLength(ro.Get("length"))
				for i := int64(0); i < n && i <= int64(st.e.opts.MaxArrayLen); i++ {
					allow[ro.Get(strconv.FormatInt(i, 10)).String()] = true
				}
			}
		}
		depths := map[*goja.Object]int64{}
		var size, calls int64
		counter := st.vm.ToValue(func(fc goja.FunctionCall) goja.Value {
			key, val := fc.Argument(0), fc.Argument(1)
			holder, _ := fc.This.(*goja.Object)
			d := depths[holder]
			if userFn != nil {
				v, err := userFn(fc.This, key, val)
				if err != nil {
					panic(err)
				}
				val = v
			}
			if allow != nil && d > 0 && holder != nil && holder.ClassName() != "Array" && !allow[key.String()] {
				return goja.Undefined()
			}
			calls++
			if calls&1023 == 0 {
				st.checkStop()
			}
			size += int64(len(key.String())) + 4 + indent*(d+1)
			switch v := val.(type) {
			case *goja.Object:
				if d+1 > maxDepth {
					st.limitf("JSON.stringify: nesting deeper than %d", maxDepth)
				}
				depths[v] = d + 1
				size += 2
			case goja.String:
				size += int64(v.Length()) + 2
			default:
				size += 8
			}
			if size > maxStr {
				st.limitf("JSON.stringify: output exceeds MaxStringLen (%d)", maxStr)
			}
			return val
		})
		res := orig(goja.FunctionCall{This: call.This, Arguments: []goja.Value{value, counter, space}})
		if allow != nil {
			return orig(call)
		}
		return res
	}
}
