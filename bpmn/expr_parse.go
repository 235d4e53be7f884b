package bpmn

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"flowcraft/engine"
)

// The JUEL and FEEL subsets (see expr.go) are read by one small tokenizer and two
// recursive-descent parsers that write JavaScript with explicit parentheses. Every
// node carries its nesting depth, bounded by maxExprDepth, so the JavaScript stays
// well inside the sandbox's own nesting limit.

type tokKind uint8

const (
	tEOF tokKind = iota
	tIdent
	tNum
	tStr
	tOp
)

type token struct {
	kind tokKind
	text string // identifier, operator, number as written
	str  string // decoded string literal
	pos  int
}

// node is translated JavaScript with its nesting depth.
type node struct {
	js string
	d  int
}

type exprParser struct {
	src   string
	pos   int
	tok   token
	feel  bool
	depth int
	err   error
}

func (p *exprParser) fail(format string, args ...any) {
	if p.err == nil {
		p.err = engine.Errorf(engine.ErrInvalid, format, args...)
	}
}

// next reads the next token into p.tok.
func (p *exprParser) next() {
	if p.err != nil {
		p.tok = token{kind: tEOF, pos: len(p.src)}
		return
	}
	s := p.src
	for p.pos < len(s) {
		r, n := utf8.DecodeRuneInString(s[p.pos:])
		if !unicode.IsSpace(r) {
			break
		}
		p.pos += n
	}
	start := p.pos
	if p.pos >= len(s) {
		p.tok = token{kind: tEOF, pos: start}
		return
	}
	c := s[p.pos]
	r, _ := utf8.DecodeRuneInString(s[p.pos:])
	switch {
	case isIdentStart(r):
		for p.pos < len(s) {
			r, n := utf8.DecodeRuneInString(s[p.pos:])
			if !isIdentPart(r) {
				break
			}
			p.pos += n
		}
		p.tok = token{kind: tIdent, text: s[start:p.pos], pos: start}
	case c >= '0' && c <= '9' || c == '.' && p.pos+1 < len(s) && s[p.pos+1] >= '0' && s[p.pos+1] <= '9':
		p.lexNumber()
	case c == '"' || c == '\'' && !p.feel:
		p.lexString(c)
	default:
		for _, op := range []string{"==", "!=", "<=", ">=", "&&", "||", "->", "+=", "**", "..", "?.", "::"} {
			if strings.HasPrefix(s[p.pos:], op) {
				p.pos += len(op)
				p.tok = token{kind: tOp, text: op, pos: start}
				return
			}
		}
		if strings.IndexByte("<>!+-*/%?:()[].,{}=;", c) >= 0 {
			p.pos++
			p.tok = token{kind: tOp, text: s[start:p.pos], pos: start}
			return
		}
		p.fail("unexpected character %q at offset %d", r, start)
		p.tok = token{kind: tEOF, pos: start}
	}
}

func isIdentStart(r rune) bool {
	return r == '_' || r == '$' || unicode.IsLetter(r)
}

func isIdentPart(r rune) bool {
	return isIdentStart(r) || unicode.IsDigit(r)
}

func (p *exprParser) lexNumber() {
	s := p.src
	start := p.pos
	digits := func() {
		for p.pos < len(s) && s[p.pos] >= '0' && s[p.pos] <= '9' {
			p.pos++
		}
	}
	digits()
	// "1..5" is a FEEL range: the dot belongs to the operator.
	if p.pos < len(s) && s[p.pos] == '.' && !(p.pos+1 < len(s) && s[p.pos+1] == '.') {
		p.pos++
		digits()
	}
	if p.pos < len(s) && (s[p.pos] == 'e' || s[p.pos] == 'E') {
		q := p.pos + 1
		if q < len(s) && (s[q] == '+' || s[q] == '-') {
			q++
		}
		if q < len(s) && s[q] >= '0' && s[q] <= '9' {
			p.pos = q
			digits()
		}
	}
	text := s[start:p.pos]
	if p.pos < len(s) {
		if r, _ := utf8.DecodeRuneInString(s[p.pos:]); isIdentPart(r) {
			p.fail("malformed number %q at offset %d", text+string(r), start)
		}
	}
	p.tok = token{kind: tNum, text: text, pos: start}
}

// lexString reads a string literal. JUEL strings take ' or " and the escapes \' \"
// \\ (any other backslash is literal); FEEL strings take " and the escapes \" \\ \n
// \r \t \' and \uXXXX.
func (p *exprParser) lexString(q byte) {
	s := p.src
	start := p.pos
	p.pos++
	var b strings.Builder
	for p.pos < len(s) {
		c := s[p.pos]
		switch {
		case c == q:
			p.pos++
			p.tok = token{kind: tStr, text: s[start:p.pos], str: b.String(), pos: start}
			return
		case c == '\\' && p.pos+1 < len(s):
			e := s[p.pos+1]
			switch {
			case e == '\\' || e == '"' || e == '\'':
				b.WriteByte(e)
				p.pos += 2
				continue
			case p.feel && (e == 'n' || e == 'r' || e == 't'):
				b.WriteByte(map[byte]byte{'n': '\n', 'r': '\r', 't': '\t'}[e])
				p.pos += 2
				continue
			case p.feel && e == 'u' && p.pos+6 <= len(s):
				if v, err := strconv.ParseUint(s[p.pos+2:p.pos+6], 16, 32); err == nil {
					b.WriteRune(rune(v))
					p.pos += 6
					continue
				}
			}
			b.WriteByte(c)
			p.pos++
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	p.fail("string starting at offset %d is not closed", start)
	p.tok = token{kind: tEOF, pos: len(s)}
}

func (p *exprParser) isOp(ops ...string) bool {
	if p.tok.kind != tOp {
		return false
	}
	for _, o := range ops {
		if p.tok.text == o {
			return true
		}
	}
	return false
}

func (p *exprParser) isWord(words ...string) bool {
	if p.tok.kind != tIdent {
		return false
	}
	for _, w := range words {
		if p.tok.text == w {
			return true
		}
	}
	return false
}

func (p *exprParser) expect(op string) {
	if !p.isOp(op) {
		p.fail("expected %q at offset %d, found %s", op, p.tok.pos, p.describe())
		return
	}
	p.next()
}

func (p *exprParser) describe() string {
	switch p.tok.kind {
	case tEOF:
		return "the end"
	case tStr:
		return "a string"
	}
	return strconv.Quote(p.tok.text)
}

// enter counts a level of nesting; leave must follow.
func (p *exprParser) enter() bool {
	p.depth++
	if p.depth > maxExprDepth {
		p.fail("expression nests deeper than %d levels", maxExprDepth)
		return false
	}
	return true
}

func (p *exprParser) leave() { p.depth-- }

func (p *exprParser) checkDepth(n node) node {
	if n.d > maxExprDepth {
		p.fail("expression nests deeper than %d levels", maxExprDepth)
	}
	return n
}

func bin(l node, op string, r node) node {
	return node{js: "(" + l.js + " " + op + " " + r.js + ")", d: max(l.d, r.d) + 1}
}

func wrap(prefix string, x node, suffix string) node {
	return node{js: prefix + x.js + suffix, d: x.d + 1}
}

// jsString is a JavaScript string literal for s.
func jsString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

// jsNumber normalizes a number literal (no legacy octals, no out-of-range values).
func (p *exprParser) jsNumber(text string) node {
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsInf(f, 0) {
		p.fail("number %s is out of range", text)
		return node{js: "0"}
	}
	return node{js: strconv.FormatFloat(f, 'g', -1, 64)}
}

// varRef is the JavaScript of the process variable name.
func varRef(name string) string {
	if isASCIIIdent(name) {
		return "vars." + name
	}
	return "vars[" + jsString(name) + "]"
}

// member is base?.name.
func member(base string, name string) string {
	if isASCIIIdent(name) {
		return base + "?." + name
	}
	return base + "?.[" + jsString(name) + "]"
}

func isASCIIIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// ---- JUEL ----

// juelKeywords are EL's reserved words: never variable names.
var juelKeywords = map[string]bool{
	"and": true, "or": true, "not": true, "eq": true, "ne": true, "lt": true, "gt": true, "le": true, "ge": true,
	"true": true, "false": true, "null": true, "empty": true, "div": true, "mod": true, "instanceof": true,
}

// translateJUEL translates a JUEL composite: `${...}`/`#{...}` parts, maybe with text.
func translateJUEL(src string) (string, error) {
	var parts []node
	var text strings.Builder
	exprs := 0
	for i := 0; i < len(src); {
		c := src[i]
		if c == '\\' && i+2 < len(src) && (src[i+1] == '$' || src[i+1] == '#') && src[i+2] == '{' {
			text.WriteString(src[i+1 : i+3])
			i += 3
			continue
		}
		if (c == '$' || c == '#') && i+1 < len(src) && src[i+1] == '{' {
			if text.Len() > 0 {
				parts = append(parts, node{js: jsString(text.String())})
				text.Reset()
			}
			p := &exprParser{src: src, pos: i + 2}
			p.next()
			if p.isOp("}") {
				return "", engine.Errorf(engine.ErrInvalid, "empty ${} at offset %d", i)
			}
			n := p.juelExpr()
			if p.err == nil && !p.isOp("}") {
				p.juelUnsupported()
				p.fail("unexpected %s at offset %d in %q", p.describe(), p.tok.pos, shorten(src))
			}
			if p.err != nil {
				return "", p.err
			}
			parts = append(parts, n)
			exprs++
			i = p.pos // just past the "}"
			continue
		}
		text.WriteByte(c)
		i++
	}
	if text.Len() > 0 {
		parts = append(parts, node{js: jsString(text.String())})
	}
	if exprs == 0 {
		return "", engine.Errorf(engine.ErrInvalid, "not a JUEL expression: %q has no ${...}", shorten(src))
	}
	if len(parts) == 1 {
		return parts[0].js, nil
	}
	// Text with expressions is a string; join turns null and undefined into "", as
	// JUEL coerces null to "".
	js := make([]string, len(parts))
	for i, n := range parts {
		js[i] = n.js
	}
	return "[" + strings.Join(js, ", ") + "].join(\"\")", nil
}

// juelUnsupported names the JUEL construct at the current token when it is one the
// subset leaves out.
func (p *exprParser) juelUnsupported() {
	switch {
	case p.isOp("="), p.isOp("+="):
		p.fail("JUEL assignments (%s) are not supported", p.tok.text)
	case p.isOp(";"):
		p.fail("JUEL statement lists (;) are not supported")
	case p.isOp("->"):
		p.fail("JUEL lambda expressions (->) are not supported")
	case p.isOp("{"), p.isOp("["):
		p.fail("JUEL collection literals are not supported")
	case p.isWord("instanceof"):
		p.fail("JUEL instanceof is not supported")
	case p.isOp("::"):
		p.fail("JUEL static references (::) are not supported")
	}
}

func (p *exprParser) juelExpr() node {
	if !p.enter() {
		return node{}
	}
	defer p.leave()
	c := p.juelBinary(0)
	if p.isOp("?") {
		p.next()
		a := p.juelExpr()
		p.expect(":")
		b := p.juelExpr()
		return p.checkDepth(node{js: "(" + c.js + " ? " + a.js + " : " + b.js + ")", d: max(c.d, a.d, b.d) + 1})
	}
	return c
}

// juelLevels are EL's binary operators from loosest to tightest, with the JavaScript
// operator of each.
var juelLevels = []map[string]string{
	{"||": "||", "or": "||"},
	{"&&": "&&", "and": "&&"},
	{"==": "==", "!=": "!=", "eq": "==", "ne": "!="},
	{"<": "<", ">": ">", "<=": "<=", ">=": ">=", "lt": "<", "gt": ">", "le": "<=", "ge": ">="},
	{"+": "+", "-": "-"},
	{"*": "*", "/": "/", "%": "%", "div": "/", "mod": "%"},
}

func (p *exprParser) juelBinaryOp(level int) (string, bool) {
	if p.tok.kind != tOp && p.tok.kind != tIdent {
		return "", false
	}
	op, ok := juelLevels[level][p.tok.text]
	return op, ok
}

func (p *exprParser) juelBinary(level int) node {
	if level == len(juelLevels) {
		return p.juelUnary()
	}
	l := p.juelBinary(level + 1)
	for p.err == nil {
		op, ok := p.juelBinaryOp(level)
		if !ok {
			break
		}
		p.next()
		r := p.juelBinary(level + 1)
		l = p.checkDepth(bin(l, op, r))
	}
	return l
}

// emptyJS is JUEL's `empty`: null, undefined, "", an empty array or object.
const emptyJS = `((v) => v == null || v === "" || (typeof v === "object" && Object.keys(v).length === 0))(`

func (p *exprParser) juelUnary() node {
	if !p.enter() {
		return node{}
	}
	defer p.leave()
	switch {
	case p.isOp("-"):
		p.next()
		return p.checkDepth(wrap("(-", p.juelUnary(), ")"))
	case p.isOp("!"), p.isWord("not"):
		p.next()
		return p.checkDepth(wrap("(!", p.juelUnary(), ")"))
	case p.isWord("empty"):
		p.next()
		return p.checkDepth(wrap(emptyJS, p.juelUnary(), ")"))
	}
	return p.juelValue()
}

// juelValue reads a primary and its suffixes (.name, [expr], .method(args)).
func (p *exprParser) juelValue() node {
	var cur node
	switch p.tok.kind {
	case tNum:
		cur = p.jsNumber(p.tok.text)
		p.next()
		return cur
	case tStr:
		cur = node{js: jsString(p.tok.str)}
		p.next()
	case tIdent:
		name := p.tok.text
		switch name {
		case "true", "false", "null":
			p.next()
			return node{js: name}
		}
		if juelKeywords[name] {
			p.fail("unexpected %q at offset %d", name, p.tok.pos)
			return node{}
		}
		p.next()
		switch {
		case p.isOp(":"):
			p.fail("EL functions (%s:...) are not supported", name)
			return node{}
		case p.isOp("("):
			p.fail("EL function calls (%s(...)) are not supported", name)
			return node{}
		case name == "execution":
			cur = p.juelExecution()
		default:
			cur = node{js: varRef(name)}
		}
	case tOp:
		if p.isOp("(") {
			p.next()
			inner := p.juelExpr()
			p.expect(")")
			cur = wrap("(", inner, ")")
			break
		}
		p.juelUnsupported()
		p.fail("unexpected %s at offset %d", p.describe(), p.tok.pos)
		return node{}
	default:
		p.fail("expression ends early")
		return node{}
	}
	for p.err == nil {
		switch {
		case p.isOp("."):
			p.next()
			if p.tok.kind != tIdent {
				p.fail("expected a property name at offset %d", p.tok.pos)
				return node{}
			}
			name := p.tok.text
			p.next()
			if p.isOp("(") {
				cur = p.juelMethod(cur, name)
			} else {
				cur = node{js: member(cur.js, name), d: cur.d + 1}
			}
		case p.isOp("["):
			p.next()
			idx := p.juelExpr()
			p.expect("]")
			cur = node{js: cur.js + "?.[" + idx.js + "]", d: max(cur.d, idx.d) + 1}
		default:
			return p.checkDepth(cur)
		}
		cur = p.checkDepth(cur)
	}
	return cur
}

// juelArgs reads "(a, b, ...)".
func (p *exprParser) juelArgs() []node {
	p.expect("(")
	var args []node
	for p.err == nil && !p.isOp(")") {
		args = append(args, p.juelExpr())
		if !p.isOp(",") {
			break
		}
		p.next()
	}
	p.expect(")")
	return args
}

// juelExecution translates execution.<member> (the token after "execution").
func (p *exprParser) juelExecution() node {
	if !p.isOp(".") {
		p.fail("execution is only supported as execution.getVariable(\"name\") and the like")
		return node{}
	}
	p.next()
	if p.tok.kind != tIdent {
		p.fail("expected a method of execution at offset %d", p.tok.pos)
		return node{}
	}
	m := p.tok.text
	p.next()
	call := p.isOp("(")
	var args []node
	if call {
		args = p.juelArgs()
	}
	switch {
	case (m == "getVariable" || m == "getVariableLocal") && call && len(args) == 1:
		return node{js: "vars[" + args[0].js + "]", d: args[0].d + 1}
	case (m == "hasVariable" || m == "hasVariableLocal") && call && len(args) == 1:
		return node{js: "Object.hasOwn(vars, " + args[0].js + ")", d: args[0].d + 1}
	case (m == "getVariables" || m == "getVariablesLocal") && call && len(args) == 0, m == "variables" && !call:
		return node{js: "vars"}
	case (m == "getProcessInstanceId" || m == "getId") && call && len(args) == 0, (m == "processInstanceId" || m == "id") && !call:
		return node{js: "instance.id"}
	case m == "getProcessDefinitionId" && call && len(args) == 0, m == "processDefinitionId" && !call:
		return node{js: "instance.processId"}
	}
	if call {
		p.fail("execution.%s(...) is not supported (only getVariable, hasVariable, getVariables, getProcessInstanceId, getId, getProcessDefinitionId)", m)
	} else {
		p.fail("execution.%s is not supported", m)
	}
	return node{}
}

// juelMethod translates recv.name(args) for the String and collection methods JUEL
// expressions commonly call; any other method is a Java bean call.
func (p *exprParser) juelMethod(recv node, name string) node {
	args := p.juelArgs()
	if p.err != nil {
		return node{}
	}
	d := recv.d
	js := make([]string, len(args))
	for i, a := range args {
		js[i] = a.js
		d = max(d, a.d)
	}
	d++
	r := recv.js
	n := len(args)
	switch {
	case (name == "size" || name == "length") && n == 0:
		return node{js: r + "?.length", d: d}
	case name == "isEmpty" && n == 0:
		return node{js: "(" + r + "?.length === 0)", d: d}
	case name == "contains" && n == 1:
		return node{js: r + "?.includes(" + js[0] + ")", d: d}
	case name == "containsKey" && n == 1:
		return node{js: "(" + r + " != null && Object.hasOwn(Object(" + r + "), " + js[0] + "))", d: d}
	case (name == "startsWith" || name == "endsWith" || name == "indexOf" || name == "charAt") && n == 1,
		(name == "toUpperCase" || name == "toLowerCase" || name == "trim") && n == 0,
		name == "substring" && (n == 1 || n == 2):
		return node{js: r + "?." + name + "(" + strings.Join(js, ", ") + ")", d: d}
	case name == "equals" && n == 1:
		return node{js: "(" + r + " == " + js[0] + ")", d: d}
	case name == "equalsIgnoreCase" && n == 1:
		return node{js: "(String(" + r + ").toLowerCase() === String(" + js[0] + ").toLowerCase())", d: d}
	case name == "get" && n == 1:
		return node{js: r + "?.[" + js[0] + "]", d: d}
	case name == "toString" && n == 0:
		return node{js: "String(" + r + ")", d: d}
	}
	p.fail("calls a Java bean (%s.%s(...)): not supported; only String and collection methods such as size, contains, startsWith, equals are translated", lastName(recv.js), name)
	return node{}
}

// lastName is the last property name of a JavaScript path, for messages.
func lastName(js string) string {
	js = strings.TrimPrefix(js, "vars.")
	if i := strings.LastIndex(js, "?."); i >= 0 {
		return js[i+2:]
	}
	return js
}

// ---- FEEL ----

// translateFEEL translates a FEEL expression (without its leading "=").
func translateFEEL(src string) (string, error) {
	p := &exprParser{src: src, feel: true}
	p.next()
	if p.tok.kind == tEOF && p.err == nil {
		return "", engine.Errorf(engine.ErrInvalid, "FEEL expression is empty")
	}
	n := p.feelExpr()
	if p.err == nil && p.tok.kind != tEOF {
		p.feelUnsupported()
		p.fail("unexpected %s at offset %d in FEEL %q", p.describe(), p.tok.pos, shorten(src))
	}
	if p.err != nil {
		return "", p.err
	}
	return n.js, nil
}

// feelUnsupported names the FEEL construct at the current token when the subset
// leaves it out.
func (p *exprParser) feelUnsupported() {
	switch {
	case p.isWord("for"), p.isWord("some"), p.isWord("every"), p.isWord("satisfies"), p.isWord("return"):
		p.fail("FEEL %s expressions are not supported", p.tok.text)
	case p.isWord("function"):
		p.fail("FEEL function definitions are not supported")
	case p.isWord("instance"):
		p.fail("FEEL instance of is not supported")
	case p.isOp("{"):
		p.fail("FEEL contexts ({...}) are not supported")
	case p.isOp(".."):
		p.fail("FEEL ranges (..) are not supported")
	case p.tok.kind == tIdent:
		p.fail("FEEL names with spaces or unknown operators (%q) are not supported", p.tok.text)
	}
}

var feelKeywords = map[string]bool{
	"and": true, "or": true, "not": true, "true": true, "false": true, "null": true, "if": true, "then": true,
	"else": true, "between": true, "in": true, "for": true, "some": true, "every": true, "satisfies": true,
	"return": true, "function": true, "instance": true, "of": true,
}

func (p *exprParser) feelExpr() node {
	if !p.enter() {
		return node{}
	}
	defer p.leave()
	if p.isWord("if") {
		p.next()
		c := p.feelExpr()
		if !p.isWord("then") {
			p.fail("expected then at offset %d", p.tok.pos)
			return node{}
		}
		p.next()
		a := p.feelExpr()
		if !p.isWord("else") {
			p.fail("expected else at offset %d", p.tok.pos)
			return node{}
		}
		p.next()
		b := p.feelExpr()
		return p.checkDepth(node{js: "(" + c.js + " ? " + a.js + " : " + b.js + ")", d: max(c.d, a.d, b.d) + 1})
	}
	if p.isWord("for", "some", "every", "function") {
		p.feelUnsupported()
		return node{}
	}
	return p.feelOr()
}

func (p *exprParser) feelOr() node {
	l := p.feelAnd()
	for p.err == nil && p.isWord("or") {
		p.next()
		l = p.checkDepth(bin(l, "||", p.feelAnd()))
	}
	return l
}

func (p *exprParser) feelAnd() node {
	l := p.feelCompare()
	for p.err == nil && p.isWord("and") {
		p.next()
		l = p.checkDepth(bin(l, "&&", p.feelCompare()))
	}
	return l
}

func (p *exprParser) feelCompare() node {
	l := p.feelAdd()
	if p.err != nil {
		return l
	}
	switch {
	case p.isOp("=", "!="):
		op := p.tok.text
		p.next()
		r := p.feelAdd()
		if l.js == "null" || r.js == "null" {
			return p.checkDepth(bin(l, map[string]string{"=": "==", "!=": "!="}[op], r))
		}
		return p.checkDepth(bin(l, map[string]string{"=": "===", "!=": "!=="}[op], r))
	case p.isOp("<", "<=", ">", ">="):
		op := p.tok.text
		p.next()
		return p.checkDepth(bin(l, op, p.feelAdd()))
	case p.isWord("between"):
		p.next()
		lo := p.feelAdd()
		if !p.isWord("and") {
			p.fail("expected and in between at offset %d", p.tok.pos)
			return node{}
		}
		p.next()
		hi := p.feelAdd()
		return p.checkDepth(node{js: "((v) => v >= " + lo.js + " && v <= " + hi.js + ")(" + l.js + ")", d: max(l.d, lo.d, hi.d) + 2})
	case p.isWord("in"):
		p.next()
		if !p.isOp("[", "(") {
			p.fail("FEEL in is only supported with a list: x in [1, 2]")
			return node{}
		}
		list := p.feelPrimary()
		if p.err != nil {
			return node{}
		}
		if !strings.HasPrefix(list.js, "[") {
			p.fail("FEEL in is only supported with a list: x in [1, 2]")
			return node{}
		}
		return p.checkDepth(node{js: list.js + ".includes(" + l.js + ")", d: max(l.d, list.d) + 1})
	}
	return l
}

func (p *exprParser) feelAdd() node {
	l := p.feelMul()
	for p.err == nil && p.isOp("+", "-") {
		op := p.tok.text
		p.next()
		l = p.checkDepth(bin(l, op, p.feelMul()))
	}
	return l
}

func (p *exprParser) feelMul() node {
	l := p.feelPow()
	for p.err == nil && p.isOp("*", "/") {
		op := p.tok.text
		p.next()
		l = p.checkDepth(bin(l, op, p.feelPow()))
	}
	return l
}

func (p *exprParser) feelPow() node {
	l := p.feelUnary()
	for p.err == nil && p.isOp("**") {
		p.next()
		l = p.checkDepth(bin(l, "**", p.feelUnary()))
	}
	return l
}

func (p *exprParser) feelUnary() node {
	if !p.enter() {
		return node{}
	}
	defer p.leave()
	if p.isOp("-") {
		p.next()
		return p.checkDepth(wrap("(-", p.feelUnary(), ")"))
	}
	return p.feelPath()
}

func (p *exprParser) feelPath() node {
	cur := p.feelPrimary()
	for p.err == nil {
		switch {
		case p.isOp("."):
			p.next()
			if p.tok.kind != tIdent {
				p.fail("expected a name after . at offset %d", p.tok.pos)
				return node{}
			}
			cur = p.checkDepth(node{js: member(cur.js, p.tok.text), d: cur.d + 1})
			p.next()
		case p.isOp("["):
			p.fail("FEEL filters and indexes ([...]) are not supported")
			return node{}
		default:
			return cur
		}
	}
	return cur
}

func (p *exprParser) feelPrimary() node {
	if !p.enter() {
		return node{}
	}
	defer p.leave()
	switch p.tok.kind {
	case tNum:
		n := p.jsNumber(p.tok.text)
		p.next()
		return n
	case tStr:
		n := node{js: jsString(p.tok.str)}
		p.next()
		return n
	case tIdent:
		name := p.tok.text
		switch name {
		case "true", "false", "null":
			p.next()
			return node{js: name}
		case "not":
			p.next()
			if !p.isOp("(") {
				p.fail("FEEL not is a function: not(x)")
				return node{}
			}
			p.next()
			x := p.feelExpr()
			p.expect(")")
			return p.checkDepth(wrap("(!(", x, "))"))
		}
		if feelKeywords[name] {
			p.feelUnsupported()
			p.fail("unexpected %q at offset %d", name, p.tok.pos)
			return node{}
		}
		p.next()
		if p.isOp("(") {
			p.fail("FEEL function %s() is not supported (only not())", name)
			return node{}
		}
		return node{js: varRef(name)}
	case tOp:
		switch {
		case p.isOp("("):
			p.next()
			x := p.feelExpr()
			if p.isOp("..") {
				p.feelUnsupported()
				return node{}
			}
			p.expect(")")
			return p.checkDepth(wrap("(", x, ")"))
		case p.isOp("["):
			p.next()
			var items []string
			d := 0
			for p.err == nil && !p.isOp("]") {
				x := p.feelExpr()
				if p.isOp("..") {
					p.feelUnsupported()
					return node{}
				}
				items = append(items, x.js)
				d = max(d, x.d)
				if !p.isOp(",") {
					break
				}
				p.next()
			}
			p.expect("]")
			return p.checkDepth(node{js: "[" + strings.Join(items, ", ") + "]", d: d + 1})
		}
		p.feelUnsupported()
		p.fail("unexpected %s at offset %d", p.describe(), p.tok.pos)
		return node{}
	}
	p.fail("FEEL expression ends early")
	return node{}
}
