package scripting

import (
	"errors"
	"reflect"
	"strings"
	"sync"
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

// regexpInfo is what the regular expression guards need to know about a
// RegExp object (see regexp.go).
type regexpInfo struct {
	src                                                    string // the pattern as goja compiled it
	global, ignoreCase, multiline, dotAll, sticky, unicode bool
	re2                                                    bool // goja has a Go regexp for it
	standard                                               bool // goja's fast paths apply (unless its prototype changed)
}

// regexpLayout locates the goja internals read by readRegexp and
// readMatchAllIterator.
type regexpLayout struct {
	self                                                            int // goja.Object.self
	rxType                                                          reflect.Type
	pattern, standard                                               int // regexpObject fields
	src, global, ignoreCase, multiline, dotAll, sticky, unicode, re int // regexpPattern fields
	iterType                                                        reflect.Type
	iterMatcher, iterS, iterDone                                    int
}

var regexpLayoutOnce = sync.OnceValue(func() *regexpLayout {
	l, err := findRegexpLayout()
	if err != nil {
		return nil
	}
	return l
})

func findRegexpLayout() (*regexpLayout, error) {
	vm := goja.New()
	rxv, err := vm.RunString("/a/")
	if err != nil {
		return nil, err
	}
	itv, err := vm.RunString("'a'.matchAll(/a/g)")
	if err != nil {
		return nil, err
	}
	idx := func(t reflect.Type, name string, kind reflect.Kind) (int, error) {
		if t.Kind() != reflect.Struct {
			return 0, errGojaLayout
		}
		f, ok := t.FieldByName(name)
		if !ok || len(f.Index) != 1 || f.Type.Kind() != kind {
			return 0, errGojaLayout
		}
		return f.Index[0], nil
	}
	objT := reflect.TypeFor[goja.Object]()
	var l regexpLayout
	var errs []error
	add := func(p *int, t reflect.Type, name string, kind reflect.Kind) {
		i, err := idx(t, name, kind)
		*p = i
		errs = append(errs, err)
	}
	add(&l.self, objT, "self", reflect.Interface)
	self := reflect.ValueOf(rxv.(*goja.Object)).Elem().Field(l.self)
	if self.IsNil() || self.Elem().Kind() != reflect.Pointer {
		return nil, errGojaLayout
	}
	l.rxType = self.Elem().Type()
	rxT := l.rxType.Elem()
	add(&l.pattern, rxT, "pattern", reflect.Pointer)
	add(&l.standard, rxT, "standard", reflect.Bool)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	patT := rxT.Field(l.pattern).Type.Elem()
	add(&l.src, patT, "src", reflect.String)
	add(&l.global, patT, "global", reflect.Bool)
	add(&l.ignoreCase, patT, "ignoreCase", reflect.Bool)
	add(&l.multiline, patT, "multiline", reflect.Bool)
	add(&l.dotAll, patT, "dotAll", reflect.Bool)
	add(&l.sticky, patT, "sticky", reflect.Bool)
	add(&l.unicode, patT, "unicode", reflect.Bool)
	add(&l.re, patT, "regexpWrapper", reflect.Pointer)
	it := reflect.ValueOf(itv.(*goja.Object)).Elem().Field(l.self)
	if it.IsNil() || it.Elem().Kind() != reflect.Pointer {
		return nil, errGojaLayout
	}
	l.iterType = it.Elem().Type()
	add(&l.iterMatcher, l.iterType.Elem(), "matcher", reflect.Pointer)
	add(&l.iterS, l.iterType.Elem(), "s", reflect.Interface)
	add(&l.iterDone, l.iterType.Elem(), "done", reflect.Bool)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if l.iterType.Elem().Field(l.iterMatcher).Type != reflect.TypeFor[*goja.Object]() {
		return nil, errGojaLayout
	}
	return &l, nil
}

// readRegexp returns what the guards need to know about o, and whether o
// is a RegExp object. Without the expected goja layout it falls back to the
// public properties and assumes the worst (regexp2, fast paths).
func readRegexp(o *goja.Object) (regexpInfo, bool) {
	if o == nil {
		return regexpInfo{}, false
	}
	l := regexpLayoutOnce()
	if l == nil {
		if o.ClassName() != "RegExp" {
			return regexpInfo{}, false
		}
		flags := o.Get("flags").String()
		return regexpInfo{
			src:    o.Get("source").String(),
			global: strings.Contains(flags, "g"), ignoreCase: strings.Contains(flags, "i"),
			multiline: strings.Contains(flags, "m"), dotAll: strings.Contains(flags, "s"),
			sticky: strings.Contains(flags, "y"), unicode: strings.Contains(flags, "u"),
			standard: true,
		}, true
	}
	self := reflect.ValueOf(o).Elem().Field(l.self)
	if self.IsNil() || self.Elem().Type() != l.rxType {
		return regexpInfo{}, false
	}
	rx := self.Elem().Elem()
	pp := rx.Field(l.pattern)
	if pp.IsNil() {
		return regexpInfo{}, false
	}
	p := pp.Elem()
	return regexpInfo{
		src:        p.Field(l.src).String(),
		global:     p.Field(l.global).Bool(),
		ignoreCase: p.Field(l.ignoreCase).Bool(),
		multiline:  p.Field(l.multiline).Bool(),
		dotAll:     p.Field(l.dotAll).Bool(),
		sticky:     p.Field(l.sticky).Bool(),
		unicode:    p.Field(l.unicode).Bool(),
		re2:        !p.Field(l.re).IsNil(),
		standard:   rx.Field(l.standard).Bool(),
	}, true
}

// readMatchAllIterator returns the matcher and string of a matchAll
// iterator that is not done yet.
func readMatchAllIterator(o *goja.Object) (*goja.Object, goja.String, bool) {
	l := regexpLayoutOnce()
	if o == nil || l == nil {
		return nil, nil, false
	}
	self := reflect.ValueOf(o).Elem().Field(l.self)
	if self.IsNil() || self.Elem().Type() != l.iterType {
		return nil, nil, false
	}
	it := self.Elem().Elem()
	if it.Field(l.iterDone).Bool() {
		return nil, nil, false
	}
	m, err := field(it, "matcher")
	if err != nil {
		return nil, nil, false
	}
	sv, err := field(it, "s")
	if err != nil || sv.IsNil() {
		return nil, nil, false
	}
	s, ok := sv.Interface().(goja.String)
	if !ok {
		return nil, nil, false
	}
	matcher, _ := m.Interface().(*goja.Object)
	return matcher, s, matcher != nil
}

// isASCII reports whether s is one of goja's ASCII strings (any other
// representation may hold non-ASCII text).
func isASCII(s goja.String) bool {
	return reflect.TypeOf(s).Kind() == reflect.String
}
