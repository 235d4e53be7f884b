// flowcraft — processes list: import a process from a JSON file, enable, disable
// and delete processes through the REST API, then reload the list.
//
// Controls are found by data-action ("import", "enable", "disable", "delete") and
// data-id; messages come from the page's <script id="i18n"> (i18n.js) and, for
// the delete confirmation, from the button's data-confirm. API errors
// ({"statusCode", "code", "params", "errorMessage", "errors": [{"taskId",
// "field", "code", "params", "message"}]}) are shown, translated from their
// codes, in the [data-alert] box.
//
// "start" opens #start-dialog with a form generated from the process's
// inputDataSchema (schemaform.js: read from GET /api/process/{id}, or from the
// button's data-schema for users, who may not read definitions) and posts the
// trigger data, with the optional business key as ?businessKey=; "versions" opens
// #versions-dialog with GET /api/process/{id}/versions.
//
// "import-bpmn" uploads the chosen BPMN 2.0 file to POST /api/process/import
// (multipart, the file in "file"; ?strict=true when [data-import-bpmn-strict] is
// checked) and shows in #bpmn-dialog the processes it created (linked to the
// designer) and the report: how many elements were mapped exactly, and which
// were approximated or dropped, each with its reason. Closing the dialog after
// an import reloads the list.

import { formFromSchema, collectValues } from "./schemaform.js";
import { fmtTime } from "./times.js";
import { api, call, csrfToken } from "./msgs.js";
import { t, errorText, problemText } from "./i18n.js";
import { h, alertShower, showErrorBox, closeButtons } from "./dom.js";

const processURL = (id) => `/api/process/${encodeURIComponent(id)}`;

/**
 * Starts the processes page: import, the row actions and their dialogs.
 * @param {HTMLElement} root the page element (#processes)
 */
export function init(root) {
  const alerts = pageAlerts(root.querySelector("[data-alert]"));
  importButton(root, alerts);
  bpmnImport(root, document.getElementById("bpmn-dialog"));
  closeButtons(document.querySelectorAll("dialog"));
  const openStart = startDialog(document.getElementById("start-dialog"));
  const openVersions = versionsDialog(document.getElementById("versions-dialog"));
  rowActions(root, alerts, { openStart, openVersions });
  root.dataset.ready = "true";
}

/**
 * The page's alert box: show(title, answer | text), hide(), finish(answer,
 * title) (reloads the page after a good answer, else shows it) and
 * busy(control, title, fn) (runs fn with the control marked busy; a network
 * failure becomes an alert).
 * @param {HTMLElement} alertBox
 */
function pageAlerts(alertBox) {
  const show = alertShower(alertBox, t);
  return {
    show,
    hide() {
      alertBox.hidden = true;
      alertBox.replaceChildren();
    },
    finish(res, title) {
      if (res.ok) {
        window.location.reload();
        return;
      }
      show(title, res, (e) => e?.taskId || "");
    },
    async busy(control, title, fn) {
      control.setAttribute("aria-busy", "true");
      try {
        await fn();
      } catch {
        show(title, t("error.network"));
      } finally {
        control.removeAttribute("aria-busy");
      }
    },
  };
}

/** Import: read the chosen .json file, check it parses, POST it as it is. */
function importButton(root, alerts) {
  const fileInput = root.querySelector('input[type="file"][data-action="import"]');
  if (!fileInput) return;
  const label = fileInput.closest("[data-import-label]") || fileInput;
  fileInput.addEventListener("change", async () => {
    const file = fileInput.files?.[0];
    fileInput.value = "";
    if (!file) return;
    alerts.hide();
    const title = t("js.import_failed");
    let text;
    try {
      text = await file.text();
      JSON.parse(text);
    } catch {
      alerts.show(title, `${file.name}: ${t("js.invalid_json")}`);
      return;
    }
    const caption = label.querySelector("span");
    const idle = caption?.textContent;
    if (caption) caption.textContent = t("js.importing");
    await alerts.busy(label, title, async () => alerts.finish(await api("POST", "/api/process", text), title));
    if (caption) caption.textContent = idle;
  });
}

/**
 * Uploads a BPMN file to POST /api/process/import as multipart ("file"),
 * resolving to {ok, status, data} as call() does (status 0: no answer).
 * @param {File} file
 * @param {boolean} strict
 */
async function uploadBPMN(file, strict) {
  const body = new FormData();
  body.append("file", file, file.name);
  try {
    const res = await fetch(`/api/process/import${strict ? "?strict=true" : ""}`, {
      method: "POST",
      headers: { Accept: "application/json", "X-CSRF-Token": csrfToken() },
      credentials: "same-origin",
      body,
    });
    let data = null;
    try {
      data = await res.json();
    } catch {
      data = null;
    }
    return { ok: res.ok, status: res.status, data };
  } catch {
    return { ok: false, status: 0, data: null };
  }
}

/**
 * Import BPMN: the file input [data-action="import-bpmn"] uploads the chosen
 * file and shows the answer in the dialog.
 * @param {HTMLElement} root
 * @param {HTMLDialogElement | null} dialog
 */
function bpmnImport(root, dialog) {
  const fileInput = root.querySelector('input[type="file"][data-action="import-bpmn"]');
  if (!fileInput || !dialog) return;
  const label = fileInput.closest("[data-import-bpmn-label]") || fileInput;
  const strictBox = root.querySelector("[data-import-bpmn-strict]");
  const $ = (sel) => dialog.querySelector(sel);
  let imported = false;
  // The close event comes as a task of its own, late: a file chosen right after
  // closing the dialog may have reopened it meanwhile, so an open dialog stays.
  dialog.addEventListener("close", () => {
    if (imported && !dialog.open) window.location.reload();
  });
  fileInput.addEventListener("change", async () => {
    const file = fileInput.files?.[0];
    fileInput.value = "";
    if (!file) return;
    $("[data-bpmn-file]").textContent = file.name;
    $("[data-bpmn-loading]").hidden = false;
    $("[data-bpmn-error]").hidden = true;
    $("[data-bpmn-result]").hidden = true;
    dialog.dataset.state = "loading";
    if (!dialog.open) dialog.showModal();
    label.setAttribute("aria-busy", "true");
    const r = await uploadBPMN(file, !!strictBox?.checked);
    label.removeAttribute("aria-busy");
    $("[data-bpmn-loading]").hidden = true;
    if (!r.ok) {
      showErrorBox($("[data-bpmn-error]"), t, r, { title: t("bpmn.failed"), rest: r.data?.errors || [] });
      dialog.dataset.state = "failed";
      return;
    }
    imported = true;
    showReport(dialog, r.data?.response || {});
    dialog.dataset.state = "done";
  });
}

/**
 * Fills the dialog with an import's answer: the processes created and the
 * report ({mapped, approximated: [{element, id, code, params, how}], dropped: [{element, id, code, params, why}]}):
 * each note shows the page language's "bpmn.note.<code>" message, or the English how/why.
 * @param {HTMLDialogElement} dialog
 * @param {{processes?: Array<{id: string, name: string, bpmnId: string}>, report?: any}} answer
 */
function showReport(dialog, answer) {
  const $ = (sel) => dialog.querySelector(sel);
  const processes = answer.processes || [];
  const report = answer.report || {};
  $("[data-bpmn-created-title]").textContent = t("bpmn.created", { count: processes.length });
  $("[data-bpmn-created]").replaceChildren(
    ...processes.map((p) => {
      const li = h("li");
      const a = h("a", "", p.name || p.id);
      a.href = `/processes/${encodeURIComponent(p.id)}/design`;
      a.title = t("bpmn.open", { name: p.name || p.id });
      a.dataset.processId = p.id;
      li.append(a, " ", h("span", "mono muted", p.bpmnId || ""));
      return li;
    }),
  );
  const approximated = report.approximated || [];
  const dropped = report.dropped || [];
  const mapped = t("bpmn.mapped", { count: report.mapped ?? 0 });
  $("[data-bpmn-mapped]").textContent = approximated.length || dropped.length ? mapped : `${mapped} ${t("bpmn.nothing_lost")}`;
  const notes = (section, titleKey, list, reason) => {
    const box = $(section);
    box.hidden = list.length === 0;
    box.querySelector(".bpmn-notes-title").textContent = t(titleKey, { count: list.length });
    box.querySelector("[data-bpmn-list]").replaceChildren(
      ...list.map((n) => {
        const li = h("li", "bpmn-note");
        const what = h("span", "bpmn-note-what");
        what.append(h("code", "", n.element || ""), " ", h("span", "mono muted", n.id || ""));
        li.append(what, h("span", "bpmn-note-why", noteText(n, reason)));
        return li;
      }),
    );
  };
  notes("[data-bpmn-approximated]", "bpmn.approximated", approximated, "how");
  notes("[data-bpmn-dropped]", "bpmn.dropped", dropped, "why");
  $("[data-bpmn-result]").hidden = false;
}

/**
 * The text of a report note: its code's message in the page's language with its
 * params, or the English how/why the server sent beside the code.
 * @param {{code?: string, params?: Record<string, any>}} n
 * @param {string} reason "how" or "why"
 */
function noteText(n, reason) {
  const key = `bpmn.note.${n.code}`;
  if (!n.code || !t.has(key)) return n[reason] || "";
  // BPMN's own words among the params (an event's kind, an approval's mode) read in
  // the page's language too where the locale has them.
  const params = { ...(n.params || {}) };
  for (const name of ["kind", "mode"]) {
    const word = `bpmn.${name}.${params[name]}`;
    if (typeof params[name] === "string" && t.has(word)) params[name] = t(word);
  }
  return t(key, params);
}

/** The buttons of a row (data-action, data-id): enable, disable, delete, start, versions. */
function rowActions(root, alerts, { openStart, openVersions }) {
  root.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button || !root.contains(button)) return;
    const { action, id } = button.dataset;
    if (!id) return;
    const title = t("js.action_failed");
    switch (action) {
      case "enable":
      case "disable":
        alerts.hide();
        await alerts.busy(button, title, async () =>
          alerts.finish(await api("PATCH", processURL(id), { enabled: action === "enable" }), title),
        );
        break;
      case "delete":
        if (!window.confirm(button.dataset.confirm || "Delete?")) return;
        alerts.hide();
        await alerts.busy(button, title, async () => alerts.finish(await api("DELETE", processURL(id)), title));
        break;
      case "start":
        openStart(id, button.dataset.name || id, button.dataset.schema);
        break;
      case "versions":
        openVersions(id, button.dataset.name || id, Number(button.dataset.version) || 0);
        break;
    }
  });
}

// ---------- start ----------

/**
 * Builds the inputs of the start form from an inputDataSchema into box, or a
 * JSON text area when the schema is not a flat form. Returns {fields} or {json}.
 */
function drawStartForm(box, schema) {
  box.replaceChildren();
  const form = formFromSchema(schema);
  const hasProps = schema && typeof schema === "object" && schema.properties && Object.keys(schema.properties).length > 0;
  if (!form.json) {
    for (const f of form.fields) box.append(startField(f));
    return { fields: form.fields };
  }
  const field = h("div", "field");
  if (!hasProps && (!schema || Object.keys(schema).length === 0)) field.append(h("p", "hint", t("start.no_input")));
  const label = h("label", "label", t("start.json_label"));
  label.htmlFor = "start-json";
  const ta = h("textarea", "textarea mono");
  ta.id = "start-json";
  ta.rows = 6;
  ta.spellcheck = false;
  ta.value = "{}";
  field.append(label, ta, h("div", "hint", t("start.json_hint")), h("div", "field-problems"));
  box.append(field);
  return { json: ta };
}

/** One field of the start form: a switch, a select or an input, with its label and hint. */
function startField(f) {
  const id = `start-${f.key}`;
  const field = h("div", "field");
  field.dataset.key = f.key;
  const label = h("label", "label", f.label);
  label.htmlFor = id;
  if (f.required) label.append(" ", h("span", "req", "*"));
  let input;
  if (f.type === "boolean") {
    field.className = "field field-inline";
    const sw = h("span", "switch");
    input = h("input");
    input.type = "checkbox";
    input.setAttribute("role", "switch");
    input.checked = f.default === true;
    sw.append(input, h("span", "switch-track"));
    input.id = id;
    field.append(sw, label);
  } else if (f.type === "enum") {
    input = h("select", "select");
    input.append(new Option(t("start.choose"), ""));
    for (const o of f.options) input.append(new Option(o, o));
    if (f.default !== undefined) input.value = String(f.default);
    input.id = id;
    field.append(label, input);
  } else {
    input = h("input", "input");
    input.type = f.type === "string" ? "text" : "number";
    if (f.type !== "string") input.step = f.type === "integer" ? "1" : "any";
    if (f.minimum !== undefined) input.min = String(f.minimum);
    if (f.maximum !== undefined) input.max = String(f.maximum);
    if (f.default !== undefined) input.value = String(f.default);
    input.id = id;
    field.append(label, input);
  }
  input.name = f.key;
  if (f.description) field.append(h("div", "hint", f.description));
  field.append(h("div", "field-problems"));
  return field;
}

/**
 * The answer GET /api/process/{id} would give, from a start button's data-schema
 * (the inputDataSchema as JSON; empty: none).
 * @param {string} schema
 */
function fromButton(schema) {
  try {
    return { ok: true, data: { inputDataSchema: schema ? JSON.parse(schema) : {} } };
  } catch {
    return { ok: true, data: { inputDataSchema: {} } };
  }
}

/**
 * Wires the start dialog (a form from the process's inputDataSchema; posts
 * the trigger data and links the new instance) and returns its opener,
 * open(id, name).
 * @param {HTMLDialogElement | null} dialog
 */
function startDialog(dialog) {
  let state = null;
  const $ = (sel) => dialog.querySelector(sel);

  /**
   * Shows a problem under a start form field (key null: the JSON text area);
   * reports whether there is such a field.
   */
  const fieldProblem = (key, text) => {
    const field = $(key === null ? "[data-start-fields] .field" : `[data-start-fields] .field[data-key="${CSS.escape(key)}"]`);
    if (!field) return false;
    field.classList.toggle("has-problem", !!text);
    field.querySelector(".field-problems").replaceChildren(...(text ? [h("div", "field-problem", text)] : []));
    return true;
  };

  /** The trigger data the form holds, or null (with the problems shown) when it is not valid. */
  const collect = () => {
    if (state.json) {
      try {
        const data = JSON.parse(state.json.value.trim() || "{}");
        fieldProblem(null, "");
        return data;
      } catch {
        fieldProblem(null, t("js.invalid_json"));
        return null;
      }
    }
    const raw = {};
    for (const f of state.fields) {
      const input = $(`#${CSS.escape(`start-${f.key}`)}`);
      raw[f.key] = input.type === "checkbox" ? input.checked : input.value;
      fieldProblem(f.key, "");
    }
    const { data, errors } = collectValues(state.fields, raw);
    const words = { required: "js.field_required", number: "js.field_number", integer: "js.field_integer", min: "js.field_min", max: "js.field_max" };
    for (const x of errors) fieldProblem(x.key, words[x.problem] ? t(words[x.problem]) : x.problem);
    return errors.length ? null : data;
  };

  dialog?.querySelector("[data-start-form]").addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!state?.id) return;
    const error = $("[data-start-error]");
    const result = $("[data-start-result]");
    const submit = $("[data-start-submit]");
    error.hidden = true;
    result.hidden = true;
    const data = collect();
    if (data === null) return;
    submit.setAttribute("aria-busy", "true");
    const key = $("[data-start-key]")?.value.trim() || "";
    const r = await call("POST", processURL(state.id) + (key ? `?businessKey=${encodeURIComponent(key)}` : ""), data);
    submit.removeAttribute("aria-busy");
    if (r.ok) {
      const instId = r.data?.response?.id || "";
      const link = $("[data-start-link]");
      link.textContent = instId;
      link.href = `/instances/${encodeURIComponent(instId)}`;
      result.hidden = false;
      return;
    }
    // Problems of the trigger data ("trigger/<key>") on their fields, in the
    // page's language; what no field takes in the error box.
    const rest = [];
    for (const x of r.data?.errors || []) {
      const m = /^trigger(?:\/([^/]+))?/.exec(x.field || "");
      const key = !m ? undefined : state.json ? null : m[1];
      const onField = key !== undefined && fieldProblem(key, problemText(t, x));
      if (!onField) rest.push(x);
    }
    showErrorBox(error, t, r, { title: t("js.start_failed"), rest, shown: (r.data?.errors || []).length - rest.length });
  });

  return async (id, name, schema) => {
    $("[data-start-name]").textContent = name;
    $("[data-start-fields]").replaceChildren();
    const keyInput = $("[data-start-key]");
    if (keyInput) keyInput.value = "";
    const loading = $("[data-start-loading]");
    const error = $("[data-start-error]");
    const submit = $("[data-start-submit]");
    loading.hidden = false;
    error.hidden = true;
    $("[data-start-result]").hidden = true;
    submit.disabled = true;
    dialog.showModal();
    state = { id };
    const r = schema !== undefined ? fromButton(schema) : await call("GET", processURL(id));
    if (state?.id !== id) return;
    loading.hidden = true;
    if (!r.ok) {
      error.textContent = `${t("js.load_failed")}: ${errorText(t, r.data, r.status)}`;
      error.hidden = false;
      return;
    }
    state = { id, ...drawStartForm($("[data-start-fields]"), r.data?.inputDataSchema) }; // the definition, bare (seed 000)
    submit.disabled = false;
    $("[data-start-fields] input, [data-start-fields] select, [data-start-fields] textarea")?.focus();
  };
}

// ---------- versions ----------

/** Offers a definition as a JSON download. */
function download(def, name) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([JSON.stringify(def, null, 2) + "\n"], { type: "application/json" }));
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

/**
 * Wires the versions dialog and returns its opener, open(id, name, current):
 * it lists the current and earlier versions, each exportable.
 * @param {HTMLDialogElement | null} dialog
 */
function versionsDialog(dialog) {
  const $ = (sel) => dialog.querySelector(sel);
  return async (id, name, current) => {
    $("[data-versions-name]").textContent = name;
    const loading = $("[data-versions-loading]");
    const error = $("[data-versions-error]");
    const table = $("[data-versions-table]");
    const empty = $("[data-versions-empty]");
    const rows = $("[data-versions-rows]");
    loading.hidden = false;
    error.hidden = true;
    table.hidden = true;
    empty.hidden = true;
    rows.replaceChildren();
    dialog.showModal();
    const r = await call("GET", `${processURL(id)}/versions?limit=100`);
    loading.hidden = true;
    if (!r.ok) {
      error.textContent = `${t("js.load_failed")}: ${errorText(t, r.data, r.status)}`;
      error.hidden = false;
      return;
    }
    const list = r.data?.response?.list || [];
    const cur = h("tr", "is-current");
    const curVersion = h("td", "nowrap");
    curVersion.append(h("span", "mono", `v${current}`), " ", h("span", "pill pill-enabled", t("versions.current")));
    cur.append(curVersion, h("td", "", name), h("td", "muted", "—"), h("td", "muted", "—"), h("td", "actions"));
    rows.append(cur);
    for (const v of list) {
      const tr = h("tr");
      tr.dataset.version = String(v.version);
      const actions = h("td", "actions");
      const b = h("button", "btn btn-ghost btn-sm", t("versions.export"));
      b.type = "button";
      b.addEventListener("click", () => download(v.definition, `${id}-v${v.version}.json`));
      actions.append(b);
      tr.append(h("td", "mono", `v${v.version}`), h("td", "", v.definition?.name || ""), h("td", "nowrap", fmtTime(v.createAt)), h("td", "", v.replacedBy || ""), actions);
      rows.append(tr);
    }
    table.hidden = false;
    empty.hidden = list.length > 0;
  };
}
