// flowcraft — the history page: ended instances searched by process, outcome,
// business key, end date and a variable (the form is a plain GET form); a
// click anywhere on a row opens the instance (the name stays the real link).

/**
 * Starts the history page.
 * @param {HTMLElement} root the page element (#history)
 */
export function init(root) {
  root.addEventListener("click", (e) => {
    const row = e.target.closest?.("tr.row-link");
    if (!row || e.target.closest("a, button, input, select")) return;
    if (String(window.getSelection?.() || "") !== "") return;
    row.querySelector("a.row-title")?.click();
  });
  root.dataset.ready = "true";
}
