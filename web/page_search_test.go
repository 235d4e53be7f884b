package web_test

import (
	"regexp"
	"strings"
	"testing"
)

// byTestID returns the start tags of the elements with data-testid id, in order.
func byTestID(body, id string) []string {
	re := regexp.MustCompile(`<[a-z]+[^>]*\bdata-testid="` + regexp.QuoteMeta(id) + `"[^>]*>`)
	return re.FindAllString(body, -1)
}

// textByTestID returns the text of the first element with data-testid id (up to its
// next tag's end), trimmed; "" when there is none.
func textByTestID(body, id string) string {
	re := regexp.MustCompile(`data-testid="` + regexp.QuoteMeta(id) + `"[^>]*>([^<]*)<`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return strings.TrimSpace(m[1])
}

// TestInboxAllTabShowsWhoLeft: the admin's tab lists every open task, flags the one
// whose assignee was disabled, offers to return it to its candidates; other users
// neither see the tab nor open it.
func TestInboxAllTabShowsWhoLeft(t *testing.T) {
	e, pid := leaveEnv(t)
	id := e.startLeave(t, pid, 5)
	mgr := e.taskOf(t, "lisi", id)["id"].(string)
	if r := e.call(t, "POST", "/api/taskInst/"+mgr, "lisi", map[string]any{"outcome": "approve"}); r.Status != 200 {
		t.Fatalf("approve: %d %s", r.Status, r.Body)
	}
	hr := e.taskOf(t, "wangwu", id)["id"].(string)
	if r := e.call(t, "POST", "/api/taskInst/"+hr+"/claim", "wangwu", nil); r.Status != 200 {
		t.Fatalf("claim: %d %s", r.Status, r.Body)
	}
	if r := e.call(t, "PUT", "/api/users/wangwu", "admin", map[string]any{"disabled": true}); r.Status != 200 {
		t.Fatalf("disable: %d %s", r.Status, r.Body)
	}
	admin := e.signIn(t, "admin")
	status, body := e.page(t, "/inbox?tab=all", admin, "en")
	if status != 200 {
		t.Fatalf("all tab: %d %s", status, body)
	}
	rows := byTestID(body, "admin-task")
	if len(rows) != 1 || !strings.Contains(rows[0], `data-task-id="`+hr+`"`) || !strings.Contains(rows[0], `data-left="disabled"`) {
		t.Fatalf("rows %v", rows)
	}
	if got := textByTestID(body, "admin-task-left"); got != "wangwu is disabled" {
		t.Errorf("flag %q", got)
	}
	if len(byTestID(body, "reassign-return")) != 1 || len(byTestID(body, "reassign-form")) != 1 {
		t.Errorf("the row's reassignment controls are missing")
	}
	mustHave(t, "all tab", body, `data-page="admintasks"`, `<option value="zhaoliu">赵六 (zhaoliu)</option>`)
	mustLack(t, "all tab", body, `<option value="wangwu">`) // disabled: no reassignment target
	_, body = e.page(t, "/inbox?tab=all&orphaned=true&group=hr", admin, "zh-CN")
	if got := textByTestID(body, "admin-task-left"); got != "wangwu 已停用" || len(byTestID(body, "admin-task")) != 1 {
		t.Errorf("zh-CN flag %q", got)
	}
	_, body = e.page(t, "/inbox?tab=all&user=lisi", admin, "en")
	if len(byTestID(body, "admin-task")) != 0 || len(byTestID(body, "admin-task-empty")) != 1 {
		t.Errorf("lisi has no open task: %v", byTestID(body, "admin-task"))
	}
	if status, _ := e.page(t, "/inbox?tab=all&overdue=maybe", admin, "en"); status != 400 {
		t.Errorf("overdue=maybe: %d", status)
	}
	_, body = e.page(t, "/inbox", admin, "en")
	if len(byTestID(body, "inbox-tab-all")) != 1 {
		t.Error("the admin's inbox has no all tab")
	}
	lisi := e.signIn(t, "lisi")
	_, body = e.page(t, "/inbox", lisi, "en")
	if len(byTestID(body, "inbox-tab-all")) != 0 {
		t.Error("a user's inbox shows the all tab")
	}
	if status, _ := e.page(t, "/inbox?tab=all", lisi, "en"); status != 403 {
		t.Errorf("a user opens the all tab: %d", status)
	}
}

// TestDoneSearchAndHistoryPages: the done tab and the history page search by
// business key, outcome and a variable; the instance list by a variable.
func TestDoneSearchAndHistoryPages(t *testing.T) {
	e, pid := leaveEnv(t)
	short := e.startLeaveKey(t, pid, "LEAVE-1", 2)
	long := e.startLeaveKey(t, pid, "LEAVE-2", 5)
	running := e.startLeaveKey(t, pid, "LEAVE-3", 1)
	for _, c := range []struct{ id, outcome string }{{short, "approve"}, {long, "reject"}} {
		tid := e.taskOf(t, "lisi", c.id)["id"].(string)
		if r := e.call(t, "POST", "/api/taskInst/"+tid, "lisi", map[string]any{"outcome": c.outcome}); r.Status != 200 {
			t.Fatalf("decide: %d %s", r.Status, r.Body)
		}
		e.instance(t, c.id, "done")
	}
	lisi := e.signIn(t, "lisi")
	_, body := e.page(t, "/inbox?tab=done", lisi, "en")
	if len(byTestID(body, "done-search")) != 1 || len(byTestID(body, "done-var-op")) != 1 {
		t.Fatal("the done tab has no search form")
	}
	for _, c := range []struct {
		query string
		n     int
	}{{"", 2}, {"&businessKey=LEAVE-2", 1}, {"&outcome=approve", 1}, {"&varName=days&varOp=greaterThan&varValue=3", 1},
		{"&varName=days&varOp=greaterThan&varValue=9", 0}, {"&from=2000-01-01&to=2999-12-31", 2}, {"&to=2000-01-01", 0}} {
		status, body := e.page(t, "/inbox?tab=done"+c.query, lisi, "en")
		if status != 200 || strings.Count(body, `data-status="done"`) != c.n {
			t.Errorf("done%s: %d, %d rows, want %d", c.query, status, strings.Count(body, `data-status="done"`), c.n)
		}
	}
	if status, _ := e.page(t, "/inbox?tab=done&varName=days&varOp=near&varValue=1", lisi, "en"); status != 400 {
		t.Errorf("a bad operator: %d", status)
	}

	dora := e.signIn(t, "dora")
	for _, lang := range []string{"en", "zh-CN"} {
		status, body := e.page(t, "/history", dora, lang)
		if status != 200 || len(byTestID(body, "history-row")) != 2 || textByTestID(body, "history-total") != "2" {
			t.Fatalf("history (%s): %d %v", lang, status, byTestID(body, "history-row"))
		}
		if strings.Contains(body, `data-id="`+running+`"`) {
			t.Errorf("history lists the running instance")
		}
	}
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"?businessKey=LEAVE-1", []string{short}},
		{"?varName=days&varOp=greaterThanOrEquals&varType=long&varValue=5", []string{long}},
		{"?outcome=done&varName=applicant&varValue=%E5%BC%A0%E4%B8%89", []string{long, short}},
		{"?outcome=failed", nil},
		{"?from=2000-01-01", []string{long, short}},
		{"?to=2000-01-01", nil},
	} {
		status, body := e.page(t, "/history"+c.query, dora, "en")
		rows := byTestID(body, "history-row")
		var got []string
		for _, r := range rows {
			got = append(got, regexp.MustCompile(`data-id="([^"]+)"`).FindStringSubmatch(r)[1])
		}
		if status != 200 || strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("history%s: %d %v, want %v", c.query, status, got, c.want)
		}
		if len(c.want) == 0 && len(byTestID(body, "history-empty")) != 1 {
			t.Errorf("history%s: no empty state", c.query)
		}
	}
	for _, q := range []string{"?outcome=running", "?from=yesterday", "?varName=days&varType=long&varValue=x"} {
		if status, _ := e.page(t, "/history"+q, dora, "en"); status != 400 {
			t.Errorf("history%s: %d, want 400", q, status)
		}
	}
	// The applicant sees the history of what they started.
	zhang := e.signIn(t, "zhangsan")
	if _, body := e.page(t, "/history", zhang, "en"); len(byTestID(body, "history-row")) != 2 {
		t.Errorf("the applicant's history: %v", byTestID(body, "history-row"))
	}
	_, body = e.page(t, "/instances?varName=days&varOp=lessThan&varValue=3", dora, "en")
	mustHave(t, "instances by a variable", body, `data-id="`+short+`"`, `data-id="`+running+`"`)
	mustLack(t, "instances by a variable", body, `data-id="`+long+`"`)
}
