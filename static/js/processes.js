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
// inputDataSchema (schemaform.js) and posts the trigger data; "versions" opens
// #versions-dialog with GET /api/process/{id}/versions.

import { formFromSchema, collectValues } from "./schemaform.js";
import { api } from "./msgs.js";
import { t, errorText, problemText } from "./i18n.js";
import { h, alertShower } from "./dom.js";

const root = document.getElementById("processes");

if (root) {
  const alertBox = root.querySelector("[data-alert]");

  /** Hides the alert box. */
  const hideAlert = () => {
    alertBox.hidden = true;
    alertBox.replaceChildren();
  };

  /**
   * Shows an error in the alert box: a title, the error in the page's language
   * and the API's per-field problems, all as text (never as HTML).
   */
  const showAlert = alertShower(alertBox, t);

  /** Shows a failed API answer, or reloads the page after a good one. */
  const finish = (res, title) => {
    if (res.ok) {
      window.location.reload();
      return;
    }
    showAlert(title, res, (e) => e?.taskId || "");
  };

  /** Runs fn with the control marked busy; network failures become an alert. */
  const busy = async (control, title, fn) => {
    control.setAttribute("aria-busy", "true");
    try {
      await fn();
    } catch {
      showAlert(title, t("error.network"));
    } finally {
      control.removeAttribute("aria-busy");
    }
  };

  const processURL = (id) => `/api/process/${encodeURIComponent(id)}`;

  // Import: read the chosen .json file, check it parses, POST it as it is.
  const fileInput = root.querySelector('input[type="file"][data-action="import"]');
  if (fileInput) {
    const label = fileInput.closest("[data-import-label]") || fileInput;
    fileInput.addEventListener("change", async () => {
      const file = fileInput.files?.[0];
      fileInput.value = "";
      if (!file) return;
      hideAlert();
      const title = t("js.import_failed");
      let text;
      try {
        text = await file.text();
        JSON.parse(text);
      } catch {
        showAlert(title, `${file.name}: ${t("js.invalid_json")}`);
        return;
      }
      const caption = label.querySelector("span");
      const idle = caption?.textContent;
      if (caption) caption.textContent = t("js.importing");
      await busy(label, title, async () => finish(await api("POST", "/api/process", text), title));
      if (caption) caption.textContent = idle;
    });
  }

  // Row actions.
  root.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button || !root.contains(button)) return;
    const { action, id } = button.dataset;
    if (!id) return;
    const title = t("js.action_failed");
    switch (action) {
      case "enable":
      case "disable":
        hideAlert();
        await busy(button, title, async () =>
          finish(await api("PATCH", processURL(id), { enabled: action === "enable" }), title),
        );
        break;
      case "delete":
        if (!window.confirm(button.dataset.confirm || "Delete?")) return;
        hideAlert();
        await busy(button, title, async () => finish(await api("DELETE", processURL(id)), title));
        break;
      case "start":
        openStart(id, button.dataset.name || id);
        break;
      case "versions":
        openVersions(id, button.dataset.name || id, Number(button.dataset.version) || 0);
        break;
    }
  });

  const el = h;

  // Dialogs close on their [data-close] buttons.
  for (const dialog of document.querySelectorAll("dialog")) {
    dialog.addEventListener("click", (e) => {
      if (e.target.closest("[data-close]")) dialog.close();
    });
  }

  // ---------- start ----------

  const startDialog = document.getElementById("start-dialog");
  let startState = null;

  /** Builds the inputs for the form fields, or a JSON text area. */
  const drawStartForm = (schema) => {
    const box = startDialog.querySelector("[data-start-fields]");
    box.replaceChildren();
    const form = formFromSchema(schema);
    const hasProps = schema && typeof schema === "object" && schema.properties && Object.keys(schema.properties).length > 0;
    if (!form.json) {
      for (const f of form.fields) {
        const id = `start-${f.key}`;
        const field = el("div", "field");
        field.dataset.key = f.key;
        const label = el("label", "label", f.label);
        label.htmlFor = id;
        if (f.required) label.append(" ", el("span", "req", "*"));
        let input;
        if (f.type === "boolean") {
          field.className = "field field-inline";
          const sw = el("span", "switch");
          input = el("input");
          input.type = "checkbox";
          input.setAttribute("role", "switch");
          input.checked = f.default === true;
          sw.append(input, el("span", "switch-track"));
          input.id = id;
          field.append(sw, label);
        } else if (f.type === "enum") {
          input = el("select", "select");
          input.append(new Option(t("start.choose"), ""));
          for (const o of f.options) input.append(new Option(o, o));
          if (f.default !== undefined) input.value = String(f.default);
          input.id = id;
          field.append(label, input);
        } else {
          input = el("input", "input");
          input.type = f.type === "string" ? "text" : "number";
          if (f.type !== "string") input.step = f.type === "integer" ? "1" : "any";
          if (f.minimum !== undefined) input.min = String(f.minimum);
          if (f.maximum !== undefined) input.max = String(f.maximum);
          if (f.default !== undefined) input.value = String(f.default);
          input.id = id;
          field.append(label, input);
        }
        input.name = f.key;
        if (f.description) field.append(el("div", "hint", f.description));
        field.append(el("div", "field-problems"));
        box.append(field);
      }
      return { fields: form.fields };
    }
    const field = el("div", "field");
    if (!hasProps && (!schema || Object.keys(schema).length === 0)) field.append(el("p", "hint", t("start.no_input")));
    const label = el("label", "label", t("start.json_label"));
    label.htmlFor = "start-json";
    const ta = el("textarea", "textarea mono");
    ta.id = "start-json";
    ta.rows = 6;
    ta.spellcheck = false;
    ta.value = "{}";
    field.append(label, ta, el("div", "hint", t("start.json_hint")), el("div", "field-problems"));
    box.append(field);
    return { json: ta };
  };

  /** Opens the start dialog for a process: loads its inputDataSchema first. */
  const openStart = async (id, name) => {
    startDialog.querySelector("[data-start-name]").textContent = name;
    startDialog.querySelector("[data-start-fields]").replaceChildren();
    const loading = startDialog.querySelector("[data-start-loading]");
    const error = startDialog.querySelector("[data-start-error]");
    const result = startDialog.querySelector("[data-start-result]");
    const submit = startDialog.querySelector("[data-start-submit]");
    loading.hidden = false;
    error.hidden = true;
    result.hidden = true;
    submit.disabled = true;
    startDialog.showModal();
    startState = { id };
    let r;
    try {
      r = await api("GET", processURL(id));
    } catch {
      r = { ok: false, status: 0, data: null };
    }
    if (startState?.id !== id) return;
    loading.hidden = true;
    if (!r.ok) {
      error.textContent = `${t("js.load_failed")}: ${errorText(t, r.data, r.status)}`;
      error.hidden = false;
      return;
    }
    startState = { id, ...drawStartForm(r.data?.response?.inputDataSchema) };
    submit.disabled = false;
    startDialog.querySelector("[data-start-fields] input, [data-start-fields] select, [data-start-fields] textarea")?.focus();
  };

  /**
   * Shows a problem under a start form field (key null: the JSON text area);
   * reports whether there is such a field.
   */
  const fieldProblem = (key, text) => {
    const field = startDialog.querySelector(key === null ? "[data-start-fields] .field" : `[data-start-fields] .field[data-key="${CSS.escape(key)}"]`);
    if (!field) return false;
    field.classList.toggle("has-problem", !!text);
    field.querySelector(".field-problems").replaceChildren(...(text ? [el("div", "field-problem", text)] : []));
    return true;
  };

  startDialog?.querySelector("[data-start-form]").addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!startState?.id) return;
    const error = startDialog.querySelector("[data-start-error]");
    const result = startDialog.querySelector("[data-start-result]");
    const submit = startDialog.querySelector("[data-start-submit]");
    error.hidden = true;
    result.hidden = true;
    let data;
    if (startState.json) {
      try {
        data = JSON.parse(startState.json.value.trim() || "{}");
        fieldProblem(null, "");
      } catch {
        fieldProblem(null, t("js.invalid_json"));
        return;
      }
    } else {
      const raw = {};
      for (const f of startState.fields) {
        const input = startDialog.querySelector(`#${CSS.escape(`start-${f.key}`)}`);
        raw[f.key] = input.type === "checkbox" ? input.checked : input.value;
        fieldProblem(f.key, "");
      }
      const { data: d, errors } = collectValues(startState.fields, raw);
      const words = { required: "js.field_required", number: "js.field_number", integer: "js.field_integer", min: "js.field_min", max: "js.field_max" };
      for (const x of errors) fieldProblem(x.key, words[x.problem] ? t(words[x.problem]) : x.problem);
      if (errors.length) return;
      data = d;
    }
    submit.setAttribute("aria-busy", "true");
    let r;
    try {
      r = await api("POST", processURL(startState.id), data);
    } catch {
      r = { ok: false, status: 0, data: null };
    } finally {
      submit.removeAttribute("aria-busy");
    }
    if (r.ok) {
      const instId = r.data?.response?.id || "";
      const link = startDialog.querySelector("[data-start-link]");
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
      const key = !m ? undefined : startState.json ? null : m[1];
      const onField = key !== undefined && fieldProblem(key, problemText(t, x));
      if (!onField) rest.push(x);
    }
    const onFields = (r.data?.errors || []).length - rest.length;
    error.replaceChildren(el("div", "alert-title", t("js.start_failed")));
    if (onFields === 0 || rest.length > 0) error.append(el("div", "", errorText(t, r.data, r.status)));
    for (const x of rest) error.append(el("div", "", problemText(t, x)));
    error.hidden = false;
  });

  // ---------- versions ----------

  const versionsDialog = document.getElementById("versions-dialog");

  /** Formats unix ms as "2006-01-02 15:04" (UTC), like the list. */
  const fmtTime = (ms) => (ms ? new Date(ms).toISOString().slice(0, 16).replace("T", " ") : "—");

  /** Offers a definition as a JSON download. */
  const download = (def, name) => {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([JSON.stringify(def, null, 2) + "\n"], { type: "application/json" }));
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };

  /** Opens the versions dialog and lists the current and earlier versions. */
  const openVersions = async (id, name, current) => {
    versionsDialog.querySelector("[data-versions-name]").textContent = name;
    const loading = versionsDialog.querySelector("[data-versions-loading]");
    const error = versionsDialog.querySelector("[data-versions-error]");
    const table = versionsDialog.querySelector("[data-versions-table]");
    const empty = versionsDialog.querySelector("[data-versions-empty]");
    const rows = versionsDialog.querySelector("[data-versions-rows]");
    loading.hidden = false;
    error.hidden = true;
    table.hidden = true;
    empty.hidden = true;
    rows.replaceChildren();
    versionsDialog.showModal();
    let r;
    try {
      r = await api("GET", `${processURL(id)}/versions?limit=100`);
    } catch {
      r = { ok: false, status: 0, data: null };
    }
    loading.hidden = true;
    if (!r.ok) {
      error.textContent = `${t("js.load_failed")}: ${errorText(t, r.data, r.status)}`;
      error.hidden = false;
      return;
    }
    const list = r.data?.response?.list || [];
    const cur = el("tr", "is-current");
    const curVersion = el("td", "nowrap");
    curVersion.append(el("span", "mono", `v${current}`), " ", el("span", "pill pill-enabled", t("versions.current")));
    cur.append(curVersion, el("td", "", name), el("td", "muted", "—"), el("td", "muted", "—"), el("td", "actions"));
    rows.append(cur);
    for (const v of list) {
      const tr = el("tr");
      tr.dataset.version = String(v.version);
      const actions = el("td", "actions");
      const b = el("button", "btn btn-ghost btn-sm", t("versions.export"));
      b.type = "button";
      b.addEventListener("click", () => download(v.definition, `${id}-v${v.version}.json`));
      actions.append(b);
      tr.append(el("td", "mono", `v${v.version}`), el("td", "", v.definition?.name || ""), el("td", "nowrap", fmtTime(v.createAt)), el("td", "", v.replacedBy || ""), actions);
      rows.append(tr);
    }
    table.hidden = false;
    empty.hidden = list.length > 0;
  };
  root.dataset.ready = "true";
}
