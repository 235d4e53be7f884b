package web_test

// Browser tests of the operations pages: the designer's Run mode, the
// instance page, the inbox and task pages with two people in two browser
// contexts, and the admin pages. They skip without chromium, except under
// CI=true.

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"flowcraft/engine"
)

// another opens a second, separate browser context (its own cookies) on the
// same app and signs in as user: two people at two screens.
func (b *browser) another(user string) *browser {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("second browser context: %v", err)
	}
	o := &browser{t: b.t, env: b.env, base: b.base, ctx: ctx, shots: b.shots}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.IsException() {
				o.mu.Lock()
				o.errors = append(o.errors, m.Text)
				o.mu.Unlock()
			}
		}
	}()
	b.t.Cleanup(func() {
		o.mu.Lock()
		defer o.mu.Unlock()
		for _, e := range o.errors {
			b.t.Errorf("JavaScript exception in %s's page: %s", user, e)
		}
	})
	o.login(user)
	return o
}

// fullShot saves a screenshot of the whole page (beyond the viewport) as name.png.
func (b *browser) fullShot(name string) {
	b.t.Helper()
	buf, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	p := filepath.Join(b.shots, b.t.Name()+"-"+name+"-full.png")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s", p)
}

// addUser creates a user with the test password.
func (e *testEnv) addUser(t *testing.T, id, name, role string, groups ...string) {
	t.Helper()
	if _, err := e.identity.CreateUser(context.Background(), &engine.User{ID: id, Name: name, Role: role, Groups: groups}, testPassword); err != nil {
		t.Fatal(err)
	}
}

// startAs starts a process as user and returns the instance id.
func (e *testEnv) startAs(t *testing.T, user, processID string, trigger any) string {
	t.Helper()
	r := e.call(t, "POST", "/api/process/"+processID, user, trigger)
	if r.Status != http.StatusCreated {
		t.Fatalf("start %s as %s: %d %s", processID, user, r.Status, r.Body)
	}
	return r.json(t)["response"].(map[string]any)["id"].(string)
}

// nodeStatuses reads data-status of every canvas node.
func (b *browser) nodeStatuses() map[string]string {
	b.t.Helper()
	var out map[string]string
	b.eval(`Object.fromEntries([...document.querySelectorAll(".canvas-svg [data-task-id]")].map((n) => [n.dataset.taskId, n.dataset.status]))`, &out)
	return out
}

// TestBrowserRunFromDesigner runs the fast order flow from the designer (every
// node that ran turns done; the branch not taken stays empty), opens a node's
// runtime, then runs the leave approval and watches it wait and finish live.
func TestBrowserRunFromDesigner(t *testing.T) {
	b := newBrowser(t, "dora")
	order := b.env.createProcess(t, example(t, "order-webhook-fast.json"))
	b.setLang("en", "/processes")
	b.openDesigner("/processes/" + order + "/design")

	b.click(`[data-cmd="run"]`)
	b.wait("the run dialog", `document.querySelector('dialog[data-dialog="run"]')?.open === true`)
	// A bad JSON text is refused in the dialog.
	b.typeInto("[data-run-data]", `{"amount": `)
	b.click("[data-run-submit]")
	b.wait("the JSON problem", `/Not valid JSON/.test(document.querySelector("[data-run-problem]").textContent)`)
	b.typeInto("[data-run-data]", `{"amount": 120, "user": "u-7"}`)
	b.shot("run-dialog")
	b.click("[data-run-submit]")
	ran := []string{"task-hook0001", "task-score001", "task-gw000001", "task-ok000001", "task-end00001"}
	conds := []string{}
	for _, id := range ran {
		conds = append(conds, fmt.Sprintf(`document.querySelector('[data-task-id=%q]')?.dataset.status === "done"`, id))
	}
	b.wait("every node that ran is done", strings.Join(conds, " && "))
	if st := b.nodeStatuses(); st["task-rev00001"] != "" {
		t.Errorf("the branch not taken shows %q", st["task-rev00001"])
	}
	var bar struct {
		Status string `json:"status"`
		Link   string `json:"link"`
	}
	b.eval(`({status: document.querySelector(".run-bar").dataset.status, link: document.querySelector(".run-link").getAttribute("href")})`, &bar)
	if bar.Status != "done" || !strings.HasPrefix(bar.Link, "/instances/") {
		t.Errorf("run bar: %+v", bar)
	}
	// The taken connections are marked, the other branch is not.
	var taken []string
	b.eval(`[...document.querySelectorAll(".edge.is-taken")].map((e) => e.dataset.from + ">" + e.dataset.to).sort()`, &taken)
	if strings.Join(taken, " ") != "task-gw000001>task-ok000001 task-hook0001>task-score001 task-ok000001>task-end00001 task-score001>task-gw000001" {
		t.Errorf("taken connections %v", taken)
	}
	// Clicking a node shows its runtime: input (the script's resolved parameters: its
	// code), the incoming trigger data, and the output.
	b.click(`[data-task-id="task-score001"] .node-body`)
	b.wait("the runtime drawer", `!document.querySelector(".run-drawer").hidden && /total/.test(document.querySelector(".run-drawer").textContent)`)
	var drawer struct {
		Text, Input, Incoming string
	}
	b.eval(`({Text: document.querySelector(".run-drawer").innerText,
		Input: document.querySelector('.run-drawer [data-block="input"] pre')?.textContent || "",
		Incoming: document.querySelector('.run-drawer [data-block="incoming"] pre')?.textContent || ""})`, &drawer)
	if !strings.Contains(drawer.Text, "Input (parameters)") || !strings.Contains(drawer.Text, "Incoming data") || !strings.Contains(drawer.Text, "Output") ||
		!strings.Contains(drawer.Input, `"code": "const amount`) || !strings.Contains(drawer.Incoming, `"amount": 120`) || !strings.Contains(drawer.Text, "132") {
		t.Errorf("runtime drawer says %+v", drawer)
	}
	b.shot("order-done")

	// The leave approval: it waits for the manager, then finishes live.
	leave := b.env.createProcess(t, example(t, "leave-approval.json"))
	b.openDesigner("/processes/" + leave + "/design")
	b.click(`[data-cmd="run"]`)
	b.wait("the run dialog with a sample from the schema", `document.querySelector('dialog[data-dialog="run"]')?.open === true && /"applicant"/.test(document.querySelector("[data-run-data]").value)`)
	b.typeInto("[data-run-data]", `{"applicant": "张三", "days": 2, "reason": "家事"}`)
	b.click("[data-run-submit]")
	b.wait("the approval waits", `document.querySelector('[data-task-id="task-mgr00001"]')?.dataset.status === "waiting" && document.querySelector('[data-task-id="task-calc0001"]').dataset.status === "done"`)
	b.shot("leave-waiting")
	var inst string
	b.eval(`document.getElementById("designer").dataset.runInstance`, &inst)
	if !regexp.MustCompile(`^\d+$`).MatchString(inst) {
		t.Errorf("the run's instance id is %q", inst)
	}
	tasks := b.env.call(t, "GET", "/api/taskInsts", "lisi", nil).json(t)["response"].(map[string]any)["list"].([]any)
	if len(tasks) != 1 {
		t.Fatalf("lisi has %d tasks", len(tasks))
	}
	tid := tasks[0].(map[string]any)["id"].(string)
	if r := b.env.call(t, "POST", "/api/taskInst/"+tid, "lisi", map[string]any{"outcome": "approve", "comment": "ok"}); r.Status != http.StatusOK {
		t.Fatalf("approve: %d %s", r.Status, r.Body)
	}
	b.wait("the approval and the end are done", `document.querySelector('[data-task-id="task-mgr00001"]').dataset.status === "done" && document.querySelector('[data-task-id="task-end00001"]').dataset.status === "done" && document.getElementById("designer").dataset.runStatus === "done"`)
	if st := b.nodeStatuses(); st["task-hr000001"] != "" || st["task-end00002"] != "" {
		t.Errorf("branches not taken: %v", st)
	}
	b.shot("leave-done")
	// Stop watching: the canvas is back to editing, no statuses left.
	b.click(".run-close")
	b.wait("no statuses", `[...document.querySelectorAll(".canvas-svg [data-task-id]")].every((n) => n.dataset.status === "") && !document.querySelector(".run-bar")`)
}

// TestBrowserApprovalTwoPeople: zhangsan applies for leave and watches the
// instance page; lisi sees the task arrive in the inbox without a reload,
// approves it, and zhangsan's page turns done without a reload.
func TestBrowserApprovalTwoPeople(t *testing.T) {
	lisi := newBrowser(t, "lisi")
	e := lisi.env
	e.addUser(t, "zhangsan", "张三", engine.RoleUser)
	leave := e.createProcess(t, example(t, "leave-approval.json"))

	lisi.open("/inbox")
	lisi.wait("the empty, live inbox", `document.getElementById("inbox")?.dataset.ready === "true" && !document.querySelector("[data-empty]").hidden && document.querySelector("#inbox [data-live]").dataset.live === "live"`)
	lisi.eval(`(window.__noReload = true)`, nil)
	lisi.shot("inbox-empty")

	zhang := lisi.another("zhangsan")
	inst := e.startAs(t, "zhangsan", leave, map[string]any{"applicant": "张三", "days": 2, "reason": "家事"})
	zhang.setLang("zh-CN", "/instances/"+inst)
	zhang.wait("the instance page, waiting", `document.getElementById("instance")?.dataset.ready === "true" && document.getElementById("instance").dataset.status === "waiting" && document.querySelector('[data-task-id="task-mgr00001"]')?.dataset.status === "waiting"`)
	zhang.wait("live", `document.querySelector("#instance [data-live]").dataset.live === "live"`)
	zhang.eval(`(window.__noReload = true)`, nil)
	zhang.shot("instance-waiting")

	// The task arrives in lisi's inbox, and on the nav badge, without a reload.
	lisi.wait("the task in the inbox", `document.querySelectorAll("[data-task-list] .task-item").length === 1 && window.__noReload === true`)
	lisi.wait("the nav badge", `document.querySelector("[data-inbox-badge]")?.textContent === "1" && document.querySelector("[data-open-count]").textContent === "1"`)
	var item string
	lisi.eval(`document.querySelector("[data-task-list] .task-item").innerText`, &item)
	if !strings.Contains(item, "经理审批") || !strings.Contains(item, "张三 请假 2 天：家事") || !strings.Contains(item, "请假审批") {
		t.Errorf("inbox item says %q", item)
	}
	lisi.shot("inbox-task")

	// lisi opens it: the request, the submitted data, one button per outcome.
	lisi.click("[data-task-list] .task-item .task-title")
	lisi.wait("the task page", `document.getElementById("task")?.dataset.ready === "true"`)
	var page struct {
		Outcomes []string `json:"outcomes"`
		Text     string   `json:"text"`
	}
	lisi.eval(`({outcomes: [...document.querySelectorAll("[data-outcome]")].map((b) => b.dataset.outcome), text: document.querySelector(".task-layout").innerText})`, &page)
	if strings.Join(page.Outcomes, ",") != "approve,reject" || !strings.Contains(page.Text, "applicant") || !strings.Contains(page.Text, "家事") {
		t.Errorf("task page: %+v", page)
	}
	lisi.typeInto("#task-comment", "同意，注意休息")
	lisi.fullShot("task")
	lisi.click(`[data-outcome="approve"]`)
	lisi.wait("back in the inbox with a notice", `location.pathname === "/inbox" && !!document.querySelector(".flash") && document.querySelectorAll("[data-task-list] .task-item").length === 0`)
	lisi.shot("inbox-after")

	// zhangsan's page follows without a reload.
	zhang.wait("the instance done", `document.getElementById("instance").dataset.status === "done" && document.querySelector('[data-task-id="task-end00001"]').dataset.status === "done" && window.__noReload === true`)
	var header struct {
		Pill     string   `json:"pill"`
		Buttons  []string `json:"buttons"`
		Timeline int      `json:"timeline"`
	}
	zhang.eval(`({
		pill: document.querySelector(".page-title [data-status]").textContent,
		buttons: [...document.querySelectorAll("[data-instance-action]")].filter((b) => !b.hidden).map((b) => b.dataset.instanceAction),
		timeline: document.querySelectorAll("[data-timeline] .tl-item").length,
	})`, &header)
	if header.Pill != "已完成" || len(header.Buttons) != 0 || header.Timeline != 5 {
		t.Errorf("finished instance page: %+v", header)
	}
	// The approval's runtime names the decision.
	zhang.click(`[data-task-id="task-mgr00001"] .node-body`)
	zhang.wait("the approval runtime", `/同意，注意休息/.test(document.querySelector("[data-detail]").textContent)`)
	// Its input is the approval's resolved parameters, its incoming data the script's output.
	var blocks struct{ Labels, Input, Incoming string }
	zhang.eval(`({Labels: [...document.querySelectorAll("[data-detail] .rt-block-title")].map((s) => s.firstChild.textContent).join("|"),
		Input: document.querySelector('[data-detail] [data-block="input"] pre')?.textContent || "",
		Incoming: document.querySelector('[data-detail] [data-block="incoming"] pre')?.textContent || ""})`, &blocks)
	if !strings.Contains(blocks.Labels, "输入（参数）|传入数据|输出") || !strings.Contains(blocks.Input, `"content": "张三 请假 2 天：家事"`) ||
		!strings.Contains(blocks.Incoming, `"long": false`) {
		t.Errorf("the approval runtime's blocks: %+v", blocks)
	}
	zhang.fullShot("instance-done")

	// The done tab lists the decision.
	lisi.open("/inbox?tab=done")
	lisi.wait("the done list", `document.querySelectorAll("[data-task-list] .task-item.is-done").length === 1`)
	lisi.shot("inbox-done")
}

// TestBrowserInstanceControls suspends, resumes and cancels an instance from
// its page, and retries a failed one; the page follows each change.
func TestBrowserInstanceControls(t *testing.T) {
	b := newBrowser(t, "dora")
	leave := b.env.createProcess(t, example(t, "leave-approval.json"))
	inst := b.env.startAs(t, "dora", leave, map[string]any{"applicant": "李雷", "days": 5, "reason": "旅行"})
	b.setLang("en", "/instances/"+inst)
	b.waitReady("the instance page", "instance")
	b.wait("the waiting instance", `document.getElementById("instance")?.dataset.status === "waiting"`)
	b.click(`[data-instance-action="suspend"]`)
	b.wait("suspended", `document.getElementById("instance").dataset.status === "suspended" && !document.querySelector('[data-instance-action="resume"]').hidden && document.querySelector('[data-instance-action="suspend"]').hidden`)
	b.shot("suspended")
	b.click(`[data-instance-action="resume"]`)
	b.wait("resumed", `document.getElementById("instance").dataset.status !== "suspended"`)
	b.eval(`(window.confirm = () => true, true)`, nil)
	b.click(`[data-instance-action="cancel"]`)
	b.wait("canceled", `document.getElementById("instance").dataset.status === "canceled" && [...document.querySelectorAll("[data-instance-action]")].every((x) => x.hidden)`)

	// A failing script with retries: every attempt is listed; retry reruns it.
	def := map[string]any{"name": "Flaky", "tasks": []any{
		map[string]any{"instId": "task-start001", "template": "manual", "positions": []any{80, 160}, "connections": []any{map[string]any{"to": "task-loop0001"}}},
		map[string]any{"instId": "task-loop0001", "name": "Each row", "template": "script", "positions": []any{260, 160}, "connections": []any{map[string]any{"to": "task-flaky001"}},
			"parameters": map[string]any{"code": map[string]any{"value": "console.log('row', item); return item * 2;"}}, "loopHandler": map[string]any{"mode": "forEach", "items": "{{ trigger.rows }}"}},
		map[string]any{"instId": "task-flaky001", "name": "Flaky", "template": "script", "positions": []any{440, 160}, "connections": []any{map[string]any{"to": "task-end00001"}},
			"parameters":   map[string]any{"code": map[string]any{"value": "if (!trigger.ok) throw new Error('not ok'); return {fine: true};"}},
			"errorHandler": map[string]any{"retry": 1, "interval": 10, "backoff": 1, "strategy": "fail"}},
		map[string]any{"instId": "task-end00001", "template": "end", "positions": []any{620, 160}},
	}}
	flaky := b.env.createProcess(t, def)
	r := b.env.call(t, "POST", "/api/process/"+flaky+"?wait=10s", "dora", map[string]any{"rows": []any{1, 2, 3}})
	failed := r.json(t)["response"].(map[string]any)["id"].(string)
	b.open("/instances/" + failed)
	b.waitReady("the failed instance's page", "instance")
	b.wait("the failed instance", `document.getElementById("instance")?.dataset.status === "failed" && !document.querySelector("[data-instance-error]").hidden`)
	var tl []string
	b.eval(`[...document.querySelectorAll("[data-timeline] .tl-item")].map((li) => li.dataset.status + " " + li.innerText.replace(/\s+/g, " ").trim().split(" ").slice(0, 4).join(" "))`, &tl)
	if len(tl) != 6 {
		t.Errorf("timeline %v, want trigger, 3 iterations, 2 attempts", tl)
	}
	joined := strings.Join(tl, "|")
	if !strings.Contains(joined, "Iteration 3") || !strings.Contains(joined, "Retry 1") {
		t.Errorf("timeline lacks iterations or retries: %v", tl)
	}
	b.click(`[data-task-id="task-loop0001"] .node-body`)
	b.wait("three iteration tabs", `document.querySelectorAll("[data-detail] .rt-tab").length === 3 && /row 3/.test(document.querySelector("[data-detail] .log-list")?.textContent || "")`)
	b.fullShot("failed")
	// Retry: the flaky task runs again (and fails again, as the trigger is still not ok).
	b.click(`[data-instance-action="retry"]`)
	b.wait("a new attempt", `document.querySelectorAll("[data-timeline] .tl-item").length > 6`)
	b.wait("failed again", `document.getElementById("instance").dataset.status === "failed"`)
}

// TestBrowserInstancesAndAdmin shows the instances list with filters and the
// admin tabs: create a user and a group, add a member, create a token whose
// secret is shown once, and list jobs. A plain user gets 403 on /admin.
func TestBrowserInstancesAndAdmin(t *testing.T) {
	b := newBrowser(t, "admin")
	leave := b.env.createProcess(t, example(t, "leave-approval.json"))
	for i, days := range []int{1, 4, 2} {
		b.env.startAs(t, "admin", leave, map[string]any{"applicant": fmt.Sprintf("员工%d", i), "days": days, "reason": "事假"})
	}
	b.env.call(t, "POST", "/api/process/"+b.env.createProcess(t, minimal("Quick script"))+"?wait=5s", "admin", map[string]any{})
	b.setLang("zh-CN", "/instances")
	b.waitReady("the instances page", "instances")
	b.wait("the instances list", `document.querySelectorAll("#instances tbody tr").length === 4`)
	b.shot("instances")
	// Choosing a status submits the filter form (the page navigates): nothing is
	// read from the old page once the value is set.
	b.setValue("#f-status", "done")
	b.wait("the filtered list", `location.search.includes("status=done") && document.readyState === "complete" && document.getElementById("instances")?.dataset.ready === "true" && document.querySelectorAll("#instances tbody tr").length === 1`)

	// Every change on the admin page reloads it: wait for the reloaded page to be
	// ready before the next step.
	b.setLang("en", "/admin")
	b.waitReady("the users tab", "admin")
	b.click(`[data-action="new-user"]`)
	b.wait("the user dialog", `document.getElementById("user-dialog").open`)
	b.do("fill the user", chromedp.SendKeys(chromedp.CSS("#user-id"), "wangwu"), chromedp.SendKeys(chromedp.CSS("#user-name"), "王五"),
		chromedp.SendKeys(chromedp.CSS("#user-password"), "secret-pass-1"))
	b.setValue("#user-role", "designer")
	b.shot("new-user")
	b.click(`#user-dialog button[type="submit"]`)
	b.wait("the new user listed", `!!document.querySelector('#admin tr[data-id="wangwu"]')`)
	b.waitReady("the reloaded users tab", "admin")
	if r := b.env.call(t, "GET", "/api/users/wangwu", "admin", nil); !strings.Contains(string(r.Body), `"role":"designer"`) {
		t.Errorf("created user: %s", r.Body)
	}
	b.shot("users")

	b.open("/admin?tab=groups")
	b.waitReady("the groups tab", "admin")
	b.click(`[data-action="new-group"]`)
	b.wait("the group dialog", `document.getElementById("group-dialog").open`)
	b.do("fill the group", chromedp.SendKeys(chromedp.CSS("#group-id"), "hr"), chromedp.SendKeys(chromedp.CSS("#group-name"), "人事部"))
	b.click(`#group-dialog button[type="submit"]`)
	b.wait("the group listed", `!!document.querySelector('[data-group-id="hr"]')`)
	b.waitReady("the reloaded groups tab", "admin")
	b.setValue("#add-hr", "wangwu")
	b.click(`[data-add-member="hr"] button`)
	b.wait("the member chip", `!!document.querySelector('[data-group-id="hr"] [data-action="remove-member"][data-user="wangwu"]')`)
	b.waitReady("the reloaded groups tab", "admin")
	b.shot("groups")

	b.open("/admin?tab=tokens")
	b.waitReady("the tokens tab", "admin")
	b.click(`[data-action="new-token"]`)
	b.wait("the token dialog", `document.getElementById("token-dialog").open`)
	b.do("name the token", chromedp.SendKeys(chromedp.CSS("#token-name"), "CI pipeline"))
	b.click("[data-token-submit]")
	b.wait("the secret shown once", `/^fc_/.test(document.querySelector("[data-token-secret]").textContent)`)
	b.shot("token-secret")
	var secret string
	b.eval(`document.querySelector("[data-token-secret]").textContent`, &secret)
	if r := b.env.call(t, "GET", "/api/me", "Bearer "+secret, nil); r.Status != http.StatusOK {
		t.Errorf("the new token does not work: %d", r.Status)
	}
	b.click(`#token-dialog [data-close]`)
	b.wait("the token listed", `document.querySelectorAll("#admin tbody tr").length === 1 && !!document.querySelector('#admin [data-action="revoke-token"]')`)
	b.waitReady("the reloaded tokens tab", "admin")

	b.open("/admin?tab=jobs")
	b.waitReady("the jobs tab", "admin")
	b.wait("the jobs tab", `document.getElementById("admin")?.dataset.tab === "jobs"`)
	b.shot("jobs")

	user := b.another("lisi")
	user.open("/admin")
	var status struct {
		Code string `json:"code"`
	}
	user.eval(`({code: document.querySelector(".error-code")?.textContent || ""})`, &status)
	if status.Code != "403" {
		t.Errorf("a user on /admin sees %+v", status)
	}
}
