package engine

// Code is the stable, machine-readable name of an API error or of one
// validation problem ("required", "stale_version"). Clients branch on it
// instead of parsing the English message; the browser UI shows the locale
// message "error.<code>" (ui/locales/*.json) with the error's Params. A code,
// once published, keeps its meaning; every code has a message in every locale
// (a test checks).
type Code string

// Params are the values a code's message needs, by placeholder name
// ({"max": 200}); JSON numbers, strings and booleans only.
type Params map[string]any

// The codes of the error kinds: what an error without a more precise code says.
const (
	CodeInvalid         Code = "invalid"           // ErrInvalid: the request has problems (see errors); params: count
	CodeNotFound        Code = "not_found"         // ErrNotFound
	CodeConflict        Code = "conflict"          // ErrConflict
	CodeForbidden       Code = "forbidden"         // ErrForbidden
	CodeUnauthorized    Code = "unauthorized"      // ErrUnauthorized
	CodeUnprocessable   Code = "unprocessable"     // ErrUnprocessable
	CodeTooManyRequests Code = "too_many_requests" // ErrTooMany; params: retryAfter (seconds)
	CodeUnavailable     Code = "unavailable"       // ErrUnavailable; params: retryAfter (seconds)
	CodeInternal        Code = "internal"          // anything else (500); params: requestId
)

// KindCode returns the code of an error kind (one of the sentinels), CodeInternal
// for anything else.
func KindCode(kind error) Code {
	switch kind {
	case ErrInvalid:
		return CodeInvalid
	case ErrNotFound:
		return CodeNotFound
	case ErrConflict:
		return CodeConflict
	case ErrForbidden:
		return CodeForbidden
	case ErrUnauthorized:
		return CodeUnauthorized
	case ErrUnprocessable:
		return CodeUnprocessable
	case ErrTooMany:
		return CodeTooManyRequests
	case ErrUnavailable:
		return CodeUnavailable
	}
	return CodeInternal
}

// Codes of validation problems (FieldError.Code), shared by definitions, request
// bodies and query parameters. Params in brackets.
const (
	CodeRequired        Code = "required"          // a value is missing [field]
	CodeInvalidValue    Code = "invalid_value"     // a value is wrong in a way no other code names [field]
	CodeTooLong         Code = "too_long"          // [max] characters
	CodeTooShort        Code = "too_short"         // [min] characters
	CodeOutOfRange      Code = "out_of_range"      // a number outside [min]..[max]
	CodeTooSmall        Code = "too_small"         // a number below [min]
	CodeTooLarge        Code = "too_large"         // a number above [max]
	CodeOneOf           Code = "one_of"            // not one of [allowed] (comma-separated)
	CodeNotObject       Code = "not_object"        // must be a JSON object
	CodeNotJSON         Code = "not_json"          // not JSON at all [error]
	CodeWrongType       Code = "wrong_type"        // a JSON value of the wrong type [want]
	CodeTooMany         Code = "too_many"          // more than [max] items
	CodeDuplicate       Code = "duplicate"         // [value] appears twice
	CodeBadID           Code = "bad_id"            // not a valid id (letters, digits, _ - . and, for users, @)
	CodeBadTime         Code = "bad_time"          // not a time or date [example]
	CodeImmutable       Code = "immutable"         // may not change (an id)
	CodeMismatch        Code = "mismatch"          // differs from [expected] (the body's id vs the URL's)
	CodeNothingToChange Code = "nothing_to_change" // an update that changes nothing
	CodeUnknownField    Code = "unknown_field"     // a field the request may not have [field]
	CodeUnknownUser     Code = "unknown_user"      // [user] does not exist
	CodeUserDisabled    Code = "user_disabled"     // [user] is disabled and cannot be given a task
	CodeDoneOnly        Code = "done_only"         // a search of the done list only (add status=done)
	CodeUnknownGroup    Code = "unknown_group"     // [group] does not exist
	CodeBadSort         Code = "bad_sort"          // cannot sort by [sort]; [allowed]
	CodeSchema          Code = "schema"            // trigger data breaks inputDataSchema [error] (a rule no other code names)
	CodePattern         Code = "pattern"           // a string that does not match [pattern]

	CodeBadVariableValue    Code = "bad_variable_value"     // variable [name]'s value is not a [type]
	CodeVariableTooLarge    Code = "variable_too_large"     // variable [name]'s content exceeds [max] bytes
	CodeOperationNotForType Code = "operation_not_for_type" // a variable condition's [operation] does not apply to a [type]
)

// Codes of problems of process definitions (engine.Validator and the node templates).
const (
	CodeInvalidSchema        Code = "invalid_schema"         // inputDataSchema is not a JSON Schema [error]
	CodeNullTask             Code = "null_task"              // a task is null
	CodeDuplicateTaskID      Code = "duplicate_task_id"      // [id]
	CodeUnknownTemplate      Code = "unknown_template"       // [template]
	CodeWaitsInFast          Code = "waits_in_fast"          // [template] waits and cannot run in a fast process
	CodeNoTrigger            Code = "no_trigger"             // the process has no trigger task
	CodeTriggerCount         Code = "trigger_count"          // [count] trigger tasks instead of one
	CodeBadPositions         Code = "bad_positions"          // positions is not [x, y]
	CodeUnknownTask          Code = "unknown_task"           // a connection or target to [id], which does not exist
	CodeDuplicateConnection  Code = "duplicate_connection"   // a second connection to [id]
	CodeDefaultNotGateway    Code = "default_not_gateway"    // only a gateway's connection can be the default
	CodeDefaultWithCondition Code = "default_with_condition" // the default connection takes no condition
	CodeConditionOrDefault   Code = "condition_or_default"   // a gateway connection needs a condition or to be the default
	CodeDefaultCount         Code = "default_count"          // [count] default connections instead of at most one
	CodeEndHasConnections    Code = "end_has_connections"    // an end task has outgoing connections
	CodeTargetUnused         Code = "target_unused"          // an error target without the goto strategy
	CodeBadBackoff           Code = "bad_backoff"            // backoff is neither 0 nor at least 1
	CodeUnknownParameter     Code = "unknown_parameter"      // [template] has no parameter [parameter]
	CodeScriptSyntax         Code = "script_syntax"          // user JavaScript does not compile [line] [column] [error]
	CodeIntoTrigger          Code = "into_trigger"           // a connection into the trigger task [trigger]
	CodeUnreachable          Code = "unreachable"            // a task the trigger [trigger] cannot reach
	CodeCycleWithoutExit     Code = "cycle_without_exit"     // [cycle] loops forever
	CodeAssigneesRequired    Code = "assignees_required"     // an approval without assignees, candidate users or groups
	CodeReservedFormKey      Code = "reserved_form_key"      // a form field named [key], a reserved key of the submit body (outcome, comment)
	CodeNoExpressions        Code = "no_expressions"         // a schedule cannot use {{ }} expressions
	CodeOneOfRequired        Code = "one_of_required"        // set one of [fields]
	CodeOnlyOne              Code = "only_one"               // set only one of [fields]
	CodeBadTimezone          Code = "bad_timezone"           // [error]
	CodeBadCron              Code = "bad_cron"               // [error]
	CodeBadSQL               Code = "bad_sql"                // [error]
	CodeBadURL               Code = "bad_url"                // [error]
)

// Codes of engine errors (Error.Code), by kind.
const (
	// Conflicts.
	CodeStaleVersion        Code = "stale_version"        // the process changed since [version] was read; now [current]
	CodeProcessExists       Code = "process_exists"       // [id]
	CodeDisabledProcess     Code = "disabled_process"     // [process] is disabled
	CodeNotRunnable         Code = "not_runnable"         // the stored [version] of [process] cannot run [error]
	CodeUnfinishedInstances Code = "unfinished_instances" // [count] instances still run
	CodeNotWebhook          Code = "not_webhook"          // [process] is not started by a webhook
	CodeStopping            Code = "stopping"             // the engine is shutting down
	CodeChangedConcurrently Code = "changed_concurrently" // someone else changed it at the same moment
	CodeActionNotAllowed    Code = "action_not_allowed"   // cannot [action] an instance that is [status]
	CodeInstanceEnded       Code = "instance_ended"       // an ended instance's variables are read-only [status]
	CodeInstanceRunning     Code = "instance_running"     // cancel the instance ([status]) before deleting it
	CodeAlreadyYours        Code = "already_yours"        // the task is already claimed by the caller
	CodeAlreadyClaimed      Code = "already_claimed"      // the task is claimed by [assignee]
	CodeNotClaimedByYou     Code = "not_claimed_by_you"   // only the claimer may release it
	CodeNoCandidates        Code = "no_candidates"        // assigned directly: nothing to release to
	CodeTaskDelegated       Code = "task_delegated"       // delegated tasks are resolved, not released or completed [owner]
	CodeNotAssignee         Code = "not_assignee"         // only the assignee may delegate
	CodeSelfDelegation      Code = "self_delegation"      // delegating to oneself
	CodeNotDelegated        Code = "not_delegated"        // only a delegated task can be resolved
	CodeNotDelegate         Code = "not_delegate"         // only the delegate [assignee] may resolve
	CodeTaskClosed          Code = "task_closed"          // the task is already [status]
	CodeApprovalClosed      Code = "approval_closed"      // the approval no longer waits for decisions
	CodeJobNotDead          Code = "job_not_dead"         // only dead jobs can be retried
	CodeTokenTaken          Code = "token_taken"          // a new webhook token collided; try again
	CodeKeyTaken            Code = "key_taken"            // an Idempotency-Key is taken by a concurrent request
	CodeKeyReused           Code = "key_reused"           // an Idempotency-Key was used with other data (422)
	CodeVariableExists      Code = "variable_exists"      // the instance has a variable [name] already
	CodeNotClaimed          Code = "not_claimed"          // the task is with its candidates already
	CodeAlreadyAssigned     Code = "already_assigned"     // the task is assigned to [assignee] already
	CodeLockNotOwned        Code = "lock_not_owned"       // external task [id] is not locked by [workerId] ([owner] holds it, or nobody)
	CodeLockExpired         Code = "lock_expired"         // the lock of [workerId] on external task [id] expired

	// Forbidden.
	CodeNotYourTask        Code = "not_your_task"        // neither assignee nor candidate
	CodeNotYourInstance    Code = "not_your_instance"    // started by someone else
	CodeAdminOnly          Code = "admin_only"           // only admins may do this (another user's inbox or tokens)
	CodeRoleRequired       Code = "role_required"        // needs [role]; the caller is [have]
	CodeWorkerOnly         Code = "worker_only"          // a worker account may use only the external worker APIs
	CodeWebhookOnly        Code = "webhook_only"         // [process] is started by its webhook only
	CodeNotStarter         Code = "not_starter"          // [process] lists candidate starters; the caller is none of them
	CodeCrossSite          Code = "cross_site"           // a websocket from another site [origin]
	CodeCSRF               Code = "csrf"                 // missing or wrong CSRF token
	CodeOwnAccount         Code = "own_account"          // the caller cannot delete, disable or demote their own account
	CodeLastAdmin          Code = "last_admin"           // the change would leave no active admin
	CodeSignatureMissing   Code = "signature_missing"    // the webhook needs a signature [header]
	CodeSignatureInvalid   Code = "signature_invalid"    // a malformed or wrong signature
	CodeSignatureExpired   Code = "signature_expired"    // the signature's time is outside the window [window]
	CodeAuthRequired       Code = "auth_required"        // no credentials
	CodeBadCredentials     Code = "bad_credentials"      // wrong user name or password (or a disabled account)
	CodeBadToken           Code = "bad_token"            // an unknown API token
	CodeTokenExpired       Code = "token_expired"        // an expired API token
	CodeSessionExpired     Code = "session_expired"      // the session ended; sign in again
	CodeBadAuthorization   Code = "bad_authorization"    // a malformed Authorization header
	CodeTooManyAttempts    Code = "too_many_attempts"    // failed sign-ins: wait [retryAfter] seconds
	CodeLocked             Code = "locked"               // the account is locked after failed sign-ins [retryAfter]
	CodeBusy               Code = "busy"                 // the server is at capacity for this work [retryAfter]
	CodeUserExists         Code = "user_exists"          // [id]
	CodeGroupExists        Code = "group_exists"         // [id]
	CodeNotMember          Code = "not_member"           // [user] is not in [group]
	CodeUnknownProcess     Code = "unknown_process"      // no process [id]
	CodeUnknownInstance    Code = "unknown_instance"     // no instance [id]
	CodeUnknownTaskInst    Code = "unknown_human_task"   // no human task [id]
	CodeNoSuchTask         Code = "no_such_task"         // the process or instance has no task [task]
	CodeNoWebhook          Code = "no_webhook"           // no webhook answers at this address
	CodeUnknownToken       Code = "unknown_token"        // no API token [id]
	CodeUnknownVersion     Code = "unknown_version"      // [process] has no [version]
	CodeUnknownVariable    Code = "unknown_variable"     // the instance has no variable [name]
	CodeUnknownStarter     Code = "unknown_starter"      // [process] does not list [user] or [group] as a candidate starter
	CodeUnknownExternalJob Code = "unknown_external_job" // no external task [id]
	CodeExternalJobEnded   Code = "external_job_ended"   // external task [id] has ended [state]
)

// Codes of BPMN import problems (package bpmn; all ErrInvalid). Params in brackets.
const (
	CodeBPMNNotXML          Code = "bpmn_not_xml"            // the document is not well-formed XML [line] [error]
	CodeBPMNNotBPMN         Code = "bpmn_not_bpmn"           // the root is not BPMN's definitions [root]
	CodeBPMNEncoding        Code = "bpmn_encoding"           // a declared encoding other than UTF-8 [encoding]
	CodeBPMNTooLarge        Code = "bpmn_too_large"          // more than [max] bytes
	CodeBPMNTooDeep         Code = "bpmn_too_deep"           // elements nested more than [max] deep [line]
	CodeBPMNTooManyElements Code = "bpmn_too_many_elements"  // more than [max] elements [line]
	CodeBPMNDoctype         Code = "bpmn_doctype"            // a DOCTYPE (entities) [line]
	CodeBPMNCallCycle       Code = "bpmn_call_cycle"         // call activities calling each other [cycle]
	CodeBPMNNothing         Code = "bpmn_nothing_executable" // no process with flow elements
	CodeBPMNDropped         Code = "bpmn_dropped"            // strict import: [count] elements would be dropped [elements]
	CodeBPMNOtherTenant     Code = "bpmn_other_tenant"       // a deployed process is the next version of [definition] of [tenant], not [want] [process]
)
