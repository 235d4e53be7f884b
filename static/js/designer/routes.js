// flowcraft designer — error routes: errorHandler.routes [{errorCode, target}]
// (DESIGN §10) send a coded error (a worker's BPMN error, an imported boundary
// error event) to a task of the process before the error strategy applies.
// The model helpers have no DOM (node --test); routeEditor builds the panel's
// rows.

import { t } from "../i18n.js";
import { h } from "../dom.js";

/**
 * The error routes of a task, copied ([] when it has none).
 * @param {object} task
 * @returns {{errorCode: string, target: string}[]}
 */
export function routesOf(task) {
  const rs = task?.errorHandler?.routes;
  return Array.isArray(rs) ? rs.map((r) => ({ errorCode: String(r?.errorCode ?? ""), target: String(r?.target ?? "") })) : [];
}

/**
 * Returns an errorHandler with these routes (codes trimmed; an empty list
 * removes the field). Rows are kept even when incomplete, so that a save
 * reports what is missing; an empty code matches any coded error.
 * @param {object} errorHandler
 * @param {{errorCode?: string, target?: string}[]} rows
 * @returns {object}
 */
export function withRoutes(errorHandler, rows) {
  const next = { ...(errorHandler || {}) };
  const routes = (rows || []).map((r) => ({ errorCode: String(r.errorCode ?? "").trim(), target: String(r.target ?? "") }));
  if (routes.length) next.routes = routes;
  else delete next.routes;
  return next;
}

/**
 * Follows renamed task ids in a task's error targets (the goto target and the
 * routes' targets), in place; targets not renamed are kept.
 * @param {object} task
 * @param {Map<string, string>} rename
 */
export function renameErrorTargets(task, rename) {
  const eh = task?.errorHandler;
  if (!eh) return;
  if (eh.target && rename.has(eh.target)) eh.target = rename.get(eh.target);
  if (Array.isArray(eh.routes)) {
    eh.routes = eh.routes.map((r) => (r && rename.has(r.target) ? { ...r, target: rename.get(r.target) } : r));
  }
}

/**
 * The routes to draw: one per route whose target is another task of the graph.
 * @param {{allTasks(): object[], has(id: string): boolean}} g
 * @returns {{from: string, to: string, index: number, code: string}[]}
 */
export function routeLinks(g) {
  const out = [];
  for (const task of g.allTasks()) {
    routesOf(task).forEach((r, index) => {
      if (r.target && r.target !== task.instId && g.has(r.target)) out.push({ from: task.instId, to: r.target, index, code: r.errorCode });
    });
  }
  return out;
}

/**
 * The panel's editor of a task's routes: one row per route (error code, target
 * task, remove) and an add button. onChange gets the rows after every edit.
 * @param {string} id the add button's id
 * @param {{errorCode: string, target: string}[]} value
 * @param {(rows: {errorCode: string, target: string}[]) => void} onChange
 * @param {{options: () => {value: string, label: string}[]}} opts the tasks a route may target
 */
export function routeEditor(id, value, onChange, { options }) {
  let rows = (value || []).map((r) => ({ ...r }));
  const box = h("div", "routes");
  box.dataset.testid = "error-routes";
  const list = h("div", "routes-rows");
  const add = h("button", "btn btn-ghost btn-sm kv-add", t("designer.routes.add"));
  add.type = "button";
  add.id = id;
  add.dataset.testid = "error-route-add";
  box.append(list, add);
  const emit = () => onChange(rows.map((r) => ({ ...r })));
  const draw = () => {
    const opts = options();
    list.replaceChildren(
      ...rows.map((row, i) => {
        const r = h("div", "routes-row");
        r.dataset.testid = "error-route-row";
        r.dataset.index = String(i);
        r.dataset.field = `errorHandler.routes[${i}]`;
        const code = h("input", "input input-sm mono");
        code.dataset.testid = "error-route-code";
        code.placeholder = t("designer.routes.code_placeholder");
        code.setAttribute("aria-label", t("designer.routes.code"));
        code.title = t("designer.routes.code_help");
        code.value = row.errorCode || "";
        const sel = h("select", "select select-sm");
        sel.dataset.testid = "error-route-target";
        sel.setAttribute("aria-label", t("designer.routes.target"));
        sel.append(new Option(t("designer.panel.choose_task"), ""));
        for (const o of opts) sel.append(new Option(o.label, o.value));
        if (row.target && !opts.some((o) => o.value === row.target)) sel.append(new Option(row.target, row.target));
        sel.value = row.target || "";
        const x = h("button", "btn btn-ghost btn-sm btn-icon", "×");
        x.type = "button";
        x.dataset.testid = "error-route-remove";
        x.setAttribute("aria-label", t("designer.routes.remove"));
        x.title = t("designer.routes.remove");
        code.addEventListener("input", () => {
          row.errorCode = code.value;
          emit();
        });
        sel.addEventListener("change", () => {
          row.target = sel.value;
          emit();
        });
        x.addEventListener("click", () => {
          rows.splice(i, 1);
          draw();
          emit();
          add.focus();
        });
        const problems = h("div", "field-problems");
        r.append(code, sel, x, problems);
        return r;
      }),
    );
  };
  add.addEventListener("click", () => {
    rows.push({ errorCode: "", target: "" });
    draw();
    emit();
    list.lastElementChild?.querySelector("input")?.focus();
  });
  draw();
  return {
    el: box,
    id,
    focus: () => (list.querySelector("input") || add).focus(),
    setValue(v) {
      if (box.contains(document.activeElement) && document.activeElement !== add) return;
      rows = (v || []).map((r) => ({ ...r }));
      draw();
    },
    /** Shows a save's problems on their rows: index → messages. */
    setRowProblems(byIndex) {
      for (const r of list.children) {
        const msgs = byIndex.get(Number(r.dataset.index)) || [];
        r.querySelector(".field-problems").replaceChildren(...msgs.map((m) => h("div", "field-problem", m)));
        r.classList.toggle("has-problem", msgs.length > 0);
        for (const el of r.querySelectorAll("input, select")) {
          if (msgs.length) el.setAttribute("aria-invalid", "true");
          else el.removeAttribute("aria-invalid");
        }
      }
    },
  };
}
