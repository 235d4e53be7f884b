package web_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestInstancesPages(t *testing.T) {
	e, pid := leaveEnv(t)
	mine := e.startLeave(t, pid, 2)
	other := e.call(t, "POST", "/api/process/"+pid, "dora", map[string]any{"applicant": "Dora", "days": 1, "reason": "x"}).json(t)["response"].(map[string]any)["id"].(string)
	// Both wait for lisi's approval (the task and the waiting status are written together).
	e.taskOf(t, "lisi", mine)
	e.taskOf(t, "lisi", other)
	quick := e.createProcess(t, minimal("Quick"))
	done := e.call(t, "POST", "/api/process/"+quick+"?wait=5s", "dora", map[string]any{}).json(t)["response"].(map[string]any)["id"].(string)

	// Signed out: to the sign-in page.
	if r := e.call(t, "GET", "/instances", "", nil); r.Status != http.StatusFound || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		t.Fatalf("signed out: %d %s", r.Status, r.Header.Get("Location"))
	}

	// A user sees only their own instances, without the process filter.
	zhang := e.signIn(t, "zhangsan")
	status, body := e.page(t, "/instances", zhang, "en")
	if status != 200 {
		t.Fatalf("instances: %d", status)
	}
	mustHave(t, "user's list", body, `href="/instances/`+mine+`"`, "The processes you started")
	mustLack(t, "user's list", body, other, done, `id="f-process"`)

	// Designers see all, filter by process, status and date.
	dora := e.signIn(t, "dora")
	_, body = e.page(t, "/instances", dora, "zh-CN")
	mustHave(t, "designer's list", body, mine, other, done, `id="f-process"`, `<option value="`+quick+`">Quick</option>`, "流程实例", "发起人")
	_, body = e.page(t, "/instances?status=done", dora, "en")
	mustHave(t, "status filter", body, done, `<option value="done" selected>Done</option>`)
	mustLack(t, "status filter", body, mine)
	_, body = e.page(t, "/instances?process="+quick, dora, "en")
	mustHave(t, "process filter", body, done)
	mustLack(t, "process filter", body, mine)
	_, body = e.page(t, "/instances?to=2001-01-01", dora, "en")
	mustHave(t, "date filter", body, "No instances match these filters")
	if status, _ := e.page(t, "/instances?from=yesterday", dora, "en"); status != http.StatusBadRequest {
		t.Errorf("a bad date: %d", status)
	}
	_, body = e.page(t, "/instances?limit=1&status=waiting", dora, "en")
	mustHave(t, "paged list", body, `1–1 of 2`, `href="/instances?limit=1&amp;offset=1&amp;status=waiting" rel="next"`)

	// The instance page: the view, the definition of its version, the controls.
	status, body = e.page(t, "/instances/"+mine, zhang, "en")
	if status != 200 {
		t.Fatalf("instance page: %d", status)
	}
	mustHave(t, "instance page", body, `data-instance-id="`+mine+`"`, `<span class="pill pill-waiting" data-status="waiting">Waiting</span>`,
		`id="instance-view"`, `"instId":"task-mgr00001"`, `id="designer-definition"`, `"positions":[440,200]`,
		`data-instance-action="cancel"`, "started by zhangsan")
	mustLack(t, "user's instance page", body, "/design\"")
	// Someone else's instance is forbidden; an unknown one is not found.
	if status, _ := e.page(t, "/instances/"+other, zhang, "en"); status != http.StatusForbidden {
		t.Errorf("another user's instance: %d", status)
	}
	if status, _ := e.page(t, "/instances/123456789", dora, "en"); status != http.StatusNotFound {
		t.Errorf("unknown instance: %d", status)
	}
	if status, _ := e.page(t, "/instances/nope", dora, "en"); status != http.StatusNotFound {
		t.Errorf("bad instance id: %d", status)
	}

	// After the process changes, the page still draws the version the instance runs.
	def := e.definition(t, pid)
	for _, x := range def["tasks"].([]any) {
		if task := x.(map[string]any); task["instId"] == "task-mgr00001" {
			task["positions"] = []any{460, 260}
		}
	}
	if r := e.call(t, "PUT", "/api/process/"+pid, "dora", def); r.Status != 200 {
		t.Fatalf("update: %d %s", r.Status, r.Body)
	}
	_, body = e.page(t, "/instances/"+mine, dora, "en")
	mustHave(t, "old version", body, `"positions":[440,200]`, `href="/processes/`+pid+`/design"`)
	mustLack(t, "old version", body, `"positions":[460,260]`)
}

// TestInstancesPagesBusinessKey: the instances list shows each instance's business
// key and searches by it (a substring, or a pattern with %); the instance page shows it.
func TestInstancesPagesBusinessKey(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProcess(t, minimal("Quick"))
	start := func(key string) string {
		t.Helper()
		return e.call(t, "POST", "/api/process/"+pid+"?wait=5s&businessKey="+key, "dora", map[string]any{}).json(t)["response"].(map[string]any)["id"].(string)
	}
	a, b, plain := start("ORDER-2024-17"), start("refund-9"), start("")
	dora := e.signIn(t, "dora")
	_, body := e.page(t, "/instances", dora, "en")
	mustHave(t, "list", body, a, b, plain, `<span class="mono">ORDER-2024-17</span>`, `<span class="mono">refund-9</span>`, `id="f-key"`)
	for _, tc := range []struct{ query, want, not string }{
		{"?businessKey=2024", a, b},
		{"?businessKey=refund%25", b, a},
		{"?businessKey=%25-17", a, b},
	} {
		_, body = e.page(t, "/instances"+tc.query, dora, "zh-CN")
		mustHave(t, "search "+tc.query, body, tc.want, "业务键")
		mustLack(t, "search "+tc.query, body, tc.not, plain)
	}
	_, body = e.page(t, "/instances?businessKey=nothing", dora, "en")
	mustHave(t, "search without match", body, "No instances match these filters")
	_, body = e.page(t, "/instances/"+a, dora, "en")
	mustHave(t, "instance page", body, `data-business-key`, `<span class="mono">ORDER-2024-17</span>`)
	_, body = e.page(t, "/instances/"+plain, dora, "en")
	mustLack(t, "instance page without a key", body, `data-business-key`)
}
