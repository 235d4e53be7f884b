package web_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// shifted is def with every task's position moved by (dx, dy), as a process
// imported from BPMN keeps its diagram's coordinates far from the origin.
func shifted(def map[string]any, dx, dy int) map[string]any {
	for i, x := range def["tasks"].([]any) {
		task := x.(map[string]any)
		pos := []any{80 + i*180, 80}
		if p, ok := task["positions"].([]any); ok {
			pos = p
		}
		task["positions"] = []any{pos[0].(int) + dx, pos[1].(int) + dy}
	}
	return def
}

// canvasFit is what the canvas shows: how many nodes, which of them are not
// wholly inside the canvas's box, the zoom and the viewport's transform.
type canvasFit struct {
	Count     int      `json:"count"`
	Hidden    []string `json:"hidden"`
	Zoom      float64  `json:"zoom"`
	Transform string   `json:"transform"`
	Width     float64  `json:"width"`
}

// settle waits two animation frames, so that a resize has been laid out and
// its ResizeObserver callbacks have run.
func (b *browser) settle() {
	b.t.Helper()
	b.eval(`(window.__settled = false, requestAnimationFrame(() => requestAnimationFrame(() => { window.__settled = true; })), true)`, nil)
	b.wait("two frames", `window.__settled === true`)
}

// canvasFit reads the canvas: every node's bounding box against the canvas's.
func (b *browser) canvasFit() canvasFit {
	b.t.Helper()
	var f canvasFit
	b.eval(`(() => {
		const c = document.querySelector("[data-canvas]").getBoundingClientRect();
		const nodes = [...document.querySelectorAll(".canvas-svg [data-task-id]")];
		const hidden = nodes.filter((n) => {
			const r = n.getBoundingClientRect();
			return r.left < c.left || r.top < c.top || r.right > c.right || r.bottom > c.bottom;
		}).map((n) => n.dataset.taskId);
		const transform = document.querySelector(".canvas-svg .viewport").getAttribute("transform");
		const zoom = Number(/scale\(([^)]+)\)/.exec(transform)[1]);
		return {count: nodes.length, hidden, zoom, transform, width: c.width};
	})()`, &f)
	return f
}

// expectFitted checks that every node lies within the canvas, at a zoom
// within the designer's bounds and never past 100 %.
func (b *browser) expectFitted(what string, nodes int) canvasFit {
	b.t.Helper()
	b.settle()
	f := b.canvasFit()
	if f.Count != nodes || len(f.Hidden) > 0 || f.Zoom < 0.2 || f.Zoom > 1 {
		b.shot("not-fitted-" + what)
		b.t.Errorf("%s: %d nodes (want %d), outside the canvas %v, zoom %v (want 0.2 to 1), canvas %v px wide", what, f.Count, nodes, f.Hidden, f.Zoom, f.Width)
	}
	return f
}

// panCanvas drags the empty canvas and returns the view it made (the test fails
// when the view did not change).
func (b *browser) panCanvas(what string) canvasFit {
	b.t.Helper()
	var host struct{ X, Y float64 }
	b.eval(`(() => { const r = document.querySelector("[data-canvas]").getBoundingClientRect(); return {x: r.left, y: r.top}; })()`, &host)
	before := b.canvasFit().Transform
	b.drag(what, host.X+12, host.Y+12, host.X+72, host.Y+52)
	panned := b.canvasFit()
	if panned.Transform == before {
		b.t.Fatalf("%s: dragging the empty canvas did not pan it (%s)", what, before)
	}
	return panned
}

// expectViewKept resizes the window to w × h and checks that the view the user
// made (its transform) stayed as it was.
func (b *browser) expectViewKept(what string, w, h int64, transform string) {
	b.t.Helper()
	b.viewport(w, h)
	b.settle()
	if after := b.canvasFit(); after.Transform != transform {
		b.t.Errorf("%s: resizing to %d px changed the user's view from %s to %s", what, w, transform, after.Transform)
	}
}

// viewport emulates a window of w × h CSS pixels.
func (b *browser) viewport(w, h int64) {
	b.t.Helper()
	b.do(fmt.Sprintf("viewport %d×%d", w, h), chromedp.EmulateViewport(w, h))
}

// TestBrowserDesignerFitsTheView: the designer shows the whole process when it
// opens and after an import, at a phone's 390 px as at 1280 px, in English and
// Chinese, for a process far from the origin and wider than the screen (as a
// BPMN import gives). While the view is still the fit, narrowing the window
// fits the process again, and widening it shows the fit larger again; once the
// user has panned, a resize leaves the view alone until they press fit. A small process is never zoomed in past 100 %.
func TestBrowserDesignerFitsTheView(t *testing.T) {
	b := newBrowser(t, "dora")
	far := shifted(bigProcess(8), 5000, 3000) // one row 1,396 px wide at (5080, 3080)
	far["name"] = "Far away"
	id := b.env.createProcess(t, far)
	design := "/processes/" + id + "/design"

	// Opened at 1280, then the window narrows to a phone's width.
	b.viewport(1280, 900)
	b.setLang("en", design)
	b.waitReady("the designer", "designer")
	wide := b.expectFitted("open-en-1280", 8)
	b.shot("open-en-1280")
	b.viewport(390, 844)
	b.expectFitted("narrowed-en-390", 8)
	b.shot("narrowed-en-390")
	// Wide again: the fit is as large as on opening, not left at the phone's zoom.
	b.viewport(1280, 900)
	if f := b.expectFitted("widened-en-1280", 8); f.Transform != wide.Transform {
		t.Errorf("widened again, the view is %s; opened at this width it was %s", f.Transform, wide.Transform)
	}
	b.viewport(390, 844)

	// Opened at 390, in both languages.
	b.openDesigner(design)
	b.expectFitted("open-en-390", 8)
	b.shot("open-en-390")
	b.setLang("zh-CN", design)
	b.waitReady("the Chinese designer", "designer")
	b.expectFitted("open-zh-390", 8)
	b.shot("open-zh-390")
	b.viewport(1280, 900)
	b.openDesigner(design)
	b.expectFitted("open-zh-1280", 8)
	b.shot("open-zh-1280")

	// The user pans: a resize keeps their view, even with nodes off-screen.
	panned := b.panCanvas("pan the canvas")
	b.expectViewKept("panned", 390, 844, panned.Transform)
	b.shot("panned-zh-390")
	// Fit brings everything back, and the view is a fit again.
	b.click(`[data-cmd="fit"]`)
	b.expectFitted("fit-zh-390", 8)

	// Importing a file fits its process, here with negative coordinates.
	small := shifted(minimal("Small"), -4000, 9000)
	data, err := json.Marshal(small)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "small.json")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	b.setLang("en", design)
	b.waitReady("the designer", "designer")
	b.do("import a file", chromedp.SetUploadFiles(chromedp.CSS(`[data-import-file]`), []string{file}))
	b.wait("the imported process", `document.querySelectorAll(".canvas-svg [data-task-id]").length === 3`)
	b.expectFitted("import-en-390", 3)
	b.shot("import-en-390")
	b.viewport(1280, 900)
	b.click(`[data-cmd="fit"]`)
	if f := b.expectFitted("small-en-1280", 3); f.Zoom != 1 {
		t.Errorf("a small process is fitted at zoom %v, want 1 (never past 100 %%)", f.Zoom)
	}
	b.shot("small-en-1280")
}
