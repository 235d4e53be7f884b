package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// TestBrowserBPMNImportExport: on the processes page a designer imports a BPMN file
// with "Import BPMN" (strict first, which refuses it since an element would be
// dropped; then not strict) and sees the report (the process created, linked to
// the designer; the mapped count; the dropped element with its reason), in English
// and Chinese, at 1280 and 390 px; closing the report lists the new process. In the
// designer "Export BPMN" downloads <name>.bpmn, the saved definition as BPMN 2.0; a
// new, unsaved process cannot be exported.
func TestBrowserBPMNImportExport(t *testing.T) {
	b := newBrowser(t, "dora")
	file, err := filepath.Abs(filepath.Join("testdata", "bpmn", "java.bpmn"))
	if err != nil {
		t.Fatal(err)
	}
	upload := func(strict bool) {
		t.Helper()
		b.eval(fmt.Sprintf(`(() => { document.querySelector('[data-testid="import-bpmn-strict"]').checked = %v; return true; })()`, strict), nil)
		b.do("choose the BPMN file", chromedp.SetUploadFiles(chromedp.CSS(`[data-testid="import-bpmn-file"]`), []string{file}))
	}
	dialogState := `document.querySelector('[data-testid="bpmn-report"]')?.dataset.state`

	b.setLang("en", "/processes")
	b.waitReady("the processes page", "processes")
	b.shotWidths("processes-en")

	// Strict: refused, nothing created.
	upload(true)
	b.wait("the strict refusal", dialogState+` === "failed"`)
	var refusal string
	b.eval(`document.querySelector('[data-testid="bpmn-error"]').textContent`, &refusal)
	if !strings.Contains(refusal, "Task_Java") && !strings.Contains(refusal, "dropped") {
		t.Errorf("the refusal says %q; want the element that would be dropped", refusal)
	}
	b.shotWidths("strict-en")
	if n := b.env.processCount(t); n != 0 {
		t.Fatalf("a strict refusal stored %v processes", n)
	}
	b.click(`[data-testid="bpmn-close"]`)

	// Not strict: imported, with the report.
	upload(false)
	b.wait("the report", dialogState+` === "done" && document.querySelector('[data-testid="bpmn-report"]').open &&
		document.querySelectorAll('[data-testid="bpmn-created"] a').length > 0`)
	var rep struct {
		Links   []string `json:"links"`
		Names   []string `json:"names"`
		Mapped  string   `json:"mapped"`
		Dropped string   `json:"dropped"`
		Open    bool     `json:"open"`
		Where   string   `json:"where"`
	}
	b.eval(`(() => {
		const d = document.querySelector('[data-testid="bpmn-report"]');
		if (!d) return {where: location.href};
		const links = [...d.querySelectorAll('[data-testid="bpmn-created"] a')];
		const dropped = d.querySelector('[data-testid="bpmn-dropped"]');
		return {links: links.map((a) => a.getAttribute("href")), names: links.map((a) => a.textContent),
			mapped: d.querySelector('[data-testid="bpmn-mapped"]').textContent, dropped: dropped.hidden ? "" : dropped.textContent, open: d.open};
	})()`, &rep)
	if !rep.Open || len(rep.Links) != 1 || !strings.HasPrefix(rep.Links[0], "/processes/proc-") || !strings.HasSuffix(rep.Links[0], "/design") ||
		rep.Names[0] != "Calls Java" {
		t.Fatalf("report %+v", rep)
	}
	if !strings.Contains(rep.Mapped, "mapped") || !strings.Contains(rep.Dropped, "Task_Java") || !strings.Contains(rep.Dropped, "serviceTask") ||
		!strings.Contains(rep.Dropped, "cannot run in flowcraft") {
		t.Errorf("report %+v: want the mapped count and the dropped Java task", rep)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(rep.Links[0], "/processes/"), "/design")
	b.shotWidths("report-en")

	// Closing the report lists the new process.
	b.click(`[data-testid="bpmn-close"]`)
	b.waitReady("the processes page again", "processes")
	b.wait("the imported process listed", fmt.Sprintf(`!!document.querySelector('#processes tr[data-id=%q]')`, id))

	// The same in Chinese.
	b.setLang("zh-CN", "/processes")
	b.waitReady("the processes page in Chinese", "processes")
	b.shotWidths("processes-zh")
	upload(false)
	b.wait("the report in Chinese", dialogState+` === "done"`)
	var title string
	b.eval(`document.querySelector("#bpmn-title").textContent + " " + document.querySelector('[data-testid="bpmn-mapped"]').textContent`, &title)
	if !strings.Contains(title, "BPMN 导入") || !strings.Contains(title, "完全对应") {
		t.Errorf("Chinese report: %q", title)
	}
	// The notes are in Chinese too: each is its code's message, not the English text.
	var zhNotes string
	b.eval(`document.querySelector('[data-testid="bpmn-dropped"]').textContent`, &zhNotes)
	if !strings.Contains(zhNotes, "Task_Java") || !strings.Contains(zhNotes, "无法在 flowcraft 中运行") || strings.Contains(zhNotes, "cannot run") {
		t.Errorf("Chinese report's dropped notes: %q", zhNotes)
	}
	b.shotWidths("report-zh")

	// Export from the designer: a download of <name>.bpmn with the document.
	dir := t.TempDir()
	b.openDesigner("/processes/" + id + "/design")
	b.shotWidths("designer-zh")
	b.setLang("en", "/processes/"+id+"/design")
	b.wait("designer ready", `document.getElementById("designer")?.dataset.ready === "true"`)
	b.shotWidths("designer-en")
	begin := chromedp.Events(b.ctx, cdpbrowser.DownloadWillBegin)
	progress := chromedp.Events(b.ctx, cdpbrowser.DownloadProgress)
	b.do("allow downloads", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		on := true
		_, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &on})
		return err
	}))
	var disabled bool
	b.eval(`document.querySelector('[data-testid="export-bpmn"]').disabled`, &disabled)
	if disabled {
		t.Fatal("Export BPMN is disabled for a saved process")
	}
	b.click(`[data-testid="export-bpmn"]`)
	var name string
	for ev, err := range begin {
		if err != nil {
			t.Fatalf("no download began: %v", err)
		}
		name = ev.SuggestedFilename
		break
	}
	if name != "Calls Java.bpmn" {
		t.Errorf("download named %q, want Calls Java.bpmn", name)
	}
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("the download did not complete: %v", err)
		}
		if ev.State == cdpbrowser.DownloadProgressStateCanceled {
			t.Fatal("the download was canceled")
		}
		if ev.State != cdpbrowser.DownloadProgressStateCompleted {
			continue
		}
		doc, err := os.ReadFile(filepath.Join(dir, ev.GUID))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(doc), "http://www.omg.org/spec/BPMN/20100524/MODEL") || !strings.Contains(string(doc), "Calls Java") {
			t.Errorf("downloaded %.300s", doc)
		}
		break
	}

	// A new process has nothing saved to export.
	b.openDesigner("/processes/new")
	b.eval(`document.querySelector('[data-testid="export-bpmn"]').disabled`, &disabled)
	if !disabled {
		t.Error("Export BPMN is enabled for a new process")
	}
}
