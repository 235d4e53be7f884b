package scripting

import (
	"strings"

	"github.com/dop251/goja"
)

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
