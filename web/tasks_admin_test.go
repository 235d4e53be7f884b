package web_test

import (
	"net/url"
	"strings"
	"testing"
)

// startLeaveKey starts a leave request with a business key.
func (e *testEnv) startLeaveKey(t *testing.T, pid, key string, days float64) string {
	t.Helper()
	r := e.call(t, "POST", "/api/process/"+pid+"?businessKey="+url.QueryEscape(key), "zhangsan",
		map[string]any{"applicant": "张三", "days": days, "reason": "家事"})
	if r.Status != 201 {
		t.Fatalf("start: %d %s", r.Status, r.Body)
	}
	return r.json(t)["response"].(map[string]any)["id"].(string)
}

func listOf(t *testing.T, r reply) ([]map[string]any, float64) {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("list: %d %s", r.Status, r.Body)
	}
	resp := r.json(t)["response"].(map[string]any)
	var out []map[string]any
	for _, x := range resp["list"].([]any) {
		out = append(out, x.(map[string]any))
	}
	return out, resp["total"].(float64)
}

// TestAdminReassignsATaskOfSomeoneWhoLeft: wangwu claims the hr task and is
// disabled; zhaoliu cannot take it; the admin finds it flagged among the orphaned
// tasks, returns it to the candidates, and zhaoliu completes the instance.
func TestAdminReassignsATaskOfSomeoneWhoLeft(t *testing.T) {
	e, pid := leaveEnv(t)
	id := e.startLeave(t, pid, 5)
	mgr := e.taskOf(t, "lisi", id)["id"].(string)
	if r := e.call(t, "POST", "/api/taskInst/"+mgr, "lisi", map[string]any{"outcome": "approve"}); r.Status != 200 {
		t.Fatalf("lisi approves: %d %s", r.Status, r.Body)
	}
	hr := e.taskOf(t, "wangwu", id)["id"].(string)
	if r := e.call(t, "POST", "/api/taskInst/"+hr+"/claim", "wangwu", nil); r.Status != 200 {
		t.Fatalf("wangwu claims: %d %s", r.Status, r.Body)
	}
	if r := e.call(t, "PUT", "/api/users/wangwu", "admin", map[string]any{"disabled": true}); r.Status != 200 {
		t.Fatalf("disable wangwu: %d %s", r.Status, r.Body)
	}
	if r := e.call(t, "POST", "/api/taskInst/"+hr+"/claim", "zhaoliu", nil); r.Status != 409 {
		t.Fatalf("zhaoliu claims wangwu's task: %d %s", r.Status, r.Body)
	}
	all, total := listOf(t, e.call(t, "GET", "/api/admin/taskInsts", "admin", nil))
	if total != 1 || all[0]["id"] != hr || all[0]["left"] != "disabled" || all[0]["assignee"] != "wangwu" {
		t.Fatalf("every open task: %v", all)
	}
	for _, q := range []string{"?orphaned=true", "?group=hr", "?user=wangwu", "?user=zhaoliu", "?processId=" + pid} {
		if _, n := listOf(t, e.call(t, "GET", "/api/admin/taskInsts"+q, "admin", nil)); n != 1 {
			t.Errorf("%s: %v tasks, want 1", q, n)
		}
	}
	for _, q := range []string{"?overdue=true", "?user=lisi", "?group=it", "?processId=proc-none"} {
		if _, n := listOf(t, e.call(t, "GET", "/api/admin/taskInsts"+q, "admin", nil)); n != 0 {
			t.Errorf("%s: %v tasks, want 0", q, n)
		}
	}
	r := e.call(t, "POST", "/api/taskInst/"+hr+"/reassign", "admin", map[string]any{"assignee": nil, "comment": "wangwu left"})
	if r.Status != 200 || r.json(t)["response"].(map[string]any)["assignee"] != "" {
		t.Fatalf("return to the candidates: %d %s", r.Status, r.Body)
	}
	if _, n := listOf(t, e.call(t, "GET", "/api/admin/taskInsts?orphaned=true", "admin", nil)); n != 0 {
		t.Errorf("orphaned after the reassignment: %v", n)
	}
	if r := e.call(t, "POST", "/api/taskInst/"+hr, "zhaoliu", map[string]any{"outcome": "approve"}); r.Status != 200 {
		t.Fatalf("zhaoliu approves: %d %s", r.Status, r.Body)
	}
	e.instance(t, id, "done")
}

// TestDoneListAndInstanceSearch: the done list by business key, outcome, end time
// and a variable condition; the instance list by a variable condition.
func TestDoneListAndInstanceSearch(t *testing.T) {
	e, pid := leaveEnv(t)
	short := e.startLeaveKey(t, pid, "LEAVE-1", 2)
	long := e.startLeaveKey(t, pid, "LEAVE-2", 5)
	for _, c := range []struct{ id, outcome string }{{short, "approve"}, {long, "reject"}} {
		tid := e.taskOf(t, "lisi", c.id)["id"].(string)
		if r := e.call(t, "POST", "/api/taskInst/"+tid, "lisi", map[string]any{"outcome": c.outcome}); r.Status != 200 {
			t.Fatalf("decide: %d %s", r.Status, r.Body)
		}
		e.instance(t, c.id, "done")
	}
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"", []string{long, short}},
		{"&businessKey=LEAVE-1", []string{short}},
		{"&outcome=reject", []string{long}},
		{"&varName=days&varOp=greaterThan&varValue=3", []string{long}},
		{"&varName=days&varOp=lessThanOrEquals&varType=long&varValue=2", []string{short}},
		{"&endedAfter=2000-01-01T00:00:00Z&outcome=approve", []string{short}},
		{"&endedBefore=2000-01-01T00:00:00Z", nil},
	} {
		list, _ := listOf(t, e.call(t, "GET", "/api/taskInsts?status=done"+c.query, "lisi", nil))
		var got []string
		for _, x := range list {
			got = append(got, x["processInstId"].(string))
		}
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("done%s: %v, want %v", c.query, got, c.want)
		}
	}
	list, total := listOf(t, e.call(t, "GET", "/api/processInst?varName=days&varOp=greaterThan&varValue=3", "admin", nil))
	if total != 1 || list[0]["id"] != long {
		t.Errorf("instances with days > 3: %v", list)
	}
	list, total = listOf(t, e.call(t, "GET", "/api/processInst?varName=applicant&varValue=张三&businessKey=LEAVE-1", "admin", nil))
	if total != 1 || list[0]["id"] != short {
		t.Errorf("instances of 张三 with key LEAVE-1: %v", list)
	}
}

// TestAdminTasksBadInput: every bad request answers a clear error, never a 500.
func TestAdminTasksBadInput(t *testing.T) {
	e, pid := leaveEnv(t)
	id := e.startLeave(t, pid, 1)
	tid := e.taskOf(t, "lisi", id)["id"].(string)
	if r := e.call(t, "PUT", "/api/users/zhaoliu", "admin", map[string]any{"disabled": true}); r.Status != 200 {
		t.Fatalf("disable zhaoliu: %d %s", r.Status, r.Body)
	}
	re := "/api/taskInst/" + tid + "/reassign"
	for _, c := range []struct {
		name, method, path, user string
		body                     any
		status                   int
		contains                 string
	}{
		{"a user lists every task", "GET", "/api/admin/taskInsts", "lisi", nil, 403, "role_required"},
		{"a designer lists every task", "GET", "/api/admin/taskInsts", "dora", nil, 403, "role_required"},
		{"overdue not a boolean", "GET", "/api/admin/taskInsts?overdue=maybe", "admin", nil, 400, `"field":"overdue"`},
		{"orphaned not a boolean", "GET", "/api/admin/taskInsts?orphaned=2x", "admin", nil, 400, `"field":"orphaned"`},
		{"bad sort", "GET", "/api/admin/taskInsts?sort=name", "admin", nil, 400, `"field":"sort"`},
		{"a user reassigns", "POST", re, "lisi", map[string]any{"assignee": "wangwu"}, 403, "role_required"},
		{"to an unknown user", "POST", re, "admin", map[string]any{"assignee": "ghost"}, 400, "unknown_user"},
		{"to a disabled user", "POST", re, "admin", map[string]any{"assignee": "zhaoliu"}, 400, "user_disabled"},
		{"to its assignee", "POST", re, "admin", map[string]any{"assignee": "lisi"}, 409, "already_assigned"},
		{"a direct task back to candidates", "POST", re, "admin", map[string]any{"assignee": ""}, 409, "no_candidates"},
		{"no body: back to candidates", "POST", re, "admin", nil, 409, "no_candidates"},
		{"assignee a number", "POST", re, "admin", map[string]any{"assignee": 7}, 400, "assignee"},
		{"unknown field", "POST", re, "admin", map[string]any{"to": "wangwu"}, 400, "to"},
		{"malformed body", "POST", re, "admin", `{"assignee":`, 400, ""},
		{"comment too long", "POST", re, "admin", map[string]any{"assignee": "wangwu", "comment": strings.Repeat("x", 4001)}, 400, "too_long"},
		{"unknown task", "POST", "/api/taskInst/999/reassign", "admin", map[string]any{"assignee": "wangwu"}, 404, ""},
		{"bad task id", "POST", "/api/taskInst/abc/reassign", "admin", map[string]any{"assignee": "wangwu"}, 404, "not a task id"},
		{"done search on the open list", "GET", "/api/taskInsts?outcome=approve", "lisi", nil, 400, "done_only"},
		{"bad endedAfter", "GET", "/api/taskInsts?status=done&endedAfter=yesterday", "lisi", nil, 400, `"field":"endedAfter"`},
		{"unknown varOp", "GET", "/api/taskInsts?status=done&varName=days&varOp=near&varValue=1", "lisi", nil, 400, `"field":"varOp"`},
		{"like on a number", "GET", "/api/processInst?varName=days&varOp=like&varValue=3", "admin", nil, 400, `"field":"varOp"`},
		{"no value", "GET", "/api/processInst?varName=days&varOp=greaterThan", "admin", nil, 400, `"field":"varValue"`},
		{"boolean not a boolean", "GET", "/api/processInst?varName=ok&varType=boolean&varValue=yes", "admin", nil, 400, `"field":"varValue"`},
		{"long not a number", "GET", "/api/processInst?varName=days&varType=long&varValue=abc", "admin", nil, 400, `"field":"varValue"`},
		{"unknown varType", "GET", "/api/processInst?varName=days&varType=money&varValue=1", "admin", nil, 400, `"field":"varType"`},
		{"bad date", "GET", "/api/processInst?varName=when&varType=date&varValue=soon", "admin", nil, 400, `"field":"varValue"`},
	} {
		r := e.call(t, c.method, c.path, c.user, c.body)
		if r.Status != c.status || !strings.Contains(string(r.Body), c.contains) {
			t.Errorf("%s: %d %s, want %d with %s", c.name, r.Status, r.Body, c.status, c.contains)
		}
	}
	if r := e.call(t, "POST", re, "admin", "assignee=wangwu", "Content-Type", "text/plain"); r.Status != 415 {
		t.Errorf("a text body: %d %s", r.Status, r.Body)
	}
}
