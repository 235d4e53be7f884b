package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"flowcraft/web"
)

// form posts an urlencoded form with the given cookies and returns the reply.
func (e *testEnv) form(t *testing.T, path string, values url.Values, cookies ...string) reply {
	t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(values.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if len(cookies) > 0 {
		req.Header.Set("Cookie", strings.Join(cookies, "; "))
	}
	resp, err := e.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// cookie returns "name=value" of a Set-Cookie header of r.
func cookie(r reply, name string) string {
	for _, c := range r.Header.Values("Set-Cookie") {
		if strings.HasPrefix(c, name+"=") {
			return strings.SplitN(c, ";", 2)[0]
		}
	}
	return ""
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// signIn goes through the login page as a browser would and returns the session cookie.
func (e *testEnv) signIn(t *testing.T, user string) string {
	t.Helper()
	page := e.call(t, "GET", "/login?next=/processes", "", nil)
	m := csrfInput.FindSubmatch(page.Body)
	if page.Status != 200 || m == nil {
		t.Fatalf("login page: %d %s", page.Status, page.Body)
	}
	r := e.form(t, "/login", url.Values{"username": {user}, "password": {testPassword}, "next": {"/processes"}, "_csrf": {string(m[1])}},
		cookie(page, "flowcraft_login_csrf"))
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/processes" {
		t.Fatalf("login submit: %d %s %s", r.Status, r.Header.Get("Location"), r.Body)
	}
	return cookie(r, "flowcraft_session")
}

func TestLoginPageFlow(t *testing.T) {
	e := newTestEnv(t)
	if r := e.call(t, "GET", "/", "", nil); r.Status != http.StatusFound || r.Header.Get("Location") != "/processes" {
		t.Fatalf("/: %d %s", r.Status, r.Header.Get("Location"))
	}
	if r := e.call(t, "GET", "/processes", "", nil); r.Status != http.StatusFound || r.Header.Get("Location") != "/login?next=%2Fprocesses" {
		t.Fatalf("/processes signed out: %d %s", r.Status, r.Header.Get("Location"))
	}
	page := e.call(t, "GET", "/login", "", nil, "Accept-Language", "en-US,en;q=0.9")
	if !strings.Contains(string(page.Body), "Sign in") {
		t.Errorf("English login page: %s", page.Body)
	}
	token := string(csrfInput.FindSubmatch(page.Body)[1])
	csrfCookie := cookie(page, "flowcraft_login_csrf")

	cases := []struct {
		name    string
		values  url.Values
		cookies []string
		status  int
		text    string
	}{
		{"no csrf cookie", url.Values{"username": {"dora"}, "password": {testPassword}, "_csrf": {token}}, nil, 403, "表单已过期"},
		{"wrong csrf", url.Values{"username": {"dora"}, "password": {testPassword}, "_csrf": {"x"}}, []string{csrfCookie}, 403, "表单已过期"},
		{"wrong password", url.Values{"username": {"dora"}, "password": {"nope"}, "_csrf": {token}}, []string{csrfCookie, "flowcraft_lang=en"}, 401, "Incorrect username or password"},
		{"wrong password zh", url.Values{"username": {"dora"}, "password": {"nope"}, "_csrf": {token}}, []string{csrfCookie, "flowcraft_lang=zh-CN"}, 401, "用户名或密码不正确"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.form(t, "/login", tc.values, tc.cookies...)
			if r.Status != tc.status || !strings.Contains(string(r.Body), tc.text) {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
		})
	}
	// An open redirect is refused: next must stay on this site.
	r := e.form(t, "/login", url.Values{"username": {"dora"}, "password": {testPassword}, "_csrf": {token}, "next": {"//evil.example/x"}}, csrfCookie)
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/processes" {
		t.Fatalf("open redirect: %d %s", r.Status, r.Header.Get("Location"))
	}
}

func TestProcessesPage(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProcess(t, minimal("<b>Leave</b> approval"))
	session := e.signIn(t, "dora")
	r := e.call(t, "GET", "/processes", "", nil, "Cookie", session+"; flowcraft_lang=en")
	body := string(r.Body)
	if r.Status != 200 || !strings.Contains(body, "&lt;b&gt;Leave&lt;/b&gt; approval") || strings.Contains(body, "<b>Leave") {
		t.Fatalf("processes page: %d %s", r.Status, body)
	}
	if !strings.Contains(body, `name="csrf-token"`) || !strings.Contains(body, "Import") {
		t.Errorf("designer sees no import or csrf meta")
	}
	// A plain user sees the processes they may start, with a start button and
	// without edit actions; not those whose candidate starters leave them out.
	lisi := e.signIn(t, "lisi")
	r = e.call(t, "GET", "/processes", "", nil, "Cookie", lisi+"; flowcraft_lang=en")
	body = string(r.Body)
	if r.Status != 200 || !strings.Contains(body, "Leave") || !strings.Contains(body, `data-action="start" data-id="`+pid+`"`) ||
		strings.Contains(body, `data-action="delete"`) || strings.Contains(body, "/design") {
		t.Fatalf("user's processes page: %d %s", r.Status, body)
	}
	if r := e.call(t, "POST", "/api/process/"+pid+"/starters", "dora", map[string]any{"userId": "bob"}); r.Status != http.StatusCreated {
		t.Fatalf("add a starter: %d %s", r.Status, r.Body)
	}
	r = e.call(t, "GET", "/processes", "", nil, "Cookie", lisi+"; flowcraft_lang=en")
	if body = string(r.Body); r.Status != 200 || strings.Contains(body, "Leave") || !strings.Contains(body, "no process you may start") {
		t.Errorf("user's processes page, the process listing only bob: %d %s", r.Status, body)
	}
	// The designer still lists it, without a start button (not a candidate starter).
	r = e.call(t, "GET", "/processes", "", nil, "Cookie", session+"; flowcraft_lang=en")
	if body = string(r.Body); !strings.Contains(body, "Leave") || strings.Contains(body, `data-action="start"`) {
		t.Errorf("designer's processes page, the process listing only bob: %s", body)
	}
	// Search narrows the list.
	r = e.call(t, "GET", "/processes?q=nothing-like-this", "", nil, "Cookie", session)
	if strings.Contains(string(r.Body), "Leave") {
		t.Errorf("search did not filter")
	}
}

func TestLanguageSwitchAndLogout(t *testing.T) {
	e := newTestEnv(t)
	session := e.signIn(t, "dora")
	r := e.call(t, "GET", "/lang?l=en&next=/processes", "", nil, "Cookie", session)
	if r.Status != http.StatusSeeOther || cookie(r, "flowcraft_lang") != "flowcraft_lang=en" {
		t.Fatalf("lang: %d %v", r.Status, r.Header.Values("Set-Cookie"))
	}
	if r := e.call(t, "GET", "/lang?l=fr", "", nil); r.Status != 400 {
		t.Errorf("unknown language: %d", r.Status)
	}
	page := e.call(t, "GET", "/processes", "", nil, "Cookie", session)
	m := csrfInput.FindSubmatch(page.Body)
	if m == nil {
		t.Fatalf("no csrf in layout: %s", page.Body)
	}
	if r := e.form(t, "/logout", url.Values{"_csrf": {"wrong"}}, session); r.Status != 403 {
		t.Fatalf("logout with wrong csrf: %d", r.Status)
	}
	if r := e.form(t, "/logout", url.Values{"_csrf": {string(m[1])}}, session); r.Status != http.StatusSeeOther {
		t.Fatalf("logout: %d", r.Status)
	}
	if r := e.call(t, "GET", "/processes", "", nil, "Cookie", session); r.Status != http.StatusFound {
		t.Fatalf("still signed in after logout: %d", r.Status)
	}
}

func TestStaticAndErrorPages(t *testing.T) {
	e := newTestEnv(t)
	static := fstest.MapFS{"css/app.css": {Data: []byte("body{}")}}
	e.app = web.New(web.Config{}, depsWithStatic(t, e, static))
	if r := e.call(t, "GET", "/static/css/app.css", "", nil); r.Status != 200 || string(r.Body) != "body{}" {
		t.Fatalf("static: %d %s", r.Status, r.Body)
	}
	r := e.call(t, "GET", "/no-such-page", "", nil, "Accept-Language", "en")
	if r.Status != 404 || !strings.Contains(r.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("404 page: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
}

func TestDesignerPages(t *testing.T) {
	e := newTestEnv(t)
	id := e.createProcess(t, minimal("<i>Designed</i>"))
	dora := e.signIn(t, "dora")

	// An existing process: its definition and the templates are in the page.
	r := e.call(t, "GET", "/processes/"+id+"/design", "", nil, "Cookie", dora+"; flowcraft_lang=en")
	body := string(r.Body)
	if r.Status != http.StatusOK {
		t.Fatalf("design page: %d %s", r.Status, body)
	}
	for _, want := range []string{
		`id="designer" data-page="designer" data-process-id="` + id + `"`,
		`<title>&lt;i&gt;Designed&lt;/i&gt; · flowcraft</title>`,
		`<meta name="csrf-token" content="`,
		`<script id="designer-definition" type="application/json">{"id":"` + id + `"`,
		`"instId":"task-code0001"`,
		`<script id="designer-templates" type="application/json">[{"id":"manual","kind":"trigger"`,
		`"id":"exclusive-gateway"`,
		`<script id="i18n" type="application/json">`, `"designer.save":`,
		`data-page="designer"`,
		`class="main main-full"`,
		`aria-label="Designer tools"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("design page lacks %q", want)
		}
	}
	if m := regexp.MustCompile(`<meta name="csrf-token" content="([^"]*)"`).FindStringSubmatch(body); m == nil || m[1] == "" {
		t.Errorf("design page has an empty CSRF token")
	}

	// A new process: no definition; zh-CN by Accept-Language.
	r = e.call(t, "GET", "/processes/new", "", nil, "Cookie", dora, "Accept-Language", "zh-CN,zh;q=0.9")
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `data-process-id=""`) ||
		!strings.Contains(string(r.Body), `<script id="designer-definition" type="application/json">null`) ||
		!strings.Contains(string(r.Body), "<title>新建流程 · flowcraft</title>") {
		t.Fatalf("new process page: %d %s", r.Status, r.Body)
	}

	// An unknown process is a 404 page, a plain user gets a 403 page, no session goes to the login.
	if r := e.call(t, "GET", "/processes/proc-nothere1/design", "", nil, "Cookie", dora); r.Status != http.StatusNotFound ||
		!strings.Contains(r.Header.Get("Content-Type"), "text/html") {
		t.Errorf("unknown process: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	lisi := e.signIn(t, "lisi")
	for _, path := range []string{"/processes/new", "/processes/" + id + "/design"} {
		r := e.call(t, "GET", path, "", nil, "Cookie", lisi+"; flowcraft_lang=en")
		if r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), "Access denied") || strings.Contains(string(r.Body), "designer-definition") {
			t.Errorf("%s as a plain user: %d", path, r.Status)
		}
		r = e.call(t, "GET", path, "", nil)
		if r.Status != http.StatusFound || !strings.HasPrefix(r.Header.Get("Location"), "/login?next=") {
			t.Errorf("%s signed out: %d %s", path, r.Status, r.Header.Get("Location"))
		}
	}

	// The processes page links to the designer and offers start and versions.
	r = e.call(t, "GET", "/processes", "", nil, "Cookie", dora+"; flowcraft_lang=en")
	for _, want := range []string{`href="/processes/new"`, `href="/processes/` + id + `/design"`, `data-action="start" data-id="` + id + `"`, `data-action="versions"`, `id="start-dialog"`} {
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("processes page lacks %q", want)
		}
	}
}
