// Package engine is flowcraft's domain: process definitions (Process, Task,
// Connection) and their validation and versions (Definitions, Validator), the
// Runtime that starts instances, moves their tokens through the graph, runs
// actions, retries, loops, times out and recovers after a crash, human tasks and
// approvals (inbox, claim, delegate, decide), webhook triggers and idempotency,
// live events, metrics, and the redaction of secrets for readers who may not see
// them. Users, roles and groups are domain types too (User, HasRole, Group, the
// Directory that resolves candidate groups); how users prove who they are is not.
//
// Errors are typed (ErrNotFound, ErrInvalid with *ValidationError, ErrConflict,
// ...); only the web edge maps them to HTTP.
//
// The domain talks to the world through interfaces it declares and others
// implement: DefinitionStore, RuntimeStore, HumanTaskStore and Directory (package
// db/sqlite), templates.HTTP (package httpclient), templates.Databases (package
// datasource). It must not import adapters: no net/http, no database/sql or SQL
// driver, no bcrypt (passwords, sessions and API tokens live in package identity).
// TestEngineImportsNoAdapters enforces this for engine and its subpackages.
package engine
