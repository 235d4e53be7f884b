package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// englishWords finds what an untranslated server message leaves in a Chinese
// page: a run of English words ("This is required", "must have", "version 1").
var englishWords = regexp.MustCompile(`[A-Za-z]{3,}(\s+[A-Za-z]{2,})+`)

// TestBrowserChineseErrors: in the 中文 UI the validation, conflict and identity
// errors the server answers are shown in Chinese, from their codes and params,
// on the field they concern; no English server message reaches the page.
func TestBrowserChineseErrors(t *testing.T) {
	b := newBrowser(t, "admin")
	b.setLang("zh-CN", "/processes")
	id := b.env.createProcess(t, minimal("中文错误"))
	b.openDesigner("/processes/" + id + "/design")

	noEnglish := func(what, text string) {
		t.Helper()
		if strings.TrimSpace(text) == "" {
			t.Errorf("%s: nothing shown", what)
		}
		if m := englishWords.FindString(text); m != "" {
			t.Errorf("%s shows English %q: %q", what, m, text)
		}
	}

	// Validation: the script's required code emptied.
	b.click(`[data-task-id="task-code0001"] .node-body`)
	b.wait("the code field", `!!document.querySelector(".panel .codefield-input")`)
	b.typeInto(".panel .codefield-input", "")
	b.click(`[data-cmd="save"]`)
	b.wait("the invalid node", `document.querySelector('[data-task-id="task-code0001"]').classList.contains("invalid")`)
	b.wait("the code check settled", `!["pending", "running"].includes(document.querySelector('.panel [data-field="parameters.code"] .codefield')?.dataset.check)`)
	var field, bar string
	b.eval(`document.querySelector('.panel [data-field="parameters.code"] .codefield-problems')?.innerText || ""`, &field)
	b.eval(`document.querySelector("[data-problems]").innerText`, &bar)
	if !strings.Contains(field, "此项为必填项") {
		t.Errorf("the code field says %q, want 此项为必填项", field)
	}
	noEnglish("the code field", field)
	if strings.Contains(bar, "parameters.") {
		t.Errorf("the problems bar shows an internal path: %q", bar)
	}
	b.shot("validation")

	// Conflict: someone else saved meanwhile.
	b.typeInto(".panel .codefield-input", "return {ok: 2}")
	def := b.env.definition(t, id)
	def["name"] = "别处改名"
	if r := b.env.call(t, "PUT", "/api/process/"+id, "admin", def); r.Status != http.StatusOK {
		t.Fatalf("concurrent save: %d %s", r.Status, r.Body)
	}
	b.click(`[data-cmd="save"]`)
	b.wait("the conflict dialog", `document.querySelector('dialog[data-dialog="conflict"]')?.open === true`)
	var conflict string
	b.eval(`document.querySelector('dialog[data-dialog="conflict"]').innerText`, &conflict)
	if !strings.Contains(conflict, "其他人已保存了此流程") {
		t.Errorf("the conflict dialog says %q", conflict)
	}
	noEnglish("the conflict dialog", conflict)
	b.shot("conflict")
	b.click(`[data-conflict-action="reload"]`)
	b.wait("the reloaded designer", `document.getElementById("designer")?.dataset.ready === "true" && document.querySelector("[data-version]").textContent === "v2"`)

	// Identity: a new user with a bad id and a password that is too short.
	b.open("/admin")
	b.waitReady("the users tab", "admin")
	b.click(`[data-action="new-user"]`)
	b.wait("the user dialog", `document.getElementById("user-dialog").open`)
	b.do("fill the user", chromedp.SendKeys(chromedp.CSS("#user-id"), "bad id!"), chromedp.SendKeys(chromedp.CSS("#user-password"), "x"))
	b.click(`#user-dialog button[type="submit"]`)
	b.wait("the refused user", `!!document.querySelector("#user-dialog .has-problem, [data-alert]:not([hidden])")`)
	var dialog string
	b.eval(`[...document.querySelectorAll("#user-dialog .field-problems, [data-alert]:not([hidden])")].map(e => e.innerText).join("\n")`, &dialog)
	noEnglish("the user dialog", dialog)
	b.shot("identity")
	if r := b.env.call(t, "GET", "/api/users/bad%20id!", "admin", nil); r.Status != http.StatusNotFound && r.Status != http.StatusBadRequest {
		t.Errorf("the refused user exists: %d %s", r.Status, r.Body)
	}
}
