package web_test

import (
	"net/http"
	"strings"
	"testing"
)

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
