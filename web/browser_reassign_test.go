package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"
)

// shotWidths saves full-page screenshots of the current page at 1280 and 390 px
// wide (name-1280, name-390), then goes back to 1280.
func (b *browser) shotWidths(name string) {
	b.t.Helper()
	for _, w := range []int64{390, 1280} {
		b.do(fmt.Sprintf("viewport %d", w), chromedp.EmulateViewport(w, 900))
		b.fullShot(fmt.Sprintf("%s-%d", name, w))
	}
}

// leaveSetup is leaveEnv's users and process on a browser's app.
func (b *browser) leaveSetup() string {
	b.t.Helper()
	e := b.env
	for _, step := range []struct {
		path string
		body any
	}{
		{"/api/groups", map[string]any{"id": "hr", "name": "人事"}},
		{"/api/users", map[string]any{"id": "wangwu", "name": "王五", "password": testPassword, "groups": []string{"hr"}}},
		{"/api/users", map[string]any{"id": "zhaoliu", "name": "赵六", "password": testPassword, "groups": []string{"hr"}}},
		{"/api/users", map[string]any{"id": "zhangsan", "name": "张三", "password": testPassword}},
	} {
		if r := e.call(b.t, "POST", step.path, "admin", step.body); r.Status != http.StatusCreated {
			b.t.Fatalf("%s: %d %s", step.path, r.Status, r.Body)
		}
	}
	return e.createProcess(b.t, example(b.t, "leave-approval.json"))
}

// TestBrowserAdminReassignsAndSearchesHistory: wangwu claims the HR task and is
// disabled; the admin finds it flagged on the inbox's admin tab, returns it to the
// candidates, then gives it to zhaoliu, who approves; the history page finds the
// ended instance by a variable condition and its business key.
func TestBrowserAdminReassignsAndSearchesHistory(t *testing.T) {
	b := newBrowser(t, "")
	e := b.env
	pid := b.leaveSetup()
	id := e.startLeaveKey(t, pid, "LV-0042", 5)
	short := e.startLeaveKey(t, pid, "LV-0043", 2)
	for _, c := range []struct{ id, outcome string }{{id, "approve"}, {short, "reject"}} {
		tid := e.taskOf(t, "lisi", c.id)["id"].(string)
		if r := e.call(t, "POST", "/api/taskInst/"+tid, "lisi", map[string]any{"outcome": c.outcome}); r.Status != 200 {
			t.Fatalf("lisi decides: %d %s", r.Status, r.Body)
		}
	}
	e.instance(t, short, "done")
	hr := e.taskOf(t, "wangwu", id)["id"].(string)
	if r := e.call(t, "POST", "/api/taskInst/"+hr+"/claim", "wangwu", nil); r.Status != 200 {
		t.Fatalf("wangwu claims: %d %s", r.Status, r.Body)
	}
	if r := e.call(t, "PUT", "/api/users/wangwu", "admin", map[string]any{"disabled": true}); r.Status != 200 {
		t.Fatalf("disable wangwu: %d %s", r.Status, r.Body)
	}

	b.login("admin")
	for _, lang := range []string{"zh-CN", "en"} {
		b.setLang(lang, url.QueryEscape("/inbox?tab=all"))
		b.waitReady("the admin tab", "inbox")
		b.wait("the flagged task", fmt.Sprintf(`document.querySelector('[data-testid="admin-task"][data-task-id="%s"]')?.dataset.left === "disabled"`, hr))
		b.shotWidths("admin-tab-" + lang)
	}
	// Return it to the candidates.
	b.click(`[data-testid="reassign-return"]`)
	b.wait("the notice", `location.search.includes("reassigned=") && !!document.querySelector(".flash, [role=status]")`)
	b.waitReady("the admin tab again", "inbox")
	b.wait("no flag, with the candidates", `!document.querySelector('[data-testid="admin-task-left"]') && document.querySelector('[data-testid="admin-task-assignee"]')?.textContent.includes("hr")`)
	if got := e.call(t, "GET", "/api/taskInst/"+hr, "admin", nil).json(t)["response"].(map[string]any)["assignee"]; got != "" {
		t.Fatalf("after the return: assignee %v", got)
	}
	// Give it to zhaoliu.
	b.setValue(`[data-testid="reassign-user"]`, "zhaoliu")
	b.click(`[data-testid="reassign-submit"]`)
	b.wait("zhaoliu's task", `document.querySelector('[data-testid="admin-task-assignee"]')?.textContent.includes("zhaoliu")`)
	b.shot("reassigned")
	if r := e.call(t, "POST", "/api/taskInst/"+hr, "zhaoliu", map[string]any{"outcome": "approve"}); r.Status != 200 {
		t.Fatalf("zhaoliu approves: %d %s", r.Status, r.Body)
	}
	e.instance(t, id, "done")

	// The history page: by a variable, then by the business key.
	b.open("/history")
	b.waitReady("the history page", "history")
	b.wait("both ended instances", `document.querySelectorAll('[data-testid="history-row"]').length === 2`)
	b.setValue(`[data-testid="history-var-name"] input`, "days")
	b.setValue(`[data-testid="history-var-op"]`, "greaterThan")
	b.setValue(`[data-testid="history-var-value"]`, "3")
	b.click(`[data-testid="history-apply"]`)
	b.wait("the long leave only", fmt.Sprintf(`location.search.includes("varName=days") && document.querySelectorAll('[data-testid="history-row"]').length === 1 && document.querySelector('[data-testid="history-row"]').dataset.id === "%s"`, id))
	b.shotWidths("history-days-en")
	b.open("/history?businessKey=0043")
	b.wait("the short leave by its key", fmt.Sprintf(`document.querySelectorAll('[data-testid="history-row"]').length === 1 && document.querySelector('[data-testid="history-row"]').dataset.id === "%s"`, short))
	b.setLang("zh-CN", url.QueryEscape("/history?varName=days&varOp=greaterThan&varValue=3"))
	b.waitReady("the history page in Chinese", "history")
	b.shotWidths("history-days-zh-CN")
	for _, lang := range []string{"en", "zh-CN"} {
		b.setLang(lang, url.QueryEscape("/instances?varName=days&varOp=lessThan&varValue=3"))
		b.waitReady("the instances page", "instances")
		b.wait("the short leave only", fmt.Sprintf(`document.querySelectorAll("#instances tr[data-id]").length === 1 && document.querySelector("#instances tr[data-id]").dataset.id === "%s"`, short))
		b.shotWidths("instances-var-" + lang)
	}
}

// TestBrowserDoneSearch: lisi searches the done tab by business key and by a
// variable condition.
func TestBrowserDoneSearch(t *testing.T) {
	b := newBrowser(t, "")
	e := b.env
	pid := b.leaveSetup()
	long := e.startLeaveKey(t, pid, "LV-0001", 5)
	short := e.startLeaveKey(t, pid, "LV-0002", 2)
	for _, c := range []struct{ id, outcome string }{{long, "approve"}, {short, "reject"}} {
		tid := e.taskOf(t, "lisi", c.id)["id"].(string)
		if r := e.call(t, "POST", "/api/taskInst/"+tid, "lisi", map[string]any{"outcome": c.outcome, "comment": "ok"}); r.Status != 200 {
			t.Fatalf("decide: %d %s", r.Status, r.Body)
		}
	}
	b.login("lisi")
	b.setLang("en", url.QueryEscape("/inbox?tab=done"))
	b.waitReady("the done tab", "inbox")
	b.wait("two done tasks", `document.querySelectorAll('[data-task-list] [data-status="done"]').length === 2`)
	b.setValue(`[data-testid="done-var-name"] input`, "days")
	b.setValue(`[data-testid="done-var-op"]`, "lessThan")
	b.setValue(`[data-testid="done-var-value"]`, "3")
	b.click(`[data-testid="done-search-apply"]`)
	b.wait("the short leave's task", `location.search.includes("varName=days") && document.querySelectorAll('[data-task-list] [data-status="done"]').length === 1`)
	b.shotWidths("done-search-en")
	b.setLang("zh-CN", url.QueryEscape("/inbox?tab=done&outcome=approve"))
	b.waitReady("the done tab in Chinese", "inbox")
	b.wait("the approved task", `document.querySelectorAll('[data-task-list] [data-status="done"]').length === 1`)
	b.shotWidths("done-search-zh-CN")
}
