package bpmn

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// jsFreeNames lists, in order of first appearance, the identifiers JavaScript code
// reads by bare name that are neither keywords, flowcraft's scope names (input,
// trigger, vars, nodes, instance, item, index) nor JavaScript's globals, and that the
// code does not declare with var, let, const, function or class: the names a
// Camunda/Flowable script or condition takes from the process variables.
//
// It is a lexical scan (strings, comments, template text and regular expressions are
// skipped; names after "." are properties), so it may list a few names too many
// (object literal keys, parameters of nested functions); binding those to process
// variables is harmless, since the code's own bindings shadow them.
func jsFreeNames(code string) []string {
	var (
		names    []string
		seen     = map[string]bool{}
		declared = map[string]bool{}
		prev     string // previous significant token: "ident:<name>", "num", "str", or the punctuator
		prev2    string // the one before
		braces   []int  // for each open template substitution, the brace depth it started at
		depth    int
		parens   []parenFrame
	)
	s := code
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '/' && i+1 < len(s) && s[i+1] == '/':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			if j := strings.Index(s[i+2:], "*/"); j >= 0 {
				i += j + 4
			} else {
				i = len(s)
			}
		case c == '\'' || c == '"':
			i = skipJSString(s, i)
			prev2, prev = prev, "str"
		case c == '`':
			i = skipTemplateText(s, i+1, &braces, depth)
			prev2, prev = prev, "str"
		case c == '}' && len(braces) > 0 && braces[len(braces)-1] == depth:
			braces = braces[:len(braces)-1]
			i = skipTemplateText(s, i+1, &braces, depth)
			prev2, prev = prev, "str"
		case c == '/' && regexAllowed(prev):
			i = skipRegex(s, i)
			prev2, prev = prev, "str"
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			for i < len(s) && (isASCIIIdentByte(s[i]) || s[i] == '.') {
				i++
			}
			prev2, prev = prev, "num"
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			if isIdentStart(r) || c == '\\' {
				j := i
				for j < len(s) {
					r, n := utf8.DecodeRuneInString(s[j:])
					if !isIdentPart(r) && r != '\\' {
						break
					}
					j += n
				}
				name := s[i:j]
				after := nextSignificant(s, j)
				property := prev == "." || prev == "?." ||
					(prev == "{" || prev == ",") && strings.HasPrefix(after, ":") // an object literal's key
				switch {
				case property, strings.Contains(name, "\\"):
				case prev == "ident:var" || prev == "ident:let" || prev == "ident:const" || prev == "ident:function" || prev == "ident:class",
					strings.HasPrefix(after, "=>"): // x => ...
					declared[name] = true
				case !seen[name] && !jsReserved[name] && !jsGlobals[name] && !scopeNames[name]:
					seen[name] = true
					names = append(names, name)
				}
				if len(parens) > 0 {
					top := &parens[len(parens)-1]
					top.idents = append(top.idents, name)
				}
				prev2, prev = prev, "ident:"+name
				i = j
				continue
			}
			switch c {
			case '{', '(', '[':
				depth++
			case '}', ')', ']':
				depth--
			}
			switch c {
			case '(':
				parens = append(parens, parenFrame{prev: prev, prev2: prev2})
			case ')':
				if len(parens) > 0 {
					f := parens[len(parens)-1]
					parens = parens[:len(parens)-1]
					// Parameters: (a, b) => ..., function f(a, b) {...}, catch (e).
					if strings.HasPrefix(nextSignificant(s, i+1), "=>") || f.prev == "ident:function" || f.prev == "ident:catch" ||
						f.prev2 == "ident:function" && strings.HasPrefix(f.prev, "ident:") {
						for _, id := range f.idents {
							declared[id] = true
						}
					}
				}
			}
			if c == '?' && i+1 < len(s) && s[i+1] == '.' && !(i+2 < len(s) && s[i+2] >= '0' && s[i+2] <= '9') {
				prev2, prev = prev, "?."
				i += 2
				continue
			}
			prev2, prev = prev, string(c)
			i += n
		}
	}
	return slices.DeleteFunc(names, func(n string) bool { return declared[n] })
}

// parenFrame is an open parenthesis: the tokens before it and the names directly in it.
type parenFrame struct {
	prev, prev2 string
	idents      []string
}

// nextSignificant is s from i on, past white space and comments.
func nextSignificant(s string, i int) string {
	for i < len(s) {
		switch {
		case s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r':
			i++
		case strings.HasPrefix(s[i:], "//"):
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case strings.HasPrefix(s[i:], "/*"):
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				return ""
			}
			i += j + 4
		default:
			return s[i:]
		}
	}
	return ""
}

func isASCIIIdentByte(c byte) bool {
	return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// regexAllowed reports whether a "/" after the token prev starts a regular
// expression rather than a division.
func regexAllowed(prev string) bool {
	switch {
	case prev == "num" || prev == "str" || prev == ")" || prev == "]" || prev == "}":
		return false
	case strings.HasPrefix(prev, "ident:"):
		switch prev[len("ident:"):] {
		case "return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await":
			return true
		}
		return false
	}
	return true
}

func skipJSString(s string, i int) int {
	q := s[i]
	for i++; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case q, '\n':
			return i + 1
		}
	}
	return len(s)
}

// skipTemplateText skips template literal text from i up to its end (returns past
// the closing backtick) or to a "${" (returns past it, pushing the brace depth).
func skipTemplateText(s string, i int, braces *[]int, depth int) int {
	for ; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '`':
			return i + 1
		case '$':
			if i+1 < len(s) && s[i+1] == '{' {
				*braces = append(*braces, depth)
				return i + 2
			}
		}
	}
	return len(s)
}

func skipRegex(s string, i int) int {
	inClass := false
	for i++; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			i++
		case c == '\n':
			return i
		case inClass:
			if c == ']' {
				inClass = false
			}
		case c == '[':
			inClass = true
		case c == '/':
			i++
			for i < len(s) && isASCIIIdentByte(s[i]) {
				i++
			}
			return i
		}
	}
	return len(s)
}

// scopeNames are the names of flowcraft's expression scope (DESIGN §2).
var scopeNames = map[string]bool{
	"input": true, "trigger": true, "vars": true, "nodes": true, "instance": true, "item": true, "index": true,
}

// jsReserved are JavaScript's reserved words (strict mode included) and the names a
// strict function cannot bind.
var jsReserved = map[string]bool{
	"break": true, "case": true, "catch": true, "class": true, "const": true, "continue": true, "debugger": true,
	"default": true, "delete": true, "do": true, "else": true, "export": true, "extends": true, "finally": true,
	"for": true, "function": true, "if": true, "import": true, "in": true, "instanceof": true, "new": true,
	"return": true, "super": true, "switch": true, "this": true, "throw": true, "try": true, "typeof": true,
	"var": true, "void": true, "while": true, "with": true, "yield": true, "let": true, "static": true,
	"implements": true, "interface": true, "package": true, "private": true, "protected": true, "public": true,
	"await": true, "enum": true, "null": true, "true": true, "false": true, "arguments": true, "eval": true,
	"async": true, "of": true, "get": true, "set": true,
}

// jsGlobals are the sandbox's global names (and a few that goja has and the sandbox
// removed): a process variable of such a name is not readable by bare name.
var jsGlobals = map[string]bool{
	"Object": true, "Function": true, "Array": true, "String": true, "Number": true, "BigInt": true,
	"RegExp": true, "Date": true, "Boolean": true, "Proxy": true, "Reflect": true, "Error": true,
	"AggregateError": true, "TypeError": true, "ReferenceError": true, "SyntaxError": true, "RangeError": true,
	"EvalError": true, "URIError": true, "Math": true, "JSON": true, "Symbol": true, "WeakSet": true,
	"WeakMap": true, "Map": true, "Set": true, "Promise": true, "globalThis": true, "NaN": true,
	"undefined": true, "Infinity": true, "isNaN": true, "parseInt": true, "parseFloat": true, "isFinite": true,
	"decodeURI": true, "decodeURIComponent": true, "encodeURI": true, "encodeURIComponent": true,
	"escape": true, "unescape": true, "console": true, "ArrayBuffer": true, "DataView": true,
	"Int8Array": true, "Uint8Array": true, "Uint8ClampedArray": true, "Int16Array": true, "Uint16Array": true,
	"Int32Array": true, "Uint32Array": true, "Float32Array": true, "Float64Array": true, "Intl": true,
	"WeakRef": true, "FinalizationRegistry": true, "Atomics": true, "SharedArrayBuffer": true,
}

// javaInteropNames are the globals Nashorn and Rhino scripts use to reach Java.
var javaInteropNames = []string{"Java", "java", "javax", "Packages", "importPackage", "importClass", "JavaImporter"}

func isJavaInterop(names []string) bool { return len(javaNames(names)) > 0 }

func javaNames(names []string) []string {
	var out []string
	for _, n := range names {
		if slices.Contains(javaInteropNames, n) {
			out = append(out, n)
		}
	}
	return out
}
