// flowcraft — the page scripts' one element helper and one way to show a
// failed API answer: as an alert (title, the error in the page's language, the
// problems no field took), and each validation problem on the form field it
// concerns. Messages come from i18n.js, from the error's code and params.

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
