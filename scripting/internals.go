package scripting

import (
	"errors"
	"reflect"
	"unsafe"

	"github.com/dop251/goja"
)

// goja recognises some built-ins by identity: direct eval calls only when
// the callee is its eval intrinsic (which the sandbox wraps, see
// codeguard.go), and two optimisations depend on built-ins the sandbox
// wraps as well:
//
//   - RegExp.prototype is a "guarded" object: defining its exec property
//     (which the regular expression deadline guard must do) switches every
//     regular expression of the runtime from goja's fast paths to the
//     generic spec algorithm, which calls exec through JS for every match
//     (5-60x slower for match, replace and split);
//   - RegExp.prototype[Symbol.split] takes its fast path only when the
//     species constructor is goja's own RegExp, which the sandbox replaces
//     by a wrapper that checks patterns.
//
// The wrappers behave exactly like the originals (they only add limits), so
// the assumptions behind these identities still hold. The functions below
// point goja at the wrappers by writing unexported goja fields through
// reflection.
// They verify the layout they expect and return an error otherwise; the
// caller then keeps the slower, still safe behaviour (for eval: every call
// is indirect), and TestGojaInternalsHooked fails so an upgrade of goja that
// moves these fields is noticed.

var errGojaLayout = errors.New("scripting: unexpected goja internals")

// field returns a settable view of the unexported field name of the struct v.
func field(v reflect.Value, name string) (reflect.Value, error) {
	if v.Kind() != reflect.Struct {
		return reflect.Value{}, errGojaLayout
	}
	f := v.FieldByName(name)
	if !f.IsValid() || !f.CanAddr() {
		return reflect.Value{}, errGojaLayout
	}
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem(), nil
}

// restoreRegexpFastPath makes RegExp.prototype the guarded object goja's
// fast paths look for again, after the sandbox redefined its exec.
func restoreRegexpFastPath(vm *goja.Runtime, proto *goja.Object) error {
	global, err := field(reflect.ValueOf(vm).Elem(), "global")
	if err != nil {
		return err
	}
	std, err := field(global, "stdRegexpProto")
	if err != nil {
		return err
	}
	self, err := field(reflect.ValueOf(proto).Elem(), "self")
	if err != nil {
		return err
	}
	if std.Kind() != reflect.Pointer || std.IsNil() || self.Kind() != reflect.Interface || !std.Type().Implements(self.Type()) {
		return errGojaLayout
	}
	if !self.IsNil() && self.Elem().Type() == std.Type() && self.Elem().Pointer() == std.Pointer() {
		return nil // not deoptimised
	}
	// The deoptimised prototype is the guarded object's embedded base
	// object, i.e. the same property storage.
	base, err := field(std.Elem(), "baseObject")
	if err != nil || self.IsNil() || self.Elem().Type() != base.Addr().Type() || self.Elem().Pointer() != base.Addr().Pointer() {
		return errGojaLayout
	}
	self.Set(std)
	return nil
}

// regexpFastPathActive reports whether RegExp.prototype is goja's guarded
// object (the fast paths are on).
func regexpFastPathActive(vm *goja.Runtime, proto *goja.Object) bool {
	global, err := field(reflect.ValueOf(vm).Elem(), "global")
	if err != nil {
		return false
	}
	std, err := field(global, "stdRegexpProto")
	if err != nil {
		return false
	}
	self, err := field(reflect.ValueOf(proto).Elem(), "self")
	if err != nil || self.IsNil() {
		return false
	}
	return self.Elem().Type() == std.Type() && self.Elem().Pointer() == std.Pointer()
}

// setRegExpConstructor makes ctor the RegExp constructor goja compares
// species constructors with.
func setRegExpConstructor(vm *goja.Runtime, ctor *goja.Object) error {
	global, err := field(reflect.ValueOf(vm).Elem(), "global")
	if err != nil {
		return err
	}
	f, err := field(global, "RegExp")
	if err != nil || f.Type() != reflect.TypeOf(ctor) {
		return errGojaLayout
	}
	f.Set(reflect.ValueOf(ctor))
	return nil
}

// setEvalIntrinsic makes fn the function goja treats as eval in direct
// eval calls.
func setEvalIntrinsic(vm *goja.Runtime, fn *goja.Object) error {
	global, err := field(reflect.ValueOf(vm).Elem(), "global")
	if err != nil {
		return err
	}
	f, err := field(global, "Eval")
	if err != nil || f.Type() != reflect.TypeOf(fn) {
		return errGojaLayout
	}
	f.Set(reflect.ValueOf(fn))
	return nil
}

// regexpConstructorIs reports whether goja's RegExp constructor is ctor.
func regexpConstructorIs(vm *goja.Runtime, ctor *goja.Object) bool {
	global, err := field(reflect.ValueOf(vm).Elem(), "global")
	if err != nil {
		return false
	}
	f, err := field(global, "RegExp")
	return err == nil && f.Type() == reflect.TypeOf(ctor) && f.Pointer() == reflect.ValueOf(ctor).Pointer()
}
