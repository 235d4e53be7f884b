package scripting

import "github.com/dop251/goja"

// argListGuard checks the array-like argument list at index i (apply,
// Reflect.apply, Reflect.construct), which is copied in full.
func (st *vmState) argListGuard(i int) func(nativeFn) nativeFn {
	return func(orig nativeFn) nativeFn {
		return func(call goja.FunctionCall) goja.Value {
			if o, ok := call.Argument(i).(*goja.Object); ok {
				st.checkLen(o, "argument list")
			}
			return orig(call)
		}
	}
}
