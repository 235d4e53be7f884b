// flowcraft — processes list: import a process from a JSON file, enable, disable
// and delete processes through the REST API, then reload the list.
//
// Controls are found by data-action ("import", "enable", "disable", "delete") and
// data-id; translated messages come from data-msg-* attributes on #processes and,
// for the delete confirmation, from the button's data-confirm. API errors
// ({"statusCode", "errorMessage", "errors": [{"taskId", "field", "message"}]}) are
// shown in the [data-alert] box.

const root = document.getElementById("processes");

if (root) {
  const alertBox = root.querySelector("[data-alert]");
  const msg = (name, fallback) => root.dataset[name] || fallback;
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";

  /** Hides the alert box. */
  const hideAlert = () => {
    alertBox.hidden = true;
    alertBox.replaceChildren();
  };

  /**
   * Shows an error in the alert box: a title, a message and the API's
   * per-field errors, all as text (never as HTML).
   */
  const showAlert = (title, message, errors = []) => {
    const body = document.createElement("div");
    body.className = "alert-body";
    const head = document.createElement("div");
    head.className = "alert-title";
    head.textContent = title;
    body.append(head);
    if (message && message !== title) {
      const text = document.createElement("div");
      text.textContent = message;
      body.append(text);
    }
    if (Array.isArray(errors) && errors.length > 0) {
      const list = document.createElement("ul");
      list.className = "alert-list";
      for (const e of errors) {
        const item = document.createElement("li");
        const where = [e?.taskId, e?.field].filter(Boolean).join(" · ");
        if (where) {
          const code = document.createElement("code");
          code.textContent = where;
          item.append(code, " ");
        }
        item.append(String(e?.message ?? ""));
        list.append(item);
      }
      body.append(list);
    }
    const close = document.createElement("button");
    close.type = "button";
    close.className = "alert-close";
    close.setAttribute("aria-label", msg("msgDismiss", "Dismiss"));
    close.textContent = "×";
    close.addEventListener("click", hideAlert);

    alertBox.replaceChildren(body, close);
    alertBox.hidden = false;
    alertBox.scrollIntoView({ block: "nearest", behavior: "smooth" });
  };

  /**
   * Calls the API and resolves to {ok, status, data}; data is the parsed JSON
   * body or null. Rejects only when the server cannot be reached.
   */
  const api = async (method, url, body) => {
    const headers = { Accept: "application/json", "X-CSRF-Token": csrf };
    const init = { method, headers, credentials: "same-origin" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = typeof body === "string" ? body : JSON.stringify(body);
    }
    const res = await fetch(url, init);
    let data = null;
    const text = await res.text();
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = { errorMessage: text.slice(0, 300) };
      }
    }
    return { ok: res.ok, status: res.status, data };
  };

  /** Shows a failed API answer, or reloads the page after a good one. */
  const finish = (res, title) => {
    if (res.ok) {
      window.location.reload();
      return;
    }
    const d = res.data || {};
    showAlert(title, d.errorMessage || `HTTP ${res.status}`, d.errors);
  };

  /** Runs fn with the control marked busy; network failures become an alert. */
  const busy = async (control, title, fn) => {
    control.setAttribute("aria-busy", "true");
    try {
      await fn();
    } catch {
      showAlert(title, msg("msgNetwork", "Network error"));
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
      const title = msg("msgImportFailed", "Import failed");
      let text;
      try {
        text = await file.text();
        JSON.parse(text);
      } catch {
        showAlert(title, `${file.name}: ${msg("msgInvalidJson", "The file is not valid JSON.")}`);
        return;
      }
      const caption = label.querySelector("span");
      const idle = caption?.textContent;
      if (caption) caption.textContent = msg("msgImporting", "Importing…");
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
    const title = msg("msgActionFailed", "The action failed");
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
    }
  });
}
