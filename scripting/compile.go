package scripting

import (
	"errors"
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"

	"flowcraft/scripting/internal/jsparse"
)

// progKind says how user text is wrapped before compilation.
type progKind uint8

const (
	kindScript   progKind = iota // a function body that may `return`
	kindExpr                     // one bare expression
	kindTemplate                 // a string with {{ }} parts
)

// Every program compiles to one strict-mode function expression whose
// parameters are the scope names, so nothing a run declares is global, and
// per-runtime instances of the function can be cached and called directly.
const (
	paramList = "input,trigger,vars,nodes,instance,item,index"
	// strHelper is the hidden parameter through which interpolated templates
	// receive the value-to-text conversion function.
	strHelper = "__flowcraftText"

	scriptPrefix = "(function(" + paramList + `){"use strict";{`
	scriptSuffix = "\n}})"
	exprPrefix   = "(function(" + paramList + `){"use strict";return (`
	exprSuffix   = "\n)})"
	tmplPrefix   = "(function(" + paramList + "," + strHelper + `){"use strict";return ""`
	tmplSuffix   = "})"

	// Source names used for stack frames; they identify frames in user code.
	srcScript   = "script"
	srcExpr     = "expression"
	srcTemplate = "template"
)

// scopeMask records which scope names a program may reference.
type scopeMask uint8

const (
	useInput scopeMask = 1 << iota
	useTrigger
	useVars
	useNodes
	useInstance
	useItem
	useIndex
	numScopeNames = iota

	useAll scopeMask = 1<<numScopeNames - 1
)

// scopeName returns the parameter name for bit i of a scopeMask.
func scopeName(i int) string {
	switch i {
	case 0:
		return "input"
	case 1:
		return "trigger"
	case 2:
		return "vars"
	case 3:
		return "nodes"
	case 4:
		return "instance"
	case 5:
		return "item"
	default:
		return "index"
	}
}

// program is a compiled, immutable unit shared by all runtimes.
type program struct {
	kind  progKind
	prog  *goja.Program
	uses  scopeMask
	smap  *srcMap
	typed bool   // template consisting of exactly one {{ }}: yields a typed value
	err   *Error // compilation failure (cached too)
}

func (e *Engine) compile(kind progKind, src string) *program {
	// Oversized text is refused before the cache, so it is never kept.
	if p := e.sizeProblem(kindName(kind), len(src)); p != nil {
		return &program{kind: kind, err: &Error{Kind: KindLimit, Message: p.msg, Line: 1, Column: 1}}
	}
	k := cacheKey{kind: kind, src: src}
	if p, ok := e.cache.get(k); ok {
		return p
	}
	var p *program
	switch kind {
	case kindScript:
		p = e.compileWrapped(kindScript, src, srcScript, scriptPrefix, scriptSuffix, src, 0)
	case kindExpr:
		p = e.compileWrapped(kindExpr, src, srcExpr, exprPrefix, exprSuffix, src, 0)
	default:
		p = e.compileTemplate(src)
	}
	return e.cache.add(k, p)
}

func kindName(kind progKind) string {
	switch kind {
	case kindScript:
		return "script"
	case kindExpr:
		return "expression"
	}
	return "template"
}

// compileWrapped compiles code (found at offset off of the user text user)
// inside prefix/suffix.
func (e *Engine) compileWrapped(kind progKind, code, name, prefix, suffix, user string, off int) *program {
	sm := &srcMap{user: user, wrapper: prefix + code + suffix}
	sm.segs = []segment{{wStart: len(prefix), uStart: off, n: len(code)}}
	p := &program{kind: kind, smap: sm, uses: scanUses(code)}
	p.prog, p.err = e.compileSource(kind, name, sm)
	return p
}

// compileSource parses the wrapper source within the source limits,
// verifies that the user's text did not break out of its slot, and compiles
// it.
func (e *Engine) compileSource(kind progKind, name string, sm *srcMap) (*goja.Program, *Error) {
	res, perr := e.parseSource(kind, name, sm)
	if perr != nil {
		return nil, perr
	}
	guardEvalCalls(res.evalCalls)
	prog, err := goja.CompileAST(res.tree, false)
	if err != nil {
		return nil, sm.syntaxError(err)
	}
	return prog, nil
}

// parseSource parses the wrapper source within the source limits and
// verifies that the user's text did not break out of its slot.
func (e *Engine) parseSource(kind progKind, name string, sm *srcMap) (*parsed, *Error) {
	what := kindName(kind)
	if name == srcTemplate {
		what = "template"
	}
	res, limit, err := e.parse(what, name, sm.wrapper)
	if limit != nil {
		le := &Error{Kind: KindLimit, Message: limit.msg, Line: 1, Column: 1}
		if limit.off >= 0 {
			le.Line, le.Column = lineCol(sm.user, sm.userOffset(limit.off))
		}
		return nil, le
	}
	if err != nil {
		e := sm.syntaxError(err)
		// An error past the end of the user's code is usually caused by an
		// unbalanced closing bracket that ended the wrapper early.
		if kind == kindScript && len(sm.segs) == 1 {
			seg := sm.segs[0]
			code := sm.wrapper[seg.wStart : seg.wStart+seg.n]
			if i := strayClose(code); i >= 0 {
				e.Line, e.Column = lineCol(sm.user, seg.uStart+i)
				e.Message = "SyntaxError: Unexpected token '" + code[i:i+1] + "'"
			}
		}
		return nil, e
	}
	if bad, msg := checkShape(kind, res.tree); bad >= 0 {
		return nil, sm.errorAtOffset(bad, msg)
	}
	return res, nil
}

// checkShape returns the wrapper offset of the first node that is not part of
// the expected `(function(...){"use strict"; <slot>})` shape, or -1.
func checkShape(kind progKind, tree *ast.Program) (int, string) {
	if len(tree.Body) == 0 {
		return 0, "SyntaxError: Unexpected end of input"
	}
	var fn *ast.FunctionLiteral
	if es, ok := tree.Body[0].(*ast.ExpressionStatement); ok {
		fn, _ = es.Expression.(*ast.FunctionLiteral)
	}
	if fn == nil || fn.Body == nil || len(fn.Body.List) < 2 {
		return 0, "SyntaxError: Unexpected token"
	}
	body := fn.Body.List
	switch kind {
	case kindScript:
		blk, ok := body[1].(*ast.BlockStatement)
		if !ok {
			return int(body[1].Idx0()) - 1, "SyntaxError: Unexpected token"
		}
		if len(body) > 2 || len(tree.Body) > 1 {
			return int(blk.RightBrace) - 1, "SyntaxError: Unexpected token '}'"
		}
	default:
		if len(body) > 2 {
			return int(body[2].Idx0()) - 1, "SyntaxError: Expected a single expression"
		}
		if _, ok := body[1].(*ast.ReturnStatement); !ok {
			return int(body[1].Idx0()) - 1, "SyntaxError: Expected a single expression"
		}
	}
	if len(tree.Body) > 1 {
		return int(tree.Body[1].Idx0()) - 1, "SyntaxError: Unexpected token"
	}
	return -1, ""
}

// strayClose returns the offset of the first closing bracket in code that
// has no matching opener (skipping strings and comments), or -1.
func strayClose(code string) int {
	depth := 0
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case '\'', '"', '`':
			i = skipQuoted(code, i) - 1
		case '/':
			if i+1 < len(code) && code[i+1] == '/' {
				if n := strings.IndexByte(code[i:], '\n'); n >= 0 {
					i += n
				} else {
					return -1
				}
			} else if i+1 < len(code) && code[i+1] == '*' {
				if n := strings.Index(code[i+2:], "*/"); n >= 0 {
					i += n + 3
				} else {
					return -1
				}
			}
		case '{', '(', '[':
			depth++
		case '}', ')', ']':
			if depth == 0 {
				return i
			}
			depth--
		}
	}
	return -1
}

// scanUses conservatively detects which scope names code may reference, so
// runs only convert the data they can observe. Any doubt (eval, arguments,
// unicode escapes in identifiers) binds everything.
func scanUses(code string) scopeMask {
	if strings.Contains(code, "eval") || strings.Contains(code, "arguments") || strings.Contains(code, `\u`) {
		return useAll
	}
	var m scopeMask
	for i := range numScopeNames {
		if containsIdent(code, scopeName(i)) {
			m |= 1 << i
		}
	}
	return m
}

// containsIdent reports whether name occurs in s not preceded or followed by
// an ASCII identifier character. Non-ASCII neighbours count as boundaries,
// which errs on the side of binding a name.
func containsIdent(s, name string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], name)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(name)
		if (j == 0 || !isIdentByte(s[j-1])) && (end == len(s) || !isIdentByte(s[end])) {
			return true
		}
		i = j + 1
	}
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// segment maps wrapper bytes [wStart, wStart+n) to user bytes starting at uStart.
type segment struct{ wStart, uStart, n int }

// srcMap translates positions in the compiled wrapper source back to the
// user's text.
type srcMap struct {
	user    string
	wrapper string
	segs    []segment
}

// userOffset maps a wrapper byte offset to a user byte offset. Offsets in
// wrapper-only text snap to the nearest end of user text before them.
func (m *srcMap) userOffset(w int) int {
	best := -1
	for _, s := range m.segs {
		switch {
		case w >= s.wStart && w <= s.wStart+s.n:
			return s.uStart + w - s.wStart
		case w > s.wStart+s.n:
			best = s.uStart + s.n
		}
	}
	if best < 0 {
		if len(m.segs) > 0 {
			return m.segs[0].uStart
		}
		return 0
	}
	return best
}

// wrapperOffset converts a 1-based line and byte column in the wrapper to a
// byte offset, using the same line terminators as goja.
func (m *srcMap) wrapperOffset(line, col int) int {
	off := 0
	for l := 1; l < line; l++ {
		n := nextLineStart(m.wrapper[off:])
		if n < 0 {
			break
		}
		off += n
	}
	off += col - 1
	return max(0, min(off, len(m.wrapper)))
}

// position maps a wrapper line/column (as reported by goja) to a user line
// and code-point column.
func (m *srcMap) position(line, col int) (int, int) {
	if line <= 0 {
		return 0, 0
	}
	return lineCol(m.user, m.userOffset(m.wrapperOffset(line, col)))
}

// lineCol converts a byte offset in s to a 1-based line and code-point column.
func lineCol(s string, off int) (int, int) {
	off = max(0, min(off, len(s)))
	line, start := 1, 0
	for {
		n := nextLineStart(s[start:])
		if n < 0 || start+n > off {
			break
		}
		start += n
		line++
	}
	return line, 1 + len([]rune(s[start:off]))
}

// nextLineStart returns the offset just past the first line terminator in
// s, or -1 (same rules as goja's file package).
func nextLineStart(s string) int {
	for i, ch := range s {
		switch ch {
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				return i + 2
			}
			return i + 1
		case '\n':
			return i + 1
		case '\u2028', '\u2029':
			return i + 3
		}
	}
	return -1
}

func (m *srcMap) errorAtOffset(w int, msg string) *Error {
	line, col := lineCol(m.user, m.userOffset(w))
	return &Error{Kind: KindSyntax, Message: msg, Line: line, Column: col}
}

// syntaxError converts a parser or compiler error into a positioned *Error.
func (m *srcMap) syntaxError(err error) *Error {
	var list jsparse.ErrorList
	var one *jsparse.Error
	var cse *goja.CompilerSyntaxError
	switch {
	case errors.As(err, &list) && len(list) > 0:
		one = list[0]
	case errors.As(err, &one):
	case errors.As(err, &cse):
		e := m.errorAtOffset(cse.Offset, "SyntaxError: "+cse.Message)
		return e
	default:
		return &Error{Kind: KindSyntax, Message: "SyntaxError: " + err.Error()}
	}
	line, col := m.position(one.Position.Line, one.Position.Column)
	return &Error{Kind: KindSyntax, Message: "SyntaxError: " + one.Message, Line: line, Column: col}
}
