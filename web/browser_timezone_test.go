package web_test

import (
	"strings"
	"testing"
	"time"

	"flowcraft/engine"
	"flowcraft/web"
)

// TestBrowserTimezone: with a server time zone that is not UTC (Asia/Kathmandu,
// UTC+05:45, so even the minutes differ from UTC and from any whole-hour zone)
// the inbox shows a task's creation on the clock of the API's createAt, the task
// page the same, and the instance page its start and its timeline (formats.js in
// the page's zone) on the server's clock too.
func TestBrowserTimezone(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Kathmandu")
	if err != nil {
		t.Fatal(err)
	}
	lisi := newBrowserWith(t, "lisi", web.Config{Location: loc})
	e := lisi.env
	e.addUser(t, "zhangsan", "张三", engine.RoleUser)
	leave := e.createProcess(t, example(t, "leave-approval.json"))
	inst := e.startAs(t, "zhangsan", leave, map[string]any{"applicant": "张三", "days": 2, "reason": "家事"})
	task := e.taskOf(t, "lisi", inst)
	createAt, _ := task["createAt"].(string) // "YYYY-MM-DD HH:MM:SS" in the server's zone
	if len(createAt) != len("2006-01-02 15:04:05") {
		t.Fatalf("API createAt = %v", task["createAt"])
	}

	lisi.open("/inbox")
	lisi.wait("the task in the inbox", `document.querySelectorAll("[data-task-list] .task-item").length === 1`)
	var shown struct{ Zone, Created string }
	lisi.eval(`({Zone: document.querySelector('meta[name="timezone"]').content,
		Created: document.querySelector("[data-task-list] .task-item .task-meta time").textContent})`, &shown)
	if shown.Zone != "Asia/Kathmandu" || shown.Created != createAt[:16] {
		t.Errorf("inbox: zone %q, created %q; the API's createAt is %q", shown.Zone, shown.Created, createAt)
	}
	lisi.shot("inbox")

	lisi.open("/inbox/" + task["id"].(string))
	lisi.wait("the task page", `document.getElementById("task")?.dataset.ready === "true"`)
	var taskCreated string
	lisi.eval(`document.querySelector(".task-meta time, .meta-item time").textContent`, &taskCreated)
	if taskCreated != createAt[:16] {
		t.Errorf("task page: created %q; the API's createAt is %q", taskCreated, createAt)
	}
	lisi.fullShot("task")

	// The instance page: the start (rendered) and the timeline (formats.js).
	view := e.call(t, "GET", "/api/processInst/"+inst, "admin", nil).json(t)
	start := time.UnixMilli(int64(view["startAt"].(float64))).In(loc).Format("2006-01-02 15:04")
	var want []string
	for _, tv := range view["tasks"].([]any) {
		for _, rt := range tv.(map[string]any)["runtimes"].([]any) {
			r := rt.(map[string]any)
			ms, _ := r["startAt"].(float64)
			if ms == 0 {
				ms, _ = r["createAt"].(float64)
			}
			want = append(want, time.UnixMilli(int64(ms)).In(loc).Format("15:04:05"))
		}
	}
	zhang := lisi.another("zhangsan") // the instance is his
	zhang.open("/instances/" + inst)
	zhang.wait("the instance page", `document.getElementById("instance")?.dataset.ready === "true" && document.querySelectorAll("[data-timeline] .tl-time").length > 0`)
	var page struct {
		Start    string
		Timeline []string
	}
	zhang.eval(`({Start: document.querySelector(".page-head time, .meta-item time").textContent,
		Timeline: [...document.querySelectorAll("[data-timeline] .tl-time")].map((s) => s.textContent)})`, &page)
	if page.Start != start {
		t.Errorf("instance page: start %q, want %q", page.Start, start)
	}
	for _, c := range page.Timeline {
		if !containsString(want, c) {
			t.Errorf("instance timeline shows %q; the runtimes started at %v (%s)", c, want, loc)
		}
	}
	zhang.fullShot("instance")
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if strings.TrimSpace(x) == strings.TrimSpace(s) {
			return true
		}
	}
	return false
}
