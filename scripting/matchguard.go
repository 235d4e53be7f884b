package scripting

import (
	"strings"

	"github.com/dop251/goja"
)

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
