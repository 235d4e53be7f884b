package ui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

func designerData(lang Lang) DesignerData {
	p := page(lang, "designer")
	p.Path = "/processes/proc-abc12345/design"
	p.Full = true
	return DesignerData{
		Page:       p,
		ProcessID:  "proc-abc12345",
		Name:       `请假 <b>审批</b>`,
		Definition: json.RawMessage(`{"id":"proc-abc12345","name":"</script><script>alert(1)</script>","tasks":[]}`),
		Templates:  json.RawMessage(`[{"id":"script","kind":"action","label":{"zh":"脚本","en":"Script"}}]`),
	}
}

func TestDesignerPage(t *testing.T) {
	html := render(t, DesignerPage(designerData(En)))
	mustContain(t, html,
		`<main id="main" class="main main-full">`,
		`<header class="topbar topbar-full">`,
		`id="designer" data-process-id="proc-abc12345"`,
		`value="请假 &lt;b&gt;审批&lt;/b&gt;"`, `data-process-name`,
		`<meta name="csrf-token" content="csrf-tok-123">`,
		`<script id="designer-i18n" type="application/json">`,
		`<script id="designer-templates" type="application/json">[{"id":"script","kind":"action","label":{"zh":"脚本","en":"Script"}}]`,
		`<script type="module" src="/static/js/designer/main.js"></script>`,
		`data-palette`, `data-palette-search`, `data-canvas`, `data-panel`, `data-import-file`,
		`data-dialog="conflict"`, `Someone else saved this process`, `data-conflict-action="reload"`,
		`role="toolbar" aria-label="Designer tools"`,
		`aria-label="Back to processes"`,
		"Start your flow",
	)
	for _, cmd := range []string{"save", "undo", "redo", "zoom-in", "zoom-out", "fit", "layout", "import", "export"} {
		if !regexp.MustCompile(`data-cmd="` + cmd + `"[^>]*(aria-label|title)="[^"]+"`).MatchString(html) {
			t.Errorf("toolbar button %s is missing or has no label", cmd)
		}
	}
	mustContain(t, html, `title="Undo (Ctrl+Z)"`, `title="Redo (Ctrl+Shift+Z)"`, `title="Save (Ctrl+S)"`)
	// The definition cannot end the script element early.
	mustNotContain(t, html, "<script>alert(1)", "<b>审批")
	mustContain(t, html, `\u003c/script\u003e\u003cscript\u003ealert(1)`)

	// The messages for the script are in the page's language, without the prefix.
	zh := render(t, DesignerPage(designerData(ZhCN)))
	m := regexp.MustCompile(`(?s)<script id="designer-i18n" type="application/json">(.*?)</script>`).FindStringSubmatch(zh)
	if m == nil {
		t.Fatal("no designer-i18n blob")
	}
	var msgs map[string]string
	if err := json.Unmarshal([]byte(m[1]), &msgs); err != nil {
		t.Fatal(err)
	}
	if msgs["status.saved"] != "所有修改已保存" || msgs["kind.trigger"] != "触发器" || msgs["panel.condition"] != "条件" {
		t.Errorf("zh messages: %v %v %v", msgs["status.saved"], msgs["kind.trigger"], msgs["panel.condition"])
	}
	for k := range msgs {
		if strings.HasPrefix(k, "designer.") {
			t.Errorf("message key %q keeps its prefix", k)
		}
	}
	mustContain(t, zh, `<html lang="zh-CN">`, ">保存</span>", `title="撤销 (Ctrl+Z)"`, "开始设计流程")
}

func TestDesignerPageNew(t *testing.T) {
	d := designerData(En)
	d.ProcessID, d.Name, d.Definition = "", "", nil
	html := render(t, DesignerPage(d))
	mustContain(t, html, `data-process-id=""`, `<script id="designer-definition" type="application/json">null`, `placeholder="Untitled process"`)
}

// TestDesignerScriptKeys checks that every message the designer's script asks
// for (t("key") in static/js/designer) is in both catalogues as "designer.key".
func TestDesignerScriptKeys(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "static", "js", "designer", "*.js"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no designer scripts found: %v", err)
	}
	call := regexp.MustCompile(`\bt\(\s*"([a-zA-Z0-9_.-]+)"`)
	tmpl := regexp.MustCompile("\\bt\\(`([a-z_.]+)\\$\\{")
	en, zh := testCat.langs[En], testCat.langs[ZhCN]
	seen := map[string]bool{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllStringSubmatch(string(src), -1) {
			seen[m[1]] = true
		}
		// Keys built from a prefix, such as t(`kind.${kind}`): some key must have the prefix.
		for _, m := range tmpl.FindAllStringSubmatch(string(src), -1) {
			found := false
			for k := range en {
				found = found || strings.HasPrefix(k, "designer."+m[1])
			}
			if !found {
				t.Errorf("%s: no message starts with designer.%s", filepath.Base(f), m[1])
			}
		}
	}
	if len(seen) < 60 {
		t.Fatalf("found only %d message keys in the scripts; is the scan broken?", len(seen))
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, ok := en["designer."+k]; !ok {
			t.Errorf("script message %q is missing from en", k)
		}
		if _, ok := zh["designer."+k]; !ok {
			t.Errorf("script message %q is missing from zh-CN", k)
		}
	}
	for _, kind := range []string{"trigger", "action", "flow", "wait", "end"} {
		if _, ok := en["designer.kind."+kind]; !ok {
			t.Errorf("no palette heading for kind %s", kind)
		}
	}
	for _, s := range []string{"fail", "ignore", "goto"} {
		if _, ok := en["designer.panel.strategy."+s]; !ok {
			t.Errorf("no label for error strategy %s", s)
		}
	}
}

func TestProcessesPageDialogs(t *testing.T) {
	d := ProcessesData{Page: page(En, "designer"), Rows: sampleRows(), Total: 3, CanEdit: true}
	html := render(t, ProcessesPage(d))
	mustContain(t, html,
		`data-action="start" data-id="p_1" data-name="采购审批"`, `aria-label="Start 采购审批"`,
		`data-action="versions" data-id="p_1"`, `data-version="3"`,
		`href="/processes/p_1/design" aria-label="Open 采购审批 in the designer"`,
		`<dialog class="dialog dialog-wide" id="start-dialog"`, `data-start-form`, `data-start-fields`, `data-start-link`,
		`<dialog class="dialog dialog-wide" id="versions-dialog"`, `data-versions-rows`,
		`data-msg-required="Required"`, `data-msg-json-label="Trigger data (JSON)"`,
	)
	// A disabled process cannot be started.
	mustNotContain(t, html, `data-action="start" data-id="p_2"`)
	zh := render(t, ProcessesPage(ProcessesData{Page: page(ZhCN, "designer"), Rows: sampleRows(), Total: 3, CanEdit: true}))
	mustContain(t, zh, "启动流程", "历史版本", `data-msg-required="必填"`)
	// Users without edit rights get no dialogs.
	ro := render(t, ProcessesPage(ProcessesData{Page: page(En, "user"), Rows: sampleRows(), Total: 3}))
	mustNotContain(t, ro, "start-dialog", "versions-dialog", `data-action="start"`)
}
