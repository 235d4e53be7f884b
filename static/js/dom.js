// flowcraft — the page scripts' one element helper (h; svg for SVG
// elements), the behaviours every page wires the same way (auto-submitting
// selects, dialogs' close buttons) and one way to show a failed API answer:
// as an alert (title, the error in the page's language, the problems no field
// took), in a dialog's error box, and each validation problem on the form
// field it concerns. Messages come from i18n.js, from the error's code and
// params.

import { errorText, problemText } from "./i18n.js";

/**
 * Creates an element with a class and text (as text, never as HTML).
 * @param {string} tag
 * @param {string} [cls]
 * @param {any} [text]
 */
export function h(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * Creates an SVG element with attributes, appended to parent when given.
 * @param {string} tag
 * @param {Record<string, string | number>} [attrs]
 * @param {Element} [parent]
 */
export function svg(tag, attrs, parent) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  if (parent) parent.append(e);
  return e;
}

/**
 * Submits a control's form as soon as it changes, for every control marked
 * data-autosubmit inside root (filters, sort orders).
 * @param {HTMLElement} root
 */
export function autoSubmit(root) {
  root.addEventListener("change", (e) => {
    if (e.target.matches?.("[data-autosubmit]")) e.target.form?.requestSubmit();
  });
}

/**
 * Makes each dialog close on a click on one of its [data-close] buttons.
 * @param {Iterable<HTMLDialogElement | null>} dialogs
 */
export function closeButtons(dialogs) {
  for (const dialog of dialogs) {
    dialog?.addEventListener("click", (e) => {
      if (e.target.closest("[data-close]")) dialog.close();
    });
  }
}

/**
 * Removes the problems showFieldProblems wrote under the fields of container.
 * @param {ParentNode} container
 */
export function clearFieldProblems(container) {
  for (const f of container.querySelectorAll(".field.has-problem")) f.classList.remove("has-problem");
  for (const p of container.querySelectorAll(".field-problems[data-from-server]")) p.replaceChildren();
}

/**
 * Shows each validation problem ({field, code, params, message}) under the
 * form field it concerns, translated: the field is found by fieldOf(problem)
 * (a control name; default: the problem's field) as a named control or an
 * element with a matching data-field, inside container; its .field wrapper is
 * marked has-problem and gets the message in its .field-problems (made when
 * missing). Returns the problems no field took, for an alert.
 * @param {import("./i18n.js").Translate} t
 * @param {ParentNode} container
 * @param {Array<any> | undefined} errors
 * @param {(e: any) => string | null | undefined} [fieldOf]
 */
export function showFieldProblems(t, container, errors, fieldOf = (e) => e?.field) {
  clearFieldProblems(container);
  const rest = [];
  for (const e of Array.isArray(errors) ? errors : []) {
    const name = fieldOf(e);
    const esc = name ? CSS.escape(name) : "";
    const control = name ? container.querySelector(`[name="${esc}"], [data-field="${esc}"]`) : null;
    const field = control?.closest(".field") || (control?.matches(".field") ? control : null);
    if (!field) {
      rest.push(e);
      continue;
    }
    field.classList.add("has-problem");
    let box = field.querySelector(".field-problems");
    if (!box) {
      box = h("div", "field-problems");
      field.append(box);
    }
    if (box.dataset.fromServer === undefined) {
      box.dataset.fromServer = "";
      box.replaceChildren();
    }
    box.append(h("div", "field-problem", problemText(t, e)));
    control.setAttribute?.("aria-invalid", "true");
  }
  return rest;
}

/**
 * Returns show(title, r, label?): shows a failed API answer r ({status, data})
 * in alertBox: the title, the error's message in the page's language, and its
 * problems (translated; each prefixed with label(problem) when that gives a
 * name). show(title, text) shows a plain message.
 * @param {HTMLElement} alertBox
 * @param {import("./i18n.js").Translate} t
 */
export function alertShower(alertBox, t) {
  return (title, r, label = () => "") => {
    const body = h("div", "alert-body");
    body.append(h("div", "alert-title", title));
    const message = typeof r === "string" ? r : errorText(t, r?.data, r?.status);
    if (message && message !== title) body.append(h("div", "alert-text", message));
    const errors = typeof r === "string" ? [] : r?.data?.errors || [];
    if (errors.length) {
      const ul = h("ul", "alert-list");
      for (const e of errors) ul.append(h("li", "", [label(e), problemText(t, e)].filter(Boolean).join(": ")));
      body.append(ul);
    }
    const close = h("button", "alert-close", "×");
    close.type = "button";
    close.setAttribute("aria-label", t("common.dismiss"));
    close.addEventListener("click", () => {
      alertBox.hidden = true;
      alertBox.replaceChildren();
    });
    alertBox.replaceChildren(body, close);
    alertBox.hidden = false;
    alertBox.scrollIntoView({ block: "nearest", behavior: "smooth" });
  };
}

/**
 * Fills a dialog's error box and shows it: the title when given; then, for a
 * failed API answer r ({status, data}), its message in the page's language
 * unless every problem was shown on a field (shown problems and none left in
 * rest), and the problems in rest (each after label(problem) when that gives
 * a name); for a string r, that text.
 * @param {HTMLElement} box
 * @param {import("./i18n.js").Translate} t
 * @param {{status?: number, data?: any} | string} r
 * @param {{title?: string, rest?: Array<any>, shown?: number, label?: (e: any) => string}} [o]
 */
export function showErrorBox(box, t, r, { title = "", rest = [], shown = 0, label = () => "" } = {}) {
  box.replaceChildren();
  if (title) box.append(h("div", "alert-title", title));
  if (typeof r === "string") box.append(h("div", "", r));
  else if (shown === 0 || rest.length > 0) box.append(h("div", "", errorText(t, r?.data, r?.status)));
  for (const e of rest) box.append(h("div", "", [label(e), problemText(t, e)].filter(Boolean).join(": ")));
  box.hidden = box.childElementCount === 0;
}
