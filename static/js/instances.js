// flowcraft — the instances list: filters apply as soon as they change, and a
// click anywhere on a row opens the instance (the name stays the real link).

import { autoSubmit } from "./dom.js";

/**
 * Starts the instances page.
 * @param {HTMLElement} root the page element (#instances)
 */
export function init(root) {
  autoSubmit(root);
  rowLinks(root);
  root.dataset.ready = "true";
}

/** A click on a row (not on its controls, not a text selection) follows the row's link. */
function rowLinks(root) {
  root.addEventListener("click", (e) => {
    const row = e.target.closest?.("tr.row-link");
    if (!row || e.target.closest("a, button, input, select")) return;
    if (String(window.getSelection?.() || "") !== "") return; // selecting text, not clicking
    row.querySelector("a.row-title")?.click();
  });
}
