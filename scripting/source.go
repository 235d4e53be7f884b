package scripting

import (
	"errors"
	"fmt"
	"reflect"
	"sync"

	"github.com/dop251/goja/ast"

	"flowcraft/scripting/internal/jsparse"
)

// Source limits. goja's parser and compiler recurse once per nesting level
// and some of the compiler's work grows with the square of the nesting depth
// (operator chains, nested blocks), so user code is bounded before goja sees
// it:
//
//   - its size (Options.MaxSourceSize);
//   - the recursion and the work of the parser: user code is parsed by
//     jsparse, goja's parser with limits (see parseLimits). goja's own
//     parser, which keeps parsing after errors, cannot be bounded from
//     outside: no lexical pre-scan survives its error recovery, which
//     re-tokenizes template text and regular expressions as code and
//     resumes inside the frames that were open;
//   - the depth of the syntax tree (Options.MaxNesting levels), which bounds
//     the compiler's recursion;
//   - the compile work: the sum over all tree nodes of their depth, at most
//     compileWorkPerNode times the number of nodes (and at least
//     minCompileWork), which bounds the quadratic parts of the compiler;
//   - regular expression literals and patterns: size and group nesting.
//
// Code built at run time (eval, Function and the other function
// constructors, RegExp) goes through the same checks (see codeguard.go).
//
// Measured on real code (jQuery, Ace, highlight.js, 140-620 KB): at most 64
// parser levels, 3 units of parse work per byte, syntax trees 51 deep and
// 19 units of compile work per node.
const (
	// parseFramesPerLevel is how many nested parse calls one nesting level
	// may take: measured up to 26 (class bodies), ~19 for brackets, 2-5
	// for blocks, statements and operators.
	parseFramesPerLevel = 32
	// parseLevelsPerLevel: brackets take two of the parser's levels
	// (an expression and its unary operand), statements and operators one.
	parseLevelsPerLevel = 2
	parseWorkPerByte    = 8
	minParseWork        = 1 << 22
	compileWorkPerNode  = 48
	minCompileWork      = 1 << 22
)

// parseLimits are the parser limits for a source of n bytes.
func (e *Engine) parseLimits(n int) jsparse.Limits {
	return jsparse.Limits{
		Frames: parseFramesPerLevel * e.opts.MaxNesting,
		Levels: parseLevelsPerLevel * e.opts.MaxNesting,
		Work:   max(minParseWork, parseWorkPerByte*int64(n)),
	}
}

// sourceProblem says why source was refused before compilation; off is the
// byte offset in the parsed text (-1 when it concerns the whole text).
type sourceProblem struct {
	off int
	msg string
}

// sizeProblem refuses src longer than MaxSourceSize.
func (e *Engine) sizeProblem(what string, n int) *sourceProblem {
	if n <= e.opts.MaxSourceSize {
		return nil
	}
	return &sourceProblem{off: -1, msg: fmt.Sprintf("%s is %d bytes, more than MaxSourceSize (%d)", what, n, e.opts.MaxSourceSize)}
}

func (e *Engine) nestingProblem(what string, off int) *sourceProblem {
	return &sourceProblem{off: off, msg: fmt.Sprintf("%s nests deeper than MaxNesting (%d levels)", what, e.opts.MaxNesting)}
}

// parsed is source that passed the source limits.
type parsed struct {
	tree *ast.Program
	// evalCalls are the calls that goja may compile as direct eval:
	// eval(...) with the plain identifier eval as callee.
	evalCalls []*ast.CallExpression
}

// parse parses src (named name in positions) with the depth-limited parser.
// A syntax error is returned as err; a limit as *sourceProblem.
func (e *Engine) parse(what, name, src string) (*parsed, *sourceProblem, error) {
	if p := e.sizeProblem(what, len(src)); p != nil {
		return nil, p, nil
	}
	tree, err := jsparse.ParseFile(nil, name, src, 0, jsparse.WithDisableSourceMaps, jsparse.WithLimits(e.parseLimits(len(src))))
	var de *jsparse.DepthError
	if errors.As(err, &de) {
		if de.Work {
			return nil, &sourceProblem{off: de.Offset, msg: fmt.Sprintf("%s is too complex to parse: split long chains of nested functions, conditionals or assignments", what)}, nil
		}
		return nil, e.nestingProblem(what, de.Offset), nil
	}
	if err != nil {
		return nil, nil, err
	}
	res := &parsed{tree: tree}
	return res, e.checkTree(what, res), nil
}

// checkTree checks the depth of the syntax tree, the compile work and the
// regular expression literals in it, and collects the direct eval calls.
func (e *Engine) checkTree(what string, res *parsed) *sourceProblem {
	tree := res.tree
	maxDepth := e.opts.MaxNesting
	var nodes, work int64
	stack := []astItem{{v: reflect.ValueOf(tree)}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		v := it.v
		switch v.Kind() {
		case reflect.Interface:
			if !v.IsNil() {
				stack = append(stack, astItem{v: v.Elem(), depth: it.depth})
			}
		case reflect.Slice:
			for i := v.Len() - 1; i >= 0; i-- {
				stack = append(stack, astItem{v: v.Index(i), depth: it.depth})
			}
		case reflect.Pointer:
			if v.IsNil() {
				continue
			}
			d := it.depth + 1
			nodes++
			work += int64(d)
			node, _ := v.Interface().(ast.Node)
			if d > maxDepth {
				return e.nestingProblem(what, nodeOffset(node))
			}
			switch n := node.(type) {
			case *ast.RegExpLiteral:
				if regexpNesting(n.Pattern) > maxDepth {
					return &sourceProblem{off: nodeOffset(node), msg: fmt.Sprintf("regular expression nests groups deeper than MaxNesting (%d levels)", maxDepth)}
				}
			case *ast.CallExpression:
				if id, ok := n.Callee.(*ast.Identifier); ok && id.Name == "eval" {
					res.evalCalls = append(res.evalCalls, n)
				}
			}
			stack = appendFields(stack, v.Elem(), d)
		case reflect.Struct:
			stack = appendFields(stack, v, it.depth)
		}
	}
	if limit := max(minCompileWork, compileWorkPerNode*nodes); work > limit {
		return &sourceProblem{off: -1, msg: fmt.Sprintf("%s is too complex to compile (nesting work %d, limit %d for %d syntax nodes): split long operator chains and deeply nested code", what, work, limit, nodes)}
	}
	return nil
}

type astItem struct {
	v     reflect.Value
	depth int
}

func nodeOffset(n ast.Node) int {
	if n == nil {
		return -1
	}
	return int(n.Idx0()) - 1 // file base 1
}

var astPkgPath = reflect.TypeFor[ast.Program]().PkgPath()

// astFields caches, per ast struct type, the indexes of the fields that can
// hold child nodes.
var astFields sync.Map // reflect.Type -> []int

func appendFields(stack []astItem, v reflect.Value, depth int) []astItem {
	t := v.Type()
	f, ok := astFields.Load(t)
	if !ok {
		var idx []int
		for i := range t.NumField() {
			sf := t.Field(i)
			// DeclarationList repeats declarations found in the body; File
			// is the source.
			if sf.Name == "DeclarationList" || sf.Name == "File" || !mayHoldNode(sf.Type) {
				continue
			}
			idx = append(idx, i)
		}
		f, _ = astFields.LoadOrStore(t, idx)
	}
	idx := f.([]int)
	for i := len(idx) - 1; i >= 0; i-- {
		stack = append(stack, astItem{v: v.Field(idx[i]), depth: depth})
	}
	return stack
}

func mayHoldNode(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Interface:
		return true
	case reflect.Pointer:
		return t.Elem().Kind() == reflect.Struct && t.Elem().PkgPath() == astPkgPath
	case reflect.Slice:
		return mayHoldNode(t.Elem())
	case reflect.Struct:
		return t.PkgPath() == astPkgPath
	}
	return false
}

// regexpNesting returns the maximum group nesting of a regular expression
// pattern. Brackets inside character classes and escaped ones do not count;
// where engines disagree on where a class ends ("[]", "[^]"), this ends it
// first, so it can only overcount.
func regexpNesting(p string) int {
	depth, maxD := 0, 0
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\':
			i++
		case inClass:
			if c == ']' {
				inClass = false
			}
		case c == '[':
			inClass = true
		case c == '(':
			depth++
			maxD = max(maxD, depth)
		case c == ')':
			if depth > 0 {
				depth--
			}
		}
	}
	return maxD
}
