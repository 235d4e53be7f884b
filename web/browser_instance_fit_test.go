package web_test

import "testing"

// TestBrowserInstanceGraphKeepsItsFit: the instance page's live graph shows
// the whole process at 1280 px and at a phone's 390 px, in English and
// Chinese. While the view is still the fit, narrowing the window fits it
// again and widening it shows it as large as on opening; once the user has
// zoomed or panned, a resize leaves their view alone until they press fit.
func TestBrowserInstanceGraphKeepsItsFit(t *testing.T) {
	b := newBrowser(t, "dora")
	leave := b.env.createProcess(t, example(t, "leave-approval.json"))
	inst := b.env.startAs(t, "dora", leave, map[string]any{"applicant": "李雷", "days": 5, "reason": "旅行"})
	page := "/instances/" + inst
	const nodes = 7

	openAt := func(lang string) {
		t.Helper()
		b.setLang(lang, page)
		b.waitReady("the instance page", "instance")
		b.wait("the waiting instance", `document.getElementById("instance")?.dataset.status === "waiting"`)
	}

	// Opened at 1280, narrowed to a phone's width, widened again.
	b.viewport(1280, 900)
	openAt("en")
	wide := b.expectFitted("open-en-1280", nodes)
	b.shot("open-en-1280")
	b.viewport(390, 844)
	b.expectFitted("narrowed-en-390", nodes)
	b.fullShot("narrowed-en-390")
	b.viewport(1280, 900)
	if f := b.expectFitted("widened-en-1280", nodes); f.Transform != wide.Transform {
		t.Errorf("widened again, the view is %s; opened at this width it was %s", f.Transform, wide.Transform)
	}

	// Opened at 390 and at 1280 in Chinese.
	b.viewport(390, 844)
	openAt("zh-CN")
	b.expectFitted("open-zh-390", nodes)
	b.fullShot("open-zh-390")
	b.viewport(1280, 900)
	b.expectFitted("widened-zh-1280", nodes)
	b.shot("widened-zh-1280")

	// The user zooms in: a resize keeps their view, even with nodes off-screen.
	before := b.canvasFit().Transform
	b.click(`[data-graph="zoom-in"]`)
	zoomed := b.canvasFit()
	if zoomed.Transform == before {
		t.Fatalf("zoom in did not change the view (%s)", before)
	}
	b.expectViewKept("zoomed", 390, 844, zoomed.Transform)
	b.fullShot("zoomed-zh-390")

	// Fit makes the view a fit again, which follows the window once more.
	b.click(`[data-graph="fit"]`)
	b.expectFitted("fit-zh-390", nodes)
	b.viewport(1280, 900)
	if f := b.expectFitted("refit-zh-1280", nodes); f.Transform != wide.Transform {
		t.Errorf("after fit and a resize to 1280, the view is %s; opened at this width it was %s", f.Transform, wide.Transform)
	}

	// The user pans the empty canvas: a resize keeps their view.
	panned := b.panCanvas("pan the graph")
	b.expectViewKept("panned", 390, 844, panned.Transform)
	b.fullShot("panned-zh-390")
	b.expectViewKept("panned", 1280, 900, panned.Transform)
	b.click(`[data-graph="fit"]`)
	b.expectFitted("fit-zh-1280", nodes)
}
