package ui

import (
	"context"
	"strings"
	"testing"

	"github.com/a-h/templ"
)

// render renders c to a string, failing the test on an error.
func render(t *testing.T, c templ.Component) string {
	t.Helper()
	var b strings.Builder
	if err := c.Render(context.Background(), &b); err != nil {
		t.Fatalf("render: %v", err)
	}
	return b.String()
}

// mustContain fails unless html contains every one of wants.
func mustContain(t *testing.T, html string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(html, w) {
			t.Errorf("output lacks %q", w)
		}
	}
}

// mustNotContain fails if html contains any one of bad.
func mustNotContain(t *testing.T, html string, bad ...string) {
	t.Helper()
	for _, w := range bad {
		if strings.Contains(html, w) {
			t.Errorf("output unexpectedly has %q", w)
		}
	}
}

func page(lang Lang, role string) Page {
	p := Page{Catalog: testCat, Lang: lang, CSRF: "csrf-tok-123", Path: "/processes", Title: testCat.T(lang, "processes.title")}
	if role != "" {
		p.User = &PageUser{ID: "u_7", Name: "Alice", Role: role}
	}
	return p
}

func TestLoginPage(t *testing.T) {
	cases := []struct {
		lang  Lang
		wants []string
	}{
		{ZhCN, []string{`<html lang="zh-CN">`, "用户名", "密码", ">登录</button>", "登录 · flowcraft", "用户名或密码不正确。"}},
		{En, []string{`<html lang="en">`, "Username", "Password", ">Sign in</button>", "<title>Sign in · flowcraft</title>", "Incorrect username or password."}},
	}
	for _, c := range cases {
		t.Run(string(c.lang), func(t *testing.T) {
			d := LoginData{
				Page:     Page{Catalog: testCat, Lang: c.lang, CSRF: "csrf-tok-123", Path: "/login", Title: testCat.T(c.lang, "login.submit")},
				Error:    testCat.T(c.lang, "error.bad_credentials"),
				Next:     "/inbox?tab=todo",
				Username: `bob"><b>`,
			}
			html := render(t, LoginPage(d))
			mustContain(t, html, c.wants...)
			mustContain(t, html,
				`<form class="form" method="post" action="/login">`,
				`<input type="hidden" name="_csrf" value="csrf-tok-123">`,
				`<input type="hidden" name="next" value="/inbox?tab=todo">`,
				`name="username"`, `name="password"`, `type="password"`,
				`<meta name="csrf-token" content="csrf-tok-123">`,
				`value="bob&#34;&gt;&lt;b&gt;"`, // the user name is escaped
				`href="/lang?l=en&amp;next=%2Flogin%3Fnext%3D%252Finbox%253Ftab%253Dtodo"`,
				`href="/lang?l=zh-CN&amp;next=`,
				`class="alert alert-danger" role="alert"`,
				`/static/css/app.css`, `/static/img/logo.svg`,
			)
			mustNotContain(t, html, `<b>`, `action="/logout"`, `href="/admin"`)
		})
	}
	// Without an error there is no alert.
	html := render(t, LoginPage(LoginData{Page: Page{Catalog: testCat, Lang: En}}))
	mustNotContain(t, html, `role="alert"`)
}

func TestLayoutNav(t *testing.T) {
	for _, role := range []string{"admin", "designer", "user"} {
		t.Run(role, func(t *testing.T) {
			html := render(t, Layout(page(ZhCN, role)))
			mustContain(t, html,
				`href="/processes"`, `href="/instances"`, `href="/inbox"`,
				">流程</a>", ">实例</a>", ">待办</a>",
				`<a href="/processes" class="nav-link active" aria-current="page">`,
				`<title>流程 · flowcraft</title>`,
				`<meta name="csrf-token" content="csrf-tok-123">`,
				`<form method="post" action="/logout"><input type="hidden" name="_csrf" value="csrf-tok-123">`,
				`<form class="lang-switch" method="post" action="/lang"`,
				`<input type="hidden" name="next" value="/processes">`,
				`name="l" value="zh-CN"`, `name="l" value="en"`, ">中文</button>", ">English</button>",
				">Alice</span>", "退出登录",
			)
			isAdmin := strings.Contains(html, `href="/admin"`) && strings.Contains(html, ">管理</a>")
			if isAdmin != (role == "admin") {
				t.Errorf("admin nav shown=%v for role %s", isAdmin, role)
			}
		})
	}
	roles := map[string]string{"admin": "管理员", "designer": "设计者", "user": "用户"}
	for role, label := range roles {
		if html := render(t, Layout(page(ZhCN, role))); !strings.Contains(html, ">"+label+"</span>") {
			t.Errorf("role badge %q missing for %s", label, role)
		}
	}

	// Children, flash and the active item below a section.
	p := page(En, "user")
	p.Path = "/inbox/123"
	p.Flash = "Saved <ok>"
	ctx := templ.WithChildren(context.Background(), templ.Raw("<p id=child>hi</p>"))
	var b strings.Builder
	if err := Layout(p).Render(ctx, &b); err != nil {
		t.Fatal(err)
	}
	mustContain(t, b.String(), "<p id=child>hi</p>", "Saved &lt;ok&gt;",
		`<a href="/inbox" class="nav-link active" aria-current="page">Inbox</a>`, `>Sign out`)

	// No user: no nav, no user menu, a sign-in link.
	html := render(t, Layout(Page{Catalog: testCat, Lang: En, Path: "/x"}))
	mustNotContain(t, html, `class="nav"`, `action="/logout"`)
	mustContain(t, html, `href="/login"`, "<title>flowcraft</title>")
}

func sampleRows() []ProcessRow {
	return []ProcessRow{
		{ID: "p_1", Name: "采购审批", Description: "三级审批", Engine: "standard", TriggerApp: "manual", Enabled: true, Version: 3, Creator: "alice", UpdateAt: 1717171200000 + 15*60_000,
			Startable: true, Category: "采购", InputSchema: `{"type":"object"}`},
		{ID: "p_2", Name: `<script>alert(1)</script>`, Description: `<img src=x onerror=alert(2)>`, Engine: "fast", TriggerApp: "webhook", Enabled: false, Version: 1, UpdateAt: 1},
		{ID: "p 3/x", Name: "Nightly", Engine: "standard", TriggerApp: "cron-timer", Enabled: true, Version: 12},
	}
}

func TestProcessesPage(t *testing.T) {
	d := ProcessesData{Page: page(En, "designer"), Rows: sampleRows(), Total: 57, Query: "a&b", Offset: 20, Limit: 20, CanEdit: true}
	html := render(t, ProcessesPage(d))
	mustContain(t, html,
		`<h1 class="page-title">Processes <span class="count"`, ">57</span>",
		`<form class="search" method="get" action="/processes" role="search">`,
		`name="q" value="a&amp;b"`,
		`href="/processes/new"`, "New process", "Import JSON", `type="file"`, `data-action="import"`,
		`id="processes" data-page="processes"`,
		`href="/processes/p_1/design"`, ">采购审批</a>", "三级审批",
		`href="/processes/p%203%2Fx/design"`,
		`<code class="mono id">p_1</code>`,
		`class="badge badge-standard">Standard</span>`, `class="badge badge-fast">Fast</span>`,
		">Manual", ">Webhook", ">Schedule",
		">v3</span>", ">v12</span>",
		`class="pill pill-enabled">Enabled</span>`, `class="pill pill-disabled">Disabled</span>`,
		"2024-05-31 16:15", "1970-01-01 00:00", "by alice",
		`data-action="disable" data-id="p_1"`, `data-action="enable" data-id="p_2"`, `data-action="delete" data-id="p_1"`,
		`data-confirm="Delete the process “采购审批”? This cannot be undone."`,
		`<script id="i18n" type="application/json">`,
		"21–23 of 57",
		`href="/processes?q=a%26b" rel="prev"`,
		`href="/processes?offset=40&amp;q=a%26b" rel="next"`,
	)
	// HTML in user data is escaped, in text and in attributes.
	mustContain(t, html, "&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(2)&gt;")
	mustNotContain(t, html, "<script>alert", "<img src=x")
	if n := strings.Count(html, "<script"); n != 2 { // app.js (which starts processes.js) and the messages
		t.Errorf("found %d <script> tags, want 2", n)
	}

	// zh-CN labels and range.
	d.Page = page(ZhCN, "admin")
	html = render(t, ProcessesPage(d))
	mustContain(t, html, "第 21–23 条，共 57 条", ">标准</span>", ">手动", ">定时", ">已启用</span>", ">已停用</span>", "新建流程", "导入 JSON", "上一页", "下一页")

	// Users see no edit actions and no designer links; they start what they may,
	// with the input schema on the button (they may not read the definition).
	d.Page, d.CanEdit = page(En, "user"), false
	html = render(t, ProcessesPage(d))
	mustContain(t, html, `<span class="row-title">采购审批</span>`, `data-action="start" data-id="p_1"`,
		`data-schema="{&#34;type&#34;:&#34;object&#34;}"`, `id="start-dialog"`, `data-start-key`, `data-category>采购</span>`)
	mustNotContain(t, html, `data-action="start" data-id="p 3/x"`, `data-action="versions"`, `data-action="disable"`, `data-action="delete"`,
		`href="/processes/p_1/design"`, `href="/processes/new"`, `type="file"`, ">Delete<", ">Disable<", `id="versions-dialog"`)
	// Nothing to start: no actions column, no start dialog.
	d.Rows = sampleRows()[1:]
	html = render(t, ProcessesPage(d))
	mustNotContain(t, html, `data-action=`, `id="start-dialog"`)
}

func TestProcessesPager(t *testing.T) {
	rows := make([]ProcessRow, 20)
	for i := range rows {
		rows[i] = ProcessRow{ID: "p", Name: "n"}
	}
	// First page: no previous link, next keeps the page size.
	html := render(t, ProcessesPage(ProcessesData{Page: page(En, "user"), Rows: rows, Total: 57, Limit: 10}))
	mustContain(t, html, "1–20 of 57", `<span class="btn btn-secondary btn-sm disabled" aria-disabled="true">`, `href="/processes?limit=10&amp;offset=10" rel="next"`)
	mustNotContain(t, html, `rel="prev"`)
	// Last page: no next link; previous goes back one page.
	html = render(t, ProcessesPage(ProcessesData{Page: page(En, "user"), Rows: rows[:17], Total: 57, Offset: 40, Limit: 20}))
	mustContain(t, html, "41–57 of 57", `href="/processes?offset=20" rel="prev"`)
	mustNotContain(t, html, `rel="next"`)
	// Back to the first page drops the offset.
	html = render(t, ProcessesPage(ProcessesData{Page: page(En, "user"), Rows: rows, Total: 57, Offset: 20}))
	mustContain(t, html, `href="/processes" rel="prev"`, `href="/processes?offset=40" rel="next"`)
}

func TestProcessesEmpty(t *testing.T) {
	html := render(t, ProcessesPage(ProcessesData{Page: page(En, "designer"), CanEdit: true}))
	mustContain(t, html, `class="empty"`, "No processes yet", "Import JSON")
	mustNotContain(t, html, `<table class="table">`, `class="pager"`) // the list table (the versions dialog has its own)

	html = render(t, ProcessesPage(ProcessesData{Page: page(ZhCN, "designer"), CanEdit: true}))
	mustContain(t, html, "还没有流程", "导入 JSON")

	html = render(t, ProcessesPage(ProcessesData{Page: page(En, "user")}))
	mustContain(t, html, "No processes yet", "Ask a designer")

	html = render(t, ProcessesPage(ProcessesData{Page: page(En, "user"), Query: "<x>"}))
	mustContain(t, html, "No processes match “&lt;x&gt;”", "Clear search")
}

func TestErrorPage(t *testing.T) {
	html := render(t, ErrorPage(page(En, "user"), 409, "in use <by> 2 instances"))
	mustContain(t, html, ">409</div>", ">Conflict</h1>", "in use &lt;by&gt; 2 instances", "<title>Processes · flowcraft</title>")

	html = render(t, NotFoundPage(Page{Catalog: testCat, Lang: ZhCN, Path: "/nope"}))
	mustContain(t, html, ">404</div>", "页面不存在", "<title>页面不存在 · flowcraft</title>", "您访问的页面不存在")

	html = render(t, ErrorPage(Page{Catalog: testCat, Lang: En}, 500, ""))
	mustContain(t, html, "Something went wrong", "An unexpected error occurred")
}

func TestPickLang(t *testing.T) {
	cases := []struct {
		cookie, accept string
		want           Lang
	}{
		{"en", "zh-CN,zh;q=0.9", En},
		{"zh-CN", "en-US,en;q=0.9", ZhCN},
		{"EN", "", En},
		{"de", "en-US", En}, // an unknown cookie is ignored
		{"", "zh-CN,zh;q=0.9,en;q=0.8", ZhCN},
		{"", "en-US,en;q=0.9", En},
		{"", "fr", En},
		{"", "", ZhCN},
		{"", "  ", ZhCN},
		{"", "en;q=0.1, zh;q=0.9", ZhCN},
		{"", "zh-TW", ZhCN},
		{"", "zh-Hant-HK;q=0.8, en;q=0.5", ZhCN},
		{"", "fr-FR, en;q=0.4, zh;q=0.3", En},
		{"", "fr-FR, zh;q=0.5", ZhCN},
		{"", "zh;q=0, en", En},
		{"", "EN-gb", En},
		{"", "english", En},
		{"", "*", En},
	}
	for _, c := range cases {
		if got := PickLang(c.cookie, c.accept); got != c.want {
			t.Errorf("PickLang(%q, %q) = %q, want %q", c.cookie, c.accept, got, c.want)
		}
	}
}

func BenchmarkProcessesPage(b *testing.B) {
	rows := make([]ProcessRow, 20)
	for i := range rows {
		rows[i] = sampleRows()[i%3]
	}
	d := ProcessesData{Page: page(ZhCN, "admin"), Rows: rows, Total: 57, CanEdit: true}
	for b.Loop() {
		var sb strings.Builder
		_ = ProcessesPage(d).Render(context.Background(), &sb)
	}
}
