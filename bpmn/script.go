package bpmn

import (
	"regexp"
	"slices"
	"strings"

	"flowcraft/engine"
)

// Script tasks (DESIGN §9). Camunda and Flowable run a scriptTask's JavaScript with
// the process variables bound as globals and an `execution` object; flowcraft's
// `script` template runs a strict-mode function body over its scope (DESIGN §2),
// where process variables are `vars` and writes to vars are persisted. scriptParams
// makes the `code` of a `script` task that gives the imported body what it expects,
// in plain JavaScript over that scope — no option of the template, no change to
// the sandbox, ordinary scripts untouched, every sandbox limit applies:
//
//	// BPMN scriptTask (javascript): ...
//	const execution = { getVariable: ..., setVariable: (name, value) => { vars[name] = ... }, ... };
//	let { amount, approved } = vars;
//	const result = (() => {
//	<the body, verbatim>
//	})();
//	vars["total"] = result; // resultVariable
//	return result;
//
// Why this way: goja runs the code in strict mode, so `with` is not available, and
// the sandbox's global object is frozen, so process variables cannot become real
// globals. Instead the names the body reads by bare name (found by a lexical scan,
// jsFreeNames) are declared in the enclosing scope from vars; the body runs in its
// own arrow function, so its own declarations (var, let, const, function) shadow
// them without conflict. The body stays verbatim, readable and editable in the
// designer. Only for resultVariable is the body's last expression statement turned
// into `return (...)` (scripting.LastExpression finds it on the syntax tree), since a
// function has no completion value.
//
// execution: getVariable(name) (null when unset, as in Camunda), setVariable(name,
// value) (persisted: it writes vars), hasVariable, removeVariable, getVariables()
// (a copy), getVariableNames(), the *Local variants as aliases (flowcraft has no
// local scopes), getProcessInstanceId(), getId() (the instance id: flowcraft has no
// execution ids), getProcessDefinitionId() (the definition's id). `print` is
// console.log, as in Nashorn.
//
// Differences: the bare-name globals are read once when the script starts —
// execution.setVariable("x", 1) does not change what `x` reads later in the same
// script, and assigning `x = 1` changes the local copy only (as in Camunda and
// Flowable without autoStoreScriptVariables: use execution.setVariable to persist).
// A variable named like a flowcraft scope name (input, vars, ...) or a JavaScript
// global (Date, JSON, ...) is not readable by bare name (use
// execution.getVariable). A variable the body names but the process lacks reads as
// undefined instead of failing. Java interop (Java.type, importPackage, Packages) is
// refused at import, but for the BpmnError classes, which throw flowcraft's coded
// error (bpmnErrorScript); a value that is not JSON (a Java object) cannot exist.

// scriptParams are the `script` template's parameters for a BPMN script task of the
// format (scriptFormat, e.g. "javascript") and body: the script sees the process
// variables as globals and an `execution` object (getVariable, setVariable,
// getVariables, getProcessInstanceId), as Camunda and Flowable scripts expect.
// resultVariable is camunda:resultVariable/flowable:resultVariable ("" when absent).
// An error says why the script cannot run (another language, ...).
func scriptParams(chk Checker, format, body, resultVariable string) (map[string]any, error) {
	lang := strings.ToLower(strings.TrimSpace(format))
	switch {
	case lang == "":
		return nil, engine.Errorf(engine.ErrInvalid, "script task has no scriptFormat")
	case !isJavaScriptLanguage(lang):
		return nil, engine.Errorf(engine.ErrInvalid, "scriptFormat %s is not supported: only JavaScript scripts are run", strings.TrimSpace(format))
	}
	if strings.TrimSpace(body) == "" {
		return nil, engine.Errorf(engine.ErrInvalid, "script task has no script")
	}
	if len(body) > maxScriptLen {
		return nil, engine.Errorf(engine.ErrInvalid, "script is %d bytes, more than %d", len(body), maxScriptLen)
	}
	if probs := chk.CheckScript(body); len(probs) > 0 {
		pr := probs[0]
		return nil, engine.Errorf(engine.ErrInvalid, "script does not compile (line %d, column %d): %s", pr.Line, pr.Column, pr.Message)
	}
	names := jsFreeNames(body)
	// BPMN errors: `new org.camunda.bpm.engine.delegate.BpmnError(code, message)` (or
	// Flowable's, Activiti's), and `Java.type` of that class, make flowcraft's coded
	// error (bpmnErrorScript), which errorHandler.routes (the boundary error events)
	// take. org is bound so only when the body names such a class; Java only when it
	// is used for nothing else (with those Java.type calls blanked out, the body does
	// not read Java).
	orgShim := slices.Contains(names, "org") && bpmnErrorPath.MatchString(body)
	javaShim := slices.Contains(names, "Java") && !slices.Contains(jsFreeNames(javaTypeBpmnError.ReplaceAllStringFunc(body,
		func(m string) string { return strings.Repeat(" ", len(m)) })), "Java")
	check := names
	if javaShim {
		check = slices.DeleteFunc(slices.Clone(names), func(n string) bool { return n == "Java" })
	}
	if j := javaNames(check); len(j) > 0 {
		return nil, engine.Errorf(engine.ErrInvalid, "script uses Java classes (%s): not supported", strings.Join(j, ", "))
	}
	resultVariable = strings.TrimSpace(resultVariable)
	code := body
	if resultVariable != "" {
		start, end, ok := chk.LastExpression(body)
		if !ok {
			return nil, engine.Errorf(engine.ErrInvalid, "resultVariable %s needs the script to end with an expression statement", resultVariable)
		}
		code = body[:start] + "return (" + body[start:end] + "\n);" + body[end:]
	}
	var b strings.Builder
	b.WriteString("// BPMN scriptTask (" + strings.TrimSpace(format) + "): process variables are read as globals and `execution`\n")
	b.WriteString("// works as in Camunda/Flowable; execution.setVariable writes vars (persisted).\n")
	b.WriteString(executionScript)
	if orgShim || javaShim {
		b.WriteString(bpmnErrorScript)
	}
	if orgShim {
		b.WriteString(bpmnErrorOrg)
	}
	if javaShim {
		b.WriteString(bpmnErrorJava)
	}
	var globals []string
	for _, n := range names {
		switch {
		case n == "org" && orgShim, n == "Java" && javaShim, n == "BpmnError" && (orgShim || javaShim):
		case n == "execution":
		case n == "print":
			b.WriteString("const print = (...args) => console.log(...args);\n")
		default:
			globals = append(globals, n)
		}
	}
	if len(globals) > 0 {
		b.WriteString("let { " + strings.Join(globals, ", ") + " } = vars;\n")
	}
	// The result's name must not be one of the bound globals.
	res := "result"
	for slices.Contains(names, res) {
		res = "_" + res
	}
	b.WriteString("const " + res + " = (() => {\n")
	b.WriteString(code)
	b.WriteString("\n})();\n")
	if resultVariable != "" {
		b.WriteString("vars[" + jsString(resultVariable) + "] = " + res + " === undefined ? null : " + res + ";\n")
	}
	b.WriteString("return " + res + ";")
	out := b.String()
	if probs := chk.CheckScript(out); len(probs) > 0 {
		return nil, engine.Errorf(engine.ErrInvalid, "script does not compile with process variables bound: %s", probs[0].Message)
	}
	return map[string]any{"code": out}, nil
}

// bpmnErrorScript is Camunda's, Flowable's and Activiti's BpmnError(errorCode[,
// message]) as a JavaScript class: thrown, it is an Error with a string errorCode,
// which the script template reports as a coded error (errorMessage: the message, ""
// when none), so that the task's errorHandler.routes take it.
const bpmnErrorScript = `class BpmnError extends Error {
  constructor(errorCode, message) {
    super(message === undefined || message === null ? "" : String(message));
    this.name = "BpmnError";
    this.errorCode = errorCode === undefined || errorCode === null ? errorCode : String(errorCode);
    this.errorMessage = this.message;
  }
  getErrorCode() { return this.errorCode; }
  getMessage() { return this.message; }
}
`

// bpmnErrorOrg is the org package as far as BpmnError: the other classes under it
// are undefined.
const bpmnErrorOrg = `const org = {
  camunda: { bpm: { engine: { delegate: { BpmnError } } } },
  flowable: { engine: { delegate: { BpmnError } } },
  activiti: { engine: { delegate: { BpmnError } } },
};
`

// bpmnErrorJava is Java.type for the BpmnError classes only (the import refuses a
// script that uses Java for anything else).
const bpmnErrorJava = `const Java = { type: () => BpmnError };
`

// bpmnErrorPath finds a BpmnError class named through the org package.
var bpmnErrorPath = regexp.MustCompile(`\borg\s*\.\s*(camunda\s*\.\s*bpm|flowable|activiti)\s*\.\s*engine\s*\.\s*delegate\s*\.\s*BpmnError\b`)

// javaTypeBpmnError is Java.type of a BpmnError class. Java is bound when the body,
// with these blanked out, reads Java no more.
var javaTypeBpmnError = regexp.MustCompile(`\bJava\s*\.\s*type\s*\(\s*(?:"org\.(?:camunda\.bpm|flowable|activiti)\.engine\.delegate\.BpmnError"|'org\.(?:camunda\.bpm|flowable|activiti)\.engine\.delegate\.BpmnError')\s*\)`)

// maxScriptLen bounds an imported script body.
const maxScriptLen = 256 << 10

// executionScript defines the `execution` object of an imported script.
const executionScript = `const execution = {
  getVariable: (name) => (Object.hasOwn(vars, name) ? vars[name] : null),
  getVariableLocal: (name) => execution.getVariable(name),
  setVariable: (name, value) => { vars[name] = value === undefined ? null : value; },
  setVariableLocal: (name, value) => execution.setVariable(name, value),
  hasVariable: (name) => Object.hasOwn(vars, name),
  removeVariable: (name) => { delete vars[name]; },
  getVariables: () => ({ ...vars }),
  getVariableNames: () => Object.keys(vars),
  getProcessInstanceId: () => instance.id,
  getId: () => instance.id,
  getProcessDefinitionId: () => instance.processId,
};
`
