package web_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"flowcraft/engine"
)

// TestBrowserExternalTask: a designer adds an external task from the palette, gives
// it a topic and an error route (the route is drawn dashed to its target), saves;
// the saved definition has the route; an instance of it shows "waiting for a
// worker" under the node on the instance page, "locked by worker-7 until …" once a
// worker fetched it, and an incident with an admin's retry, which opens it again.
// In both languages, at 1280 and 390 px.
func TestBrowserExternalTask(t *testing.T) {
	for _, lang := range []string{"en", "zh-CN"} {
		t.Run(lang, func(t *testing.T) { browserExternalTask(t, lang) })
	}
}

func browserExternalTask(t *testing.T, lang string) {
	b := newBrowser(t, "dora")
	b.setLang(lang, "/processes/new")
	b.openDesigner("/processes/new")
	start := b.addFromPalette("manual", 120, 200)
	ext := b.addFromPalette("external-task", 360, 200)
	ok := b.addFromPalette("end", 620, 140)
	declined := b.addFromPalette("end", 620, 330)
	b.connectNodes(start, ext)
	b.connectNodes(ext, ok)

	b.click(fmt.Sprintf(`[data-task-id=%q] .node-body`, ext))
	b.wait("the external task's panel", `!!document.querySelector('.panel [data-field="parameters.topic"] input')`)
	b.typeInto(`.panel [data-field="parameters.topic"] input`, "charge")
	b.wait("the retries field", `!!document.querySelector('.panel [data-field="parameters.retries"] input')`)
	b.shot("external-task-panel")
	b.eval(`document.querySelector('.panel details[data-section="run"]').open = true`, nil)
	b.click(`[data-testid="error-route-add"]`)
	b.wait("a route row", `document.querySelectorAll('[data-testid="error-route-row"]').length === 1`)
	b.typeInto(`[data-testid="error-route-code"]`, "CARD_DECLINED")
	b.setValue(`[data-testid="error-route-target"]`, declined)
	b.wait("the route drawn dashed to its target", fmt.Sprintf(
		`!!document.querySelector('.canvas-svg .error-route[data-route-from=%q][data-route-to=%q][data-error-code="CARD_DECLINED"]')`, ext, declined))
	var dash string
	b.eval(`getComputedStyle(document.querySelector(".canvas-svg .error-route-line")).strokeDasharray`, &dash)
	if dash == "" || dash == "none" {
		t.Errorf("the error route is not dashed: %q", dash)
	}
	b.typeInto("[data-process-name]", "Charge "+lang)
	b.shotWidths("designer")

	b.click(`[data-cmd="save"]`)
	b.wait("the design page of the saved process", `/^\/processes\/proc-[a-z0-9]{8}\/design$/.test(location.pathname) && document.getElementById("designer")?.dataset.ready === "true"`)
	var path string
	b.eval(`location.pathname`, &path)
	id := reDesignURL.FindStringSubmatch(path)[1]
	def := b.env.definition(t, id)
	var extDef map[string]any
	for _, x := range def["tasks"].([]any) {
		if x.(map[string]any)["instId"] == ext {
			extDef = x.(map[string]any)
		}
	}
	routes, _ := extDef["errorHandler"].(map[string]any)["routes"].([]any)
	if len(routes) != 1 || routes[0].(map[string]any)["errorCode"] != "CARD_DECLINED" || routes[0].(map[string]any)["target"] != declined {
		t.Fatalf("saved error handler %v", extDef["errorHandler"])
	}
	if topic := extDef["parameters"].(map[string]any)["topic"].(map[string]any)["value"]; topic != "charge" {
		t.Fatalf("saved topic %v", topic)
	}
	// After the reload the route is drawn again.
	b.wait("the route after reload", fmt.Sprintf(`!!document.querySelector('.canvas-svg .error-route[data-route-to=%q]')`, declined))

	x := b.env.rt.ExternalTasks()
	fetch := func() *engine.LockedJob {
		t.Helper()
		jobs, err := x.Fetch(context.Background(), engine.FetchRequest{WorkerID: "worker-7", MaxTasks: 1,
			Topics: []engine.FetchTopic{{Topic: "charge", LockDuration: time.Hour}}, Wait: 5 * time.Second})
		if err != nil || len(jobs) != 1 {
			t.Fatalf("fetch: %v %v", jobs, err)
		}
		return jobs[0]
	}

	// Run from the designer: the node shows that it waits for a worker, then a worker completes it.
	b.click(`[data-cmd="run"]`)
	b.wait("the run dialog", `document.querySelector('dialog[data-dialog="run"]')?.open === true`)
	b.typeInto("[data-run-data]", `{"amount": 3}`)
	b.click("[data-run-submit]")
	runState := fmt.Sprintf(`document.querySelector('.canvas-svg [data-task-id=%q] [data-testid="external-node-state"]')`, ext)
	b.wait("waiting for a worker in Run mode", runState+`?.dataset.state === "waiting"`)
	b.shot("designer-run")
	if err := x.Complete(context.Background(), fetch().ID, "worker-7", []*engine.Variable{{Name: "charged", Value: 3}}, nil); err != nil {
		t.Fatal(err)
	}
	b.wait("the run done, the label gone", fmt.Sprintf(`document.querySelector('[data-task-id=%q]')?.dataset.status === "done" && !%s`, ok, runState))

	// An instance waits for a worker, live.
	inst := b.env.startAs(t, "dora", id, map[string]any{"amount": 12})
	b.open("/instances/" + inst)
	b.waitReady("the instance page", "instance")
	nodeState := fmt.Sprintf(`document.querySelector('.canvas-svg [data-task-id=%q] [data-testid="external-node-state"]')`, ext)
	waiting := map[string]string{"en": "Waiting for a worker", "zh-CN": "等待工作者领取"}[lang]
	b.wait("waiting for a worker", fmt.Sprintf(`%s?.dataset.state === "waiting" && %s.textContent.includes(%q)`, nodeState, nodeState, waiting))
	b.click(fmt.Sprintf(`[data-task-id=%q] .node-body`, ext))
	b.wait("the detail's state", fmt.Sprintf(`document.querySelector('[data-detail] [data-testid="external-state-text"]')?.textContent === %q`, waiting))
	b.shotWidths("instance-waiting")

	// A worker locks it: the page shows who and until when (on the page's clock).
	jobs := []*engine.LockedJob{fetch()}
	b.wait("locked by worker-7", fmt.Sprintf(`%s?.dataset.state === "locked" && %s.textContent.includes("worker-7")`, nodeState, nodeState))
	var lockedText string
	b.eval(`document.querySelector('[data-detail] [data-testid="external-state-text"]')?.textContent || ""`, &lockedText)
	if !regexp.MustCompile(`worker-7.*\d\d:\d\d`).MatchString(lockedText) {
		t.Errorf("locked text %q", lockedText)
	}
	b.shot("instance-locked")

	// The worker fails with no retries left: an incident; a designer has no retry button.
	if err := x.Fail(context.Background(), jobs[0].ID, engine.Failure{WorkerID: "worker-7", ErrorMessage: "card service down", Retries: 0}); err != nil {
		t.Fatal(err)
	}
	b.wait("the incident", fmt.Sprintf(`%s?.dataset.state === "incident"`, nodeState))
	var retryButtons int
	b.eval(`document.querySelectorAll('[data-testid="external-retry"]').length`, &retryButtons)
	if retryButtons != 0 {
		t.Errorf("a designer sees %d retry buttons", retryButtons)
	}

	// An admin retries it: it waits for a worker again.
	a := b.another("admin")
	a.setLang(lang, "/instances/"+inst)
	a.waitReady("the admin's instance page", "instance")
	a.click(fmt.Sprintf(`[data-task-id=%q] .node-body`, ext))
	a.wait("the retry button", `!!document.querySelector('[data-detail] [data-testid="external-retry"]')`)
	var incidentText string
	a.eval(`document.querySelector('[data-detail] [data-testid="external-state-text"]').textContent`, &incidentText)
	if !strings.Contains(incidentText, "card service down") || !strings.Contains(incidentText, "0") {
		t.Errorf("incident text %q", incidentText)
	}
	a.shotWidths("instance-incident")
	a.setValue(`[data-testid="external-retries"]`, "2")
	a.click(`[data-testid="external-retry"]`)
	a.wait("waiting again after the retry", fmt.Sprintf(`%s?.dataset.state === "waiting"`, nodeState))
	j, err := x.Get(context.Background(), jobs[0].ID)
	if err != nil || j.State != engine.ExternalOpen || j.Retries == nil || *j.Retries != 2 {
		t.Fatalf("job after the admin's retry: %+v %v", j, err)
	}
}
