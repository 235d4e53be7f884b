package web_test

import (
	"net/http"
	"strings"
	"testing"
)

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
	mustHave(t, "jobs tab (the older status link)", body, "No jobs", `class="segment active" href="/admin?queue=dead&amp;tab=jobs"`)
	_, body = e.page(t, "/admin?tab=jobs&queue=timer", admin, "zh-CN")
	mustHave(t, "jobs tab by queue", body, "没有作业", `class="segment active" href="/admin?queue=timer&amp;tab=jobs" data-queue="timer"`)

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
