package web_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"flowcraft/engine"
)

// TestBrowserTaskFormFlatSubmit: lisi decides a leave request whose approval has a
// form, in Chinese and in English: a required field left empty is flagged on the
// page; filled in, the page posts the seed's flat body and the values reach the
// approval's output. The instance page shows the approval runtime's input (its
// resolved parameters) and its incoming data, labelled.
func TestBrowserTaskFormFlatSubmit(t *testing.T) {
	lisi := newBrowser(t, "lisi")
	e := lisi.env
	e.addUser(t, "zhangsan", "张三", engine.RoleUser)
	def := leaveWithForm(t)
	for _, tk := range def["tasks"].([]any) {
		if tm := tk.(map[string]any); tm["instId"] == "task-mgr00001" {
			form := tm["parameters"].(map[string]any)["form"].(map[string]any)
			form["value"] = append(form["value"].([]any), map[string]any{"key": "note", "label": map[string]any{"zh": "备注", "en": "Note"}, "type": "textarea"})
		}
	}
	pid := e.createProcess(t, def)
	taskOf := func(inst string) string {
		t.Helper()
		return e.taskOf(t, "lisi", inst)["id"].(string)
	}
	for _, lang := range []string{"zh-CN", "en"} {
		inst := e.startAs(t, "zhangsan", pid, map[string]any{"applicant": "张三", "days": 2, "reason": "家事"})
		tid := taskOf(inst)
		lisi.setLang(lang, "/inbox/"+tid)
		lisi.waitReady("the task page", "task")
		lisi.wait("the form's fields", `document.querySelectorAll("[data-task-fields] .field").length === 2`)
		lisi.click(`[data-outcome="approve"]`)
		lisi.wait("the required field flagged", `document.querySelector('.field[data-key="handover"]').classList.contains("has-problem") && location.pathname.startsWith("/inbox/")`)
		lisi.fullShot("task-problem-" + lang)
		lisi.typeInto("#task-f-handover", "王五")
		lisi.wait("the problem cleared by the edit", `!document.querySelector('.field[data-key="handover"]').classList.contains("has-problem")`)
		lisi.typeInto("#task-f-note", "交接文档已发")
		lisi.typeInto("#task-comment", "同意")
		lisi.fullShot("task-filled-" + lang)
		lisi.click(`[data-outcome="approve"]`)
		lisi.wait("back in the inbox", `location.pathname === "/inbox"`)

		r := e.call(t, "GET", "/api/taskInsts?status=done", "lisi", nil)
		var done map[string]any
		for _, x := range r.json(t)["response"].(map[string]any)["list"].([]any) {
			if x.(map[string]any)["id"] == tid {
				done = x.(map[string]any)
			}
		}
		if done == nil || done["outcome"] != "approve" || done["comment"] != "同意" ||
			!reflect.DeepEqual(done["formData"], map[string]any{"handover": "王五", "note": "交接文档已发"}) {
			t.Errorf("%s: the decided task %v", lang, done)
		}
		e.instance(t, inst, "done")

		zhang := lisi.another("zhangsan")
		zhang.setLang(lang, "/instances/"+inst)
		zhang.waitReady("the instance page", "instance")
		zhang.click(`[data-task-id="task-mgr00001"] .node-body`)
		zhang.wait("the approval runtime", `!!document.querySelector('[data-detail] [data-block="incoming"]')`)
		var blocks struct{ Labels, Input, Incoming, Output string }
		zhang.eval(`({Labels: [...document.querySelectorAll("[data-detail] .rt-block-title")].map((s) => s.firstChild.textContent).join("|"),
			Input: document.querySelector('[data-detail] [data-block="input"] pre')?.textContent || "",
			Incoming: document.querySelector('[data-detail] [data-block="incoming"] pre')?.textContent || "",
			Output: document.querySelector('[data-detail] [data-block="output"] pre')?.textContent || ""})`, &blocks)
		labels := map[string]string{"zh-CN": "输入（参数）|传入数据|输出", "en": "Input (parameters)|Incoming data|Output"}[lang]
		if !strings.Contains(blocks.Labels, labels) || !strings.Contains(blocks.Input, `"key": "handover"`) ||
			!strings.Contains(blocks.Incoming, `"days": 2`) || !strings.Contains(blocks.Output, `"handover": "王五"`) {
			t.Errorf("%s: the approval runtime's blocks %+v", lang, blocks)
		}
		zhang.fullShot("instance-" + lang)
	}
	if r := e.call(t, "GET", "/api/taskInsts", "lisi", nil); r.Status != http.StatusOK || strings.Contains(string(r.Body), `"status":"open"`) {
		t.Errorf("lisi's open tasks after both decisions: %d %s", r.Status, r.Body)
	}
}
