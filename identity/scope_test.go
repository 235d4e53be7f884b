package identity_test

import (
	"errors"
	"testing"

	"flowcraft/engine"
	"flowcraft/identity"
)

// TestAdmitConfinesWorkers: a worker passes on the worker APIs only; other roles pass
// everywhere (their routes check roles themselves).
func TestAdmitConfinesWorkers(t *testing.T) {
	worker := &engine.User{ID: "w1", Role: engine.RoleWorker}
	for _, path := range []string{
		"/engine-rest/external-task", "/engine-rest/external-task/fetchAndLock", "/engine-rest/external-task/abc/complete",
		"/flowable-rest/external-job-api", "/flowable-rest/external-job-api/acquire/jobs", "/flowable-rest/external-job-api/jobs/1",
	} {
		if err := identity.Admit(worker, path); err != nil {
			t.Errorf("worker on %s: %v", path, err)
		}
	}
	for _, path := range []string{
		"/api/process", "/api/me", "/api/tokens", "/processes", "/", "/ws/inbox", "/login",
		"/flowable-rest/cmmn-api/cmmn-repository/deployments", "/engine-rest/process-definition",
		"/engine-rest/external-taskX", "/flowable-rest/external-job-apix/jobs", "/engine-rest", "/ENGINE-REST/external-task",
	} {
		err := identity.Admit(worker, path)
		var ce *engine.Error
		if !errors.Is(err, engine.ErrForbidden) || !errors.As(err, &ce) || ce.Code != engine.CodeWorkerOnly {
			t.Errorf("worker on %s: %v, want forbidden worker_only", path, err)
		}
	}
	for _, role := range []string{engine.RoleAdmin, engine.RoleDesigner, engine.RoleUser} {
		if err := identity.Admit(&engine.User{ID: "x", Role: role}, "/api/process"); err != nil {
			t.Errorf("%s: %v", role, err)
		}
	}
	if err := identity.Admit(nil, "/api/process"); err != nil {
		t.Errorf("no user: %v", err)
	}
}

// TestWorkerHasNoRankedRole: HasRole of any ranked role is false for a worker, and the
// worker role is a worker's only.
func TestWorkerHasNoRankedRole(t *testing.T) {
	w := &engine.User{Role: engine.RoleWorker}
	for _, r := range []string{engine.RoleUser, engine.RoleDesigner, engine.RoleAdmin} {
		if w.HasRole(r) {
			t.Errorf("worker has %s", r)
		}
	}
	if !w.HasRole(engine.RoleWorker) {
		t.Error("worker lacks worker")
	}
	if (&engine.User{Role: engine.RoleAdmin}).HasRole(engine.RoleWorker) {
		t.Error("admin has worker")
	}
	if !(&engine.User{Role: engine.RoleAdmin}).HasRole(engine.RoleUser) {
		t.Error("admin lacks user")
	}
}
