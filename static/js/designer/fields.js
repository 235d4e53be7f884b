// flowcraft designer — form fields of the property panel, one editor per
// parameter type of a template schema: string, text, number, boolean, select,
// code, expression, users, groups, array, keyvalue, json, form, duration, cron.
//
// Every editor is {el, focus(), setValue(v), setProblems(messages)} and calls
// onChange(value) with the new value, or undefined when the field is cleared
// (the server then uses the template's default).

import { CodeField } from "./codefield.js";
import { listDirectory } from "./api.js";
import { t, pick } from "../i18n.js";
import { h } from "../dom.js";

let uid = 0;

/** Returns a fresh element id. */
export function nextId(prefix = "f") {
  uid += 1;
  return `${prefix}-${uid}`;
}

/**
 * Wraps an editor with its label, help text and problem list.
 * @param {{label: string, id: string, required?: boolean, help?: string, editor: {el: HTMLElement}, field?: string, inline?: boolean}} o
 * @returns {HTMLElement}
 */
export function fieldBox(o) {
  const box = h("div", o.inline ? "field field-inline" : "field");
  if (o.field) box.dataset.field = o.field;
  const label = h("label", "label", o.label);
  label.htmlFor = o.id;
  if (o.required) {
    const star = h("span", "req", "*");
    star.title = t("designer.field.required");
    label.append(" ", star);
  }
  const problems = h("div", "field-problems");
  problems.id = `${o.id}-msg`;
  problems.setAttribute("aria-live", "polite");
  if (o.inline) box.append(o.editor.el, label);
  else box.append(label, o.editor.el);
  if (o.help) box.append(h("div", "hint", o.help));
  box.append(problems);
  return box;
}

/**
 * Shows messages under a field box (and marks its input invalid).
 * @param {HTMLElement} box
 * @param {string[]} messages
 */
export function showFieldProblems(box, messages) {
  const list = box.querySelector(".field-problems");
  list.replaceChildren(...messages.map((m) => h("div", "field-problem", m)));
  box.classList.toggle("has-problem", messages.length > 0);
  for (const input of box.querySelectorAll("input, textarea, select")) {
    if (messages.length) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }
}

/** A single-line text input. */
function textEditor(id, value, onChange, { placeholder, mono, parse } = {}) {
  const input = h("input", mono ? "input mono" : "input");
  input.id = id;
  input.type = "text";
  input.value = value === undefined || value === null ? "" : String(value);
  if (placeholder) input.placeholder = placeholder;
  input.addEventListener("input", () => onChange(parse ? parse(input.value) : input.value === "" ? undefined : input.value));
  return {
    el: input,
    focus: () => input.focus(),
    setValue(v) {
      const s = v === undefined || v === null ? "" : String(v);
      if (input.value !== s && document.activeElement !== input) input.value = s;
    },
  };
}

/** A multi-line text area. */
function textareaEditor(id, value, onChange, { placeholder, mono, rows = 4 } = {}) {
  const ta = h("textarea", mono ? "textarea mono" : "textarea");
  ta.id = id;
  ta.rows = rows;
  ta.value = value === undefined || value === null ? "" : String(value);
  if (placeholder) ta.placeholder = placeholder;
  ta.addEventListener("input", () => onChange(ta.value === "" ? undefined : ta.value));
  return {
    el: ta,
    focus: () => ta.focus(),
    setValue(v) {
      const s = v === undefined || v === null ? "" : String(v);
      if (ta.value !== s && document.activeElement !== ta) ta.value = s;
    },
  };
}

/** A number input; empty means "not set". */
function numberEditor(id, value, onChange, { placeholder, min, max, step } = {}) {
  const input = h("input", "input");
  input.id = id;
  input.type = "number";
  input.inputMode = "decimal";
  if (min !== undefined) input.min = String(min);
  if (max !== undefined) input.max = String(max);
  if (step !== undefined) input.step = String(step);
  else input.step = "any";
  if (placeholder !== undefined) input.placeholder = String(placeholder);
  input.value = typeof value === "number" ? String(value) : "";
  input.addEventListener("input", () => {
    if (input.value === "") onChange(undefined);
    else if (Number.isFinite(input.valueAsNumber)) onChange(input.valueAsNumber);
  });
  return {
    el: input,
    focus: () => input.focus(),
    setValue(v) {
      const s = typeof v === "number" ? String(v) : "";
      if (input.value !== s && document.activeElement !== input) input.value = s;
    },
  };
}

/** A switch (check box). */
function boolEditor(id, value, onChange) {
  const wrap = h("span", "switch");
  const input = h("input");
  input.type = "checkbox";
  input.id = id;
  input.setAttribute("role", "switch");
  input.checked = value === true;
  const track = h("span", "switch-track");
  track.setAttribute("aria-hidden", "true");
  wrap.append(input, track);
  input.addEventListener("change", () => onChange(input.checked));
  return {
    el: wrap,
    focus: () => input.focus(),
    setValue(v) {
      input.checked = v === true;
    },
  };
}

/** A drop-down of options [{value, label}]; the empty choice means "default". */
function selectEditor(id, value, onChange, { options, emptyLabel }) {
  const sel = h("select", "select");
  sel.id = id;
  const fill = (v) => {
    sel.replaceChildren();
    if (emptyLabel !== null) sel.append(new Option(emptyLabel || t("designer.field.default_choice"), ""));
    for (const o of options) sel.append(new Option(o.label, o.value));
    if (v !== undefined && v !== null && v !== "" && !options.some((o) => o.value === String(v))) sel.append(new Option(String(v), String(v)));
    sel.value = v === undefined || v === null ? "" : String(v);
  };
  fill(value);
  sel.addEventListener("change", () => onChange(sel.value === "" ? undefined : sel.value));
  return { el: sel, focus: () => sel.focus(), setValue: (v) => fill(v) };
}

/**
 * A list of short strings as chips with a text box to add more; users and
 * groups offer the directory's entries as suggestions.
 */
function chipsEditor(id, value, onChange, { directory, placeholder }) {
  let items = Array.isArray(value) ? value.map(String) : [];
  const box = h("div", "chips");
  const list = h("ul", "chip-list");
  list.setAttribute("role", "list");
  const input = h("input", "chip-input");
  input.id = id;
  input.type = "text";
  input.placeholder = placeholder || t("designer.chips.placeholder");
  input.autocomplete = "off";
  const dl = h("datalist");
  dl.id = `${id}-options`;
  input.setAttribute("list", dl.id);
  box.append(list, input, dl);
  const names = new Map();
  if (directory) {
    listDirectory(directory).then((entries) => {
      if (!entries) {
        box.dataset.freeText = "true";
        return;
      }
      for (const e of entries) {
        names.set(e.id, e.name);
        const o = new Option(e.name && e.name !== e.id ? `${e.name}` : e.id, e.id);
        dl.append(o);
      }
      draw();
    });
  }
  const emit = () => onChange(items.length ? items.slice() : undefined);
  const draw = () => {
    list.replaceChildren(
      ...items.map((v, i) => {
        const li = h("li", "chip");
        const text = h("span", "chip-text", v);
        if (names.has(v) && names.get(v) !== v) text.title = names.get(v);
        const x = h("button", "chip-remove", "×");
        x.type = "button";
        x.setAttribute("aria-label", t("designer.chips.remove", { name: v }));
        x.addEventListener("click", () => {
          items.splice(i, 1);
          draw();
          emit();
          input.focus();
        });
        li.append(text, x);
        return li;
      }),
    );
  };
  const commit = () => {
    const parts = input.value.split(/[,，\n]/).map((s) => s.trim()).filter(Boolean);
    if (!parts.length) return false;
    for (const p of parts) if (!items.includes(p)) items.push(p);
    input.value = "";
    draw();
    emit();
    return true;
  };
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === ",") {
      if (commit()) e.preventDefault();
      else if (e.key === ",") e.preventDefault();
    } else if (e.key === "Backspace" && input.value === "" && items.length) {
      items.pop();
      draw();
      emit();
    }
  });
  input.addEventListener("change", commit); // a datalist pick
  input.addEventListener("blur", commit);
  box.addEventListener("click", (e) => {
    if (e.target === box || e.target === list) input.focus();
  });
  draw();
  return {
    el: box,
    focus: () => input.focus(),
    setValue(v) {
      items = Array.isArray(v) ? v.map(String) : [];
      draw();
    },
  };
}

/** Rows of key and value text boxes (an object of string → string). */
function keyValueEditor(id, value, onChange) {
  let rows = value && typeof value === "object" && !Array.isArray(value) ? Object.entries(value).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]) : [];
  const box = h("div", "kv");
  const list = h("div", "kv-rows");
  const add = h("button", "btn btn-ghost btn-sm kv-add", t("designer.kv.add"));
  add.type = "button";
  add.id = id;
  box.append(list, add);
  const emit = () => {
    const obj = {};
    for (const [k, v] of rows) if (k.trim()) obj[k.trim()] = v;
    onChange(Object.keys(obj).length ? obj : undefined);
  };
  const draw = () => {
    list.replaceChildren(
      ...rows.map((row, i) => {
        const r = h("div", "kv-row");
        const k = h("input", "input input-sm mono");
        k.placeholder = t("designer.kv.key");
        k.setAttribute("aria-label", t("designer.kv.key"));
        k.value = row[0];
        const v = h("input", "input input-sm");
        v.placeholder = t("designer.kv.value");
        v.setAttribute("aria-label", t("designer.kv.value"));
        v.value = row[1];
        const x = h("button", "btn btn-ghost btn-sm btn-icon", "×");
        x.type = "button";
        x.setAttribute("aria-label", t("designer.kv.remove"));
        x.title = t("designer.kv.remove");
        k.addEventListener("input", () => {
          row[0] = k.value;
          emit();
        });
        v.addEventListener("input", () => {
          row[1] = v.value;
          emit();
        });
        x.addEventListener("click", () => {
          rows.splice(i, 1);
          draw();
          emit();
          add.focus();
        });
        r.append(k, v, x);
        return r;
      }),
    );
  };
  add.addEventListener("click", () => {
    rows.push(["", ""]);
    draw();
    list.lastElementChild?.querySelector("input")?.focus();
  });
  draw();
  return {
    el: box,
    focus: () => add.focus(),
    setValue(v) {
      if (box.contains(document.activeElement)) return;
      rows = v && typeof v === "object" && !Array.isArray(v) ? Object.entries(v).map(([k, x]) => [k, typeof x === "string" ? x : JSON.stringify(x)]) : [];
      draw();
    },
  };
}

/**
 * JSON text. A value that is a string holding {{ }} is shown and kept as
 * that string (a dynamic value); other text must parse as JSON.
 */
function jsonEditor(id, value, onChange, { placeholder, onProblem }) {
  const show = (v) => (v === undefined ? "" : typeof v === "string" && v.includes("{{") ? v : JSON.stringify(v, null, 2));
  const ta = h("textarea", "textarea mono json-input");
  ta.id = id;
  ta.rows = 5;
  ta.spellcheck = false;
  ta.value = show(value);
  if (placeholder) ta.placeholder = placeholder;
  ta.addEventListener("input", () => {
    const s = ta.value.trim();
    if (s === "") {
      onProblem([]);
      onChange(undefined);
      return;
    }
    try {
      const v = JSON.parse(s);
      onProblem([]);
      onChange(v);
    } catch (err) {
      if (s.includes("{{")) {
        onProblem([]);
        onChange(ta.value);
      } else {
        onProblem([t("designer.json.invalid", { error: err.message })]);
      }
    }
  });
  return {
    el: ta,
    focus: () => ta.focus(),
    setValue(v) {
      if (document.activeElement !== ta) ta.value = show(v);
    },
  };
}

/**
 * Builds the editor for a template parameter.
 * @param {object} param the schema entry {key, label, type, default, required, options, description, placeholder, min, max}
 * @param {*} value the current value (undefined when not set)
 * @param {(value: *) => void} onChange
 * @param {{onProblem: (messages: string[]) => void, readOnly?: boolean}} ctx
 * @returns {{el: HTMLElement, id: string, focus: () => void, setValue: (v: *) => void, code?: CodeField, inline?: boolean}}
 */
export function paramEditor(param, value, onChange, ctx) {
  const id = nextId(`p-${param.key}`);
  const def = param.default;
  const defText = def === undefined ? undefined : typeof def === "string" ? def : JSON.stringify(def);
  const placeholder = param.placeholder || (defText !== undefined ? t("designer.field.default_is", { value: defText }) : "");
  let ed;
  switch (param.type) {
    case "text":
      ed = textareaEditor(id, value, onChange, { placeholder });
      break;
    case "number":
      ed = numberEditor(id, value, onChange, { placeholder: defText, min: param.min, max: param.max });
      break;
    case "boolean":
      ed = boolEditor(id, value === undefined ? def === true : value, onChange);
      ed.inline = true;
      break;
    case "select":
      ed = selectEditor(id, value, onChange, {
        options: (param.options || []).map((o) => ({ value: o.value, label: pick(o.label) || o.value })),
        emptyLabel: defText !== undefined ? t("designer.field.default_option", { value: pick((param.options || []).find((o) => o.value === def)?.label) || defText }) : t("designer.field.none_option"),
      });
      break;
    case "code":
    case "expression": {
      const code = new CodeField({
        id,
        kind: param.type === "code" ? "script" : "expression",
        value: typeof value === "string" ? value : value === undefined ? "" : JSON.stringify(value),
        placeholder: param.placeholder,
        rows: param.type === "code" ? 10 : 2,
        onChange: (v) => onChange(v === "" ? undefined : v),
      });
      ed = { el: code.el, focus: () => code.ta.focus(), setValue: (v) => code.setValue(typeof v === "string" ? v : ""), code };
      break;
    }
    case "users":
    case "groups":
      ed = chipsEditor(id, value, onChange, { directory: param.type, placeholder: t(`designer.chips.${param.type}`) });
      break;
    case "array":
      ed = chipsEditor(id, value, onChange, { placeholder: defText ? t("designer.field.default_is", { value: (def || []).join(", ") }) : undefined });
      break;
    case "keyvalue":
      ed = keyValueEditor(id, value, onChange);
      break;
    case "json":
    case "form":
      ed = jsonEditor(id, value, onChange, { placeholder: param.type === "form" ? t("designer.form.placeholder") : param.placeholder || t("designer.json.placeholder"), onProblem: ctx.onProblem });
      break;
    case "duration":
      ed = textEditor(id, value, onChange, {
        placeholder: param.placeholder || t("designer.duration.placeholder"),
        mono: true,
        parse: (s) => (s.trim() === "" ? undefined : /^\d+$/.test(s.trim()) ? Number(s.trim()) : s.trim()),
      });
      break;
    case "cron":
      ed = textEditor(id, value, onChange, { placeholder: param.placeholder || "0 2 * * *", mono: true });
      break;
    default:
      ed = textEditor(id, value, onChange, { placeholder });
  }
  ed.id = id;
  return ed;
}

export const editors = { textEditor, textareaEditor, numberEditor, boolEditor, selectEditor, jsonEditor };
