// flowcraft — the instances list: filters apply as soon as they change, and a
// click anywhere on a row opens the instance (the name stays the real link).

const root = document.getElementById("instances");

if (root) {
  root.addEventListener("change", (e) => {
    if (e.target.matches?.("[data-autosubmit]")) e.target.form?.requestSubmit();
  });
  root.addEventListener("click", (e) => {
    const row = e.target.closest?.("tr.row-link");
    if (!row || e.target.closest("a, button, input, select")) return;
    if (String(window.getSelection?.() || "") !== "") return; // selecting text, not clicking
    row.querySelector("a.row-title")?.click();
  });
  root.dataset.ready = "true";
}
