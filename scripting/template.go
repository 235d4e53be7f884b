package scripting

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// HasTemplate reports whether s contains a {{ }} expression.
func HasTemplate(s string) bool {
	i := strings.Index(s, "{{")
	return i >= 0 && strings.Contains(s[i+2:], "}}")
}

// tmplPart is a piece of a template: literal text or an expression whose
// source starts at byte offset off of the template.
type tmplPart struct {
	text string
	expr bool
	off  int
}

// parseTemplate splits s into text and {{ expression }} parts. The closing
// "}}" of an expression is the first one outside string literals, comments
// and balanced braces, so `{{ ({a: {b: 1}}) }}` works.
func parseTemplate(s string) ([]tmplPart, *Error) {
	var parts []tmplPart
	i := 0
	for i < len(s) {
		j := strings.Index(s[i:], "{{")
		if j < 0 {
			parts = append(parts, tmplPart{text: s[i:], off: i})
			break
		}
		j += i
		if j > i {
			parts = append(parts, tmplPart{text: s[i:j], off: i})
		}
		start := j + 2
		end := findClose(s, start)
		if end < 0 {
			line, col := lineCol(s, j)
			return nil, &Error{Kind: KindSyntax, Message: "SyntaxError: Unclosed '{{' in template", Line: line, Column: col}
		}
		if strings.TrimSpace(s[start:end]) == "" {
			line, col := lineCol(s, j)
			return nil, &Error{Kind: KindSyntax, Message: "SyntaxError: Empty '{{ }}' expression in template", Line: line, Column: col}
		}
		parts = append(parts, tmplPart{text: s[start:end], expr: true, off: start})
		i = end + 2
	}
	return parts, nil
}

// findClose returns the offset of the "}}" closing an expression that starts
// at i, or -1.
func findClose(s string, i int) int {
	depth := 0
	for i < len(s) {
		switch c := s[i]; c {
		case '\'', '"', '`':
			i = skipQuoted(s, i)
			continue
		case '/':
			if i+1 < len(s) && s[i+1] == '/' {
				n := strings.IndexByte(s[i:], '\n')
				if n < 0 {
					return -1
				}
				i += n
				continue
			}
			if i+1 < len(s) && s[i+1] == '*' {
				n := strings.Index(s[i+2:], "*/")
				if n < 0 {
					return -1
				}
				i += n + 4
				continue
			}
		case '{':
			depth++
		case '}':
			if depth == 0 {
				if i+1 < len(s) && s[i+1] == '}' {
					return i
				}
			} else {
				depth--
			}
		}
		i++
	}
	return -1
}

// skipQuoted returns the offset just past the string literal starting at i
// (or len(s) when it is unterminated).
func skipQuoted(s string, i int) int {
	q := s[i]
	for i++; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case q:
			return i + 1
		}
	}
	return len(s)
}

// typedExpr returns the single expression part of a template that consists
// of exactly one {{ }} with only whitespace around it.
func typedExpr(parts []tmplPart) (tmplPart, bool) {
	var found tmplPart
	n := 0
	for _, p := range parts {
		if p.expr {
			found = p
			n++
		} else if strings.TrimSpace(p.text) != "" {
			return tmplPart{}, false
		}
	}
	return found, n == 1
}

// maxTemplateExprs bounds the {{ }} expressions of one template: each is
// parsed on its own (real templates have a handful).
const maxTemplateExprs = 10_000

func countExprs(parts []tmplPart) int {
	n := 0
	for _, p := range parts {
		if p.expr {
			n++
		}
	}
	return n
}

// compileTemplate compiles a template: a typed template becomes an
// expression program; otherwise one program concatenates the text parts and
// the text of each expression.
func (e *Engine) compileTemplate(src string) *program {
	parts, perr := parseTemplate(src)
	if perr != nil {
		return &program{kind: kindTemplate, err: perr}
	}
	if p, ok := typedExpr(parts); ok {
		prog := e.compileWrapped(kindTemplate, p.text, srcTemplate, exprPrefix, exprSuffix, src, p.off)
		prog.typed = true
		return prog
	}
	if n := countExprs(parts); n > maxTemplateExprs {
		return &program{kind: kindTemplate, err: &Error{Kind: KindLimit, Message: fmt.Sprintf("template has %d {{ }} expressions, more than %d", n, maxTemplateExprs), Line: 1, Column: 1}}
	}
	// Check every expression on its own first so that an expression cannot
	// reach into its neighbours and errors point at the right part.
	var uses scopeMask
	for _, p := range parts {
		if !p.expr {
			continue
		}
		if ep := e.checkPart(p.text, src, p.off); ep != nil {
			return &program{kind: kindTemplate, err: ep}
		}
		uses |= scanUses(p.text)
	}
	// The parts are concatenated as a balanced tree, ("" + ((a + b) + (c +
	// d))): a flat chain would nest one level per part, and goja's parser and
	// compiler recurse (and the compiler's work grows quadratically) with the
	// depth. All operands are strings, so the result and the order of
	// evaluation are those of the flat chain.
	var b strings.Builder
	b.WriteString(tmplPrefix)
	sm := &srcMap{user: src}
	var emit func(ps []tmplPart)
	emit = func(ps []tmplPart) {
		if len(ps) > 1 {
			mid := len(ps) / 2
			b.WriteByte('(')
			emit(ps[:mid])
			b.WriteByte('+')
			emit(ps[mid:])
			b.WriteByte(')')
			return
		}
		p := ps[0]
		if p.expr {
			b.WriteString(strHelper + "(")
			sm.segs = append(sm.segs, segment{wStart: b.Len(), uStart: p.off, n: len(p.text)})
			b.WriteString(p.text)
			b.WriteString("\n)")
		} else {
			q, _ := json.Marshal(p.text) // JSON strings are valid JS string literals
			b.Write(q)
		}
	}
	if len(parts) > 0 {
		b.WriteByte('+')
		emit(parts)
	}
	b.WriteString(tmplSuffix)
	sm.wrapper = b.String()
	prog := &program{kind: kindTemplate, smap: sm, uses: uses}
	prog.prog, prog.err = e.compileSource(kindExpr, srcTemplate, sm)
	return prog
}

// checkPart parses one template expression (at offset off of the template
// src) on its own and returns its syntax error, if any. Errors only the
// compiler finds are reported when the whole template is compiled.
func (e *Engine) checkPart(expr, src string, off int) *Error {
	sm := &srcMap{user: src, wrapper: exprPrefix + expr + exprSuffix}
	sm.segs = []segment{{wStart: len(exprPrefix), uStart: off, n: len(expr)}}
	_, err := e.parseSource(kindExpr, srcTemplate, sm)
	return err
}

// Render evaluates {{ expr }} templates inside tmpl. A string that is exactly
// one {{ }} (surrounding whitespace allowed) yields the expression's typed
// value; otherwise every {{ }} is replaced by its text (strings as is,
// objects and arrays as JSON, null and undefined as "") and text outside is
// kept verbatim. A string without "{{" is returned unchanged without running
// any JavaScript.
func (e *Engine) Render(ctx context.Context, tmpl string, s Scope) (any, error) {
	if !strings.Contains(tmpl, "{{") {
		return tmpl, nil
	}
	p := e.compile(kindTemplate, tmpl)
	if p.err != nil {
		return nil, p.err.clone()
	}
	b := e.newBatch(&s)
	defer b.close()
	return b.render(ctx, p)
}

// RenderValue returns a copy of v in which every string inside maps and
// slices has been rendered with Render (map keys are not rendered). Values
// without templates are returned as they are. All templates of one call share
// one runtime and one conversion of the scope.
func (e *Engine) RenderValue(ctx context.Context, v any, s Scope) (any, error) {
	if !ContainsTemplate(v) {
		return v, nil
	}
	b := e.newBatch(&s)
	defer b.close()
	return b.renderValue(ctx, v)
}

// ContainsTemplate reports whether any string inside v (a JSON value) contains "{{":
// whether RenderValue would change anything.
func ContainsTemplate(v any) bool {
	switch x := v.(type) {
	case string:
		return strings.Contains(x, "{{")
	case map[string]any:
		for _, el := range x {
			if ContainsTemplate(el) {
				return true
			}
		}
	case []any:
		for _, el := range x {
			if ContainsTemplate(el) {
				return true
			}
		}
	case []string:
		for _, el := range x {
			if strings.Contains(el, "{{") {
				return true
			}
		}
	case map[string]string:
		for _, el := range x {
			if strings.Contains(el, "{{") {
				return true
			}
		}
	}
	return false
}
