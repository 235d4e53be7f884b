package bpmn

import (
	"fmt"
	"sort"
	"strings"
)

// note is what the importer says about one element before it becomes a Note: a
// stable code and its params. The English text is made from noteTexts, and the UI
// shows the "bpmn.note.<code>" message of its locale with the same params.
type noteMsg struct {
	code   string
	params map[string]any
}

// nt makes a note from a code and key/value pairs of params.
func nt(code string, kv ...any) noteMsg {
	n := noteMsg{code: code}
	if len(kv) > 0 {
		n.params = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			n.params[kv[i].(string)] = kv[i+1]
		}
	}
	return n
}

// text is the note's English sentence.
func (n noteMsg) text() string { return noteText(n.code, n.params) }

// noteText fills the English template of code with params ({name} placeholders).
func noteText(code string, params map[string]any) string {
	s, ok := noteTexts[code]
	if !ok {
		s = code
	}
	if len(params) == 0 {
		return s
	}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	pairs := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		pairs = append(pairs, "{"+k+"}", fmt.Sprint(params[k]))
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// NoteCodes lists every note code, for the locale-completeness test.
func NoteCodes() []string {
	codes := make([]string, 0, len(noteTexts))
	for c := range noteTexts {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	return codes
}

// noteTexts is the English of every note code; the locale files hold
// "bpmn.note.<code>" in English and Chinese with the same placeholders.
var noteTexts = map[string]string{
	// document level
	"namespace_ignored":     "elements and attributes of this namespace are ignored",
	"root_element":          "flowcraft has no equivalent of this root element",
	"black_box_pool":        "a pool without a process (a black box) is kept in the diagram only",
	"message_flow":          "kept in the metadata of the processes it connects; messages between pools are not sent",
	"diagram_only":          "kept in the diagram only",
	"collaboration_element": "flowcraft has no equivalent of this collaboration element",
	"listeners":             "listeners cannot run in flowcraft",
	"extension_ignored":     "extension element ignored",
	// process level
	"process_empty":          "the process has no flow elements; no definition is made of it",
	"name_cut":               "the name is cut to 200 characters",
	"not_executable":         "isExecutable is false: imported anyway, as modelers often leave the flag off",
	"history_ttl":            "historyTimeToLive \"{value}\" is not a number of days nor an ISO duration in days; history is kept",
	"candidate_starters":     "candidate starters are kept in metadata.candidateStarters and applied as the process's candidate starters when it is created",
	"flow_node_id":           "a flow node needs a unique id",
	"artifact_kept":          "kept in metadata.bpmn.artifacts; flowcraft passes data between tasks and in process variables instead",
	"element_unsupported":    "flowcraft has no equivalent of this element",
	"flow_dangling":          "its source or target is not a flow node of this process",
	"default_condition":      "the default flow's condition is ignored",
	"condition_untranslated": "condition \"{text}\" cannot be translated ({reason}); the flow is never taken",
	"flow_merged":            "a second flow between the same two tasks is merged into the first",
	"activity_default_flow":  "a default flow out of an activity is taken always (flowcraft has defaults on gateways only)",
	"gateway_default_flow":   "a flow without condition out of the gateway becomes its default",
	"gateway_second_flow":    "a second flow without condition out of the gateway is taken when reached (condition true)",
	"no_start_event":         "the process has no start event: a manual trigger starts every activity without incoming flows",
	"unreachable":            "the start event cannot reach it",
	// events, gateways, subprocesses
	"subprocess_start":            "a {kind} start inside an embedded subprocess: the subprocess starts when reached",
	"catch_passthrough":           "a pass-through: it does not wait for a message",
	"content_unsupported":         "flowcraft has no {element}; a pass-through stands in its place and its content is left out",
	"inclusive_gateway":           "an inclusive gateway: every flow whose condition holds is taken; the activation condition is ignored",
	"event_gateway":               "an exclusive gateway that always follows its first flow: which event comes first cannot be known",
	"subprocess_terminate_end":    "a terminate end inside an embedded subprocess: its branch continues after the subprocess",
	"subprocess_end":              "a {kind} end inside an embedded subprocess: its branch continues after the subprocess; nothing is thrown",
	"error_end":                   "an end: the instance ends normally; the error \"{code}\" is not raised",
	"end_not_thrown":              "an end: the {kind} is not thrown",
	"first_definition":            "only the first event definition is used",
	"timer_catch_cycle":           "a timer catch event needs timeDuration or timeDate; a cycle cannot wait once",
	"timer_unmapped":              "timer {timer} \"{text}\" cannot be mapped ({reason}); a pass-through stands in its place",
	"catch_milestone":             "a catch event without definition: a milestone",
	"catch_unsupported":           "flowcraft cannot wait for a {kind}; a pass-through stands in its place",
	"throw_unsupported":           "flowcraft cannot throw a {kind}; a pass-through stands in its place",
	"event_subprocess":            "flowcraft has no event subprocesses; it and its content are left out",
	"subprocess_flattened":        "flattened into the process: its tasks run in the parent's flow; its parallel branches continue one by one after it",
	"one_trigger":                 "a process has one trigger; start event {start} is it",
	"timer_cycle_manual":          "timer cycle \"{text}\" cannot be a cron schedule ({reason}): started by hand instead",
	"timer_date_manual":           "timer date \"{text}\" is not an ISO date-time: started by hand instead",
	"timer_date_yearly":           "a cron schedule at {at}: it fires on that day every year",
	"timer_start_empty":           "a timer start without a cycle or date: started by hand instead",
	"start_manual":                "a {kind} start: started by hand (or by the API) instead",
	"boundary_unattached":         "it is not attached to an activity flowcraft keeps",
	"boundary_timer_subprocess":   "a timer on an embedded subprocess has no flowcraft equivalent (each task has its own timeout)",
	"boundary_timer_kind":         "a boundary timer needs timeDuration; {timer} cannot be a task timeout",
	"boundary_timer_duration":     "duration \"{text}\" cannot be a timeout ({reason})",
	"boundary_timer_second":       "the task already continues elsewhere on failure (another boundary timer)",
	"boundary_timer_nonint":       "a non-interrupting timer becomes the task's timeout: the task is cancelled when it fires",
	"boundary_error_subprocess":   "an error boundary on an embedded subprocess: every task inside routes the error",
	"boundary_unsupported":        "flowcraft has no boundary {kind} event",
	"loop_subprocess":             "a loop on an embedded subprocess has no flowcraft equivalent",
	"loop_no_condition":           "a standard loop without loopCondition cannot end",
	"loop_condition":              "loop condition \"{text}\" cannot be translated ({reason})",
	"loop_test_before":            "the loop condition is checked before each iteration (BPMN's testBefore=false checks after)",
	"mi_subprocess":               "multi-instance on an embedded subprocess has no flowcraft equivalent",
	"mi_collection":               "multi-instance collection \"{text}\" cannot be translated ({reason})",
	"mi_cardinality_untranslated": "multi-instance cardinality \"{text}\" cannot be translated ({reason})",
	"mi_empty":                    "a multi-instance needs a collection or a cardinality",
	"mi_element_variable":         "each element reads as item, not as {name}",
	"mi_output_collection":        "the output collection is the task's output (an array of the iterations' outputs)",
	"mi_completion_condition":     "the completion condition is ignored: every iteration runs",
	"data_ignored":                "{names} ignored: flowcraft passes data between tasks and in process variables",
	"async_ignored":               "{names} ignored: flowcraft commits every step durably itself",
	"attributes_ignored":          "{names} ignored",
	// tasks
	"topic_untranslated":     "topic \"{text}\" cannot be translated ({reason}); the topic is the text as written",
	"topic_missing":          "an external task without topic: the topic is the element id",
	"priority_not_number":    "priority \"{value}\" is not a number; left out",
	"task_headers":           "zeebe:taskHeaders are not sent to the worker",
	"java_class":             "Java code ({what}) cannot run in flowcraft; a pass-through stands in its place",
	"dmn":                    "flowcraft has no DMN decisions ({ref}); a pass-through stands in its place",
	"task_type":              "flowcraft has no \"{type}\" task; a pass-through stands in its place",
	"send_passthrough":       "a pass-through: no message is sent",
	"rule_passthrough":       "a pass-through: no rule is evaluated",
	"service_passthrough":    "a service task without implementation: a pass-through",
	"connector":              "connector \"{name}\" cannot run in flowcraft (only http-connector); a pass-through stands in its place",
	"connector_script":       "the {name} script is left out",
	"value_untranslated":     "{name} \"{text}\" cannot be translated ({reason})",
	"field_untranslated":     "{name} cannot be translated ({reason})",
	"header_untranslated":    "header {name} cannot be translated",
	"input_parameter":        "input parameter {name} is ignored",
	"connector_output":       "output parameters are not applied: the task's output is {status, headers, body}",
	"connector_no_url":       "the connector has no url: set one",
	"field_ignored":          "field {name} is ignored",
	"no_request_url":         "the task has no requestUrl: set one",
	"script_resource":        "the script is in an external resource ({resource}), which flowcraft does not read",
	"script_format":          "the {format} script cannot run ({reason}); a pass-through stands in its place",
	"script_flw":             "the script uses Flowable's flw scripting API, which flowcraft does not have: flw reads as a process variable, and flw.bpmn.throwError does not throw a BPMN error (throw new org.flowable.engine.delegate.BpmnError(code, message) does)",
	"input_mappings":         "the input mappings are not applied ({reason})",
	"input_name":             "input \"{name}\" is not a variable name; not applied",
	"input_untranslated":     "input {name} = \"{text}\" cannot be translated ({reason}); not applied",
	"input_kind":             "input {name} (a {kind}) is not applied",
	"output_mappings":        "output mappings are not applied: results are written to the process variables as they are",
	"zeebe_outputs":          "zeebe:ioMapping outputs are not applied: results are written to the process variables as they are",
	"call_no_element":        "the call activity names no called element",
	"called_external":        "the called process {called} is not in this document: its definition must exist with BPMN id {called}",
	"business_key":           "the business key is not passed on",
	"call_input":             "input {name} is not passed on",
	"call_out_mappings":      "out mappings are not applied: the called process's output is the task's output",
	"list_expression":        "{what} \"{value}\" is an expression inside a list; left out",
	"resource_unresolved":    "{attr} refers to resource {ref}, which is not resolved",
	"assignee_expression":    "{attr} \"{value}\" is an expression; left out",
	"mi_cardinality":         "multi-instance by cardinality: one approval by the assignees in mode {mode}",
	"mi_assignees":           "the collection's elements are the assignees",
	"no_assignee":            "no assignee or candidates: assigned to the user who started the instance",
	"form_key":               "the form {form} is not imported: the task shows flowcraft's approval form",
	"zeebe_form":             "the Camunda 8 form is not imported: the task shows flowcraft's approval form",
	"due_date":               "due date \"{value}\" is left out",
	"due_date_not_duration":  "due date \"{value}\" is not a duration; left out",
	"task_listeners":         "task listeners cannot run in flowcraft",
	"form_field_renamed":     "form field \"{key}\" is renamed \"{renamed}\": outcome and comment are the decision's own",
	"form_field_type":        "form field {id} of type {type} is a text field",
	"form_constraint":        "form field {id}: constraint {name} is not checked",
	"form_enum_empty":        "form field {id} is an enum without values: a text field",
	"form_default":           "form field {id}: the default value is not shown",
	"form_property_type":     "form property {id} of type {type} is a text field",
	"form_property_readonly": "form property {id} is read-only in the model; it is an input field",
	// flowcraft extension
	"ext_default_to": "flowcraft setting \"defaultTo\" ignored: no connection to \"{to}\"",
	"ext_invalid":    "flowcraft settings ignored: {reason}",
	"ext_unknown":    "unknown flowcraft setting \"{key}\" ignored",
	"ext_setting":    "flowcraft setting \"{key}\" ignored: {reason}",
	"ext_inst_id":    "flowcraft setting \"instId\" ignored: another task has the id \"{id}\"",
}
