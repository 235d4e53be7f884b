package web_test

import (
	"maps"
	"net/http"
	"strings"
	"testing"

	"flowcraft/camunda"
	"flowcraft/flowable"
	"flowcraft/web"
)

// withProtocols mounts Flowable's and Camunda's APIs on the env's app as main.go does.
func (e *testEnv) withProtocols(t *testing.T) {
	t.Helper()
	st := e.deps
	fapi := flowable.New(flowable.Deps{Definitions: st.Definitions.(flowable.Definitions), Runtime: e.rt, Tasks: st.Tasks.(flowable.HumanTasks),
		InstanceLinks: e.store, History: e.store, Identity: e.identity, Templates: st.Templates.(flowable.Templates),
		Jobs: st.Jobs.(flowable.Jobs), External: e.rt.ExternalTasks(), Log: st.Log, Version: "test"}, flowable.Config{})
	capi := camunda.New(camunda.Deps{External: e.rt.ExternalTasks(), Identity: e.identity, Log: st.Log}, camunda.Config{})
	t.Cleanup(capi.Close)
	prefixErrors := fapi.PrefixErrors()
	maps.Copy(prefixErrors, capi.PrefixErrors())
	e.app = web.New(web.Config{PrefixErrors: prefixErrors}, st)
	fapi.Mount(e.app)
	capi.Mount(e.app)
}

// TestWorkerScopeAcrossAPIs: with every API mounted, a worker account (password, API
// token as Bearer or as Basic password) passes on both worker APIs and gets a 403 in
// each other API's own error shape.
func TestWorkerScopeAcrossAPIs(t *testing.T) {
	e := newTestEnv(t)
	e.withProtocols(t)
	token := e.newWorker(t)
	for name, auth := range map[string]string{
		"basic password": basic("w1"),
		"bearer token":   "Bearer " + token,
		"basic token":    "Basic " + b64("w1:"+token),
	} {
		for _, path := range []string{"/engine-rest/external-task", "/engine-rest/external-task/count", "/flowable-rest/external-job-api/jobs"} {
			if r := e.call(t, "GET", path, auth, nil); r.Status != http.StatusOK {
				t.Errorf("%s: worker API %s: %d %s", name, path, r.Status, r.Body)
			}
		}
		for _, c := range []struct{ path, shape string }{
			{"/api/process", `"code":"worker_only"`},
			{"/flowable-rest/cmmn-api/cmmn-repository/deployments", `"statusCode":403`},
			{"/engine-rest/process-definition", `"type":"AuthorizationException"`},
			{"/engine-rest/external-taskX", `"type":"AuthorizationException"`},
		} {
			r := e.call(t, "GET", c.path, auth, nil)
			if r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), c.shape) {
				t.Errorf("%s: %s: %d %s, want 403 with %s", name, c.path, r.Status, r.Body, c.shape)
			}
		}
	}
	// Other roles are not confined by it (the worker APIs themselves admit workers and admins).
	if r := e.call(t, "GET", "/engine-rest/external-task/count", "admin", nil); r.Status != http.StatusOK {
		t.Errorf("admin on the Camunda API: %d %s", r.Status, r.Body)
	}
	if r := e.call(t, "GET", "/api/process", "dora", nil); r.Status != http.StatusOK {
		t.Errorf("dora: %d", r.Status)
	}
}
