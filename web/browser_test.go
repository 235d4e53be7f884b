package web_test

// Browser tests of the designer and the processes page: a headless Chromium
// drives the real app. They skip without chromium, except under CI=true.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

var (
	reTaskID    = regexp.MustCompile(`^task-[a-z0-9]{8}$`)
	reDesignURL = regexp.MustCompile(`^/processes/(proc-[a-z0-9]{8})/design$`)
)

// definition reads a process definition through the API.
func (e *testEnv) definition(t *testing.T, id string) map[string]any {
	t.Helper()
	r := e.call(t, "GET", "/api/process/"+id, "dora", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("get %s: %d %s", id, r.Status, r.Body)
	}
	return r.json(t)
}

// expectDrawn checks that the canvas shows exactly the definition: one node per
// task at translate(positions) and one connection per entry of connections.
func expectDrawn(t *testing.T, def map[string]any, g drawnGraph) {
	t.Helper()
	tasks := def["tasks"].([]any)
	if len(g.Nodes) != len(tasks) {
		t.Errorf("canvas shows %d nodes, the definition has %d tasks", len(g.Nodes), len(tasks))
	}
	var edges []string
	for _, x := range tasks {
		task := x.(map[string]any)
		id := task["instId"].(string)
		pos := task["positions"].([]any)
		want := fmt.Sprintf("translate(%v %v)", pos[0], pos[1])
		if got := g.Nodes[id]; got != want {
			t.Errorf("node %s: transform %q, positions say %q", id, got, want)
		}
		conns, _ := task["connections"].([]any)
		for _, c := range conns {
			edges = append(edges, id+">"+c.(map[string]any)["to"].(string))
		}
	}
	slices.Sort(edges)
	if strings.Join(edges, " ") != strings.Join(g.Edges, " ") {
		t.Errorf("connections drawn %v, defined %v", g.Edges, edges)
	}
}

// addFromPalette drags a template from the palette to a point of the canvas
// (relative to the canvas's top-left) and returns the new task's id.
func (b *browser) addFromPalette(template string, dx, dy float64) string {
	b.t.Helper()
	before := b.graph()
	x, y := b.center(fmt.Sprintf(`.palette-item[data-template=%q]`, template))
	var host struct{ X, Y float64 }
	b.eval(`(() => { const r = document.querySelector("[data-canvas]").getBoundingClientRect(); return {x: r.left, y: r.top}; })()`, &host)
	b.drag("drag "+template+" from the palette", x, y, host.X+dx, host.Y+dy)
	after := b.graph()
	for id := range after.Nodes {
		if _, ok := before.Nodes[id]; !ok {
			if !reTaskID.MatchString(id) {
				b.t.Errorf("new task id %q does not match task- + 8 chars", id)
			}
			return id
		}
	}
	b.shot("no-node-added")
	b.t.Fatalf("dragging %s onto the canvas added no node", template)
	return ""
}

// connectNodes drags from the output port of one node onto another node.
func (b *browser) connectNodes(from, to string) {
	b.t.Helper()
	x1, y1 := b.center(fmt.Sprintf(`[data-task-id=%q] .port-out`, from))
	x2, y2 := b.center(fmt.Sprintf(`[data-task-id=%q] .node-body`, to))
	b.drag("connect "+from+" to "+to, x1, y1, x2, y2)
	b.wait("connection "+from+" → "+to, fmt.Sprintf(`!!document.querySelector('[data-from=%q][data-to=%q]')`, from, to))
}

func TestBrowserDesignFromScratch(t *testing.T) {
	b := newBrowser(t, "dora")
	b.setLang("en", "/processes/new")
	b.openDesigner("/processes/new")
	b.shot("empty")
	if g := b.graph(); len(g.Nodes) != 0 {
		t.Fatalf("a new process shows %d nodes", len(g.Nodes))
	}

	start := b.addFromPalette("manual", 160, 240)
	script := b.addFromPalette("script", 420, 240)
	end := b.addFromPalette("end", 680, 240)
	b.connectNodes(start, script)
	b.connectNodes(script, end)
	g := b.graph()
	if want := []string{end + ">" + "", ""}; len(g.Edges) != 2 {
		t.Fatalf("edges %v, want 2 (%v)", g.Edges, want)
	}

	// Undo takes the last connection back, redo restores it.
	b.click(`.canvas-svg .canvas-bg`) // focus the canvas, select nothing
	b.key("z", chromedp.ModifierCtrl)
	b.wait("undo removes the connection", fmt.Sprintf(`!document.querySelector('[data-from=%q][data-to=%q]')`, script, end))
	b.key("z", chromedp.ModifierCtrl, chromedp.ModifierShift)
	b.wait("redo restores the connection", fmt.Sprintf(`!!document.querySelector('[data-from=%q][data-to=%q]')`, script, end))

	// A script with a syntax error is marked on its line; then a good one.
	b.click(fmt.Sprintf(`[data-task-id=%q] .node-body`, script))
	b.wait("the code field", `!!document.querySelector(".panel .codefield-input")`)
	b.typeInto(".panel .codefield-input", "const a = 1;\nreturn (a +;")
	b.wait("the error on line 2", `document.querySelector(".codefield-num.has-error")?.textContent === "2"`)
	b.shot("script-error")
	b.typeInto(".panel .codefield-input", "return {ok: true, n: trigger.n};")
	b.wait("no error once fixed", `!document.querySelector(".codefield-num.has-error") && document.querySelector(".codefield.is-ok") !== null`)
	b.typeInto("[data-process-name]", "Drawn in the browser")
	b.click(`.canvas-svg .canvas-bg`)
	b.shot("drawn")
	drawn := b.graph()

	// Save: POST, then the page moves to the new process's design URL.
	b.click(`[data-cmd="save"]`)
	b.wait("the design page of the saved process", `/^\/processes\/proc-[a-z0-9]{8}\/design$/.test(location.pathname) && document.getElementById("designer")?.dataset.ready === "true"`)
	var path string
	b.eval(`location.pathname`, &path)
	id := reDesignURL.FindStringSubmatch(path)[1]
	reloaded := b.graph()
	if !mapsEqual(drawn.Nodes, reloaded.Nodes) || strings.Join(drawn.Edges, " ") != strings.Join(reloaded.Edges, " ") {
		t.Errorf("after save and reload the canvas shows %+v, before %+v", reloaded, drawn)
	}
	def := b.env.definition(t, id)
	expectDrawn(t, def, reloaded)
	if def["name"] != "Drawn in the browser" {
		t.Errorf("saved name %v", def["name"])
	}
	b.shot("saved")

	// The flow drawn in the browser runs.
	r := b.env.call(t, "POST", "/api/process/"+id+"?wait=10s", "dora", map[string]any{"n": 7})
	if r.Status != http.StatusCreated {
		t.Fatalf("start: %d %s", r.Status, r.Body)
	}
	resp := r.json(t)["response"].(map[string]any)
	out, _ := json.Marshal(resp["output"])
	if resp["status"] != "done" || string(out) != `{"n":7,"ok":true}` {
		t.Errorf("the drawn flow ended %v with %s", resp["status"], out)
	}
}

// mapsEqual reports whether two string maps are equal.
func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestBrowserConflictAndValidation(t *testing.T) {
	b := newBrowser(t, "dora")
	id := b.env.createProcess(t, minimal("Conflicting edits"))
	b.setLang("en", "/processes")
	b.openDesigner("/processes/" + id + "/design")
	expectDrawn(t, b.env.definition(t, id), b.graph())

	// Move the script node by dragging it.
	before := b.graph().Nodes["task-code0001"]
	x, y := b.center(`[data-task-id="task-code0001"] .node-body`)
	b.drag("move the script node", x, y, x+60, y+90)
	moved := b.graph().Nodes["task-code0001"]
	if moved == before {
		t.Fatalf("dragging did not move the node: %s", moved)
	}
	b.wait("unsaved state", `document.getElementById("designer").dataset.state === "dirty"`)

	// Someone else saves in between: saving answers 409 and the dialog offers a reload.
	def := b.env.definition(t, id)
	def["name"] = "Renamed elsewhere"
	if r := b.env.call(t, "PUT", "/api/process/"+id, "dora", def); r.Status != http.StatusOK {
		t.Fatalf("concurrent save: %d %s", r.Status, r.Body)
	}
	b.click(`[data-cmd="save"]`)
	b.wait("the conflict dialog", `document.querySelector('dialog[data-dialog="conflict"]')?.open === true`)
	var text string
	b.eval(`document.querySelector('dialog[data-dialog="conflict"]').innerText`, &text)
	if !strings.Contains(text, "Someone else saved this process") || !strings.Contains(text, "the current one is 2") {
		t.Errorf("conflict dialog says %q", text)
	}
	b.shot("conflict")
	b.click(`[data-conflict-action="reload"]`)
	b.wait("the reloaded page with version 2", `document.getElementById("designer")?.dataset.ready === "true" && document.querySelector("[data-version]").textContent === "v2"`)
	var name string
	b.eval(`document.querySelector("[data-process-name]").value`, &name)
	if name != "Renamed elsewhere" {
		t.Errorf("after reload the name is %q", name)
	}
	if got := b.graph().Nodes["task-code0001"]; got != before {
		t.Errorf("after reload the node is at %s, want the saved %s", got, before)
	}

	// A validation error (the script's required code emptied) is shown on its node and field.
	b.click(`[data-task-id="task-code0001"] .node-body`)
	b.wait("the code field", `!!document.querySelector(".panel .codefield-input")`)
	b.typeInto(".panel .codefield-input", "")
	b.click(`[data-cmd="save"]`)
	b.wait("the invalid node", `document.querySelector('[data-task-id="task-code0001"]').classList.contains("invalid")`)
	// The field's own check, scheduled when the code was emptied, may end after the
	// save answered: it must not wipe what the save said. Wait until it has run.
	b.wait("the code check settled", `!["pending", "running"].includes(document.querySelector('.panel [data-field="parameters.code"] .codefield')?.dataset.check)`)
	var problems struct {
		Badge string `json:"badge"`
		Field string `json:"field"`
		Bar   string `json:"bar"`
		Other int    `json:"other"`
	}
	b.eval(`({
		badge: document.querySelector('[data-task-id="task-code0001"]').dataset.invalid,
		field: document.querySelector('.panel [data-field="parameters.code"] .codefield-problems')?.innerText || "",
		bar: document.querySelector("[data-problems]").innerText,
		other: document.querySelectorAll(".canvas-svg .node.invalid").length,
	})`, &problems)
	if problems.Badge != "1" || !strings.Contains(problems.Field, "required") || !strings.Contains(problems.Bar, "Code: This is required") || strings.Contains(problems.Bar, "parameters.") || problems.Other != 1 {
		t.Errorf("validation problems shown: %+v", problems)
	}
	b.shot("invalid")
	if got := b.env.definition(t, id)["version"]; got != float64(2) {
		t.Errorf("a refused save changed the version to %v", got)
	}
}

func TestBrowserLanguageSwitch(t *testing.T) {
	b := newBrowser(t, "dora")
	id := b.env.createProcess(t, minimal("双语"))
	b.setLang("zh-CN", "/processes")
	b.openDesigner("/processes/" + id + "/design")
	read := func() (out struct {
		Lang    string `json:"lang"`
		Palette string `json:"palette"`
		Save    string `json:"save"`
		Panel   string `json:"panel"`
		Status  string `json:"status"`
	}) {
		b.eval(`({
			lang: document.documentElement.lang,
			palette: document.querySelector('.palette-item[data-template="script"] .palette-name').textContent,
			save: document.querySelector('[data-cmd="save"]').textContent.trim(),
			panel: document.querySelector(".panel .panel-title").textContent,
			status: document.querySelector("[data-status-text]").textContent,
		})`, &out)
		return
	}
	zh := read()
	if zh.Lang != "zh-CN" || zh.Palette != "脚本" || zh.Save != "保存" || zh.Panel != "流程" || zh.Status != "所有修改已保存" {
		t.Errorf("Chinese designer: %+v", zh)
	}
	b.shot("zh")
	b.click(`.lang-switch button[value="en"]`)
	b.wait("the English page", `document.documentElement.lang === "en" && document.getElementById("designer")?.dataset.ready === "true"`)
	en := read()
	if en.Palette != "Script" || en.Save != "Save" || en.Panel != "Process" || en.Status != "All changes saved" {
		t.Errorf("English designer: %+v", en)
	}
	var path string
	b.eval(`location.pathname`, &path)
	if path != "/processes/"+id+"/design" {
		t.Errorf("the language switch went to %s", path)
	}
	b.shot("en")
}

func TestBrowserExamples(t *testing.T) {
	b := newBrowser(t, "dora")
	b.setLang("zh-CN", "/processes")
	for _, name := range exampleNames(t) {
		t.Run(strings.TrimSuffix(name, ".json"), func(t *testing.T) {
			id := b.env.createProcess(t, example(t, name))
			b.openDesigner("/processes/" + id + "/design")
			def := b.env.definition(t, id)
			expectDrawn(t, def, b.graph())
			b.shot(strings.TrimSuffix(name, ".json"))

			// Edit (move the first task with the keyboard, rename the process) and save.
			first := def["tasks"].([]any)[0].(map[string]any)
			tid := first["instId"].(string)
			b.click(fmt.Sprintf(`[data-task-id=%q] .node-body`, tid))
			b.key(kb.ArrowRight) // 10 units each
			b.key(kb.ArrowDown)
			b.key(kb.ArrowDown)
			b.click(`[data-cmd="save"]`)
			b.wait("saved version 2", `document.querySelector("[data-version]").textContent === "v2" && document.getElementById("designer").dataset.state === "saved"`)
			after := b.env.definition(t, id)
			pos := after["tasks"].([]any)[0].(map[string]any)["positions"].([]any)
			old := first["positions"].([]any)
			if pos[0].(float64) != old[0].(float64)+10 || pos[1].(float64) != old[1].(float64)+20 {
				t.Errorf("moved %s from %v to %v, want +10,+20", tid, old, pos)
			}
			expectDrawn(t, after, b.graph())
			// Everything else is kept as it was.
			for i, x := range after["tasks"].([]any)[1:] {
				a, _ := json.Marshal(x)
				w, _ := json.Marshal(def["tasks"].([]any)[i+1])
				if string(a) != string(w) {
					t.Errorf("task %d changed on save:\n%s\nwas\n%s", i+1, a, w)
				}
			}
		})
	}
}

func TestBrowserProcessesStartAndVersions(t *testing.T) {
	b := newBrowser(t, "dora")
	id := b.env.createProcess(t, example(t, "leave-approval.json"))
	def := b.env.definition(t, id)
	def["description"] = "second version"
	if r := b.env.call(t, "PUT", "/api/process/"+id, "dora", def); r.Status != http.StatusOK {
		t.Fatalf("update: %d %s", r.Status, r.Body)
	}
	b.setLang("en", "/processes")
	b.waitReady("the processes page", "processes")
	b.wait("the processes list", `!!document.querySelector('button[data-action="start"]')`)
	b.shot("list")

	// Start: a form from inputDataSchema; a missing required field is reported first.
	b.click(fmt.Sprintf(`button[data-action="start"][data-id=%q]`, id))
	b.wait("the start form", `!!document.querySelector("#start-applicant")`)
	var labels []string
	b.eval(`[...document.querySelectorAll("#start-dialog [data-start-fields] .label")].map((l) => l.firstChild.textContent)`, &labels)
	if strings.Join(labels, ",") != "applicant,days,reason" {
		t.Errorf("start form fields %v", labels)
	}
	b.do("fill the start form",
		chromedp.SendKeys(chromedp.CSS("#start-applicant"), "张三"),
		chromedp.SendKeys(chromedp.CSS("#start-days"), "2"),
	)
	b.click("[data-start-submit]")
	b.wait("the required problem", `document.querySelector('[data-key="reason"] .field-problem')?.textContent === "Required"`)
	b.shot("start-required")
	b.do("fill the reason", chromedp.SendKeys(chromedp.CSS("#start-reason"), "家事"))
	b.click("[data-start-submit]")
	b.wait("the started instance", `!document.querySelector("[data-start-result]").hidden`)
	var href string
	b.eval(`document.querySelector("[data-start-link]").getAttribute("href")`, &href)
	if !regexp.MustCompile(`^/instances/\d+$`).MatchString(href) {
		t.Fatalf("instance link %q", href)
	}
	b.shot("started")
	inst := b.env.call(t, "GET", "/api/processInst/"+strings.TrimPrefix(href, "/instances/"), "dora", nil)
	trigger, _ := json.Marshal(inst.json(t)["trigger"])
	if string(trigger) != `{"applicant":"张三","days":2,"reason":"家事"}` {
		t.Errorf("started with %s", trigger)
	}
	b.click(`#start-dialog [data-close]`)

	// Versions: the current one and the one replaced.
	b.click(fmt.Sprintf(`button[data-action="versions"][data-id=%q]`, id))
	b.wait("the versions", `!document.querySelector("[data-versions-table]").hidden`)
	var rows []string
	b.eval(`[...document.querySelectorAll("[data-versions-rows] tr")].map((r) => r.cells[0].textContent.trim())`, &rows)
	if len(rows) != 2 || !strings.HasPrefix(rows[0], "v2") || rows[1] != "v1" {
		t.Errorf("versions listed: %q", rows)
	}
	b.shot("versions")
}

// bigProcess is a valid flow of n tasks: a trigger, n-2 scripts in rows of 15
// (each connected to the next) and an end.
func bigProcess(n int) map[string]any {
	tasks := make([]any, 0, n)
	id := func(i int) string { return fmt.Sprintf("task-%08d", i) }
	for i := 0; i < n; i++ {
		tpl := "script"
		switch i {
		case 0:
			tpl = "manual"
		case n - 1:
			tpl = "end"
		}
		t := map[string]any{"instId": id(i), "name": fmt.Sprintf("Step %d", i), "template": tpl,
			"positions": []any{80 + (i%15)*180, 80 + (i/15)*100}}
		if i < n-1 {
			t["connections"] = []any{map[string]any{"to": id(i + 1)}}
		}
		if tpl == "script" {
			t["parameters"] = map[string]any{"code": map[string]any{"value": "return input;"}}
		}
		tasks = append(tasks, t)
	}
	return map[string]any{"name": "Three hundred", "tasks": tasks}
}

// TestBrowserLargeGraph opens a flow of 300 nodes and drags one node: only that
// node and its two connections change while dragging, not the whole drawing.
func TestBrowserLargeGraph(t *testing.T) {
	b := newBrowser(t, "dora")
	id := b.env.createProcess(t, bigProcess(300))
	b.setLang("en", "/processes")
	start := time.Now()
	b.openDesigner("/processes/" + id + "/design")
	t.Logf("300 nodes drawn in %v", time.Since(start))
	g := b.graph()
	if len(g.Nodes) != 300 || len(g.Edges) != 299 {
		t.Fatalf("drew %d nodes and %d connections", len(g.Nodes), len(g.Edges))
	}
	b.shot("300")
	// Record which elements change while a node is dragged.
	b.eval(`(() => {
		window.__changed = new Set();
		window.__observer = new MutationObserver((list) => {
			for (const m of list) {
				const owner = m.target.closest?.("[data-task-id], [data-from]");
				window.__changed.add(owner ? (owner.dataset.taskId || owner.dataset.from + ">" + owner.dataset.to) : m.target.tagName + "." + (m.target.getAttribute("class") || ""));
			}
		});
		window.__observer.observe(document.querySelector(".canvas-svg .viewport"), {attributes: true, subtree: true, childList: true});
		return true;
	})()`, nil)
	x, y := b.center(`[data-task-id="task-00000020"] .node-body`)
	b.drag("drag one of 300 nodes", x, y, x+40, y+30)
	var changed []string
	b.eval(`(() => { window.__observer.disconnect(); return [...window.__changed].sort(); })()`, &changed)
	want := []string{"task-00000019>task-00000020", "task-00000020", "task-00000020>task-00000021"}
	var other []string
	for _, c := range changed {
		if !slices.Contains(want, c) {
			other = append(other, c)
		}
	}
	if len(other) > 0 || len(changed) < 3 {
		t.Errorf("dragging one node changed %v", changed)
	}
	if got := b.graph().Nodes["task-00000020"]; got == g.Nodes["task-00000020"] {
		t.Errorf("the node did not move")
	}
}

// TestBrowserPanelsSelectionAndLayout works on the leave-approval example: the
// property panel for an approval and for a gateway branch, rubber-band
// selection with keyboard delete and undo, and auto-layout as one undo step.
func TestBrowserPanelsSelectionAndLayout(t *testing.T) {
	b := newBrowser(t, "dora")
	id := b.env.createProcess(t, example(t, "leave-approval.json"))
	b.setLang("en", "/processes")
	b.openDesigner("/processes/" + id + "/design")
	original := b.graph()

	// The approval's panel: users as chips, the mode as a select, outcomes as a list.
	b.click(`[data-task-id="task-mgr00001"] .node-body`)
	var approval struct {
		Chips   []string `json:"chips"`
		Mode    string   `json:"mode"`
		Fields  []string `json:"fields"`
		Content string   `json:"content"`
	}
	b.eval(`({
		chips: [...document.querySelectorAll('.panel [data-field="parameters.assignees"] .chip-text')].map((c) => c.textContent),
		mode: document.querySelector('.panel [data-field="parameters.mode"] select').value,
		fields: [...document.querySelectorAll(".panel [data-field]")].map((f) => f.dataset.field),
		content: document.querySelector('.panel [data-field="parameters.content"] textarea').value,
	})`, &approval)
	if strings.Join(approval.Chips, ",") != "lisi" || approval.Mode != "any" || !strings.Contains(approval.Content, "trigger.applicant") {
		t.Errorf("approval panel: %+v", approval)
	}
	for _, f := range []string{"name", "parameters.candidateGroups", "parameters.form", "parameters.outcomes", "parameters.dueIn", "parameters.priority", "timeout", "isIgnore", "errorHandler.retry", "errorHandler.strategy"} {
		if !slices.Contains(approval.Fields, f) {
			t.Errorf("approval panel lacks field %s (has %v)", f, approval.Fields)
		}
	}
	// Add a candidate group through the chips input.
	b.do("add a group", chromedp.SendKeys(chromedp.CSS(`.panel [data-field="parameters.candidateGroups"] .chip-input`), "managers\r"))
	b.wait("the group chip", `[...document.querySelectorAll('.panel [data-field="parameters.candidateGroups"] .chip-text')].map((c) => c.textContent).join() === "managers"`)
	b.shot("approval-panel")

	// A gateway branch: label, condition (checked as an expression) and default.
	b.click(`[data-from="task-gw000001"][data-to="task-hr000001"] .edge-label`)
	var edge struct {
		Label     string `json:"label"`
		Condition string `json:"condition"`
		Default   bool   `json:"default"`
	}
	b.eval(`({
		label: document.querySelector('.panel [data-field="label"] input').value,
		condition: document.querySelector('.panel [data-field="condition"] textarea').value,
		default: document.querySelector('.panel [data-field="default"] input').checked,
	})`, &edge)
	if edge.Label != "超过3天" || edge.Condition != "vars.days > 3" || edge.Default {
		t.Errorf("connection panel: %+v", edge)
	}
	b.typeInto(`.panel [data-field="condition"] textarea`, "vars.days >")
	b.wait("the expression error", `!!document.querySelector('.panel [data-field="condition"] .codefield-num.has-error')`)
	b.shot("edge-panel")
	b.typeInto(`.panel [data-field="condition"] textarea`, "vars.days > 5")
	b.wait("the label on the canvas", `document.querySelector('[data-from="task-gw000001"][data-to="task-hr000001"]').classList.contains("selected")`)

	// Rubber band (shift-drag) around the two end tasks, delete with the keyboard, undo.
	x1, y1 := b.center(`[data-task-id="task-end00001"] .node-body`)
	x2, y2 := b.center(`[data-task-id="task-end00002"] .node-body`)
	b.drag("select the two ends", max(x1, x2)+20, max(y1, y2)+20, min(x1, x2), min(y1, y2), chromedp.ModifierShift)
	var selected []string
	b.eval(`[...document.querySelectorAll(".canvas-svg .node.selected")].map((n) => n.dataset.taskId).sort()`, &selected)
	if strings.Join(selected, ",") != "task-end00001,task-end00002" {
		t.Fatalf("rubber band selected %v", selected)
	}
	b.shot("rubber-band")
	b.key(kb.Delete)
	b.wait("the ends deleted", `!document.querySelector('[data-task-id="task-end00001"]') && !document.querySelector('[data-task-id="task-end00002"]')`)
	if g := b.graph(); len(g.Nodes) != 5 || slices.ContainsFunc(g.Edges, func(e string) bool { return strings.Contains(e, "task-end") }) {
		t.Errorf("after delete: %+v", g)
	}
	b.key("z", chromedp.ModifierCtrl)
	b.wait("the ends back", `!!document.querySelector('[data-task-id="task-end00001"]') && !!document.querySelector('[data-from="task-hr000001"][data-to="task-end00001"]')`)
	if g := b.graph(); len(g.Nodes) != 7 || len(g.Edges) != len(original.Edges) {
		t.Errorf("after undo: %+v", g)
	}

	// Escape deselects; auto-layout moves nodes as one undo step.
	b.key(kb.Escape)
	b.wait("nothing selected", `document.querySelectorAll(".canvas-svg .selected").length === 0`)
	before := b.graph()
	b.click(`[data-cmd="layout"]`)
	b.wait("a new layout", `document.querySelector('[data-task-id="task-hr000001"]').getAttribute("transform") !== `+fmt.Sprintf("%q", before.Nodes["task-hr000001"]))
	laid := b.graph()
	b.shot("auto-layout")
	if len(laid.Nodes) != 7 || strings.Join(laid.Edges, " ") != strings.Join(before.Edges, " ") {
		t.Errorf("auto-layout changed the graph: %+v", laid)
	}
	b.click(`[data-cmd="undo"]`)
	b.wait("the layout undone", `document.querySelector('[data-task-id="task-hr000001"]').getAttribute("transform") === `+fmt.Sprintf("%q", before.Nodes["task-hr000001"]))
	if !mapsEqual(b.graph().Nodes, before.Nodes) {
		t.Errorf("one undo did not restore every position")
	}

	// Ctrl+D duplicates the selection (copy and paste) with a new id; undo removes the copy.
	b.click(`[data-task-id="task-calc0001"] .node-body`)
	b.key("d", chromedp.ModifierCtrl)
	b.wait("the copy", `document.querySelectorAll(".canvas-svg [data-task-id]").length === 8`)
	var copied []string
	b.eval(`[...document.querySelectorAll(".canvas-svg .node.selected")].map((n) => n.dataset.taskId)`, &copied)
	if len(copied) != 1 || !reTaskID.MatchString(copied[0]) || copied[0] == "task-calc0001" {
		t.Errorf("the copy is %v", copied)
	}
	b.key("z", chromedp.ModifierCtrl)
	b.wait("the copy undone", `document.querySelectorAll(".canvas-svg [data-task-id]").length === 7`)
}
