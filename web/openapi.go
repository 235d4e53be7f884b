package web

import (
	"maps"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"flowcraft/bpmn"
)

// The OpenAPI 3.1 description of the REST API, served at GET /api/openapi.json. It is
// built from the table below, which lists every route with its purpose; schemas are
// kept to the shapes integrators touch.

type apiOp struct {
	method, path, tag, summary string
	body                       string // a schema name, "" for none
	result                     string // the schema of "response", "" for none
	list                       bool   // the response is {"list": [...], "total"}
	bare                       bool   // the result is answered as it is, without {"response": ...} (seed 000)
	status                     int    // success status; default 200
	public                     bool   // no credentials needed
	xmlBody                    bool   // the body is XML (application/xml, text/xml) or a multipart "file", not JSON
	xmlResult                  bool   // the answer is an XML download, not JSON
}

func apiOps() []apiOp {
	return []apiOp{
		{method: "post", path: "/api/login", tag: "session", summary: "Sign in; sets the session cookie and answers the CSRF token", body: "Login", result: "Me", public: true},
		{method: "post", path: "/api/logout", tag: "session", summary: "Sign out", status: 204},
		{method: "get", path: "/api/me", tag: "session", summary: "The signed-in user (and the session's CSRF token)", result: "Me"},
		{method: "get", path: "/api/tokens", tag: "session", summary: "Your API tokens (admins: ?user=)", result: "APIToken", list: true},
		{method: "post", path: "/api/tokens", tag: "session", summary: "Create an API token; the secret is answered once", body: "TokenRequest", result: "APIToken", status: 201},
		{method: "delete", path: "/api/tokens/{id}", tag: "session", summary: "Revoke a token", status: 204},

		{method: "get", path: "/api/templates", tag: "definitions", summary: "Node templates with their parameter schemas", result: "Template", list: true},
		{method: "post", path: "/api/scripts/check", tag: "definitions", summary: "Compile a script, condition or template", body: "ScriptCheck", result: "ScriptCheckResult"},
		{method: "post", path: "/api/process", tag: "definitions", summary: "Create a process definition", body: "Process", result: "Created", status: 201},
		{method: "get", path: "/api/process", tag: "definitions", summary: "List definitions (name, nameLike, q, enabled, creator, tenantId, category, paging); startable=true: only those the caller may start (enabled; their candidate starters admit the caller). Open to every user: a user lists only what they may start", result: "Process", list: true},
		{method: "get", path: "/api/process/{id}", tag: "definitions", summary: "One definition (bare, as seed 000 shows it)", result: "Process", bare: true},
		{method: "put", path: "/api/process/{id}", tag: "definitions", summary: "Replace a definition; its version must be current (else 409)", body: "Process", result: "Process"},
		{method: "patch", path: "/api/process/{id}", tag: "definitions", summary: "Change name, description or enabled (a new version); category (set on the current version, no new version)", body: "ProcessPatch", result: "Process"},
		{method: "delete", path: "/api/process/{id}", tag: "definitions", summary: "Delete a definition (409 while instances run, unless ?cascade=true)", status: 204},
		{method: "post", path: "/api/process/{id}/token", tag: "definitions", summary: "Rotate the webhook trigger token (designer); answers {\"triggerToken\"}, the old token stops working", result: "Object"},
		{method: "get", path: "/api/process/{id}/versions", tag: "definitions", summary: "Earlier versions, newest first", result: "ProcessVersion", list: true},
		{method: "get", path: "/api/process/{id}/starters", tag: "definitions", summary: "Candidate starters (users first); none: every user may start the process", result: "Starter", list: true},
		{method: "post", path: "/api/process/{id}/starters", tag: "definitions", summary: "Add a candidate starter: {\"userId\"} or {\"groupId\"}", body: "Starter", result: "Starter", status: 201},
		{method: "delete", path: "/api/process/{id}/starters/{family}/{starter_id}", tag: "definitions", summary: "Remove a candidate starter; family is users or groups (404 when not listed)", status: 204},
		{method: "post", path: "/api/process/import", tag: "definitions", summary: "Import a BPMN 2.0 document (application/xml or text/xml; or multipart/form-data with the file in \"file\"): every process becomes a definition, all or none; answers them with the report of what was mapped, approximated and dropped. ?strict=true refuses (400) a document of which anything would be dropped (designer)", xmlBody: true, result: "BPMNImport", status: 201},
		{method: "get", path: "/api/process/{id}/bpmn", tag: "definitions", summary: "The definition as BPMN 2.0 XML (with DI and flowcraft's settings in extensionElements), a download named <name>.bpmn; ?version=N exports an earlier version", xmlResult: true},
		{method: "get", path: "/api/process/{id}/{task_id}", tag: "definitions", summary: "One task of a definition (bare)", result: "Task", bare: true},
		{method: "post", path: "/api/process/{id}", tag: "instances", summary: "Start an instance; the body is the trigger data (Idempotency-Key header, ?wait=5s, ?businessKey=, ?tenantId=); 403 not_starter when the process lists candidate starters and the caller is none", body: "Any", result: "Started", status: 201},

		{method: "get", path: "/api/processInst", tag: "instances", summary: "List instances (procId, status, executor, businessKey, businessKeyLike with % as the wildcard, tenantId, startedAfter, startedBefore, parent, a variable condition varName, varOp (equals, notEquals, equalsIgnoreCase, notEqualsIgnoreCase, lessThan, greaterThan, lessThanOrEquals, greaterThanOrEquals, like), varType (string, integer, long, double, boolean, date; without it the value's JSON type), varValue, paging)", result: "Instance", list: true},
		{method: "get", path: "/api/processInst/{inst_id}", tag: "instances", summary: "An instance with the fields of its definition version and every task (the whole task) with its runtimes (bare)", result: "InstanceView", bare: true},
		{method: "put", path: "/api/processInst/{inst_id}", tag: "instances", summary: "cancel, suspend, resume or retry", body: "Action", result: "Instance"},
		{method: "delete", path: "/api/processInst/{inst_id}", tag: "instances", summary: "Delete an ended instance", status: 204},
		{method: "get", path: "/api/processInst/{inst_id}/variables", tag: "instances", summary: "Process variables", result: "Object"},
		{method: "put", path: "/api/processInst/{inst_id}/variables", tag: "instances", summary: "Set process variables: those in the body are created or replaced, the others stay (merge); answers every variable", body: "Object", result: "Object"},
		{method: "delete", path: "/api/processInst/{inst_id}/variables/{name}", tag: "instances", summary: "Delete one process variable (404 when there is none)", status: 204},
		{method: "get", path: "/api/processInst/{inst_id}/{task_id}", tag: "instances", summary: "One task of an instance (the whole task) with its runtimes (bare)", result: "TaskView", bare: true},

		{method: "get", path: "/api/taskInsts", tag: "inbox", summary: "Your open tasks, or ?status=done; sort=createAt|priority|due; createAt is \"YYYY-MM-DD HH:MM:SS\" in the server's time zone. The done list searches by businessKey, outcome, endedAfter, endedBefore and a variable condition (varName, varOp, varType, varValue, as GET /api/processInst)", result: "InboxItem", list: true},
		{method: "get", path: "/api/taskInst/{id}", tag: "inbox", summary: "A human task with its form and process context", result: "HumanTask"},
		{method: "post", path: "/api/taskInst/{id}", tag: "inbox", summary: "Decide: the flat body {\"outcome\", \"comment\", form field keys...}", body: "TaskInput", result: "HumanTask"},
		{method: "post", path: "/api/taskInst/{id}/claim", tag: "inbox", summary: "Claim a candidate task", result: "HumanTask"},
		{method: "post", path: "/api/taskInst/{id}/unclaim", tag: "inbox", summary: "Give a claimed task back to its candidates", result: "HumanTask"},
		{method: "post", path: "/api/taskInst/{id}/delegate", tag: "inbox", summary: "Delegate to another user", body: "TaskAction", result: "HumanTask"},
		{method: "post", path: "/api/taskInst/{id}/resolve", tag: "inbox", summary: "Hand a delegated task back to its owner", body: "TaskAction", result: "HumanTask"},
		{method: "get", path: "/api/admin/taskInsts", tag: "inbox", summary: "Every open task (admin): user (assignee or candidate), group, processId, overdue=true, orphaned=true (assigned to a user who left), sort=createAt|priority|due; left is disabled or deleted when the assignee has left", result: "AdminTask", list: true},
		{method: "post", path: "/api/taskInst/{id}/reassign", tag: "inbox", summary: "Give an open task to another user, or with assignee empty or null back to its candidates; ends any claim or delegation (admin)", body: "Reassign", result: "HumanTask"},

		{method: "get", path: "/api/users", tag: "identity", summary: "List users (admin)", result: "User", list: true},
		{method: "post", path: "/api/users", tag: "identity", summary: "Create a user with a password (admin)", body: "UserInput", result: "User", status: 201},
		{method: "get", path: "/api/users/{id}", tag: "identity", summary: "One user (admin)", result: "User"},
		{method: "put", path: "/api/users/{id}", tag: "identity", summary: "Change a user; fields left out stay (admin)", body: "UserInput", result: "User"},
		{method: "patch", path: "/api/users/{id}", tag: "identity", summary: "Same as PUT (admin)", body: "UserInput", result: "User"},
		{method: "delete", path: "/api/users/{id}", tag: "identity", summary: "Delete a user (admin)", status: 204},
		{method: "post", path: "/api/users/{id}/unlock", tag: "identity", summary: "Lift a lockout after failed sign-ins (admin)", status: 204},
		{method: "get", path: "/api/groups", tag: "identity", summary: "List groups (admin)", result: "Group", list: true},
		{method: "post", path: "/api/groups", tag: "identity", summary: "Create a group (admin)", body: "Group", result: "Group", status: 201},
		{method: "get", path: "/api/groups/{id}", tag: "identity", summary: "One group (admin)", result: "Group"},
		{method: "put", path: "/api/groups/{id}", tag: "identity", summary: "Rename a group (admin)", body: "Group", result: "Group"},
		{method: "delete", path: "/api/groups/{id}", tag: "identity", summary: "Delete a group (admin)", status: 204},
		{method: "get", path: "/api/groups/{id}/members", tag: "identity", summary: "Members of a group (admin)", result: "User", list: true},
		{method: "post", path: "/api/groups/{id}/members", tag: "identity", summary: "Add a member (admin)", body: "Member", result: "Member", status: 201},
		{method: "delete", path: "/api/groups/{id}/members/{userId}", tag: "identity", summary: "Remove a member (admin)", status: 204},

		{method: "get", path: "/api/jobs", tag: "operations", summary: "Timers, retries and continuations (?status=pending|dead, queue=executable|timer|suspended|dead, instanceId, taskId, withException) (admin)", result: "Job", list: true},
		{method: "post", path: "/api/jobs/{id}/retry", tag: "operations", summary: "Run a dead job again (admin)", status: 204},
		{method: "get", path: "/api/jobs/{id}", tag: "operations", summary: "One job with its queue (admin)", result: "Job"},
		{method: "post", path: "/api/jobs/{id}/execute", tag: "operations", summary: "Run a pending job now; a dead one is revived (admin)", status: 204},
		{method: "delete", path: "/api/jobs/{id}", tag: "operations", summary: "Delete a job (admin)", status: 204},
		{method: "get", path: "/api/externalTasks", tag: "operations", summary: "External tasks waiting for workers (?instanceId= for the instance's, which whoever sees the instance may read; without it designers and admins; taskId, topic, state=open,locked,incident,done,canceled|all)", result: "ExternalTask", list: true},
		{method: "post", path: "/api/externalTasks/{id}/retries", tag: "operations", summary: "Set an external task's retries; an incident with retries > 0 waits for a worker again (admin)", body: "ExternalTaskRetries", result: "ExternalTask"},
		{method: "post", path: "/api/history/cleanup", tag: "operations", summary: "Delete now the ended instances past their definition's historyTimeToLive; answers what it removed (admin)", result: "CleanupReport"},
		{method: "get", path: "/api/openapi.json", tag: "operations", summary: "This document"},
	}
}

// apiSchemas are the component schemas, in JSON Schema (OpenAPI 3.1).
func apiSchemas() map[string]any {
	obj := func(props map[string]any, required ...string) map[string]any {
		s := map[string]any{"type": "object", "properties": props}
		if len(required) > 0 {
			s["required"] = required
		}
		return s
	}
	str := map[string]any{"type": "string"}
	num := map[string]any{"type": "number"}
	integer := map[string]any{"type": "integer"}
	boolean := map[string]any{"type": "boolean"}
	anyv := map[string]any{}
	object := map[string]any{"type": "object"}
	id := map[string]any{"type": "string", "description": "snowflake id as a decimal string"}
	noteCode := map[string]any{"type": "string", "enum": bpmn.NoteCodes(),
		"description": "stable code of the note's sentence; how/why is its English text, filled with params ({name} placeholders)"}
	ref := func(n string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + n} }
	arr := func(items any) map[string]any { return map[string]any{"type": "array", "items": items} }
	humanTask := map[string]any{"id": id, "name": str, "content": str, "createAt": integer, "processInstId": id, "processId": str,
		"processName": str, "taskId": str, "assignee": str, "status": map[string]any{"enum": []string{"open", "done", "canceled"}},
		"priority": integer, "dueAt": integer, "form": arr(object), "outcomes": arr(str), "owner": str, "delegation": str,
		"candidateUsers": arr(str), "candidateGroups": arr(str), "outcome": str, "comment": str, "history": arr(object)}
	// An inbox item is a human task whose createAt is the seed's text time.
	inboxItem := maps.Clone(humanTask)
	inboxItem["createAt"] = map[string]any{"type": "string", "description": "YYYY-MM-DD HH:MM:SS in the server's time zone (--timezone)"}
	return map[string]any{
		"Any":    anyv,
		"Object": object,
		"Error": obj(map[string]any{"statusCode": integer, "errorMessage": str,
			"errors": arr(obj(map[string]any{"taskId": str, "field": str, "message": str}))}, "statusCode", "errorMessage"),
		"Login":        obj(map[string]any{"username": str, "password": str}, "username", "password"),
		"Me":           obj(map[string]any{"user": ref("User"), "csrfToken": str}),
		"TokenRequest": obj(map[string]any{"name": str, "expiresIn": map[string]any{"type": "integer", "description": "seconds; 0 = never"}}, "name"),
		"APIToken":     obj(map[string]any{"id": str, "userId": str, "name": str, "prefix": str, "createAt": integer, "lastUsedAt": integer, "expiresAt": integer, "token": map[string]any{"type": "string", "description": "only in the answer to POST"}}),
		"Template": obj(map[string]any{"id": str, "kind": map[string]any{"enum": []string{"trigger", "action", "flow", "wait", "end"}},
			"label": obj(map[string]any{"zh": str, "en": str}), "waits": boolean, "parameters": arr(object)}),
		"ScriptCheck":       obj(map[string]any{"code": str, "kind": map[string]any{"enum": []string{"script", "expression", "template"}}}, "code"),
		"ScriptCheckResult": obj(map[string]any{"ok": boolean, "errors": arr(obj(map[string]any{"line": integer, "column": integer, "message": str}))}),
		"Created":           obj(map[string]any{"id": str}),
		"Connection":        obj(map[string]any{"to": str, "condition": str, "label": str, "default": boolean}, "to"),
		"Parameter":         obj(map[string]any{"label": str, "type": str, "value": anyv, "default": anyv, "required": boolean}),
		"ErrorHandler": obj(map[string]any{"retry": integer, "interval": integer, "backoff": num,
			"strategy": map[string]any{"enum": []string{"fail", "ignore", "goto"}}, "target": str,
			"routes": arr(obj(map[string]any{"errorCode": str, "target": str}, "target"))}),
		"LoopHandler": obj(map[string]any{"mode": map[string]any{"enum": []string{"forEach", "while"}}, "items": str, "parallel": boolean,
			"maxConcurrency": integer, "condition": str, "max": integer}),
		"Task": obj(map[string]any{"instId": str, "name": str, "description": str, "template": str, "positions": arr(num),
			"connections": arr(ref("Connection")), "parameters": map[string]any{"type": "object", "additionalProperties": ref("Parameter")},
			"errorHandler": ref("ErrorHandler"), "loopHandler": ref("LoopHandler"), "timeout": integer, "isIgnore": boolean}, "template"),
		"Process": obj(map[string]any{"id": str, "name": str, "description": str, "startTaskInstId": str, "endTaskInstId": str,
			"engine": map[string]any{"enum": []string{"standard", "fast"}}, "status": str, "enabled": boolean, "creator": str, "executor": str,
			"timeout": integer, "inputDataSchema": object, "outputDataSchema": object, "error": str, "extension": object, "metadata": object,
			"version": integer, "triggerApp": str, "triggerToken": str, "tasks": arr(ref("Task")), "createAt": integer, "updateAt": integer,
			"tenantId": str, "category": str, "historyTimeToLive": map[string]any{"type": "integer", "minimum": 0, "maximum": 36500,
				"description": "days an ended instance is kept (0: for ever); BPMN camunda:historyTimeToLive"},
			"payloadAsVariables": map[string]any{"type": "boolean",
				"description": "each field of a start payload (an object), and of an approval's form when it is decided, becomes a process variable, as in Camunda and Flowable; BPMN imports set it"}}, "name", "tasks"),
		"BPMNImport": obj(map[string]any{"processes": arr(obj(map[string]any{"id": str, "name": str, "bpmnId": str})),
			"report": obj(map[string]any{"mapped": integer,
				"approximated": arr(obj(map[string]any{"element": str, "id": str, "code": noteCode, "params": object, "how": str})),
				"dropped":      arr(obj(map[string]any{"element": str, "id": str, "code": noteCode, "params": object, "why": str}))})}),
		"ProcessPatch":   obj(map[string]any{"name": str, "description": str, "enabled": boolean, "category": str}),
		"Starter":        obj(map[string]any{"userId": str, "groupId": str}),
		"ProcessVersion": obj(map[string]any{"version": integer, "createAt": integer, "replacedBy": str, "definition": ref("Process")}),
		"Started":        obj(map[string]any{"id": id, "status": str, "output": anyv, "error": str, "existing": boolean}),
		"Instance": obj(map[string]any{"id": id, "parentId": id, "parentNodeId": id, "processId": str, "version": integer, "name": str, "engine": str,
			"status":   map[string]any{"enum": []string{"pending", "running", "waiting", "suspended", "done", "failed", "canceled", "timeout"}},
			"executor": str, "triggerApp": str, "trigger": anyv, "output": anyv, "error": str, "startAt": integer, "endAt": integer,
			"errorCode": map[string]any{"type": "string", "description": "a failed instance's business error code (a task's coded error no route took); absent otherwise"},
			"cost":      integer, "createAt": integer, "updateAt": integer, "businessKey": str, "tenantId": str}),
		"Runtime": obj(map[string]any{"id": id, "taskId": str, "name": str, "template": str, "index": integer, "attempt": integer,
			"status": str, "input": map[string]any{"description": "the task's parameters as the runtime used them ({{ }} resolved)"},
			"incoming": map[string]any{"description": "the data that led to the runtime (the previous task's output, the trigger data)"},
			"output":   anyv, "error": str, "logs": arr(object), "startAt": integer, "endAt": integer,
			"cost": integer, "humanTasks": arr(ref("HumanTask"))}),
		"TaskView": map[string]any{"allOf": []any{ref("Task"), obj(map[string]any{"status": str, "runtimes": arr(ref("Runtime"))})}},
		"InstanceView": map[string]any{"description": "the instance's fields, proc_id and the fields of the definition version it runs (not enabled, not triggerToken); where both have a field the instance's value",
			"allOf": []any{ref("Instance"), obj(map[string]any{"proc_id": str, "description": str, "startTaskInstId": str, "endTaskInstId": str,
				"creator": str, "timeout": integer, "inputDataSchema": object, "outputDataSchema": object, "extension": object, "metadata": object,
				"category": str, "historyTimeToLive": integer, "payloadAsVariables": boolean, "tasks": arr(ref("TaskView"))})}},
		"Action":    obj(map[string]any{"action": map[string]any{"enum": []string{"cancel", "suspend", "resume", "retry"}}}, "action"),
		"HumanTask": obj(humanTask),
		"InboxItem": obj(inboxItem),
		"TaskInput": map[string]any{"type": "object",
			"description": "the seed's flat body: the task's form field keys with their values, plus the reserved keys outcome " +
				"(default: the task's first outcome, the passing one) and comment; any other key is refused (400, unknown_field per key)",
			"properties":           map[string]any{"outcome": str, "comment": map[string]any{"type": "string", "maxLength": 4000}},
			"additionalProperties": map[string]any{"description": "a form field's value: text, a number, true/false, a date (YYYY-MM-DD) or an option's value"}},
		"TaskAction": obj(map[string]any{"assignee": str, "comment": str}),
		"Reassign": obj(map[string]any{"assignee": map[string]any{"type": []string{"string", "null"}, "description": "the new assignee; empty or null: back to the candidates"},
			"comment": map[string]any{"type": "string", "maxLength": 4000}}),
		"AdminTask": map[string]any{"allOf": []any{ref("HumanTask"), obj(map[string]any{"left": map[string]any{"enum": []string{"disabled", "deleted"},
			"description": "set when the assignee has left: the task waits for no one until it is reassigned"}})}},
		"User": obj(map[string]any{"id": str, "name": str, "email": str, "role": map[string]any{"enum": []string{"admin", "designer", "user", "worker"}},
			"groups": arr(str), "disabled": boolean}),
		"UserInput": obj(map[string]any{"id": str, "name": str, "email": str, "role": str, "password": str, "groups": arr(str), "disabled": boolean}),
		"Group":     obj(map[string]any{"id": str, "name": str}),
		"Member":    obj(map[string]any{"userId": str}, "userId"),
		"Job": obj(map[string]any{"id": id, "kind": str, "instanceId": id, "nodeId": id, "taskId": str, "status": str, "dueAt": integer,
			"attempts": integer, "maxAttempts": integer, "error": str, "queue": str, "processId": str, "version": integer}),
		"ExternalTask": obj(map[string]any{"id": id, "topic": str, "priority": integer, "state": map[string]any{"enum": []string{"open", "locked", "incident", "done", "canceled"}}, "errorCode": str,
			"workerId": str, "lockExpiresAt": integer, "retries": map[string]any{"type": []string{"integer", "null"}}, "taskRetries": integer, "errorMessage": str, "errorDetails": str,
			"instanceId": id, "taskId": str, "nodeId": id, "processId": str, "processVersion": integer, "businessKey": str, "suspended": boolean,
			"createAt": integer, "lockedAt": integer, "endAt": integer}),
		"ExternalTaskRetries": obj(map[string]any{"retries": map[string]any{"type": "integer", "minimum": 0, "maximum": maxExternalRetries}}, "retries"),
		"CleanupReport": obj(map[string]any{"deleted": integer, "processes": map[string]any{"type": "object", "additionalProperties": integer},
			"batches": integer, "startAt": integer, "endAt": integer}),
	}
}

// openAPIDoc builds the document.
func openAPIDoc(version string) map[string]any {
	paths := map[string]any{}
	errResp := func(desc string) map[string]any {
		return map[string]any{"description": desc, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	}
	for _, op := range apiOps() {
		item, _ := paths[op.path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[op.path] = item
		}
		status := op.status
		if status == 0 {
			status = 200
		}
		success := map[string]any{"description": "success"}
		if op.result != "" {
			inner := map[string]any{"$ref": "#/components/schemas/" + op.result}
			if op.list {
				inner = map[string]any{"type": "object", "properties": map[string]any{
					"list": map[string]any{"type": "array", "items": inner}, "total": map[string]any{"type": "integer"}}}
			}
			schema := map[string]any{"type": "object", "properties": map[string]any{"response": inner}}
			if op.bare {
				schema = inner
			}
			success["content"] = map[string]any{"application/json": map[string]any{"schema": schema}}
		}
		if op.xmlResult {
			success["content"] = map[string]any{"application/xml": map[string]any{"schema": map[string]any{"type": "string"}}}
		}
		responses := map[string]any{statusText(status): success, "400": errResp("invalid input: every problem in errors"),
			"404": errResp("not found"), "409": errResp("conflict: stale version or a status that forbids it")}
		if !op.public {
			responses["401"] = errResp("no or bad credentials")
			responses["403"] = errResp("missing role or not yours")
		}
		o := map[string]any{"summary": op.summary, "tags": []string{op.tag}, "responses": responses}
		if op.public {
			o["security"] = []any{}
		}
		var params []any
		for _, seg := range strings.Split(op.path, "/") {
			if strings.HasPrefix(seg, "{") {
				params = append(params, map[string]any{"name": strings.Trim(seg, "{}"), "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
			}
		}
		if len(params) > 0 {
			o["parameters"] = params
		}
		if op.xmlBody {
			o["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/xml": map[string]any{"schema": map[string]any{"type": "string"}},
				"text/xml":        map[string]any{"schema": map[string]any{"type": "string"}},
				"multipart/form-data": map[string]any{"schema": map[string]any{"type": "object", "required": []string{"file"},
					"properties": map[string]any{"file": map[string]any{"type": "string", "contentMediaType": "application/xml"}}}}}}
		}
		if op.body != "" {
			o["requestBody"] = map[string]any{"required": op.body != "Any", "content": map[string]any{"application/json": map[string]any{
				"schema": map[string]any{"$ref": "#/components/schemas/" + op.body}}}}
		}
		item[op.method] = o
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "flowcraft", "version": version,
			"description": "Workflow engine REST API. Success: {\"response\": ...}, except the detail reads of seed 000 (GET /api/process/{id}, /api/process/{id}/{task_id}, /api/processInst/{inst_id}, /api/processInst/{inst_id}/{task_id}), which answer the object bare; errors: {\"statusCode\", \"errorMessage\", \"errors\"}. Webhooks (POST|GET /api/hooks/{trigger_token}) need no credentials."},
		"servers":  []any{map[string]any{"url": "/"}},
		"security": []any{map[string]any{"basic": []any{}}, map[string]any{"bearer": []any{}}, map[string]any{"session": []any{}}},
		"paths":    paths,
		"components": map[string]any{
			"schemas": apiSchemas(),
			"securitySchemes": map[string]any{
				"basic":   map[string]any{"type": "http", "scheme": "basic"},
				"bearer":  map[string]any{"type": "http", "scheme": "bearer", "description": "an API token, fc_..."},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": sessionCookie, "description": "send X-CSRF-Token with changes"},
			},
		},
	}
}

// statusText is a status code as an OpenAPI responses key.
func statusText(n int) string {
	return strconv.Itoa(n)
}

// openAPI handles GET /api/openapi.json.
func (s *Server) openAPI(c *fiber.Ctx) error {
	return c.JSON(openAPIDoc(s.deps.Version))
}
