package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// page gets a page with a session cookie (and a language) and returns its status and body.
func (e *testEnv) page(t *testing.T, path, session, lang string) (int, string) {
	t.Helper()
	r := e.call(t, "GET", path, "", nil, "Cookie", session+"; flowcraft_lang="+lang)
	return r.Status, string(r.Body)
}

func mustHave(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

func mustLack(t *testing.T, what, body string, bad ...string) {
	t.Helper()
	for _, w := range bad {
		if strings.Contains(body, w) {
			t.Errorf("%s unexpectedly has %q", what, w)
		}
	}
}

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

func TestInboxPages(t *testing.T) {
	e, pid := leaveEnv(t)
	inst := e.startLeave(t, pid, 5) // > 3 days: manager, then HR
	task := e.taskOf(t, "lisi", inst)
	tid := task["id"].(string)

	lisi := e.signIn(t, "lisi")
	status, body := e.page(t, "/inbox", lisi, "zh-CN")
	if status != 200 {
		t.Fatalf("inbox: %d", status)
	}
	mustHave(t, "inbox", body, `href="/inbox/`+tid+`"`, "经理审批", "张三 请假 5 天：家事", `data-open-count data-count="1">1</span>`,
		"分配给您", `id="inbox-user"`, `{"id":"lisi","groups":[]}`)

	// One row, as the script fetches it when a task arrives.
	status, body = e.page(t, "/inbox/"+tid+"/item", lisi, "en")
	if status != 200 || !strings.HasPrefix(strings.TrimSpace(body), "<li") || !strings.Contains(body, "Assigned to you") || strings.Contains(body, "<html") {
		t.Fatalf("item: %d %s", status, body)
	}

	// The task page: context, trigger data, outcomes, delegate choices.
	status, body = e.page(t, "/inbox/"+tid, lisi, "en")
	if status != 200 {
		t.Fatalf("task page: %d", status)
	}
	mustHave(t, "task page", body, `data-outcome="approve"`, `data-outcome="reject"`, `<dt>applicant</dt>`, `<dd>张三</dd>`,
		"请假审批", `id="task-form"`, `id="delegate-dialog"`, `<option value="wangwu">王五 (wangwu)</option>`, "Assignment")
	mustLack(t, "task page", body, `<option value="lisi">`) // not to oneself
	// The applicant may open the instance from the task? Only the assignee sees the task.
	zhang := e.signIn(t, "zhangsan")
	if status, _ := e.page(t, "/inbox/"+tid, zhang, "en"); status != http.StatusForbidden {
		t.Errorf("someone else's task: %d", status)
	}
	if status, _ := e.page(t, "/inbox/"+tid+"/item", zhang, "en"); status != http.StatusForbidden {
		t.Errorf("someone else's task row: %d", status)
	}
	if status, _ := e.page(t, "/inbox/123", lisi, "en"); status != http.StatusNotFound {
		t.Errorf("unknown task: %d", status)
	}

	// Approve; then the HR task is a candidate task for the hr group.
	if r := e.call(t, "POST", "/api/taskInst/"+tid, "lisi", map[string]any{"outcome": "approve", "comment": "好"}); r.Status != 200 {
		t.Fatalf("approve: %d %s", r.Status, r.Body)
	}
	_, body = e.page(t, "/inbox?completed="+tid, lisi, "en")
	mustHave(t, "after completing", body, "Done: “经理审批” (请假审批).", "all caught up", `data-count="0"`)
	_, body = e.page(t, "/inbox?tab=done", lisi, "en")
	mustHave(t, "done tab", body, `href="/inbox/`+tid+`"`, `<span class="pill pill-done">Approved</span>`, "“好”")
	_, body = e.page(t, "/inbox/"+tid, lisi, "en")
	mustHave(t, "completed task", body, `<span class="pill pill-done">Approved</span>`, "by lisi", "decided")
	mustLack(t, "completed task", body, `data-outcome=`)

	hr := e.taskOf(t, "wangwu", inst)
	hid := hr["id"].(string)
	wang := e.signIn(t, "wangwu")
	_, body = e.page(t, "/inbox", wang, "en")
	mustHave(t, "candidate inbox", body, `data-task-action="claim" data-id="`+hid+`"`, "Claim to work on it", `"groups":["hr"]`)
	_, body = e.page(t, "/inbox/"+hid, wang, "en")
	// A candidate may decide at once, or claim the task first.
	mustHave(t, "candidate task", body, `data-task-action="claim"`, "Candidates", "@hr", `data-outcome="approve"`)
	if r := e.call(t, "POST", "/api/taskInst/"+hid+"/claim", "wangwu", nil); r.Status != 200 {
		t.Fatalf("claim: %d %s", r.Status, r.Body)
	}
	_, body = e.page(t, "/inbox/"+hid, wang, "en")
	mustHave(t, "claimed task", body, `data-outcome="approve"`, `data-task-action="unclaim"`)
	// Delegated to zhaoliu: the delegate resolves instead of deciding.
	if r := e.call(t, "POST", "/api/taskInst/"+hid+"/delegate", "wangwu", map[string]any{"assignee": "zhaoliu", "comment": "请看"}); r.Status != 200 {
		t.Fatalf("delegate: %d %s", r.Status, r.Body)
	}
	zhao := e.signIn(t, "zhaoliu")
	_, body = e.page(t, "/inbox/"+hid, zhao, "en")
	mustHave(t, "delegated task", body, "data-resolve-form", "Hand back to wangwu", "delegated the task to", "请看")
	mustLack(t, "delegated task", body, `data-outcome=`)
	_, body = e.page(t, "/inbox", zhao, "en")
	mustHave(t, "delegate's inbox", body, "Delegated by wangwu")
}

func TestAdminPages(t *testing.T) {
	e, _ := leaveEnv(t)
	if r := e.call(t, "POST", "/api/tokens?user=lisi", "admin", map[string]any{"name": "lisi-ci"}); r.Status != 201 {
		t.Fatalf("token: %d %s", r.Status, r.Body)
	}
	admin := e.signIn(t, "admin")
	for _, tab := range []string{"", "users", "groups", "tokens", "jobs", "nonsense"} {
		status, body := e.page(t, "/admin?tab="+tab, admin, "en")
		if status != 200 || !strings.Contains(body, "Administration") {
			t.Fatalf("admin tab %q: %d", tab, status)
		}
	}
	_, body := e.page(t, "/admin", admin, "zh-CN")
	mustHave(t, "users tab", body, `data-action="edit-user" data-id="wangwu"`, `<span class="tag">hr</span>`, "系统管理", "新建用户",
		`<input type="checkbox" name="groups" value="hr">`)
	_, body = e.page(t, "/admin?tab=users&q=zhao", admin, "en")
	mustHave(t, "user search", body, `data-id="zhaoliu"`)
	mustLack(t, "user search", body, `data-action="edit-user" data-id="wangwu"`)
	_, body = e.page(t, "/admin?tab=groups", admin, "en")
	mustHave(t, "groups tab", body, `data-group-id="hr"`, `data-action="remove-member" data-group="hr" data-user="wangwu"`,
		`data-action="remove-member" data-group="hr" data-user="zhaoliu"`, `Members: 2`)
	_, body = e.page(t, "/admin?tab=tokens&user=lisi", admin, "en")
	mustHave(t, "tokens tab", body, "lisi-ci", `data-action="revoke-token"`, `<option value="lisi" selected>`)
	_, body = e.page(t, "/admin?tab=tokens&user=nobody", admin, "en")
	mustHave(t, "tokens of an unknown user fall back to mine", body, `<option value="admin" selected>`)
	_, body = e.page(t, "/admin?tab=jobs&status=dead", admin, "en")
	mustHave(t, "jobs tab", body, "No jobs", `class="segment active" href="/admin?status=dead&amp;tab=jobs"`)

	// Not an admin: the 403 page, in the user's language.
	for _, user := range []string{"dora", "lisi"} {
		s := e.signIn(t, user)
		status, body := e.page(t, "/admin", s, "zh-CN")
		if status != http.StatusForbidden || !strings.Contains(body, "没有权限") {
			t.Errorf("%s on /admin: %d", user, status)
		}
		mustLack(t, user+"'s 403", body, "user-dialog", `href="/admin"`)
	}
}

func TestNavAndScripts(t *testing.T) {
	e := newTestEnv(t)
	lisi := e.signIn(t, "lisi")
	for _, path := range []string{"/instances", "/inbox", "/processes"} {
		_, body := e.page(t, path, lisi, "en")
		// app.js (with the inbox badge) plus the page's own script: no other script tags.
		if n := len(regexp.MustCompile(`<script type="module"`).FindAllString(body, -1)); n > 2 {
			t.Errorf("%s has %d module scripts", path, n)
		}
		mustHave(t, path, body, `/static/js/app.js`, `href="/inbox"`)
	}
}
