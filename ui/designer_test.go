package ui

import (
	"encoding/json"
	"regexp"
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
		`id="designer" data-page="designer" data-process-id="proc-abc12345"`,
		`value="请假 &lt;b&gt;审批&lt;/b&gt;"`, `data-process-name`,
		`<meta name="csrf-token" content="csrf-tok-123">`,
		`<script id="i18n" type="application/json">`,
		`<script id="designer-templates" type="application/json">[{"id":"script","kind":"action","label":{"zh":"脚本","en":"Script"}}]`,
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

	// The messages for the scripts are in the page's language, keys whole.
	zh := render(t, DesignerPage(designerData(ZhCN)))
	msgs := pageMessages(t, zh)
	if msgs["designer.status.saved"] != "所有修改已保存" || msgs["designer.kind.trigger"] != "触发器" || msgs["designer.panel.condition"] != "条件" {
		t.Errorf("zh messages: %v %v %v", msgs["designer.status.saved"], msgs["designer.kind.trigger"], msgs["designer.panel.condition"])
	}
	if strings.Count(zh, `<script id="i18n"`) != 1 {
		t.Error("the page should render its messages once")
	}
	mustContain(t, zh, `<html lang="zh-CN">`, ">保存</span>", `title="撤销 (Ctrl+Z)"`, "开始设计流程")
}

func TestDesignerPageNew(t *testing.T) {
	d := designerData(En)
	d.ProcessID, d.Name, d.Definition = "", "", nil
	html := render(t, DesignerPage(d))
	mustContain(t, html, `data-process-id=""`, `<script id="designer-definition" type="application/json">null`, `placeholder="Untitled process"`)
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
		`"js.field_required":"Required"`, `"start.json_label":"Trigger data (JSON)"`,
	)
	// A disabled process cannot be started.
	mustNotContain(t, html, `data-action="start" data-id="p_2"`)
	zh := render(t, ProcessesPage(ProcessesData{Page: page(ZhCN, "designer"), Rows: sampleRows(), Total: 3, CanEdit: true}))
	mustContain(t, zh, "启动流程", "历史版本", `"js.field_required":"必填"`)
	// Users without edit rights get the start dialog for what they may start, not the
	// versions dialog; with nothing to start, no dialog.
	ro := render(t, ProcessesPage(ProcessesData{Page: page(En, "user"), Rows: sampleRows(), Total: 3}))
	mustContain(t, ro, "start-dialog", `data-action="start" data-id="p_1"`)
	mustNotContain(t, ro, "versions-dialog")
	ro = render(t, ProcessesPage(ProcessesData{Page: page(En, "user"), Rows: sampleRows()[1:], Total: 2}))
	mustNotContain(t, ro, "start-dialog", "versions-dialog", `data-action="start"`)
}
