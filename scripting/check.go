package scripting

// CheckScript compiles script code (a function body) and returns its syntax
// problems with positions relative to code. Empty means ok.
func (e *Engine) CheckScript(code string) []Problem {
	return problems(e.compile(kindScript, code))
}

// CheckExpression compiles a bare expression and returns its syntax
// problems. Empty means ok.
func (e *Engine) CheckExpression(expr string) []Problem {
	return problems(e.compile(kindExpr, expr))
}

// CheckTemplate checks every {{ }} part of tmpl (and that each is closed);
// positions are relative to tmpl. A string without templates is ok.
func (e *Engine) CheckTemplate(tmpl string) []Problem {
	if !containsOpen(tmpl) {
		return nil
	}
	return problems(e.compile(kindTemplate, tmpl))
}

func containsOpen(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '{' && s[i+1] == '{' {
			return true
		}
	}
	return false
}

func problems(p *program) []Problem {
	if p.err == nil {
		return nil
	}
	return []Problem{{Line: p.err.Line, Column: p.err.Column, Message: p.err.Message}}
}
