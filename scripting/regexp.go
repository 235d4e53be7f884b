package scripting

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/dlclark/regexp2/v2"
	"github.com/dop251/goja"
)

// Regular expressions and the deadline.
//
// goja matches with Go's regexp (linear time) where it can and falls back
// to github.com/dlclark/regexp2, a backtracking engine, for patterns with
// back-references or look-around, and also for RE2-compatible patterns when
// matching starts past the beginning of the string (exec or test of a
// global or sticky regexp with lastIndex > 0) or when all matches of a
// non-ASCII string are wanted (match, replace, split with the g flag).
// Backtracking can take exponential time inside one native call, where
// goja's interrupt cannot reach, and goja compiles regexp2 patterns without
// a MatchTimeout and turns a regexp2 error into "no match".
//
// So every built-in that runs a match (RegExp.prototype.exec, test,
// [Symbol.match], [Symbol.replace], [Symbol.search], [Symbol.split], and the
// next method of matchAll's iterator, whose fallback runs the matcher
// directly) is wrapped. When goja is going to use regexp2 for the call,
// the wrapper first runs the same match(es) with the sandbox's own regexp2
// compile of the same pattern and options, with a MatchTimeout of half the
// time left until the run's deadline (regexp2's clock adds up to ~0.2s).
// If that preflight times out the run stops with the timeout error
// (uncatchable, like the deadline): the real match would have needed at
// least as long again. Otherwise the built-in runs unchanged, so results
// never differ. Matches that use Go's regexp are not preflighted.
//
// String.prototype.match, matchAll, replace, replaceAll, search and split
// delegate to the Symbol methods. [Symbol.matchAll] itself matches nothing:
// its iterator calls exec. The regexp2 compiles belong to one runtime
// (which one goroutine uses at a time), so their MatchTimeout can be set
// per call without races; goja's own compiled patterns are shared and never
// modified.

// regexpTimeoutSlack is how much later than its MatchTimeout regexp2 may
// notice a timeout (its clock ticks every 100ms and deadlines get one tick
// of slack).
const regexpTimeoutSlack = 200 * time.Millisecond

// maxRegexpCache bounds the regexp2 compiles kept per runtime.
const maxRegexpCache = 256

type regexp2Key struct {
	src  string
	opts regexp2.RegexOptions
}

// runeCache keeps the rune form of the last string matched, so an exec loop
// over one long string converts it once (goja caches likewise).
type runeCache struct {
	s       goja.String
	unicode bool
	runes   []rune
	posMap  []int // unicode mode: UTF-16 index of each rune, and the length
}

// installRegexpGuards wraps the matching built-ins (see above). It must run
// before the runtime is frozen.
func (st *vmState) installRegexpGuards() error {
	proto := st.proto("RegExp")
	st.regexpProto = proto
	if err := st.wrap(proto, "exec", st.execGuard); err != nil {
		return err
	}
	if err := st.wrap(proto, "test", st.execGuard); err != nil {
		return err
	}
	for _, g := range []struct {
		sym   *goja.Symbol
		name  string
		guard func(nativeFn) nativeFn
	}{
		{goja.SymMatch, "[Symbol.match]", st.symMatchGuard},
		{goja.SymReplace, "[Symbol.replace]", st.symReplaceGuard},
		{goja.SymSearch, "[Symbol.search]", st.symSearchGuard},
		{goja.SymSplit, "[Symbol.split]", st.symSplitGuard},
	} {
		orig := nativeOf(proto.GetSymbol(g.sym))
		if orig == nil {
			return errGojaLayout
		}
		length := int(proto.GetSymbol(g.sym).(*goja.Object).Get("length").ToInteger())
		f := st.native(g.name, length, g.guard(orig))
		if err := proto.DefineDataPropertySymbol(g.sym, f, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
			return err
		}
	}
	it, err := st.vm.RunString("Object.getPrototypeOf(/x/[Symbol.matchAll]('x'))")
	if err != nil {
		return err
	}
	return st.wrap(it.(*goja.Object), "next", st.matchAllNextGuard)
}

// lastIndexStart returns where a match of rx (global or sticky) starts: its
// lastIndex. A lastIndex that is not a primitive is converted once here and
// written back, so goja reads the same number without calling valueOf again.
func (st *vmState) lastIndexStart(rx *goja.Object) int64 {
	li := rx.Get("lastIndex")
	if _, isObj := li.(*goja.Object); isObj {
		n := toLength(li)
		_ = rx.Set("lastIndex", n)
		return n
	}
	return toLength(li)
}

// execGuard guards exec and test.
func (st *vmState) execGuard(orig nativeFn) nativeFn {
	return func(call goja.FunctionCall) goja.Value {
		rx, _ := call.This.(*goja.Object)
		info, ok := readRegexp(rx)
		if !ok {
			return orig(call)
		}
		s := st.toStr(call.Argument(0))
		call.Arguments = []goja.Value{s}
		start := int64(0)
		if info.global || info.sticky {
			start = st.lastIndexStart(rx)
		}
		st.preflight(info, s, start, 1)
		return orig(call)
	}
}

// standard reports whether goja will run the fast path of a RegExp.prototype
// method for rx, matching with rx's pattern directly; otherwise it calls
// exec through JS for every match, which execGuard guards.
func (st *vmState) standard(rx *goja.Object, info regexpInfo) bool {
	if !info.standard {
		return false
	}
	p := rx.Prototype()
	return p != nil && p.SameAs(st.regexpProto)
}

func (st *vmState) symMatchGuard(orig nativeFn) nativeFn {
	return func(call goja.FunctionCall) goja.Value {
		rx, _ := call.This.(*goja.Object)
		info, ok := readRegexp(rx)
		if !ok {
			return orig(call)
		}
		s := st.toStr(call.Argument(0))
		call.Arguments = []goja.Value{s}
		if st.standard(rx, info) {
			switch {
			case info.global:
				st.preflight(info, s, 0, -1)
			case info.sticky:
				st.preflight(info, s, st.lastIndexStart(rx), 1)
			default:
				st.preflight(info, s, 0, 1)
			}
		}
		return orig(call)
	}
}

func (st *vmState) symReplaceGuard(orig nativeFn) nativeFn {
	return func(call goja.FunctionCall) goja.Value {
		rx, _ := call.This.(*goja.Object)
		info, ok := readRegexp(rx)
		if !ok {
			return orig(call)
		}
		s := st.toStr(call.Argument(0))
		call.Arguments = []goja.Value{s, call.Argument(1)}
		if st.standard(rx, info) {
			switch {
			case info.global:
				st.preflight(info, s, 0, -1)
			case info.sticky:
				st.preflight(info, s, st.lastIndexStart(rx), 1)
			default:
				st.preflight(info, s, 0, 1)
			}
		}
		return orig(call)
	}
}

func (st *vmState) symSearchGuard(orig nativeFn) nativeFn {
	return func(call goja.FunctionCall) goja.Value {
		rx, _ := call.This.(*goja.Object)
		info, ok := readRegexp(rx)
		if !ok {
			return orig(call)
		}
		s := st.toStr(call.Argument(0))
		call.Arguments = []goja.Value{s}
		if st.standard(rx, info) {
			st.preflight(info, s, 0, 1) // search matches from 0 whatever lastIndex is
		}
		return orig(call)
	}
}

// symSplitGuard guards [Symbol.split]. goja splits with the pattern of a
// splitter made by rx's species constructor; with the sandbox's RegExp that
// is rx's own pattern. A custom species constructor could return any
// pattern, so then the split runs here, by the spec's generic algorithm,
// through the guarded exec.
func (st *vmState) symSplitGuard(orig nativeFn) nativeFn {
	return func(call goja.FunctionCall) goja.Value {
		rx, _ := call.This.(*goja.Object)
		info, ok := readRegexp(rx)
		if !ok {
			return orig(call)
		}
		s := st.toStr(call.Argument(0))
		limit := call.Argument(1)
		if _, isObj := limit.(*goja.Object); isObj {
			limit = st.vm.ToValue(uint32(limit.ToInteger()))
		}
		call.Arguments = []goja.Value{s, limit}
		if c := st.speciesConstructor(rx); !c.SameAs(st.safeRegExp) {
			return st.splitGeneric(rx, c, s, limit)
		}
		if goja.IsUndefined(limit) || uint32(limit.ToInteger()) != 0 {
			st.preflight(info, s, 0, -1)
		}
		return orig(call)
	}
}

// speciesConstructor is ECMAScript SpeciesConstructor(rx, %RegExp%).
func (st *vmState) speciesConstructor(rx *goja.Object) *goja.Object {
	c := rx.Get("constructor")
	if c == nil || goja.IsUndefined(c) {
		return st.safeRegExp
	}
	co, ok := c.(*goja.Object)
	if !ok {
		panic(st.vm.NewTypeError("object.constructor is not an object"))
	}
	s := co.GetSymbol(goja.SymSpecies)
	if s == nil || goja.IsUndefined(s) || goja.IsNull(s) {
		return st.safeRegExp
	}
	so, ok := s.(*goja.Object)
	if !ok {
		panic(st.vm.NewTypeError("Value is not a constructor"))
	}
	return so
}

// splitGeneric is RegExp.prototype[@@split] (ECMA-262 22.2.6.14) for a
// custom species constructor c, as goja's generic algorithm does it.
func (st *vmState) splitGeneric(rx, c *goja.Object, s goja.String, limit goja.Value) goja.Value {
	flags := st.toStr(rx.Get("flags")).String()
	unicode := strings.Contains(flags, "u")
	if !strings.Contains(flags, "y") {
		flags += "y"
	}
	sp, err := st.vm.New(c, rx, st.vm.ToValue(flags))
	if err != nil {
		panic(err)
	}
	lim := int64(1<<32 - 1)
	if !goja.IsUndefined(limit) {
		lim = int64(uint32(limit.ToInteger()))
	}
	var out []any
	if lim == 0 {
		return st.vm.NewArray()
	}
	size := s.Length()
	if size == 0 {
		if goja.IsNull(st.regExpExec(sp, s)) {
			out = append(out, s)
		}
		return st.vm.NewArray(out...)
	}
	p, q := 0, 0
	for q < size {
		if q&1023 == 1023 {
			st.checkStop()
		}
		if err := sp.Set("lastIndex", q); err != nil {
			panic(err)
		}
		z := st.regExpExec(sp, s)
		if goja.IsNull(z) {
			q = advanceIndex(s, q, unicode)
			continue
		}
		e := min(toLength(sp.Get("lastIndex")), int64(size))
		if e == int64(p) {
			q = advanceIndex(s, q, unicode)
			continue
		}
		out = append(out, s.Substring(p, q))
		if int64(len(out)) == lim {
			return st.vm.NewArray(out...)
		}
		p = int(e)
		zo := z.(*goja.Object)
		n := max(toLength(zo.Get("length"))-1, 0)
		for i := int64(1); i <= n; i++ {
			v := zo.Get(strconv.FormatInt(i, 10))
			if v == nil {
				v = goja.Undefined()
			}
			out = append(out, v)
			if int64(len(out)) == lim {
				return st.vm.NewArray(out...)
			}
		}
		q = p
	}
	out = append(out, s.Substring(p, size))
	return st.vm.NewArray(out...)
}

// regExpExec is ECMAScript RegExpExec(r, s): r.exec if callable, else the
// guarded built-in exec.
func (st *vmState) regExpExec(r *goja.Object, s goja.String) goja.Value {
	if f, ok := goja.AssertFunction(r.Get("exec")); ok {
		v, err := f(r, s)
		if err != nil {
			panic(err)
		}
		if _, isObj := v.(*goja.Object); !isObj && !goja.IsNull(v) {
			panic(st.vm.NewTypeError("RegExp exec method returned something other than an Object or null"))
		}
		return v
	}
	exec, _ := goja.AssertFunction(st.regexpProto.Get("exec"))
	v, err := exec(r, s)
	if err != nil {
		panic(err)
	}
	return v
}

func advanceIndex(s goja.String, i int, unicode bool) int {
	if unicode && i+1 < s.Length() {
		if c := s.CharAt(i); c >= 0xD800 && c <= 0xDBFF {
			if d := s.CharAt(i + 1); d >= 0xDC00 && d <= 0xDFFF {
				return i + 2
			}
		}
	}
	return i + 1
}

// matchAllNextGuard guards the next method of matchAll's iterator: when its
// matcher has no callable exec, goja runs the matcher's pattern directly.
func (st *vmState) matchAllNextGuard(orig nativeFn) nativeFn {
	return func(call goja.FunctionCall) goja.Value {
		it, _ := call.This.(*goja.Object)
		if matcher, s, ok := readMatchAllIterator(it); ok {
			if _, callable := goja.AssertFunction(matcher.Get("exec")); !callable {
				if info, isRx := readRegexp(matcher); isRx {
					start := int64(0)
					if info.global || info.sticky {
						start = st.lastIndexStart(matcher)
					}
					st.preflight(info, s, start, 1)
				}
			}
		}
		return orig(call)
	}
}

// usesRegexp2 reports whether goja matches with regexp2 for a match of info
// in s from start, wanting limit matches (-1: all). It mirrors goja's
// regexpPattern.findSubmatchIndex and findAllSubmatchIndex.
func usesRegexp2(info regexpInfo, s goja.String, start int64, limit int) bool {
	switch {
	case !info.re2 || start != 0:
		return true
	case limit == 1 || isASCII(s):
		return false
	case info.unicode:
		return !validUTF16(s)
	}
	return true
}

// preflight runs the matches goja is about to run, with a timeout (see the
// top of this file), when goja will use regexp2 for them. limit is 1 for a
// single match (exec) and -1 for all matches from start.
func (st *vmState) preflight(info regexpInfo, s goja.String, start int64, limit int) {
	r := st.cur
	if r == nil || start > int64(s.Length()) || !usesRegexp2(info, s, start, limit) {
		return
	}
	now := time.Now()
	left := r.deadline.Sub(now)
	if left <= 0 {
		st.regexpTimeout(r)
	}
	deadline := now.Add(left / 2)
	re := st.regexp2For(info)
	if re == nil {
		return
	}
	runes, posMap := st.runesOf(s, info.unicode)
	pos := int(start)
	if info.unicode {
		var split bool
		pos, split = runeIndex(posMap, int(start))
		if split {
			// goja matches from the second half of a split surrogate pair.
			saved := runes[pos]
			_, runes[pos] = utf16.EncodeRune(saved)
			defer func() { runes[pos] = saved }()
		}
	}
	re.MatchTimeout = max(time.Until(deadline)-regexpTimeoutSlack, 0)
	m, err := re.FindRunesMatchStartingAt(runes, pos)
	next := int(start) // sticky: where the next match must start
	for n := 1; err == nil && m != nil && limit != 1; n++ {
		if info.sticky {
			at, end := m.RuneIndex, m.RuneIndex+m.RuneLength
			if info.unicode {
				at, end = posMap[at], posMap[end]
			}
			if at != next {
				break
			}
			next = end
		}
		if n&255 == 0 {
			st.checkStop()
		}
		left := time.Until(deadline)
		if left <= 0 {
			st.regexpTimeout(r)
		}
		re.MatchTimeout = max(left-regexpTimeoutSlack, 0)
		m, err = re.FindNextMatch(m)
	}
	if err != nil {
		st.regexpTimeout(r)
	}
}

// regexpTimeout stops the run with the timeout error.
func (st *vmState) regexpTimeout(r *run) {
	sig := &stopSignal{kind: KindTimeout, msg: "execution exceeded " + r.deadline.Sub(r.start).Round(time.Millisecond).String() + " in a regular expression"}
	if r.ctxDL {
		sig.cause = context.DeadlineExceeded
	}
	if r.prog != nil && r.prog.smap != nil {
		sig.line, sig.col, _ = stackInfo(r.prog, st.vm.CaptureCallStack(0, nil))
	}
	r.fail(sig)
}

// regexp2For returns this runtime's regexp2 compile of info's pattern, with
// the options goja's compileRegexp2 uses, or nil if it does not compile.
func (st *vmState) regexp2For(info regexpInfo) *regexp2.Regexp {
	opts := regexp2.ECMAScript
	if info.multiline {
		opts |= regexp2.Multiline
	}
	if info.dotAll {
		opts |= regexp2.Singleline
	}
	if info.ignoreCase {
		opts |= regexp2.IgnoreCase
	}
	if info.unicode {
		opts |= regexp2.Unicode
	}
	k := regexp2Key{src: info.src, opts: opts}
	if re, ok := st.regexps[k]; ok {
		return re
	}
	re, err := regexp2.Compile(info.src, opts)
	if err != nil {
		re = nil
	}
	if st.regexps == nil || len(st.regexps) >= maxRegexpCache {
		st.regexps = make(map[regexp2Key]*regexp2.Regexp)
	}
	st.regexps[k] = re
	return re
}

// runesOf returns s as goja hands it to regexp2: UTF-16 code units, or in
// unicode mode code points (unpaired surrogates kept) with the UTF-16 index
// of each.
func (st *vmState) runesOf(s goja.String, unicode bool) ([]rune, []int) {
	c := &st.runes
	if c.s != nil && c.unicode == unicode && c.s.SameAs(s) {
		return c.runes, c.posMap
	}
	n := s.Length()
	runes := make([]rune, 0, n)
	var posMap []int
	if isASCII(s) {
		for _, b := range []byte(s.String()) {
			runes = append(runes, rune(b))
		}
		if unicode {
			posMap = make([]int, n+1)
			for i := range posMap {
				posMap[i] = i
			}
		}
	} else if !unicode {
		for i := range n {
			runes = append(runes, rune(s.CharAt(i)))
		}
	} else {
		posMap = make([]int, 0, n+1)
		for i := 0; i < n; i++ {
			posMap = append(posMap, i)
			ch := rune(s.CharAt(i))
			if ch >= 0xD800 && ch <= 0xDBFF && i+1 < n {
				if d := rune(s.CharAt(i + 1)); d >= 0xDC00 && d <= 0xDFFF {
					ch = utf16.DecodeRune(ch, d)
					i++
				}
			}
			runes = append(runes, ch)
		}
		posMap = append(posMap, n)
	}
	*c = runeCache{s: s, unicode: unicode, runes: runes, posMap: posMap}
	return runes, posMap
}

// runeIndex maps a UTF-16 index to a rune index (goja's
// posMapReverseLookup): split is true when it falls inside a pair.
func runeIndex(posMap []int, i int) (int, bool) {
	lo, hi := 0, len(posMap)
	for lo < hi {
		m := (lo + hi) / 2
		if posMap[m] < i {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(posMap) && posMap[lo] != i {
		return lo - 1, true
	}
	return lo, false
}

func validUTF16(s goja.String) bool {
	n := s.Length()
	for i := 0; i < n; i++ {
		c := s.CharAt(i)
		switch {
		case c >= 0xD800 && c <= 0xDBFF:
			if i+1 >= n {
				return false
			}
			if d := s.CharAt(i + 1); d < 0xDC00 || d > 0xDFFF {
				return false
			}
			i++
		case c >= 0xDC00 && c <= 0xDFFF:
			return false
		}
	}
	return true
}
