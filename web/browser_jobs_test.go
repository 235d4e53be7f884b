package web_test

import (
	"database/sql"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserAdminJobs: the admin page's jobs tab shows the job table by queue (a
// scheduled timer and a dead job, in en and zh-CN, at 1280 and 390 px), runs a timer
// now (its instance ends) and deletes the dead job.
func TestBrowserAdminJobs(t *testing.T) {
	b := newBrowser(t, "admin")
	e := b.env
	pid := e.createProcess(t, waitingDef("jobs page"))
	timer, dead := e.startAs(t, "dora", pid, map[string]any{}), e.startAs(t, "dora", pid, map[string]any{})
	var timerJob, deadJob string
	for _, p := range []struct{ inst, job *string }{{&timer, &timerJob}, {&dead, &deadJob}} {
		v := "window.__jobs_" + *p.inst // one global per instance: a late answer for another cannot land in it
		b.wait("the timer job", fmt.Sprintf(`fetch("/api/jobs?instanceId=%s").then(r => r.json()).then(j => %s = j), %s?.response?.total === 1`, *p.inst, v, v))
		b.eval(v+`.response.list[0].id`, p.job)
	}
	db, err := sql.Open("sqlite", "file:"+e.store.Path()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE job SET status = 'dead', attempts = max_attempts, error = 'script failed: boom' WHERE id = ?`, deadJob); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "zh-CN"} {
		b.setLang(lang, "/admin?tab=jobs")
		for _, w := range []int64{1280, 390} {
			b.do("viewport", chromedp.EmulateViewport(w, 900))
			b.open("/admin?tab=jobs")
			b.waitReady("the jobs tab", "admin")
			b.wait("both jobs", `document.querySelectorAll('#admin tr[data-queue]').length === 2`)
			b.fullShot(fmt.Sprintf("jobs-%s-%d", lang, w))
		}
	}
	b.do("viewport", chromedp.EmulateViewport(1280, 900))
	b.open("/admin?tab=jobs&queue=timer")
	b.waitReady("the timer queue", "admin")
	b.wait("the timer listed alone", fmt.Sprintf(`document.querySelectorAll('#admin tr[data-queue]').length === 1 && !!document.querySelector('#admin tr[data-id="%s"][data-queue="timer"]')`, timerJob))
	b.click(fmt.Sprintf(`[data-action="execute-job"][data-id="%s"]`, timerJob))
	b.wait("the timer's instance done", fmt.Sprintf(`fetch("/api/processInst/%s").then(r => r.json()).then(j => window.__inst = j), window.__inst?.status === "done"`, timer))

	b.open("/admin?tab=jobs&queue=dead")
	b.waitReady("the dead queue", "admin")
	b.eval(`window.confirm = () => true, true`, new(bool))
	b.click(fmt.Sprintf(`[data-action="delete-job"][data-id="%s"]`, deadJob))
	b.wait("the dead job gone", `document.readyState === "complete" && document.getElementById("admin")?.dataset.ready === "true" && document.querySelectorAll('#admin tr[data-queue]').length === 0`)
	if r := e.call(t, "GET", "/api/jobs/"+deadJob, "admin", nil); r.Status != 404 {
		t.Errorf("the deleted job: %d %s", r.Status, r.Body)
	}
}
