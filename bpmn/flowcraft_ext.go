package bpmn

// overlayFlowcraft applies flowcraft's own settings, written by Export into
// extensionElements (<fc:process> on the process, <fc:task> on each flow node, both
// JSON text in namespace NSFlowcraft), onto a definition Import mapped from the
// standard elements: processExt is the process's <fc:process> text ("" when absent),
// taskExt the <fc:task> text by flow node id. What the standard elements carry
// exactly — ids, names, positions (DI), connections (sequence flows) — stays as
// mapped; everything else of a task (template, parameters, errorHandler,
// loopHandler, timeout, isIgnore, description) comes from the extension.
// TODO(issue 17, export helper): implement.
func overlayFlowcraft(imp *Imported, processExt string, taskExt map[string]string, rep *Report) error {
	return nil
}
