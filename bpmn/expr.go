package bpmn

import (
	"strings"

	"flowcraft/engine"
	"flowcraft/scripting"
)

// Expression translation (DESIGN §9): BPMN models carry conditions and values in
// JUEL (`${...}`, Camunda 7, Flowable, Activiti), FEEL (`=...`, Camunda 8) or
// JavaScript; flowcraft evaluates JavaScript over its scope (DESIGN §2), where process
// variables are `vars`. translateExpression turns each into one JavaScript expression:
// a connection condition as is, a parameter value wrapped by the caller as `{{ js }}`.
//
// Choice of form by the language attribute (case-insensitive):
//
//   - NSFlowcraft ("https://flowcraft.dev/bpmn"): flowcraft's own JavaScript, kept
//     exactly (Export should write this language on the conditions it exports, so
//     that they come back byte for byte);
//   - "javascript", "js", "ecmascript", "application/javascript", "text/javascript":
//     JavaScript (see below);
//   - "juel", "el", "uel", "http://java.sun.com/products/jsp/": JUEL;
//   - "feel", "http://www.omg.org/spec/feel/20140401" and other FEEL namespace URIs:
//     FEEL (the leading "=" is optional);
//   - XPath (BPMN's nominal default, "http://www.w3.org/1999/XPath") and any other
//     language (groovy, python, mvel, ...): an error naming it;
//   - "" (no attribute, what modelers usually write): by the text's form: containing
//     `${` or `#{` → JUEL (unless it is a JavaScript expression with a template
//     literal), starting with "=" → FEEL, anything else → JavaScript.
//
// JavaScript is kept as is when it compiles as one expression (a trailing ";" is
// dropped) and names nothing but flowcraft's scope (input, trigger, vars, nodes,
// instance, item, index) and JavaScript's globals — so flowcraft's own conditions
// survive an export and import unchanged. A Camunda/Flowable JavaScript condition
// reads process variables as globals (`amount > 1000`); its other free names are then
// bound to process variables: `((amount) => (amount > 1000))(vars.amount)`, and
// `execution` to an object with getVariable and friends. Plain text that is not a
// JavaScript expression (e.g. "yes please") is an error "not an expression".
//
// JUEL subset: identifiers (→ vars.name), property paths a.b.c and a["b"] (→ optional
// chaining, so a missing base gives undefined where JUEL gives null), literals
// ('..' and ".." strings, numbers, true, false, null), == != < > <= >= && || ! + - * /
// % and their word forms eq ne lt gt le ge and or not div mod, `empty x`, a ? b : c,
// parentheses, execution.getVariable("x") (→ vars["x"]), execution.getVariables(),
// execution.getProcessInstanceId()/processInstanceId/getId()/id,
// execution.getProcessDefinitionId()/processDefinitionId, and common String and
// collection methods (size, length, isEmpty, contains, containsKey, startsWith,
// endsWith, equals, equalsIgnoreCase, toUpperCase, toLowerCase, trim, indexOf,
// substring, charAt, get, toString). Text around the expressions (`${a} and ${b}`)
// gives a string: [a, " and ", b].join(""), which, like JUEL, turns null into "".
// Anything else — bean calls (${myBean.check(x)}), EL functions (fn:x), lambdas,
// assignments, collection literals, instanceof — is an error naming the construct.
//
// Small differences to JUEL's coercions, all because JavaScript's are used:
//   - == and != (eq, ne) are JavaScript's loose equality, which coerces number and
//     string like JUEL does ("1" == 1); but a boolean against a string differs
//     (JUEL: true == "true"; JavaScript: false).
//   - && and || give an operand, not a boolean (same truth in a condition); JUEL
//     coerces the string "true" to true and every other string to false, JavaScript
//     takes any non-empty string as true.
//   - + adds numbers and concatenates strings (JUEL: only adds, "a" + 1 is an error).
//   - A missing variable is undefined (JUEL: PropertyNotFoundException).
//
// FEEL subset: comparisons (= is equality, emitted as ===; against null as == null,
// so a missing variable is null as in FEEL), !=, < <= > >=, `between a and b`,
// `x in [1, 2]`, and, or, not(x), + - * / **, unary -, if c then a else b, strings
// ("..."), numbers, true, false, null, list literals, paths a.b.c, parentheses.
// FEEL's three-valued logic (null and true is null) becomes JavaScript truthiness;
// names with spaces, functions other than not(), filters, for/some/every, ranges and
// contexts are errors naming the construct.
//
// Bounds: the text is at most maxExprLen bytes and nests at most maxExprDepth levels.

const (
	maxExprLen   = 4 << 10
	maxExprDepth = 64
)

// Checker compiles JavaScript without running it: the import checks every script,
// condition and value it translates or passes through. *scripting.Engine implements
// it (Options.Checker).
type Checker interface {
	CheckScript(code string) []scripting.Problem
	CheckExpression(expr string) []scripting.Problem
	CheckTemplate(tmpl string) []scripting.Problem
	// LastExpression finds the last statement of script code when it is an
	// expression statement (scripting.Engine.LastExpression).
	LastExpression(code string) (start, end int, ok bool)
}

// newChecker is the checker of an import whose Options name none: a small engine of
// its own for that one call (it only compiles; its cache dies with the import).
func newChecker() *scripting.Engine {
	return scripting.New(scripting.Options{CacheSize: 256, PoolSize: 1, MaxConcurrentRuns: 1})
}

// translateExpression turns a BPMN condition or expression into the JavaScript
// expression flowcraft evaluates (conditions, {{ }} values). language is the
// element's language attribute ("" when absent): JUEL `${...}` and FEEL `=...` subsets
// are translated, JavaScript ("javascript", "js", "ecmascript") is kept as is; in the
// translated text process variables read as vars.<name>. Anything it cannot translate
// is an error whose text says why (the import reports it).
func translateExpression(js Checker, language, text string) (string, error) {
	if len(text) > maxExprLen {
		return "", engine.Errorf(engine.ErrInvalid, "expression is %d bytes, more than %d", len(text), maxExprLen)
	}
	src := strings.TrimSpace(text)
	if src == "" {
		return "", engine.Errorf(engine.ErrInvalid, "expression is empty")
	}
	var (
		out string
		err error
	)
	switch lang := strings.ToLower(strings.TrimSpace(language)); {
	case lang == NSFlowcraft:
		// flowcraft's own expression, written by Export: exactly as it was.
		if probs := js.CheckExpression(src); len(probs) > 0 {
			return "", engine.Errorf(engine.ErrInvalid, "expression does not compile: %s", probs[0].Message)
		}
		return src, nil
	case isJavaScriptLanguage(lang):
		return translateJavaScript(js, src)
	case lang == "juel" || lang == "el" || lang == "uel" || strings.HasPrefix(lang, "http://java.sun.com/products/jsp"):
		out, err = translateJUEL(src)
	case lang == "feel" || strings.Contains(lang, "/feel"):
		out, err = translateFEEL(strings.TrimPrefix(src, "="))
	case strings.Contains(lang, "xpath"):
		return "", engine.Errorf(engine.ErrInvalid, "XPath expressions are not supported: write JUEL ${...}, FEEL =... or JavaScript")
	case lang != "":
		return "", engine.Errorf(engine.ErrInvalid, "expression language %q is not supported: write JUEL ${...}, FEEL =... or JavaScript", language)
	case (strings.Contains(src, "${") || strings.Contains(src, "#{")) && !jsTemplateLiteral(js, src):
		out, err = translateJUEL(src)
	case strings.HasPrefix(src, "="):
		out, err = translateFEEL(src[1:])
	default:
		out, err = translateJavaScript(js, src)
		if err != nil {
			return "", engine.Errorf(engine.ErrInvalid, "not an expression: %q is neither JUEL ${...}, FEEL =... nor a JavaScript expression (%v)", shorten(src), err)
		}
		return out, nil
	}
	if err != nil {
		return "", err
	}
	if probs := js.CheckExpression(out); len(probs) > 0 {
		return "", engine.Errorf(engine.ErrInvalid, "expression %q translates to JavaScript that does not compile: %s", shorten(src), probs[0].Message)
	}
	return out, nil
}

// jsTemplateLiteral reports whether text that contains "${" is rather JavaScript
// with a template literal (`...${x}...`): it has a backtick and compiles as an
// expression.
func jsTemplateLiteral(js Checker, src string) bool {
	return strings.Contains(src, "`") && len(js.CheckExpression(strings.TrimRight(src, "; \t\n"))) == 0
}

// isJavaScriptLanguage reports whether a (lower-cased) language or scriptFormat
// names JavaScript.
func isJavaScriptLanguage(lang string) bool {
	switch lang {
	case "javascript", "js", "ecmascript", "application/javascript", "text/javascript",
		"application/ecmascript", "text/ecmascript", "graal.js", "nashorn":
		return true
	}
	return false
}

// translateJavaScript keeps a JavaScript expression, binding the free names that are
// not flowcraft's scope or JavaScript's globals to process variables.
func translateJavaScript(chk Checker, src string) (string, error) {
	expr := strings.TrimSpace(strings.TrimRight(strings.TrimSpace(src), ";"))
	if expr == "" {
		return "", engine.Errorf(engine.ErrInvalid, "JavaScript expression is empty")
	}
	if probs := chk.CheckExpression(expr); len(probs) > 0 {
		return "", engine.Errorf(engine.ErrInvalid, "JavaScript expression does not compile (it must be one expression): %s", probs[0].Message)
	}
	names := jsFreeNames(expr)
	if len(names) == 0 {
		return expr, nil
	}
	if isJavaInterop(names) {
		return "", engine.Errorf(engine.ErrInvalid, "JavaScript expression uses Java classes (%s): not supported", strings.Join(javaNames(names), ", "))
	}
	params := make([]string, len(names))
	args := make([]string, len(names))
	for i, n := range names {
		params[i] = n
		if n == "execution" {
			args[i] = executionInline
		} else {
			args[i] = "vars." + n
		}
	}
	js := "((" + strings.Join(params, ", ") + ") => (" + expr + "\n))(" + strings.Join(args, ", ") + ")"
	if probs := chk.CheckExpression(js); len(probs) > 0 {
		return "", engine.Errorf(engine.ErrInvalid, "JavaScript expression does not compile with process variables bound: %s", probs[0].Message)
	}
	return js, nil
}

// executionInline is the `execution` object of a JavaScript condition, on one line.
const executionInline = `{getVariable: (n) => (Object.hasOwn(vars, n) ? vars[n] : null), hasVariable: (n) => Object.hasOwn(vars, n), ` +
	`getVariables: () => ({...vars}), getProcessInstanceId: () => instance.id, getId: () => instance.id, ` +
	`getProcessDefinitionId: () => instance.processId}`

// shorten cuts text for messages.
func shorten(s string) string {
	if len(s) <= 80 {
		return s
	}
	cut := 77
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
