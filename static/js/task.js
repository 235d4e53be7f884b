// flowcraft — the task page: the form generated from the task's fields, one
// button per outcome (data-outcome), comment, claim/unclaim, delegate and
// resolve. A change made elsewhere (someone else claimed or decided) is
// announced live through /ws/inbox.

import { call } from "./msgs.js";
import { t, problemText } from "./i18n.js";
import { fieldsFromTask, collectTaskForm, submitBody, problemField } from "./taskform.js";
import { onInbox, onInboxState } from "./inboxfeed.js";
import { indicator } from "./live.js";
import { h, alertShower, showErrorBox, closeButtons } from "./dom.js";

/**
 * Starts the task page.
 * @param {HTMLElement} root the page element (#task)
 */
export function init(root) {
  const id = root.dataset.taskId;
  const page = {
    root,
    id,
    url: `/api/taskInst/${encodeURIComponent(id)}`,
    showAlert: alertShower(root.querySelector("[data-alert]"), t),
    busy: false, // a decision is on its way: live changes are ours
  };
  decisionForm(page);
  taskActions(page);
  resolveForm(page);
  delegateDialog(page, document.getElementById("delegate-dialog"));
  changedElsewhere(page);
  root.dataset.ready = "true";
}

/** Draws one input per field of the task's form into box. */
function drawFields(box, fields) {
  for (const f of fields) {
    const fid = `task-f-${f.key}`;
    const field = h("div", "field");
    field.dataset.key = f.key;
    const label = h("label", "label", f.label);
    label.htmlFor = fid;
    if (f.required) label.append(" ", h("span", "req", "*"));
    let input;
    switch (f.type) {
      case "boolean": {
        field.className = "field field-inline";
        const sw = h("span", "switch");
        input = h("input");
        input.type = "checkbox";
        input.setAttribute("role", "switch");
        sw.append(input, h("span", "switch-track"));
        field.append(sw, label);
        break;
      }
      case "select":
        input = h("select", "select");
        input.append(new Option(t("task.js.choose"), ""));
        for (const o of f.options) input.append(new Option(o.label, o.value));
        field.append(label, input);
        break;
      case "textarea":
        input = h("textarea", "textarea");
        input.rows = 4;
        field.append(label, input);
        break;
      default:
        input = h("input", "input");
        input.type = f.type === "number" ? "number" : f.type === "date" ? "date" : "text";
        if (f.type === "number") input.step = "any";
        field.append(label, input);
    }
    input.id = fid;
    input.name = `form.${f.key}`;
    if (f.required) input.setAttribute("aria-required", "true");
    field.append(h("div", "field-problems"));
    box.append(field);
  }
  box.hidden = fields.length === 0;
}

/**
 * The decision form: the task's fields, checked here first, then posted as
 * the seed's flat body (the answers by field key, the outcome of the button
 * pressed and the comment); the server's problems appear on their fields, the
 * rest in the alert.
 */
function decisionForm(page) {
  const form = page.root.querySelector("[data-task-form]");
  const box = page.root.querySelector("[data-task-fields]");
  if (!form || !box) return;
  const lang = document.documentElement.lang === "zh-CN" ? "zh" : "en";
  const fields = fieldsFromTask(JSON.parse(document.getElementById("task-form")?.textContent || "[]"), lang);
  drawFields(box, fields);

  /** Shows (or clears) a problem under a form field. */
  const fieldProblem = (key, text) => {
    const field = box.querySelector(`.field[data-key="${CSS.escape(key)}"]`);
    if (!field) return false;
    field.classList.toggle("has-problem", !!text);
    field.querySelector(".field-problems").replaceChildren(...(text ? [h("div", "field-problem", text)] : []));
    return true;
  };

  // A flagged field is cleared as soon as it is edited.
  box.addEventListener("input", (e) => {
    const field = e.target.closest?.(".field.has-problem");
    if (field) fieldProblem(field.dataset.key, "");
  });

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (page.busy) return;
    const button = e.submitter?.closest("[data-outcome]");
    const outcome = button?.dataset.outcome;
    if (!outcome) return;
    const raw = {};
    for (const f of fields) {
      const input = document.getElementById(`task-f-${f.key}`);
      raw[f.key] = input.type === "checkbox" ? input.checked : input.value;
      fieldProblem(f.key, "");
    }
    const { data, errors } = collectTaskForm(fields, raw);
    for (const x of errors) fieldProblem(x.key, t(`task.js.problem.${x.problem}`));
    if (errors.length) {
      box.querySelector(".has-problem input, .has-problem select, .has-problem textarea")?.focus();
      return;
    }
    page.busy = true;
    button.setAttribute("aria-busy", "true");
    for (const b of form.querySelectorAll("button")) b.disabled = true;
    const r = await call("POST", page.url, submitBody(outcome, form.querySelector("[name=comment]").value, data));
    page.busy = false;
    button.removeAttribute("aria-busy");
    for (const b of form.querySelectorAll("button")) b.disabled = false;
    if (r.ok) {
      window.location.assign(`/inbox?completed=${encodeURIComponent(page.id)}`);
      return;
    }
    // Each problem on the form field it concerns, in the page's language; the
    // rest (outcome, comment, the task's state) in the alert.
    const rest = [];
    for (const x of r.data?.errors || []) {
      const key = problemField(x, fields);
      if (!(key && fieldProblem(key, problemText(t, x)))) rest.push(x);
    }
    page.showAlert(t("task.js.submit_failed"), { status: r.status, data: { ...r.data, errors: rest } });
  });
}

/** Claim and unclaim (then reload), and the buttons that open a dialog (data-open-dialog). */
function taskActions(page) {
  page.root.addEventListener("click", async (e) => {
    const b = e.target.closest?.("button[data-task-action]");
    if (b && (b.dataset.taskAction === "claim" || b.dataset.taskAction === "unclaim")) {
      b.disabled = true;
      const r = await call("POST", `${page.url}/${b.dataset.taskAction}`, {});
      b.disabled = false;
      if (r.ok) window.location.reload();
      else page.showAlert(t("task.js.action_failed"), r);
      return;
    }
    const open = e.target.closest?.("[data-open-dialog]");
    if (open) {
      const d = document.getElementById(open.dataset.openDialog);
      d?.querySelector("[data-dialog-error]")?.setAttribute("hidden", "");
      d?.showModal();
      d?.querySelector("select, input")?.focus();
    }
  });
}

/** The resolve form of a delegated task: hands it back to its owner. */
function resolveForm(page) {
  page.root.querySelector("[data-resolve-form]")?.addEventListener("submit", async (e) => {
    e.preventDefault();
    const comment = e.target.querySelector("[name=comment]").value;
    const r = await call("POST", `${page.url}/resolve`, { comment });
    if (r.ok) window.location.assign(`/inbox?resolved=${encodeURIComponent(page.id)}`);
    else page.showAlert(t("task.js.action_failed"), r);
  });
}

/**
 * The delegate dialog: the assignee is required; the server's problems with
 * it appear under the field, anything else in the dialog's error box.
 * @param {HTMLDialogElement | null} dialog
 */
function delegateDialog(page, dialog) {
  if (!dialog) return;
  closeButtons([dialog]);
  dialog.querySelector("[data-delegate-form]").addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = e.target;
    const to = f.querySelector("[name=assignee]");
    const problems = to.closest(".field").querySelector(".field-problems");
    problems.replaceChildren();
    if (!to.value.trim()) {
      problems.append(h("div", "field-problem", t("task.js.problem.required")));
      to.focus();
      return;
    }
    const r = await call("POST", `${page.url}/delegate`, { assignee: to.value.trim(), comment: f.querySelector("[name=comment]").value });
    if (r.ok) {
      window.location.reload();
      return;
    }
    const errors = r.data?.errors || [];
    const onField = errors.filter((x) => x.field === "assignee");
    problems.replaceChildren(...onField.map((x) => h("div", "field-problem", problemText(t, x))));
    if (onField.length === errors.length && onField.length > 0) return;
    showErrorBox(dialog.querySelector("[data-dialog-error]"), t, r);
  });
}

/** Announces (live, /ws/inbox) that someone else claimed, delegated or decided the task. */
function changedElsewhere(page) {
  const { root } = page;
  const initial = { status: root.dataset.status, assignee: root.dataset.assignee };
  onInbox((change) => {
    const task = change.task;
    if (!task || String(task.id) !== page.id || page.busy) return;
    if (task.status !== initial.status || (task.assignee || "") !== (initial.assignee || "")) {
      root.querySelector("[data-changed]").hidden = false;
      root.dataset.changed = "true";
    }
  });
  onInboxState(indicator(root.querySelector("[data-live]"), t));
}
