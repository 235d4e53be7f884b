package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"flowcraft/engine"
)

// TestBrowserWorkerAccount: an admin creates a worker account in the users dialog
// (role Worker, its hint shown), then an API token for it on the tokens tab; the
// token is the worker's and is confined to the worker APIs. In both languages.
func TestBrowserWorkerAccount(t *testing.T) {
	for _, lang := range []string{"en", "zh-CN"} {
		t.Run(lang, func(t *testing.T) {
			b := newBrowser(t, "admin")
			id := "billing-" + strings.ToLower(strings.ReplaceAll(lang, "-", ""))
			b.setLang(lang, "/admin")
			b.waitReady("the users tab", "admin")
			b.click(`[data-action="new-user"]`)
			b.wait("the user dialog", `document.getElementById("user-dialog").open`)
			b.do("fill the user", chromedp.SendKeys(chromedp.CSS("#user-id"), id), chromedp.SendKeys(chromedp.CSS("#user-name"), "Billing worker"),
				chromedp.SendKeys(chromedp.CSS("#user-password"), "secret-pass-1"))
			b.setValue("#user-role", "worker")
			b.wait("the worker hint", `!!document.querySelector('[data-testid="role-worker-hint"]')?.offsetParent`)
			b.shotWidths("new-worker")
			b.click(`#user-dialog button[type="submit"]`)
			b.wait("the worker listed", `!!document.querySelector('#admin tr[data-id="`+id+`"] .badge-role-worker')`)
			b.waitReady("the reloaded users tab", "admin")
			b.shotWidths("users")
			u, err := b.env.identity.GetUser(context.Background(), id)
			if err != nil || u.Role != engine.RoleWorker {
				t.Fatalf("created: %+v %v", u, err)
			}

			b.open("/admin?tab=tokens&user=" + id)
			b.waitReady("the tokens tab", "admin")
			b.click(`[data-action="new-token"]`)
			b.wait("the token dialog", `document.getElementById("token-dialog").open`)
			b.do("name the token", chromedp.SendKeys(chromedp.CSS("#token-name"), "worker-7"))
			b.click("[data-token-submit]")
			b.wait("the secret shown once", `/^fc_/.test(document.querySelector("[data-token-secret]").textContent)`)
			var secret string
			b.eval(`document.querySelector("[data-token-secret]").textContent`, &secret)
			if w, err := b.env.identity.CheckToken(context.Background(), secret); err != nil || w.ID != id {
				t.Fatalf("the token's user: %+v %v", w, err)
			}
			if r := b.env.call(t, "GET", "/api/me", "Bearer "+secret, nil); r.Status != http.StatusForbidden || r.json(t)["code"] != string(engine.CodeWorkerOnly) {
				t.Errorf("the worker's token on the native API: %d %s", r.Status, r.Body)
			}
		})
	}
}
