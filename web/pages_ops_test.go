package web_test

import (
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

func TestNavAndScripts(t *testing.T) {
	e := newTestEnv(t)
	lisi := e.signIn(t, "lisi")
	for _, path := range []string{"/instances", "/inbox", "/processes"} {
		_, body := e.page(t, path, lisi, "en")
		// app.js (with the inbox badge; it starts the page's own script): no other script tags.
		if n := len(regexp.MustCompile(`<script type="module"`).FindAllString(body, -1)); n != 1 {
			t.Errorf("%s has %d module scripts", path, n)
		}
		mustHave(t, path, body, `/static/js/app.js`, `href="/inbox"`)
	}
}
