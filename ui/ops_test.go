package ui

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/a-h/templ"
)

func opsPage(lang Lang, role, path string) Page {
	p := page(lang, role)
	p.Path = path
	return p
}

func TestInstancesPage(t *testing.T) {
	rows := []InstanceRow{
		{ID: "2124464737830834176", ProcessID: "proc-leave001", Name: "请假审批", Status: "waiting", Executor: "zhangsan", TriggerApp: "manual", Version: 3, StartAt: 1717171200000},
		{ID: "2124464737830834177", ProcessID: "proc-order001", Name: "<b>Orders</b>", Status: "failed", Error: "task X failed", TriggerApp: "webhook", Version: 1, StartAt: 1717171200000, EndAt: 1717171201500, Cost: 1500},
	}
	pg := opsPage(En, "designer", "/instances")
	pg.Title = testCat.T(En, "instances.title")
	d := InstancesData{Page: pg, Rows: rows, AllUsers: true,
		Filter:    InstanceFilter{Status: "failed", From: "2024-05-01"},
		Processes: []Option{{Value: "proc-leave001", Label: "请假审批"}, {Value: "proc-order001", Label: "Orders"}},
		Pager:     Pager{Offset: 0, Limit: 20, Count: 2, Total: 45, Base: "/instances?status=failed"}}
	html := render(t, InstancesPage(d))
	mustContain(t, html,
		`<a href="/instances" class="nav-link active" aria-current="page">Instances</a>`,
		`<title>Instances · flowcraft</title>`,
		`href="/instances/2124464737830834176"`, `>请假审批</a>`, `&lt;b&gt;Orders&lt;/b&gt;`,
		`<span class="pill pill-waiting" data-status="waiting">Waiting</span>`,
		`<span class="pill pill-failed" data-status="failed">Failed</span>`, `task X failed`,
		`<span class="mono">1.5 s</span>`, `zhangsan`, `Started by`,
		`<option value="failed" selected>Failed</option>`, `name="from" value="2024-05-01"`,
		`<option value="proc-order001">Orders</option>`, `Reset filters`,
		`1–2 of 45`, `href="/instances?offset=20&amp;status=failed" rel="next"`,
		`data-page="instances"`,
	)
	mustNotContain(t, html, "<b>Orders")
	// A user sees only their instances: no process filter, no "started by" column.
	zh := render(t, InstancesPage(InstancesData{Page: opsPage(ZhCN, "user", "/instances"), Rows: rows[:1], Pager: Pager{Count: 1, Total: 1}}))
	mustContain(t, zh, "您发起的流程", `<span class="pill pill-waiting" data-status="waiting">等待中</span>`)
	mustNotContain(t, zh, `id="f-process"`, "发起人</th>")
	empty := render(t, InstancesPage(InstancesData{Page: opsPage(En, "user", "/instances")}))
	mustContain(t, empty, "No instances yet")
	filtered := render(t, InstancesPage(InstancesData{Page: opsPage(En, "user", "/instances"), Filter: InstanceFilter{Status: "done"}}))
	mustContain(t, filtered, "No instances match these filters")
}

func TestInstancePage(t *testing.T) {
	view := json.RawMessage(`{"id":"42","status":"failed","tasks":[]}`)
	d := InstanceData{Page: opsPage(En, "designer", "/instances/42"), ID: "42", ProcessID: "proc-leave001", Name: "请假审批",
		Status: "failed", Executor: "zhangsan", Engine: "standard", Error: "task calc failed: boom", Version: 2,
		StartAt: 1717171200000, EndAt: 1717171262000, Cost: 62000, CanControl: true, CanDesign: true,
		View: view, Definition: json.RawMessage(`{"id":"proc-leave001","tasks":[]}`), Templates: json.RawMessage(`[]`)}
	html := render(t, InstancePage(d))
	mustContain(t, html,
		`id="instance"`, `data-instance-id="42"`, `data-status="failed"`,
		`<span class="pill pill-failed" data-status="failed">Failed</span>`,
		`started by zhangsan`, `1 min 2 s`, `task calc failed: boom`,
		`href="/processes/proc-leave001/design"`,
		`data-instance-action="retry"`, `data-instance-action="cancel"`, `data-confirm="Cancel this instance?`,
		`data-canvas`, `data-timeline`, `data-detail`, `data-live="connecting"`,
		`<script id="instance-view" type="application/json">{"id":"42","status":"failed","tasks":[]}`,
		`id="designer-definition"`, `id="designer-templates"`, `"designer.kind.trigger":`, `"rt.input":"Input (parameters)"`, `"rt.incoming":"Incoming data"`,
		`data-page="instance"`,
	)
	// Only the actions the status allows are visible.
	for _, a := range []string{"suspend", "resume"} {
		if !regexp.MustCompile(`data-instance-action="` + a + `" hidden`).MatchString(html) {
			t.Errorf("action %s is shown for a failed instance", a)
		}
	}
	if regexp.MustCompile(`data-instance-action="retry" hidden`).MatchString(html) {
		t.Errorf("retry is hidden for a failed instance")
	}
	// Without control rights there are no buttons; without a definition no canvas.
	ro := d
	ro.CanControl, ro.CanDesign, ro.Definition = false, false, nil
	ro.Page = opsPage(ZhCN, "user", "/instances/42")
	zh := render(t, InstancePage(ro))
	mustNotContain(t, zh, "data-instance-action", "/design", "data-canvas")
	mustContain(t, zh, "流程定义已被删除", "时间线", "失败")
}

func TestInboxPage(t *testing.T) {
	now := int64(1717171200000)
	rows := []TaskRow{
		{ID: "7", Name: "经理审批", Content: "张三 请假 2 天", ProcessName: "请假审批", InstanceID: "42", Assignee: "lisi", Status: "open", Priority: 50, CreateAt: now, Me: "lisi", Now: now},
		{ID: "8", Name: "人事审批", ProcessName: "请假审批", InstanceID: "43", CandidateGroups: []string{"hr"}, Status: "open", Priority: 90, CreateAt: now, DueAt: now - 1000, Me: "lisi", Now: now},
		{ID: "9", Name: "复核", ProcessName: "订单", InstanceID: "44", Assignee: "lisi", Owner: "wangwu", Delegation: "pending", Status: "open", CreateAt: now, Me: "lisi", Now: now},
	}
	d := InboxData{Page: opsPage(En, "user", "/inbox"), Tab: "todo", Rows: rows, OpenCount: 3, Me: InboxUser{ID: "lisi", Groups: []string{"hr"}},
		Pager: Pager{Count: 3, Total: 3}}
	html := render(t, InboxPage(d))
	mustContain(t, html,
		`<a href="/inbox" class="nav-link active" aria-current="page">Inbox</a>`,
		`data-open-count data-count="3">3</span>`,
		`href="/inbox/7"`, `经理审批`, `张三 请假 2 天`, `Assigned to you`,
		`data-task-action="claim" data-id="8"`, `Claim to work on it`, `Overdue`, `High`,
		`Delegated by wangwu`,
		`<script id="inbox-user" type="application/json">{"id":"lisi","groups":["hr"]}`,
		`data-page="inbox"`, `data-empty hidden`,
	)
	// The task assigned directly (no candidates) cannot be released.
	mustNotContain(t, html, `data-task-action="unclaim" data-id="7"`)
	done := render(t, InboxPage(InboxData{Page: opsPage(ZhCN, "user", "/inbox"), Tab: "done", Me: InboxUser{ID: "lisi", Groups: []string{}},
		Rows: []TaskRow{{ID: "5", Name: "经理审批", ProcessName: "请假审批", Status: "done", Outcome: "reject", Comment: "不行", EndAt: now, Me: "lisi"}}}))
	mustContain(t, done, `<span class="pill pill-failed">已驳回</span>`, "“不行”", `aria-current="page"`, "已办", `href="/inbox/5"`)
	mustNotContain(t, done, `data-task-action`, `inbox-sort`)
	empty := render(t, InboxPage(InboxData{Page: opsPage(ZhCN, "user", "/inbox"), Tab: "todo", Me: InboxUser{ID: "lisi"}}))
	mustContain(t, empty, "没有待办任务", `class="empty" data-empty>`)
}

func TestTaskPage(t *testing.T) {
	now := int64(1717171200000)
	base := TaskData{Page: opsPage(En, "user", "/inbox/7"),
		Task:     TaskRow{ID: "7", Name: "经理审批", Content: "张三 请假 2 天：家事", ProcessName: "请假审批", InstanceID: "42", Assignee: "lisi", Status: "open", Priority: 50, CreateAt: now, Me: "lisi"},
		Form:     json.RawMessage(`[{"key":"note","label":"Note","type":"text","required":true}]`),
		Outcomes: []string{"approve", "reject", "escalate"},
		Trigger:  KVs(map[string]any{"applicant": "张三", "days": 2.0, "dates": []any{"a", "b"}}),
		History:  []TaskEntry{{User: "admin", Action: "delegate", To: "lisi", Comment: "please look", At: now}},
		Instance: TaskInstance{ID: "42", Status: "waiting", Executor: "zhangsan", StartAt: now, CanOpen: true},
		CanAct:   true, CanDelegate: true, Users: []Option{{Value: "wangwu", Label: "王五 (wangwu)"}}}
	html := render(t, TaskPage(base))
	mustContain(t, html,
		`data-task-id="7"`, `张三 请假 2 天：家事`, `<dt>applicant</dt>`, `<dd>张三</dd>`, `<dt>days</dt>`, `<dd>2</dd>`,
		`<pre class="code-block">[`,
		`data-outcome="approve"`, `data-outcome="reject"`, `data-outcome="escalate"`, `>Approve</span>`, `>Reject</span>`, `>escalate</span>`,
		`class="btn btn-primary" type="submit" data-outcome="approve"`, `class="btn btn-danger" type="submit" data-outcome="reject"`,
		`id="task-comment"`, `data-task-fields`,
		`<script id="task-form" type="application/json">[{"key":"note","label":"Note","type":"text","required":true}]`,
		`id="delegate-dialog"`, `<option value="wangwu">王五 (wangwu)</option>`,
		`href="/instances/42"`, `delegated the task to`, `please look`,
		`data-page="task"`,
	)
	// Delegated to me: resolve instead of deciding.
	res := base
	res.CanAct, res.CanResolve, res.CanDelegate = false, true, false
	res.Task.Owner, res.Task.Delegation = "admin", "pending"
	html = render(t, TaskPage(res))
	mustContain(t, html, `data-resolve-form`, `Hand back to admin`)
	mustNotContain(t, html, `data-outcome=`, `delegate-dialog`)
	// A candidate task not claimed: a claim button, no outcomes.
	cl := base
	cl.CanAct, cl.CanClaim, cl.CanDelegate = false, true, false
	cl.Task.Assignee = ""
	html = render(t, TaskPage(cl))
	mustContain(t, html, `data-task-action="claim"`, "Claim it to work on it")
	mustNotContain(t, html, `data-outcome=`)
	// Completed: the decision, the answers, no buttons.
	dn := base
	dn.Page = opsPage(ZhCN, "user", "/inbox/7")
	dn.CanAct, dn.CanDelegate = false, false
	dn.Task.Status, dn.Task.Outcome, dn.Task.Comment, dn.Task.CompletedBy, dn.Task.EndAt = "done", "approve", "同意", "lisi", now
	dn.FormData = KVs(map[string]any{"note": "ok"})
	dn.Instance.CanOpen = false
	html = render(t, TaskPage(dn))
	mustContain(t, html, `<span class="pill pill-done">已同意</span>`, "处理人 lisi", `<blockquote class="quote">同意</blockquote>`, `<dt>note</dt>`)
	mustNotContain(t, html, `data-outcome=`, `data-task-action`, `href="/instances/42"`)
}

func TestAdminPage(t *testing.T) {
	p := opsPage(En, "admin", "/admin")
	p.User.ID = "admin"
	d := AdminData{Page: p, Tab: "users",
		Users: []AdminUser{
			{ID: "admin", Name: "Administrator", Role: "admin", CreateAt: 1},
			{ID: "lisi", Name: "李四", Email: "li@example.com", Role: "user", Groups: []string{"hr", "ops"}, Disabled: true},
		},
		AllGroups: []Option{{Value: "hr", Label: "人事部"}},
		Pager:     Pager{Count: 2, Total: 2}}
	html := render(t, AdminPage(d))
	mustContain(t, html,
		`<a href="/admin" class="nav-link active" aria-current="page">Admin</a>`,
		`class="tab active" href="/admin?tab=users" aria-current="page"`,
		`data-action="new-user"`, `data-action="edit-user" data-id="lisi" data-name="李四" data-email="li@example.com" data-role="user" data-groups="hr,ops" data-disabled="true"`,
		`data-action="enable-user" data-id="lisi"`, `data-action="delete-user" data-id="lisi" data-confirm="Delete the user “lisi”?`,
		`<span class="pill pill-disabled">Disabled</span>`, `<span class="tag">hr</span>`,
		`id="user-dialog"`, `name="password"`, `<input type="checkbox" name="groups" value="hr">`,
		`data-page="admin"`,
	)
	// No disabling or deleting oneself.
	mustNotContain(t, html, `data-action="delete-user" data-id="admin"`, `data-action="disable-user" data-id="admin"`)

	d.Tab = "groups"
	d.Groups = []AdminGroup{{ID: "hr", Name: "人事部", Members: []Option{{Value: "lisi", Label: "李四"}}}}
	d.AllUsers = []Option{{Value: "lisi", Label: "李四"}, {Value: "wangwu", Label: "王五"}}
	html = render(t, AdminPage(d))
	mustContain(t, html, `data-group-id="hr"`, `data-action="remove-member" data-group="hr" data-user="lisi"`,
		`data-add-member="hr"`, `<option value="wangwu">王五 (wangwu)</option>`, `Members: 1`, `id="group-dialog"`)
	mustNotContain(t, html, `<option value="lisi">`)

	d.Tab = "tokens"
	d.TokenUser = "lisi"
	d.Tokens = []AdminToken{{ID: "tok1", UserID: "lisi", Name: "CI", Prefix: "fc_ab12", CreateAt: 1}}
	html = render(t, AdminPage(d))
	mustContain(t, html, `<option value="lisi" selected>李四 (lisi)</option>`, `fc_ab12…`, `data-action="revoke-token" data-id="tok1"`,
		`Never used`, `Never`, `data-action="new-token" data-user="lisi"`, `data-token-secret`, "shown only once")

	d.Tab = "jobs"
	d.JobQueue = "dead"
	d.Jobs = []AdminJob{{ID: "99", Kind: "retry", InstanceID: "42", TaskID: "task-x", Status: "dead", Queue: "dead", Error: "boom", Attempts: 5, MaxAttempts: 5},
		{ID: "98", Kind: "timer", InstanceID: "43", TaskID: "task-y", Status: "pending", Queue: "timer", Attempts: 0, MaxAttempts: 5}}
	html = render(t, AdminPage(d))
	mustContain(t, html, `class="segment active" href="/admin?queue=dead&amp;tab=jobs"`, `Task retry`, `href="/instances/42"`,
		`<span class="pill pill-failed">Dead</span>`, `data-action="retry-job" data-id="99"`, `5/5`,
		`<span class="pill pill-waiting">Scheduled</span>`, `data-action="execute-job" data-id="98"`, `data-action="delete-job" data-id="98"`)
	mustNotContain(t, html, `data-action="execute-job" data-id="99"`)

	zh := render(t, AdminPage(AdminData{Page: opsPage(ZhCN, "admin", "/admin"), Tab: "jobs"}))
	mustContain(t, zh, "系统管理", "没有作业", "API 令牌")
}

func TestDesignerRunControls(t *testing.T) {
	d := DesignerData{Page: opsPage(En, "designer", "/processes/p_1/design"), ProcessID: "p_1", Name: "Leave",
		Definition: json.RawMessage(`{"id":"p_1","tasks":[]}`), Templates: json.RawMessage(`[]`)}
	html := render(t, DesignerPage(d))
	mustContain(t, html, `data-cmd="run"`, `>Run</span>`, `data-dialog="run"`, `data-run-data`, `"rt.output":"Output"`, `"designer.run.title":"Run process"`)
	// A new process cannot run before it is saved.
	html = render(t, DesignerPage(DesignerData{Page: opsPage(ZhCN, "designer", "/processes/new"), Templates: json.RawMessage(`[]`)}))
	mustContain(t, html, `data-cmd="run" title="用测试数据运行并实时查看" disabled`)
}

func TestFormatDuration(t *testing.T) {
	cases := map[int64][2]string{
		850:        {"850 ms", "850 毫秒"},
		1234:       {"1.2 s", "1.2 秒"},
		42_000:     {"42 s", "42 秒"},
		184_000:    {"3 min 4 s", "3 分 4 秒"},
		7_500_000:  {"2 h 5 min", "2 小时 5 分"},
		97_200_000: {"1 d 3 h", "1 天 3 小时"},
	}
	for ms, want := range cases {
		if got := FormatDuration(testCat.For(En), ms); got != want[0] {
			t.Errorf("FormatDuration(%d) = %q, want %q", ms, got, want[0])
		}
		if got := FormatDuration(testCat.For(ZhCN), ms); got != want[1] {
			t.Errorf("zh FormatDuration(%d) = %q, want %q", ms, got, want[1])
		}
	}
}

func TestPagerURLs(t *testing.T) {
	p := Pager{Offset: 20, Limit: 20, Count: 20, Total: 65, Base: "/admin?tab=jobs&offset=20"}
	if got := p.nextURL(); got != "/admin?offset=40&tab=jobs" {
		t.Errorf("next %q", got)
	}
	if got := p.prevURL(); got != "/admin?tab=jobs" {
		t.Errorf("prev %q", got)
	}
	if !p.hasPrev() || !p.hasNext() {
		t.Errorf("pager at 20 of 65 should have both links")
	}
	if (Pager{Count: 5, Total: 5}).hasNext() {
		t.Errorf("a full list has no next page")
	}
}

// timeElems lists the <time> elements of html as datetime → shown text.
func timeElems(html string) map[string]string {
	out := map[string]string{}
	for _, m := range regexp.MustCompile(`<time datetime="([^"]*)">([^<]*)</time>`).FindAllStringSubmatch(html, -1) {
		out[m[1]] = m[2]
	}
	return out
}

// TestPagesShowServerZone: pages rendered with the server's time zone
// (WithLocation) show their times on its clock; <time datetime> stays the
// absolute RFC 3339 instant, and the zone's name is in <meta name="timezone">
// for the page scripts. Without a zone they show UTC.
func TestPagesShowServerZone(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	at := int64(1717171200000) // 2024-05-31 16:00 UTC, 2024-06-01 00:00 in Shanghai
	inbox := InboxPage(InboxData{Page: opsPage(En, "user", "/inbox"), Tab: "todo", Me: InboxUser{ID: "lisi"}, Pager: Pager{Count: 1, Total: 1},
		Rows: []TaskRow{{ID: "7", Name: "Approve", ProcessName: "Leave", InstanceID: "42", Assignee: "lisi", Status: "open", CreateAt: at, DueAt: at + 90*60_000, Me: "lisi", Now: at}}})
	instances := InstancesPage(InstancesData{Page: opsPage(En, "user", "/instances"), Pager: Pager{Count: 1, Total: 1},
		Rows: []InstanceRow{{ID: "42", ProcessID: "p", Name: "Leave", Status: "running", Version: 1, StartAt: at + 60_000}}})
	renderIn := func(loc *time.Location, c templ.Component) string {
		var b strings.Builder
		if err := c.Render(WithLocation(context.Background(), loc), &b); err != nil {
			t.Fatalf("render: %v", err)
		}
		return b.String()
	}
	cases := []struct {
		loc                   *time.Location
		zone                  string
		created, due, started string
	}{
		{shanghai, "Asia/Shanghai", "2024-06-01 00:00", "2024-06-01 01:30", "2024-06-01 00:01"},
		{nil, "UTC", "2024-05-31 16:00", "2024-05-31 17:30", "2024-05-31 16:01"},
	}
	for _, c := range cases {
		t.Run(c.zone, func(t *testing.T) {
			html := renderIn(c.loc, inbox)
			mustContain(t, html, `<meta name="timezone" content="`+c.zone+`">`)
			times := timeElems(html)
			if got := times["2024-05-31T16:00:00Z"]; got != c.created {
				t.Errorf("inbox created shows %q, want %q (all: %v)", got, c.created, times)
			}
			if got := times["2024-05-31T17:30:00Z"]; got != c.due {
				t.Errorf("inbox due shows %q, want %q", got, c.due)
			}
			if got := timeElems(renderIn(c.loc, instances))["2024-05-31T16:01:00Z"]; got != c.started {
				t.Errorf("instances started shows %q, want %q", got, c.started)
			}
		})
	}
}
