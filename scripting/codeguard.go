package scripting

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
)

// Code built at run time. eval, Function and the hidden function
// constructors (reachable as (function(){}).constructor and through the
// prototypes of async and generator functions) compile source text, RegExp
// and friends compile patterns. Each is wrapped so the text goes through the
// source limits first (size, parser recursion, tree depth, compile work; see
// source.go) and is converted to a string once, so a toString with side
// effects cannot hand the check one text and goja another.
//
// Direct eval. goja compiles eval(x), with the plain identifier eval as
// callee, as a direct eval (the code sees the caller's scope) when the callee
// is its eval intrinsic, and then parses x without calling that function.
// So the sandbox's eval wrapper is made the intrinsic (internals.go), and
// every such call in code that goja compiles is rewritten to
// eval(...eval.__flowcraftEvalArgs(...)): in programs on the syntax tree
// (guardEvalCalls), in source built at run time on the text
// (guardEvalText). __flowcraftEvalArgs, inherited from Function.prototype,
// returns the argument list: for the sandbox's eval its first argument
// passed through the source limits (and this rewrite), for any other
// function (eval shadowed in sloppy code) all arguments unchanged.

// funcCtorKind selects the source header goja's functionCtor writes.
const (
	ctorFunction = iota
	ctorAsync
	ctorGenerator
)

// prepareSource checks runtime source text (as goja will parse it, see
// jsSource) against the source limits and rewrites its direct eval calls.
// It returns the text to compile and whether it differs from src.
func (st *vmState) prepareSource(what, src string) (string, bool) {
	res, p, _ := st.e.parse(what, "<eval>", src)
	if p != nil {
		st.limitf("%s", p.msg)
	}
	if res == nil || len(res.evalCalls) == 0 {
		return src, false // a syntax error is left to goja to report
	}
	out := guardEvalText(src, res.evalCalls)
	if _, p, _ := st.e.parse(what, "<eval>", out); p != nil {
		st.limitf("%s", p.msg)
	}
	return out, true
}

// evalGuard is the global eval (and goja's eval intrinsic): an indirect
// eval call.
func (st *vmState) evalGuard(orig nativeFn) nativeFn {
	return func(call goja.FunctionCall) goja.Value {
		if s, ok := call.Argument(0).(goja.String); ok {
			if src, changed := st.prepareSource("eval source", jsSource(s)); changed {
				call.Arguments = []goja.Value{st.vm.ToValue(src)}
			}
		}
		return orig(call)
	}
}

// evalArgs is Function.prototype.__flowcraftEvalArgs (see above).
func (st *vmState) evalArgs(call goja.FunctionCall) goja.Value {
	if o, ok := call.This.(*goja.Object); !ok || st.evalFn == nil || !o.SameAs(st.evalFn) {
		args := make([]any, len(call.Arguments))
		for i, a := range call.Arguments {
			args[i] = a
		}
		return st.vm.NewArray(args...)
	}
	v := call.Argument(0)
	if s, ok := v.(goja.String); ok {
		if src, changed := st.prepareSource("eval source", jsSource(s)); changed {
			v = st.vm.ToValue(src)
		}
	}
	return st.vm.NewArray(v)
}

// evalArgsName is the Function.prototype property behind the rewrite.
const evalArgsName = "__flowcraftEvalArgs"

// guardEvalCalls rewrites eval(a, ...) into
// eval(...eval.__flowcraftEvalArgs(a, ...)) on the syntax tree: arguments
// are evaluated once, in order, and spread arguments keep working.
func guardEvalCalls(calls []*ast.CallExpression) {
	for _, c := range calls {
		at := c.LeftParenthesis
		c.ArgumentList = []ast.Expression{&ast.SpreadElement{Expression: &ast.CallExpression{
			Callee: &ast.DotExpression{
				Left:       &ast.Identifier{Name: "eval", Idx: c.Callee.Idx0()},
				Identifier: ast.Identifier{Name: evalArgsName, Idx: at},
			},
			LeftParenthesis:  at,
			ArgumentList:     c.ArgumentList,
			RightParenthesis: c.RightParenthesis,
		}}}
	}
}

// guardEvalText applies the same rewrite to source text:
// "...eval.__flowcraftEvalArgs(" after each call's opening parenthesis and
// ")" before its closing one.
func guardEvalText(src string, calls []*ast.CallExpression) string {
	type ins struct {
		at   int
		open bool
	}
	var list []ins
	for _, c := range calls {
		list = append(list, ins{at: int(c.LeftParenthesis), open: true}, ins{at: int(c.RightParenthesis) - 1})
	}
	slices.SortStableFunc(list, func(a, b ins) int {
		if a.at != b.at {
			return a.at - b.at
		}
		if a.open == b.open {
			return 0
		}
		if a.open {
			return -1
		}
		return 1
	})
	var b strings.Builder
	prev := 0
	for _, x := range list {
		at := min(max(x.at, prev), len(src))
		b.WriteString(src[prev:at])
		if x.open {
			b.WriteString("...eval." + evalArgsName + "(")
		} else {
			b.WriteByte(')')
		}
		prev = at
	}
	b.WriteString(src[prev:])
	return b.String()
}

// jsSource returns the text goja compiles for the JS string s: UTF-8, with
// unpaired surrogates written as \uXXXX escapes (as goja's
// escapeInvalidUtf16 does).
func jsSource(s goja.String) string {
	n := s.Length()
	var b strings.Builder
	for i := 0; i < n; i++ {
		c := s.CharAt(i)
		switch {
		case utf16.IsSurrogate(rune(c)):
			if c < 0xDC00 && i+1 < n {
				if d := s.CharAt(i + 1); d >= 0xDC00 && d <= 0xDFFF {
					b.WriteRune(utf16.DecodeRune(rune(c), rune(d)))
					i++
					continue
				}
			}
			fmt.Fprintf(&b, "\\u%04x", c)
		default:
			b.WriteRune(rune(c))
		}
	}
	return b.String()
}

// checkFunction is called by the JS wrappers of the function constructors
// (see hardenSource) with the constructor kind and the arguments. It
// converts the arguments to strings, checks the source goja will assemble
// from them and returns the arguments to pass on: the strings, or, when the
// source has direct eval calls, the rewritten parameter list and body.
func (st *vmState) checkFunction(call goja.FunctionCall) goja.Value {
	kind := call.Argument(0).ToInteger()
	argsObj, ok := call.Argument(1).(*goja.Object)
	if !ok {
		panic(st.vm.NewTypeError("checkFunction: arguments missing"))
	}
	n := int(min(toLength(argsObj.Get("length")), int64(st.e.opts.MaxArrayLen)))
	strs := make([]string, n)
	vals := make([]any, n)
	size := 0
	for i := range n {
		s := st.toStr(argsObj.Get(strconv.Itoa(i)))
		vals[i], strs[i] = s, jsSource(s)
		if size += len(strs[i]) + 1; size > st.e.opts.MaxSourceSize {
			st.limitf("function source is more than MaxSourceSize (%d) bytes", st.e.opts.MaxSourceSize)
		}
	}
	// The source exactly as goja's functionCtor assembles it.
	var b strings.Builder
	switch kind {
	case ctorAsync:
		b.WriteString("(async function anonymous(")
	case ctorGenerator:
		b.WriteString("(function* anonymous(")
	default:
		b.WriteString("(function anonymous(")
	}
	paramsStart := b.Len()
	for i := 0; i < n-1; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strs[i])
	}
	paramsEnd := b.Len()
	b.WriteString("\n) {\n")
	bodyStart := b.Len()
	if n > 0 {
		b.WriteString(strs[n-1])
	}
	bodyEnd := b.Len()
	b.WriteString("\n})")
	src := b.String()
	out, changed := st.prepareSource("function source", src)
	if !changed {
		return st.vm.NewArray(vals...)
	}
	// Cut the rewritten source back into parameters and body: the rewrite
	// only inserted text, so the fixed parts are where they were, shifted.
	head, sep, tail := src[:paramsStart], src[paramsEnd:bodyStart], src[bodyEnd:]
	if !strings.HasPrefix(out, head) || !strings.HasSuffix(out, tail) {
		st.limitf("function source cannot be checked")
	}
	mid := out[len(head) : len(out)-len(tail)]
	// goja joins the parameters, sep and the body, so any split at a sep
	// gives back the same source.
	params, body, found := strings.Cut(mid, sep)
	if !found || n == 1 && params != "" {
		st.limitf("function source cannot be checked")
	}
	if n == 1 {
		return st.vm.NewArray(body)
	}
	return st.vm.NewArray(params, body)
}

// checkRegExp is called by the JS wrapper of RegExp with (pattern, flags,
// calledAsFunction, wrapper). It returns true when RegExp(pattern) must
// return pattern itself, and otherwise the arguments for the original
// constructor, converted once and checked.
func (st *vmState) checkRegExp(call goja.FunctionCall) goja.Value {
	pattern, flags := call.Argument(0), call.Argument(1)
	asFunction := call.Argument(2).ToBoolean()
	self := call.Argument(3)
	po, isObj := pattern.(*goja.Object)
	isRegExp := false
	if isObj {
		if m := po.GetSymbol(goja.SymMatch); m != nil && !goja.IsUndefined(m) {
			isRegExp = m.ToBoolean()
		} else {
			isRegExp = po.ClassName() == "RegExp"
		}
	}
	if asFunction && isRegExp && goja.IsUndefined(flags) {
		if c := po.Get("constructor"); c != nil && c.SameAs(self) {
			return st.vm.ToValue(true)
		}
	}
	var f goja.Value = goja.Undefined()
	if !goja.IsUndefined(flags) {
		f = st.toStr(flags)
	}
	if isObj && po.ClassName() == "RegExp" {
		// Its source was checked when it was created.
		if goja.IsUndefined(f) {
			return st.vm.NewArray(po)
		}
		return st.vm.NewArray(po, f)
	}
	var p goja.Value = goja.Undefined()
	if isRegExp {
		p = po.Get("source")
		if goja.IsUndefined(f) {
			f = st.toStr(po.Get("flags"))
		}
	} else {
		p = pattern
	}
	var ps goja.String = asString(st.vm.ToValue(""))
	if p != nil && !goja.IsUndefined(p) {
		ps = st.toStr(p)
	}
	st.checkPattern(ps.String())
	if goja.IsUndefined(f) {
		return st.vm.NewArray(ps)
	}
	return st.vm.NewArray(ps, f)
}

// checkPattern refuses regular expression patterns beyond the source
// limits: goja's and regexp2's pattern parsers recurse per group, and
// regexp2's compile time grows quadratically with nested look-arounds.
func (st *vmState) checkPattern(p string) {
	if len(p) > st.e.opts.MaxSourceSize {
		st.limitf("regular expression of %d bytes exceeds MaxSourceSize (%d)", len(p), st.e.opts.MaxSourceSize)
	}
	if regexpNesting(p) > st.e.opts.MaxNesting {
		st.limitf("regular expression nests groups deeper than MaxNesting (%d levels)", st.e.opts.MaxNesting)
	}
}

// compileGuard wraps RegExp.prototype.compile.
func (st *vmState) compileGuard(orig nativeFn) nativeFn {
	return func(call goja.FunctionCall) goja.Value {
		p := call.Argument(0)
		if o, ok := p.(*goja.Object); ok && o.ClassName() == "RegExp" {
			return orig(call)
		}
		ps := asString(st.vm.ToValue(""))
		if !goja.IsUndefined(p) {
			ps = st.toStr(p)
		}
		st.checkPattern(ps.String())
		args := []goja.Value{ps}
		if f := call.Argument(1); !goja.IsUndefined(f) {
			args = append(args, st.toStr(f))
		}
		call.Arguments = args
		return orig(call)
	}
}

// patternArg prepares the argument of String.prototype.match, matchAll and
// search: unless it is a RegExp or has its own matcher (sym), the built-in
// compiles it into a RegExp; that RegExp is created here, from the pattern
// converted once and checked, and passed instead. flags is "g" for
// matchAll.
func (st *vmState) patternArg(arg goja.Value, sym *goja.Symbol, flags string) goja.Value {
	var p goja.Value
	switch a := arg.(type) {
	case *goja.Object:
		if a.ClassName() == "RegExp" {
			return arg
		}
		if m := a.GetSymbol(sym); m != nil && !goja.IsUndefined(m) && !goja.IsNull(m) {
			return arg
		}
		p = a
		// goja treats a RegExp-like object (truthy Symbol.match) by its source.
		if m := a.GetSymbol(goja.SymMatch); m != nil && !goja.IsUndefined(m) && m.ToBoolean() {
			p = a.Get("source")
		}
	case *goja.Symbol:
		return arg // the built-in throws
	default:
		p = arg
	}
	ps := asString(st.vm.ToValue(""))
	if p != nil && !goja.IsUndefined(p) {
		ps = st.toStr(p)
	}
	st.checkPattern(ps.String())
	args := []goja.Value{ps}
	if flags != "" {
		args = append(args, st.vm.ToValue(flags))
	}
	rx, err := st.vm.New(st.origRegExp, args...)
	if err != nil {
		panic(err)
	}
	return rx
}
