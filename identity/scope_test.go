package identity_test

import (
	"context"
	"errors"
	"testing"
	"time"

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

// TestTokenAsBasicPassword: a user's API token works as its password (HTTP Basic with
// a token, what Camunda's clients send), not as another user's, not once expired or
// deleted; a wrong one counts as a failed sign-in.
func TestTokenAsBasicPassword(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	id, _ := newIdentity(t, func() time.Time { return clock })
	for _, u := range []*engine.User{{ID: "w1", Role: engine.RoleWorker}, {ID: "w2", Role: engine.RoleWorker}} {
		if _, err := id.CreateUser(ctx, u, "a-password"); err != nil {
			t.Fatal(err)
		}
	}
	secret, _, err := id.CreateToken(ctx, "w1", "worker-7", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if u, err := id.CheckPassword(ctx, "w1", secret, "10.0.0.1"); err != nil || u.ID != "w1" || u.Role != engine.RoleWorker {
		t.Fatalf("token as w1's password: %v %v", u, err)
	}
	if _, err := id.CheckPassword(ctx, "w2", secret, "10.0.0.1"); !errors.Is(err, engine.ErrUnauthorized) {
		t.Fatalf("w1's token as w2's password: %v", err)
	}
	if _, err := id.CheckPassword(ctx, "w1", secret+"x", "10.0.0.1"); !errors.Is(err, engine.ErrUnauthorized) {
		t.Fatalf("a wrong token: %v", err)
	}
	if u, err := id.CheckPassword(ctx, "w1", "a-password", "10.0.0.1"); err != nil || u.ID != "w1" {
		t.Fatalf("the password still works: %v", err)
	}
	clock = clock.Add(2 * time.Hour)
	if _, err := id.CheckPassword(ctx, "w1", secret, "10.0.0.1"); !errors.Is(err, engine.ErrUnauthorized) {
		t.Fatalf("an expired token: %v", err)
	}
	secret2, tok2, err := id.CreateToken(ctx, "w1", "worker-8", 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := id.DeleteToken(ctx, tok2.ID, "w1"); err != nil {
		t.Fatal(err)
	}
	if _, err := id.CheckPassword(ctx, "w1", secret2, "10.0.0.1"); !errors.Is(err, engine.ErrUnauthorized) {
		t.Fatalf("a deleted token: %v", err)
	}
}
