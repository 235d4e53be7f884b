// flowcraft — the inbox's admin tab: every open task. Filters apply as soon as
// they change; a task is reassigned to the user picked in its row, or returned
// to its candidates, through POST /api/taskInst/{id}/reassign; then the page
// reloads with a notice (the row may leave the filtered list).

import { call } from "./msgs.js";
import { t } from "./i18n.js";
import { alertShower, autoSubmit } from "./dom.js";

/**
 * Starts the admin tab.
 * @param {HTMLElement} root the page element (#inbox, data-tab="all")
 */
export function init(root) {
  autoSubmit(root);
  const showAlert = alertShower(root.querySelector("[data-alert]"), t);
  const reassign = async (form, assignee, button) => {
    const id = form.dataset.id;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    const r = await call("POST", `/api/taskInst/${encodeURIComponent(id)}/reassign`, { assignee });
    button.disabled = false;
    button.removeAttribute("aria-busy");
    if (!r.ok) {
      showAlert(t("admintasks.js.failed"), r);
      return;
    }
    const next = new URL(location.href);
    next.searchParams.set("reassigned", id);
    location.assign(next.toString());
  };
  root.addEventListener("submit", (e) => {
    const form = e.target.closest?.("form[data-reassign]");
    if (!form) return;
    e.preventDefault();
    const assignee = form.elements.namedItem("assignee")?.value || "";
    if (!assignee) return;
    reassign(form, assignee, form.querySelector('button[type="submit"]'));
  });
  root.addEventListener("click", (e) => {
    const b = e.target.closest?.("button[data-return]");
    if (!b || b.disabled) return;
    reassign(b.closest("form[data-reassign]"), null, b);
  });
  root.dataset.ready = "true";
}
