// flowcraft — the admin page: users (create with password, role and groups;
// edit; disable; delete), groups and membership, API tokens (the secret is
// shown once; revoke) and jobs (retry a dead one). Every change goes through
// the REST API; the tab is then reloaded so it shows what the server holds.

import { call } from "./msgs.js";
import { t } from "./i18n.js";
import { alertShower, showFieldProblems, clearFieldProblems, showErrorBox, autoSubmit, closeButtons } from "./dom.js";

const enc = encodeURIComponent;
const reload = () => window.location.reload();

// Conflicts that concern one field of a dialog: an id that is taken.
const conflictField = { user_exists: "id", group_exists: "id" };

/**
 * Starts the admin page: the dialogs of each tab and the row actions.
 * @param {HTMLElement} root the page element (#admin)
 */
export function init(root) {
  const showAlert = alertShower(root.querySelector("[data-alert]"), t);
  closeButtons(document.querySelectorAll("dialog"));
  const openUser = userDialog(document.getElementById("user-dialog"));
  const openGroup = groupDialog(document.getElementById("group-dialog"));
  const openToken = tokenDialog(document.getElementById("token-dialog"));
  const act = (button, method, url, body) => rowAction(showAlert, button, method, url, body);
  memberForms(root, act);
  rowActions(root, { openUser, openGroup, openToken, act });
  autoSubmit(root);
  root.dataset.ready = "true";
}

/**
 * Shows an error inside a dialog: a message of the page (a string), or a
 * failed API answer, whose problems appear on the dialog's fields they
 * concern and whose message and remaining problems appear in the dialog's
 * error box, all in the page's language.
 */
function dialogError(dialog, r) {
  const box = dialog.querySelector("[data-dialog-error]");
  if (typeof r === "string") {
    clearFieldProblems(dialog);
    showErrorBox(box, t, r);
    return;
  }
  let errors = r.data?.errors || [];
  const taken = conflictField[r.data?.code];
  if (!errors.length && taken) errors = [{ field: taken, code: r.data.code, params: r.data.params, message: r.data.errorMessage }];
  const rest = showFieldProblems(t, dialog, errors);
  showErrorBox(box, t, r, { rest, shown: errors.length - rest.length });
}

/** Opens a dialog without the errors of its last use. */
function openDialog(dialog) {
  dialog.querySelector("[data-dialog-error]")?.setAttribute("hidden", "");
  clearFieldProblems(dialog);
  dialog.showModal();
}

/** Runs a row action with the button marked busy; a failure becomes an alert. */
async function rowAction(showAlert, button, method, url, body) {
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  const r = await call(method, url, body);
  button.disabled = false;
  button.removeAttribute("aria-busy");
  if (r.ok) reload();
  else showAlert(t("admin.js.action_failed"), r);
}

/**
 * Wires the user dialog (new user, or edit the one of a row's button) and
 * returns its opener, open(button | null).
 * @param {HTMLDialogElement | null} dialog
 */
function userDialog(dialog) {
  let editing = null;
  // The worker role's hint shows while that role is chosen.
  const roleHint = () => {
    const hint = dialog?.querySelector('[data-testid="role-worker-hint"]');
    if (hint) hint.hidden = dialog.querySelector("form").elements.role.value !== "worker";
  };
  dialog?.querySelector("form").elements.role.addEventListener("change", roleHint);
  dialog?.querySelector("form").addEventListener("submit", async (e) => {
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
        dialogError(dialog, t("admin.js.user_required"));
        return;
      }
      r = await call("POST", "/api/users", body);
    }
    if (r.ok) reload();
    else dialogError(dialog, r);
  });
  return (b) => {
    const f = dialog.querySelector("form");
    f.reset();
    editing = b ? b.dataset.id : null;
    const title = dialog.querySelector(".dialog-title");
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
    roleHint();
    dialog.querySelector("[data-edit-only]").hidden = !editing;
    dialog.querySelector("[data-password-required]").hidden = !!editing;
    const hint = dialog.querySelector("[data-password-hint]");
    hint.textContent = editing ? hint.dataset.hintEdit : hint.dataset.hintNew;
    openDialog(dialog);
    (editing ? f.elements.name : f.elements.id).focus();
  };
}

/**
 * Wires the group dialog (new group, or rename the one of a row's button)
 * and returns its opener, open(button | null).
 * @param {HTMLDialogElement | null} dialog
 */
function groupDialog(dialog) {
  let renaming = null;
  dialog?.querySelector("form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = e.target;
    const id = f.elements.id.value.trim();
    const name = f.elements.name.value.trim();
    if (!id || !name) {
      dialogError(dialog, t("admin.js.group_required"));
      return;
    }
    const r = renaming ? await call("PUT", `/api/groups/${enc(renaming)}`, { name }) : await call("POST", "/api/groups", { id, name });
    if (r.ok) reload();
    else dialogError(dialog, r);
  });
  return (b) => {
    const f = dialog.querySelector("form");
    f.reset();
    renaming = b ? b.dataset.id : null;
    const title = dialog.querySelector(".dialog-title");
    title.textContent = renaming ? title.dataset.titleEdit : title.dataset.titleNew;
    f.elements.id.value = renaming || "";
    f.elements.id.readOnly = !!renaming;
    f.elements.name.value = b?.dataset.name || "";
    openDialog(dialog);
    (renaming ? f.elements.name : f.elements.id).focus();
  };
}

/** The "add member" form of each group adds the chosen user. */
function memberForms(root, act) {
  root.addEventListener("submit", async (e) => {
    const f = e.target.closest("[data-add-member]");
    if (!f) return;
    e.preventDefault();
    const userId = f.elements.userId.value;
    if (!userId) {
      f.elements.userId.focus();
      return;
    }
    await act(f.querySelector("button"), "POST", `/api/groups/${enc(f.dataset.addMember)}/members`, { userId });
  });
}

/**
 * Wires the token dialog (a new token for the user of the button; its secret
 * is shown once, with a copy button) and returns its opener, open(button).
 * @param {HTMLDialogElement | null} dialog
 */
function tokenDialog(dialog) {
  let user = "";
  let made = false;
  dialog?.addEventListener("close", () => {
    if (made) reload();
  });
  dialog?.querySelector("form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = e.target;
    const name = f.elements.name.value.trim();
    if (!name) {
      dialogError(dialog, t("admin.js.token_required"));
      return;
    }
    const r = await call("POST", `/api/tokens?user=${enc(user)}`, { name, expiresIn: Number(f.elements.expiresIn.value) || 0 });
    if (!r.ok) {
      dialogError(dialog, r);
      return;
    }
    made = true;
    dialog.querySelector("[data-dialog-error]").hidden = true;
    dialog.querySelector("[data-token-fields]").hidden = true;
    dialog.querySelector("[data-token-submit]").hidden = true;
    dialog.querySelector("[data-token-secret]").textContent = r.data.response.token;
    dialog.querySelector("[data-token-result]").hidden = false;
  });
  dialog?.querySelector("[data-copy-secret]").addEventListener("click", async () => {
    const secret = dialog.querySelector("[data-token-secret]").textContent;
    const label = dialog.querySelector("[data-copy-label]");
    try {
      await navigator.clipboard.writeText(secret);
      label.textContent = t("admin.js.copied");
    } catch {
      const range = document.createRange();
      range.selectNodeContents(dialog.querySelector("[data-token-secret]"));
      getSelection().removeAllRanges();
      getSelection().addRange(range);
    }
  });
  return (b) => {
    const f = dialog.querySelector("form");
    f.reset();
    user = b.dataset.user || "";
    made = false;
    dialog.querySelector("[data-token-fields]").hidden = false;
    dialog.querySelector("[data-token-result]").hidden = true;
    dialog.querySelector("[data-token-submit]").hidden = false;
    openDialog(dialog);
    f.elements.name.focus();
  };
}

/** The buttons of the tabs (data-action): open a dialog or call the API (after data-confirm). */
function rowActions(root, { openUser, openGroup, openToken, act }) {
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
        return act(b, "PATCH", `/api/users/${enc(id)}`, { disabled: action === "disable-user" });
      case "delete-user":
        return act(b, "DELETE", `/api/users/${enc(id)}`);
      case "new-group":
        return openGroup(null);
      case "rename-group":
        return openGroup(b);
      case "delete-group":
        return act(b, "DELETE", `/api/groups/${enc(id)}`);
      case "remove-member":
        return act(b, "DELETE", `/api/groups/${enc(b.dataset.group)}/members/${enc(b.dataset.user)}`);
      case "new-token":
        return openToken(b);
      case "revoke-token":
        return act(b, "DELETE", `/api/tokens/${enc(id)}`);
      case "retry-job":
        return act(b, "POST", `/api/jobs/${enc(id)}/retry`);
      case "execute-job":
        return act(b, "POST", `/api/jobs/${enc(id)}/execute`);
      case "delete-job":
        return act(b, "DELETE", `/api/jobs/${enc(id)}`);
    }
  });
}
