package web_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"flowcraft/web"
)

// checkSecurityHeaders asserts the headers every answer carries, with csp as the
// Content-Security-Policy.
func checkSecurityHeaders(t *testing.T, what string, r reply, csp string) {
	t.Helper()
	for k, want := range map[string]string{
		"Content-Security-Policy": csp,
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Referrer-Policy":         "same-origin",
	} {
		if got := r.Header.Values(k); len(got) != 1 || got[0] != want {
			t.Errorf("%s: %s = %q, want %q", what, k, got, want)
		}
	}
}

const (
	wantPageCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	wantAPICSP  = "default-src 'none'; frame-ancestors 'none'"
	wantHookCSP = "sandbox; default-src 'none'; frame-ancestors 'none'"
)

var (
	scriptTag   = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`)
	inlineEvent = regexp.MustCompile(`(?i)<[^>]+\son[a-z]+\s*=`)
	styleAttr   = regexp.MustCompile(`(?i)<[^>]+\sstyle\s*=|<style\b`)
)

// TestSecurityHeaders: pages, API answers, errors, static files and webhook answers
// carry a CSP, nosniff, no framing and a same-origin referrer; and no page needs
// what its CSP forbids (inline script, event handler attributes, inline style).
func TestSecurityHeaders(t *testing.T) {
	e := newTestEnv(t)
	sess := e.signIn(t, "admin")
	pid := e.createProcess(t, minimal("headers"))
	for _, path := range []string{"/login", "/processes", "/processes/new", "/processes/" + pid + "/design", "/instances", "/inbox", "/admin", "/nowhere"} {
		r := e.call(t, "GET", path, "", nil, "Cookie", sess)
		if r.Status != http.StatusOK && path != "/nowhere" {
			t.Fatalf("%s: %d %.300s", path, r.Status, r.Body)
		}
		checkSecurityHeaders(t, path, r, wantPageCSP)
		for _, m := range scriptTag.FindAllSubmatch(r.Body, -1) {
			attrs, content := string(m[1]), strings.TrimSpace(string(m[2]))
			json := strings.Contains(attrs, `type="application/json"`)
			if !json && (content != "" || !strings.Contains(attrs, "src=")) {
				t.Errorf("%s: inline script the CSP would block: %.200s", path, m[0])
			}
		}
		if m := inlineEvent.Find(r.Body); m != nil {
			t.Errorf("%s: event handler attribute the CSP would block: %.200s", path, m)
		}
		if m := styleAttr.Find(r.Body); m != nil {
			t.Errorf("%s: inline style the CSP would block: %.200s", path, m)
		}
	}
	checkSecurityHeaders(t, "API answer", e.call(t, "GET", "/api/me", "lisi", nil), wantAPICSP)
	checkSecurityHeaders(t, "API error", e.call(t, "GET", "/api/process/nope", "dora", nil), wantAPICSP)
	checkSecurityHeaders(t, "API 401", e.call(t, "GET", "/api/me", "", nil), wantAPICSP)
	checkSecurityHeaders(t, "413", e.call(t, "POST", "/api/login", "", gzipBomb(t, 8), "Content-Encoding", "gzip"), wantAPICSP)

	hook := e.createProcess(t, hookDef(nil, nil, nil))
	checkSecurityHeaders(t, "hook answer", e.call(t, "POST", "/api/hooks/"+e.hookToken(t, hook), "", `{}`), wantHookCSP)
	checkSecurityHeaders(t, "hook answer, other case", e.call(t, "POST", "/API/Hooks/"+e.hookToken(t, hook), "", `{}`), wantHookCSP)
	checkSecurityHeaders(t, "unknown hook", e.call(t, "POST", "/api/hooks/"+strings.Repeat("0", 64), "", `{}`), wantHookCSP)

	static := web.New(web.Config{}, depsWithStatic(t, e, fstest.MapFS{"js/app.js": {Data: []byte("export {};")}}))
	resp, err := static.Test(httptest.NewRequest("GET", "/static/js/app.js", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	checkSecurityHeaders(t, "static file", reply{Status: resp.StatusCode, Header: resp.Header}, wantPageCSP)
}

// TestWebhookReplyIsInert: an end task cannot make a webhook answer set cookies,
// loosen the security headers, open CORS, redirect outside a 3xx, or be HTML, SVG,
// XML or script on the app's origin.
func TestWebhookReplyIsInert(t *testing.T) {
	e := newTestEnv(t)
	hostile := map[string]any{
		"Set-Cookie":                       "flowcraft_session=stolen; Path=/",
		"Content-Type":                     "text/html; charset=utf-8",
		"Content-Security-Policy":          "default-src *",
		"X-Frame-Options":                  "ALLOWALL",
		"X-Content-Type-Options":           "sniff",
		"Access-Control-Allow-Origin":      "https://evil.example",
		"Access-Control-Allow-Credentials": "true",
		"Strict-Transport-Security":        "max-age=63072000; includeSubDomains",
		"Clear-Site-Data":                  `"cookies"`,
		"Location":                         "https://evil.example/",
		"Refresh":                          "0; url=https://evil.example/",
		"WWW-Authenticate":                 `Basic realm="log in again"`,
		"X-Order":                          "A-1",
	}
	pid := e.createProcess(t, hookDef(map[string]any{"respond": "onFinish"}, nil, map[string]any{
		"output": "<script>fetch('/api/users', {method: 'POST'})</script>", "headers": hostile}))
	r := e.call(t, "POST", "/api/hooks/"+e.hookToken(t, pid), "", `{}`)
	if r.Status != http.StatusOK || string(r.Body) != "<script>fetch('/api/users', {method: 'POST'})</script>" {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	checkSecurityHeaders(t, "hostile reply", r, wantHookCSP)
	if ct := r.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("Content-Type %q, want text/plain", ct)
	}
	for _, k := range []string{"Set-Cookie", "Access-Control-Allow-Origin", "Access-Control-Allow-Credentials",
		"Strict-Transport-Security", "Clear-Site-Data", "Location", "Refresh", "WWW-Authenticate"} {
		if v := r.Header.Values(k); len(v) > 0 {
			t.Errorf("the end task set %s: %q", k, v)
		}
	}
	if r.Header.Get("X-Order") != "A-1" {
		t.Errorf("a harmless header was dropped: X-Order %q", r.Header.Get("X-Order"))
	}

	for _, tc := range []struct {
		status     int
		ct, want   string
		output     any
		location   string
		wantLocate bool
	}{
		{200, "image/svg+xml", "text/plain; charset=utf-8", "<svg onload=alert(1)/>", "", false},
		{200, "application/xml", "text/plain; charset=utf-8", "<ok/>", "", false},
		{200, "application/xhtml+xml", "text/plain; charset=utf-8", "<html/>", "", false},
		{200, "text/javascript", "text/plain; charset=utf-8", "alert(1)", "", false},
		{200, "application/pdf", "text/plain; charset=utf-8", "%PDF-1.7", "", false},
		{200, "text/html;;", "text/plain; charset=utf-8", "<b>x</b>", "", false},
		{200, "text/csv", "text/csv; charset=utf-8", "a,b\n1,2\n", "", false},
		{200, "text/plain; charset=utf-7", "text/plain; charset=utf-8", "plain", "", false},
		{200, "application/problem+json", "application/problem+json", `{"title":"x"}`, "", false},
		{201, "", "application/json", map[string]any{"ok": true}, "", false},
		{200, "text/html", "text/plain; charset=utf-8", map[string]any{"ok": true}, "", false}, // JSON bytes, inert type
		{302, "", "application/json", "moved", "https://example.com/thanks", true},
	} {
		headers := map[string]any{}
		if tc.ct != "" {
			headers["Content-Type"] = tc.ct
		}
		if tc.location != "" {
			headers["Location"] = tc.location
		}
		pid := e.createProcess(t, hookDef(map[string]any{"respond": "onFinish"}, nil, map[string]any{
			"statusCode": tc.status, "output": tc.output, "headers": headers}))
		r := e.call(t, "POST", "/api/hooks/"+e.hookToken(t, pid), "", `{}`)
		if r.Status != tc.status || r.Header.Get("Content-Type") != tc.want {
			t.Errorf("%q: %d %q, want %d %q", tc.ct, r.Status, r.Header.Get("Content-Type"), tc.status, tc.want)
		}
		if got := r.Header.Get("Location"); (got != "") != tc.wantLocate {
			t.Errorf("%q: Location %q", tc.ct, got)
		}
		checkSecurityHeaders(t, tc.ct, r, wantHookCSP)
	}
}
