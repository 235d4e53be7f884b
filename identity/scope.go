package identity

import (
	"strings"

	"flowcraft/engine"
)

// WorkerPrefixes are the only paths a worker account may call (DESIGN §10): Camunda 7's
// external task API and Flowable's external worker API.
var WorkerPrefixes = []string{"/engine-rest/external-task", "/flowable-rest/external-job-api"}

// Admit decides whether an authenticated user may call path at all, before any
// route's own role check: the one place where least privilege of the worker role is
// enforced, called by every API's authentication (native, Flowable's, Camunda's).
// A worker may call only WorkerPrefixes (the prefix itself or below it); everyone
// else passes. The refusal is an engine error of kind ErrForbidden (coded
// worker_only), which each API answers as a 403 in its own format.
func Admit(u *engine.User, path string) error {
	if u == nil || u.Role != engine.RoleWorker || WorkerPath(path) {
		return nil
	}
	return engine.Coded(engine.ErrForbidden, engine.CodeWorkerOnly, nil,
		"a worker account may use only the external worker APIs (%s)", strings.Join(WorkerPrefixes, ", "))
}

// WorkerPath reports whether path is one of WorkerPrefixes or below one. The path is
// the routed one (Fiber's c.Path()), so what is checked is what is served; a path
// that merely starts with the prefix's letters ("/engine-rest/external-taskX") is not.
func WorkerPath(path string) bool {
	for _, p := range WorkerPrefixes {
		if rest, ok := strings.CutPrefix(path, p); ok && (rest == "" || rest[0] == '/') {
			return true
		}
	}
	return false
}
