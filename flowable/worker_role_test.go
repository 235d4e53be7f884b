package flowable_test

import (
	"context"
	"testing"

	"flowcraft/engine"
)

// TestWorkerRoleForbiddenOnCMMNAPI: a worker account (password or API token) gets
// Flowable's 403 on the CMMN API; the worker APIs are all it may use.
func TestWorkerRoleForbiddenOnCMMNAPI(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	if _, err := e.st.Identity.CreateUser(ctx, &engine.User{ID: "w1", Name: "Worker", Role: engine.RoleWorker}, testPassword); err != nil {
		t.Fatal(err)
	}
	secret, _, err := e.st.Identity.CreateToken(ctx, "w1", "worker-7", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, auth := range []string{basic("w1"), "Bearer " + secret} {
		for _, path := range []string{"/cmmn-repository/deployments", "/cmmn-runtime/tasks", "/cmmn-management/jobs", "/nothing"} {
			r := e.call(t, "GET", path, auth, nil)
			errorShape(t, r, 403)
		}
	}
	if r := e.call(t, "GET", "/cmmn-repository/deployments", "dora", nil); r.Status != 200 {
		t.Fatalf("dora: %d %s", r.Status, r.Body)
	}
}
