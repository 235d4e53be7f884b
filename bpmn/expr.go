package bpmn

import (
	"flowcraft/engine"
)

// translateExpression turns a BPMN condition or expression into the JavaScript
// expression flowcraft evaluates (conditions, {{ }} values). language is the
// element's language attribute ("" when absent): JUEL `${...}` and FEEL `=...` subsets
// are translated, JavaScript ("javascript", "js", "ecmascript") is kept as is; in the
// translated text process variables read as vars.<name>. Anything it cannot translate
// is an error whose text says why (the import reports it).
// TODO(issue 17, expressions helper): implement.
func translateExpression(language, text string) (string, error) {
	return "", engine.Errorf(engine.ErrInvalid, "expressions are not translated yet")
}

// scriptParams are the `script` template's parameters for a BPMN script task of the
// format (scriptFormat, e.g. "javascript") and body: the script sees the process
// variables as globals and an `execution` object (getVariable, setVariable,
// getVariables, getProcessInstanceId), as Camunda and Flowable scripts expect.
// resultVariable is camunda:resultVariable/flowable:resultVariable ("" when absent).
// An error says why the script cannot run (another language, ...).
// TODO(issue 17, expressions helper): implement.
func scriptParams(format, body, resultVariable string) (map[string]any, error) {
	return nil, engine.Errorf(engine.ErrInvalid, "script tasks are not mapped yet")
}
