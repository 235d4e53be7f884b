package scripting

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

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

func (st *vmState) proto(ctor string) *goja.Object {
	return st.global.Get(ctor).(*goja.Object).Get("prototype").(*goja.Object)
}

// installGuards wraps the built-ins that can allocate (or loop) without
// bound inside a single native call, where neither the deadline nor the
// memory monitor can interrupt them.
func (st *vmState) installGuards() error {
	maxStr := int64(st.e.opts.MaxStringLen)
	maxArr := int64(st.e.opts.MaxArrayLen)

	strProto := st.proto("String")
	type g struct {
		obj   *goja.Object
		name  string
		guard func(nativeFn) nativeFn
	}
	guards := []g{
		{strProto, "repeat", func(orig nativeFn) nativeFn {
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
		}},
		{strProto, "padStart", st.padGuard},
		{strProto, "padEnd", st.padGuard},
		{strProto, "concat", func(orig nativeFn) nativeFn {
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
		}},
		{strProto, "replace", st.replaceGuard(false)},
		{strProto, "replaceAll", st.replaceGuard(true)},
		{strProto, "match", st.matchGuard("match")},
		{strProto, "matchAll", st.matchGuard("matchAll")},
		{strProto, "split", st.matchGuard("split")},
		{strProto, "search", st.matchGuard("search")},
		{st.global, "eval", st.evalGuard},
		{st.proto("RegExp"), "compile", st.compileGuard},
		{st.global.Get("String").(*goja.Object), "raw", func(orig nativeFn) nativeFn {
			return func(call goja.FunctionCall) goja.Value {
				if o, ok := call.Argument(0).(*goja.Object); ok {
					if raw, ok := o.Get("raw").(*goja.Object); ok {
						st.checkLen(raw, "String.raw")
					}
				}
				return orig(call)
			}
		}},
		{st.global.Get("Array").(*goja.Object), "from", func(orig nativeFn) nativeFn {
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
		}},
		{st.proto("Function"), "apply", st.argListGuard(1)},
		{st.global.Get("Reflect").(*goja.Object), "apply", st.argListGuard(2)},
		{st.global.Get("Reflect").(*goja.Object), "construct", st.argListGuard(1)},
		{st.global.Get("JSON").(*goja.Object), "parse", st.jsonParseGuard},
		{st.global.Get("JSON").(*goja.Object), "stringify", st.jsonStringifyGuard},
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
	st.stringify = nativeOf(st.global.Get("JSON").(*goja.Object).Get("stringify"))

	// Array.prototype: every method that walks or allocates `length`
	// elements checks it first; join is reimplemented with size accounting.
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
	// Spreading a string materializes one element per code point.
	if it := nativeOf(strProto.GetSymbol(goja.SymIterator)); it != nil {
		f := st.native("[Symbol.iterator]", 0, func(call goja.FunctionCall) goja.Value {
			if s, ok := call.This.(goja.String); ok && int64(s.Length()) > maxArr {
				st.limitf("iterating a string of length %d exceeds MaxArrayLen (%d)", s.Length(), maxArr)
			}
			return it(call)
		})
		if err := strProto.DefineDataPropertySymbol(goja.SymIterator, f, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
			return err
		}
	}

	// Array.prototype[Symbol.iterator] is the same function as values().
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

// replaceGuard bounds replace/replaceAll. The receiver may not be longer
// than MaxStringLen. With a string replacement, when a cheap upper bound of
// the result (every position matching, every "$" expanding to the whole
// input) fits in MaxStringLen the built-in runs as is; otherwise matches are
// counted (see countMatches) and, if the bound is still too large, the
// replacement string is applied by a native replacement function
// implementing GetSubstitution that accounts the result length match by
// match. Function replacements run JS per match (interruptible).
func (st *vmState) replaceGuard(all bool) func(nativeFn) nativeFn {
	return func(orig nativeFn) nativeFn {
		maxStr := int64(st.e.opts.MaxStringLen)
		return func(call goja.FunctionCall) goja.Value {
			s, ok := st.thisString(call)
			if !ok {
				return orig(call)
			}
			st.checkReceiver(s)
			call.This = s
			L := int64(s.Length())
			search := call.Argument(0)
			global := all
			if re, ok := search.(*goja.Object); ok {
				if re.ClassName() != "RegExp" {
					return orig(call) // custom Symbol.replace: user code
				}
				global = strings.Contains(re.Get("flags").String(), "g")
			}
			counted := false
			matches := int64(1)
			if global {
				matches = L + 1
				if L > int64(st.e.opts.MaxArrayLen) {
					matches, counted = st.countMatches(s, search), true
				}
			}
			repl, isStr := call.Argument(1).(goja.String)
			if !isStr {
				return orig(call)
			}
			R := int64(repl.Length())
			dollars := int64(strings.Count(repl.String(), "$"))
			bound := func(m int64) int64 { return L + m*(R+dollars*L) }
			if bound(matches) > maxStr && global && !counted {
				matches = st.countMatches(s, search)
			}
			if bound(matches) <= maxStr {
				return orig(call)
			}
			sub := &substitution{st: st, src: s, tmpl: repl, budget: maxStr - L}
			call.Arguments = []goja.Value{search, st.vm.ToValue(sub.replace)}
			return orig(call)
		}
	}
}

// matchGuard guards match, matchAll, search and split: the receiver may not
// be longer than MaxStringLen; a pattern given as a string is compiled here
// within the source limits (see patternArg); and for match, matchAll and
// split a receiver longer than MaxArrayLen may not produce more than
// MaxArrayLen matches or pieces (counted before the built-in materializes
// them all).
func (st *vmState) matchGuard(name string) func(nativeFn) nativeFn {
	return func(orig nativeFn) nativeFn {
		maxArr := int64(st.e.opts.MaxArrayLen)
		return func(call goja.FunctionCall) goja.Value {
			s, ok := st.thisString(call)
			if !ok {
				return orig(call)
			}
			st.checkReceiver(s)
			call.This = s
			switch name {
			case "match":
				call.Arguments = []goja.Value{st.patternArg(call.Argument(0), goja.SymMatch, "")}
			case "matchAll":
				call.Arguments = []goja.Value{st.patternArg(call.Argument(0), goja.SymMatchAll, "g")}
			case "search":
				call.Arguments = []goja.Value{st.patternArg(call.Argument(0), goja.SymSearch, "")}
				return orig(call)
			}
			if int64(s.Length()) <= maxArr {
				return orig(call)
			}
			pattern := call.Argument(0)
			re, isRe := pattern.(*goja.Object)
			isRe = isRe && re.ClassName() == "RegExp"
			switch name {
			case "match":
				if isRe && strings.Contains(re.Get("flags").String(), "g") {
					st.countMatches(s, pattern)
				}
			case "split":
				if l := call.Argument(1); !goja.IsUndefined(l) && int64(uint32(l.ToInteger())) <= maxArr {
					break
				}
				if !goja.IsUndefined(pattern) {
					st.countMatches(s, pattern)
				}
			default:
				st.countMatches(s, pattern)
			}
			return orig(call)
		}
	}
}

// checkReceiver refuses strings longer than MaxStringLen (they can only
// have been built with +).
func (st *vmState) checkReceiver(s goja.String) {
	if n := s.Length(); n > st.e.opts.MaxStringLen {
		st.limitf("string of length %d exceeds MaxStringLen (%d)", n, st.e.opts.MaxStringLen)
	}
}

// countMatches counts the matches of pattern (a RegExp, matched globally,
// or a string) in s, failing with a limit error beyond MaxArrayLen. RegExp
// matches are counted one exec at a time on a global copy of the pattern,
// so the count is interruptible and needs no memory per match.
func (st *vmState) countMatches(s goja.String, pattern goja.Value) int64 {
	maxArr := int64(st.e.opts.MaxArrayLen)
	tooMany := func(n int64) {
		if n > maxArr {
			st.limitf("more than MaxArrayLen (%d) matches in a string of length %d", maxArr, s.Length())
		}
	}
	re, ok := pattern.(*goja.Object)
	if !ok || re.ClassName() != "RegExp" {
		if pattern == nil || goja.IsUndefined(pattern) {
			return 1
		}
		p := st.toStr(pattern)
		var n int64
		if p.Length() == 0 {
			n = int64(s.Length()) + 1
		} else {
			n = int64(strings.Count(s.String(), p.String()))
		}
		tooMany(n)
		return n
	}
	flags := re.Get("flags").String()
	if !strings.Contains(flags, "g") {
		flags += "g"
	}
	ctor := st.global.Get("RegExp")
	g, err := st.vm.New(ctor, re.Get("source"), st.vm.ToValue(flags))
	if err != nil {
		panic(err)
	}
	exec := nativeOf(st.proto("RegExp").Get("exec"))
	unicode := strings.ContainsAny(flags, "uv")
	var n int64
	args := []goja.Value{s}
	for {
		res, ok := exec(goja.FunctionCall{This: g, Arguments: args}).(*goja.Object)
		if !ok {
			return n
		}
		n++
		tooMany(n)
		if n&1023 == 0 {
			st.checkStop()
		}
		if st.toStr(res.Get("0")).Length() == 0 {
			next := toLength(g.Get("lastIndex")) + 1
			if unicode && next < int64(s.Length()) {
				if c := s.CharAt(int(next - 1)); c >= 0xD800 && c <= 0xDBFF {
					next++
				}
			}
			if err := g.Set("lastIndex", next); err != nil {
				panic(err)
			}
		}
	}
}

// substitution applies a replacement template (GetSubstitution, ECMA-262
// 22.1.3.19.1) from inside a replacement function, keeping the growth of
// the result within budget.
type substitution struct {
	st     *vmState
	src    goja.String // the whole input string
	tmpl   goja.String
	budget int64 // remaining growth allowed: MaxStringLen - len(src)
	calls  int
}

func (x *substitution) replace(call goja.FunctionCall) goja.Value {
	x.calls++
	if x.calls&1023 == 0 {
		x.st.checkStop()
	}
	args := call.Arguments
	n := len(args)
	var groups *goja.Object
	if n > 0 {
		if o, ok := args[n-1].(*goja.Object); ok {
			groups = o
			n--
		}
	}
	matched := x.st.toStr(call.Argument(0))
	pos := 0
	if n >= 3 {
		pos = int(args[n-2].ToInteger())
	}
	var captures []goja.Value
	if n > 3 {
		captures = args[1 : n-2]
	}
	empty := asString(x.st.vm.ToValue(""))
	var b goja.StringBuilder
	t := x.tmpl
	tl := t.Length()
	grow := int64(-matched.Length())
	write := func(s goja.String, start, end int) {
		grow += int64(end - start)
		if grow > x.budget {
			x.st.limitf("replacement result exceeds MaxStringLen (%d)", x.st.e.opts.MaxStringLen)
		}
		if end > start {
			b.WriteSubstring(s, start, end)
		}
	}
	lit := 0 // start of pending literal text
	for i := 0; i+1 < tl; i++ {
		if t.CharAt(i) != '$' {
			continue
		}
		c := t.CharAt(i + 1)
		var val goja.String
		skip := 0
		switch {
		case c == '$':
			val, skip = t.Substring(i+1, i+2), 2
		case c == '&':
			val, skip = matched, 2
		case c == '`':
			val, skip = x.src.Substring(0, min(pos, x.src.Length())), 2
		case c == '\'':
			end := min(pos+matched.Length(), x.src.Length())
			val, skip = x.src.Substring(end, x.src.Length()), 2
		case c >= '0' && c <= '9':
			d := int(c - '0')
			if i+2 < tl {
				if c2 := t.CharAt(i + 2); c2 >= '0' && c2 <= '9' {
					if dd := d*10 + int(c2-'0'); dd >= 1 && dd <= len(captures) {
						d, skip = dd, 3
					}
				}
			}
			if skip == 0 {
				if d < 1 || d > len(captures) {
					continue
				}
				skip = 2
			}
			val = empty
			if v := captures[d-1]; v != nil && !goja.IsUndefined(v) {
				val = x.st.toStr(v)
			}
		case c == '<':
			if groups == nil {
				continue
			}
			j := i + 2
			for j < tl && t.CharAt(j) != '>' {
				j++
			}
			if j >= tl {
				continue
			}
			val = empty
			if v := groups.Get(t.Substring(i+2, j).String()); v != nil && !goja.IsUndefined(v) {
				val = x.st.toStr(v)
			}
			skip = j + 1 - i
		default:
			continue
		}
		write(t, lit, i)
		write(val, 0, val.Length())
		i += skip - 1
		lit = i + 1
	}
	write(t, lit, tl)
	x.budget -= grow
	return b.String()
}

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

func (st *vmState) checkLen(o *goja.Object, what string) {
	if n := toLength(o.Get("length")); n > int64(st.e.opts.MaxArrayLen) {
		st.limitf("%s of length %d exceeds MaxArrayLen (%d)", what, n, st.e.opts.MaxArrayLen)
	}
}

func (st *vmState) thisLen(call goja.FunctionCall) int64 {
	if o, ok := call.This.(*goja.Object); ok {
		return toLength(o.Get("length"))
	}
	return 0
}

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

func asString(v goja.Value) goja.String {
	if s, ok := v.(goja.String); ok {
		return s
	}
	return goja.StringFromUTF16(nil)
}

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
