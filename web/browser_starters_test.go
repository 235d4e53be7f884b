package web_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserUserStartsWithBusinessKey: a user (no designer role, who may not read
// definitions) sees on the processes page the process a group of theirs may start,
// opens its start form (built from the button's data-schema), gives a business key
// and starts it; the instances list shows the key and finds the instance by it. A
// process whose candidate starters leave the user out is not listed.
func TestBrowserUserStartsWithBusinessKey(t *testing.T) {
	b := newBrowser(t, "")
	e := b.env
	id := e.createProcess(t, example(t, "leave-approval.json"))
	hidden := e.createProcess(t, minimal("Not for lisi"))
	for _, step := range []struct{ path, body string }{
		{"/api/groups", `{"id":"hr","name":"HR"}`},
		{"/api/groups/hr/members", `{"userId":"lisi"}`},
	} {
		if r := e.call(t, "POST", step.path, "admin", step.body); r.Status/100 != 2 {
			t.Fatalf("%s: %d %s", step.path, r.Status, r.Body)
		}
	}
	for pid, body := range map[string]string{id: `{"groupId":"hr"}`, hidden: `{"userId":"dora"}`} {
		if r := e.call(t, "POST", "/api/process/"+pid+"/starters", "dora", body); r.Status != http.StatusCreated {
			t.Fatalf("starters of %s: %d %s", pid, r.Status, r.Body)
		}
	}
	b.login("lisi")
	b.setLang("en", "/processes")
	b.waitReady("the processes page", "processes")
	var ids []string
	b.eval(`[...document.querySelectorAll("#processes tr[data-id]")].map((r) => r.dataset.id)`, &ids)
	if strings.Join(ids, ",") != id {
		t.Fatalf("lisi's processes: %v, want only %s", ids, id)
	}
	b.click(fmt.Sprintf(`button[data-action="start"][data-id=%q]`, id))
	b.wait("the start form", `!!document.querySelector("#start-applicant")`)
	b.do("fill the start form",
		chromedp.SendKeys(chromedp.CSS("#start-business-key"), "LV-2026-0042"),
		chromedp.SendKeys(chromedp.CSS("#start-applicant"), "李四"),
		chromedp.SendKeys(chromedp.CSS("#start-days"), "2"),
		chromedp.SendKeys(chromedp.CSS("#start-reason"), "家事"),
	)
	b.shot("start-form")
	b.click("[data-start-submit]")
	b.wait("the started instance", `!document.querySelector("[data-start-result]").hidden`)
	var href string
	b.eval(`document.querySelector("[data-start-link]").getAttribute("href")`, &href)
	if !regexp.MustCompile(`^/instances/\d+$`).MatchString(href) {
		t.Fatalf("instance link %q", href)
	}
	inst := e.call(t, "GET", "/api/processInst/"+strings.TrimPrefix(href, "/instances/"), "lisi", nil).json(t)
	if inst["businessKey"] != "LV-2026-0042" || inst["executor"] != "lisi" {
		t.Errorf("started: businessKey %v, executor %v", inst["businessKey"], inst["executor"])
	}
	b.open("/instances?businessKey=0042")
	b.wait("the instance found by its key", `[...document.querySelectorAll("[data-business-key]")].some((x) => x.textContent.includes("LV-2026-0042"))`)
	b.shot("instances")
}
