// flowcraft — the admin page: users (create with password, role and groups;
// edit; disable; delete), groups and membership, API tokens (the secret is
// shown once; revoke) and jobs (retry a dead one). Every change goes through
// the REST API; the tab is then reloaded so it shows what the server holds.

import { api } from "./msgs.js";
import { t, errorText, problemText } from "./i18n.js";
import { h, alertShower, showFieldProblems, clearFieldProblems } from "./dom.js";

const root = document.getElementById("admin");

if (root) {
  const alertBox = root.querySelector("[data-alert]");

  const showAlert = alertShower(alertBox, t);

  const call = async (method, url, body) => {
    try {
      return await api(method, url, body);
    } catch {
      return { ok: false, status: 0, data: null };
    }
  };

  const reload = () => window.location.reload();

  // Conflicts that concern one field of a dialog: an id that is taken.
  const conflictField = { user_exists: "id", group_exists: "id" };

  /**
   * Shows an error inside a dialog: a message of the page (a string), or a
   * failed API answer, whose problems appear on the dialog's fields they
   * concern and whose message and remaining problems appear in the dialog's
   * error box, all in the page's language.
   */
  const dialogError = (dialog, r) => {
    const box = dialog.querySelector("[data-dialog-error]");
    if (typeof r === "string") {
      clearFieldProblems(dialog);
      box.replaceChildren(h("div", "", r));
      box.hidden = false;
      return;
    }
    let errors = r.data?.errors || [];
    const taken = conflictField[r.data?.code];
    if (!errors.length && taken) errors = [{ field: taken, code: r.data.code, params: r.data.params, message: r.data.errorMessage }];
    const rest = showFieldProblems(t, dialog, errors);
    const onFields = errors.length - rest.length;
    box.replaceChildren();
    if (onFields === 0 || rest.length > 0) box.append(h("div", "", errorText(t, r.data, r.status)));
    for (const e of rest) box.append(h("div", "", problemText(t, e)));
    box.hidden = box.childElementCount === 0;
  };

  const openDialog = (dialog) => {
    dialog.querySelector("[data-dialog-error]")?.setAttribute("hidden", "");
    clearFieldProblems(dialog);
    dialog.showModal();
  };

  for (const dialog of document.querySelectorAll("dialog")) {
    dialog.addEventListener("click", (e) => {
      if (e.target.closest("[data-close]")) dialog.close();
    });
  }

  /** Runs a row action with the button marked busy; a failure becomes an alert. */
  const rowAction = async (button, method, url, body) => {
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    const r = await call(method, url, body);
    button.disabled = false;
    button.removeAttribute("aria-busy");
    if (r.ok) reload();
    else showAlert(t("admin.js.action_failed"), r);
  };

  const enc = encodeURIComponent;

  // ---------- users ----------

  const userDialog = document.getElementById("user-dialog");
  let editing = null;
  const openUser = (b) => {
    const f = userDialog.querySelector("form");
    f.reset();
    editing = b ? b.dataset.id : null;
    const title = userDialog.querySelector(".dialog-title");
    title.textContent = editing ? title.dataset.titleEdit : title.dataset.titleNew;
    f.elements.id.value = editing || "";
    f.elements.id.readOnly = !!editing;
    if (b) {
      f.elements.name.value = b.dataset.name || "";
      f.elements.email.value = b.dataset.email || "";
      f.elements.role.value = b.dataset.role || "user";
      const groups = new Set((b.dataset.groups || "").split(",").filter(Boolean));
      for (const c of f.querySelectorAll("[name=groups]")) c.checked = groups.has(c.value);
      f.elements.disabled.checked = b.dataset.disabled === "true";
    }
    userDialog.querySelector("[data-edit-only]").hidden = !editing;
    userDialog.querySelector("[data-password-required]").hidden = !!editing;
    const hint = userDialog.querySelector("[data-password-hint]");
    hint.textContent = editing ? hint.dataset.hintEdit : hint.dataset.hintNew;
    openDialog(userDialog);
    (editing ? f.elements.name : f.elements.id).focus();
  };

  userDialog?.querySelector("form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = e.target;
    const body = {
      name: f.elements.name.value.trim(),
      email: f.elements.email.value.trim(),
      role: f.elements.role.value,
      groups: [...f.querySelectorAll("[name=groups]:checked")].map((c) => c.value),
    };
    const password = f.elements.password.value;
    if (password) body.password = password;
    let r;
    if (editing) {
      body.disabled = f.elements.disabled.checked;
      r = await call("PATCH", `/api/users/${enc(editing)}`, body);
    } else {
      body.id = f.elements.id.value.trim();
      if (!body.id || !password) {
        dialogError(userDialog, t("admin.js.user_required"));
        return;
      }
      r = await call("POST", "/api/users", body);
    }
    if (r.ok) reload();
    else dialogError(userDialog, r);
  });

  // ---------- groups ----------

  const groupDialog = document.getElementById("group-dialog");
  let renaming = null;
  const openGroup = (b) => {
    const f = groupDialog.querySelector("form");
    f.reset();
    renaming = b ? b.dataset.id : null;
    const title = groupDialog.querySelector(".dialog-title");
    title.textContent = renaming ? title.dataset.titleEdit : title.dataset.titleNew;
    f.elements.id.value = renaming || "";
    f.elements.id.readOnly = !!renaming;
    f.elements.name.value = b?.dataset.name || "";
    openDialog(groupDialog);
    (renaming ? f.elements.name : f.elements.id).focus();
  };
  groupDialog?.querySelector("form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = e.target;
    const id = f.elements.id.value.trim();
    const name = f.elements.name.value.trim();
    if (!id || !name) {
      dialogError(groupDialog, t("admin.js.group_required"));
      return;
    }
    const r = renaming ? await call("PUT", `/api/groups/${enc(renaming)}`, { name }) : await call("POST", "/api/groups", { id, name });
    if (r.ok) reload();
    else dialogError(groupDialog, r);
  });

  root.addEventListener("submit", async (e) => {
    const f = e.target.closest("[data-add-member]");
    if (!f) return;
    e.preventDefault();
    const userId = f.elements.userId.value;
    if (!userId) {
      f.elements.userId.focus();
      return;
    }
    await rowAction(f.querySelector("button"), "POST", `/api/groups/${enc(f.dataset.addMember)}/members`, { userId });
  });

  // ---------- tokens ----------

  const tokenDialog = document.getElementById("token-dialog");
  let tokenUser = "";
  let tokenMade = false;
  const openToken = (b) => {
    const f = tokenDialog.querySelector("form");
    f.reset();
    tokenUser = b.dataset.user || "";
    tokenMade = false;
    tokenDialog.querySelector("[data-token-fields]").hidden = false;
    tokenDialog.querySelector("[data-token-result]").hidden = true;
    tokenDialog.querySelector("[data-token-submit]").hidden = false;
    openDialog(tokenDialog);
    f.elements.name.focus();
  };
  tokenDialog?.addEventListener("close", () => {
    if (tokenMade) reload();
  });
  tokenDialog?.querySelector("form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = e.target;
    const name = f.elements.name.value.trim();
    if (!name) {
      dialogError(tokenDialog, t("admin.js.token_required"));
      return;
    }
    const r = await call("POST", `/api/tokens?user=${enc(tokenUser)}`, { name, expiresIn: Number(f.elements.expiresIn.value) || 0 });
    if (!r.ok) {
      dialogError(tokenDialog, r);
      return;
    }
    tokenMade = true;
    tokenDialog.querySelector("[data-dialog-error]").hidden = true;
    tokenDialog.querySelector("[data-token-fields]").hidden = true;
    tokenDialog.querySelector("[data-token-submit]").hidden = true;
    tokenDialog.querySelector("[data-token-secret]").textContent = r.data.response.token;
    tokenDialog.querySelector("[data-token-result]").hidden = false;
  });
  tokenDialog?.querySelector("[data-copy-secret]").addEventListener("click", async () => {
    const secret = tokenDialog.querySelector("[data-token-secret]").textContent;
    const label = tokenDialog.querySelector("[data-copy-label]");
    try {
      await navigator.clipboard.writeText(secret);
      label.textContent = t("admin.js.copied");
    } catch {
      const range = document.createRange();
      range.selectNodeContents(tokenDialog.querySelector("[data-token-secret]"));
      getSelection().removeAllRanges();
      getSelection().addRange(range);
    }
  });

  // ---------- row actions ----------

  root.addEventListener("click", async (e) => {
    const b = e.target.closest?.("button[data-action]");
    if (!b || b.disabled) return;
    const { action, id } = b.dataset;
    if (b.dataset.confirm && !window.confirm(b.dataset.confirm)) return;
    switch (action) {
      case "new-user":
        return openUser(null);
      case "edit-user":
        return openUser(b);
      case "enable-user":
      case "disable-user":
        return rowAction(b, "PATCH", `/api/users/${enc(id)}`, { disabled: action === "disable-user" });
      case "delete-user":
        return rowAction(b, "DELETE", `/api/users/${enc(id)}`);
      case "new-group":
        return openGroup(null);
      case "rename-group":
        return openGroup(b);
      case "delete-group":
        return rowAction(b, "DELETE", `/api/groups/${enc(id)}`);
      case "remove-member":
        return rowAction(b, "DELETE", `/api/groups/${enc(b.dataset.group)}/members/${enc(b.dataset.user)}`);
      case "new-token":
        return openToken(b);
      case "revoke-token":
        return rowAction(b, "DELETE", `/api/tokens/${enc(id)}`);
      case "retry-job":
        return rowAction(b, "POST", `/api/jobs/${enc(id)}/retry`);
    }
  });

  root.addEventListener("change", (e) => {
    if (e.target.matches?.("[data-autosubmit]")) e.target.form?.requestSubmit();
  });
  root.dataset.ready = "true";
}
