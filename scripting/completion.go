package scripting

import "github.com/dop251/goja/ast"

// LastExpression finds the last top-level statement of script code (a function body
// as RunScript takes it) when it is an expression statement, for tools that make a
// script's completion value its result (a BPMN script task's resultVariable): code[start:end]
// is the expression, without a trailing semicolon. ok is false when the code does not
// compile within the source limits or ends with another kind of statement.
func (e *Engine) LastExpression(code string) (start, end int, ok bool) {
	if e.sizeProblem("script", len(code)) != nil {
		return 0, 0, false
	}
	sm := &srcMap{user: code, wrapper: scriptPrefix + code + scriptSuffix}
	sm.segs = []segment{{wStart: len(scriptPrefix), uStart: 0, n: len(code)}}
	res, perr := e.parseSource(kindScript, srcScript, sm)
	if perr != nil {
		return 0, 0, false
	}
	fn := res.tree.Body[0].(*ast.ExpressionStatement).Expression.(*ast.FunctionLiteral) // checkShape vouched for it
	blk := fn.Body.List[1].(*ast.BlockStatement)
	if len(blk.List) == 0 {
		return 0, 0, false
	}
	es, isExpr := blk.List[len(blk.List)-1].(*ast.ExpressionStatement)
	if !isExpr {
		return 0, 0, false
	}
	start = int(es.Idx0()) - 1 - len(scriptPrefix)
	end = int(es.Idx1()) - 1 - len(scriptPrefix)
	if start < 0 || end <= start || end > len(code) {
		return 0, 0, false
	}
	// The tree drops the parentheses around an expression ("(f)()" starts at f,
	// "a + (b)" ends at b). A statement neither ends with "(" nor starts with ")", so
	// the brackets right before and after it are its own: take them, then make sure
	// the text is one expression.
	for i := start - 1; i >= 0; i-- {
		if code[i] == '(' {
			start = i
		} else if !isSpace(code[i]) {
			break
		}
	}
	for j := end; j < len(code); j++ {
		if code[j] == ')' {
			end = j + 1
		} else if !isSpace(code[j]) {
			break
		}
	}
	if p := e.compile(kindExpr, code[start:end]); p.err != nil {
		return 0, 0, false
	}
	return start, end, true
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
