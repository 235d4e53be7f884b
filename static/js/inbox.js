// flowcraft — the inbox page (待办/已办): claim and unclaim, and live
// updates: a task that arrives appears at the top without a reload, a task
// that is completed, claimed by someone else or closed leaves the list.
// Rows are rendered by the server (GET /inbox/{id}/item, the same template
// as the page's rows), so a live row looks exactly like a loaded one.

import { api } from "./msgs.js";
import { t } from "./i18n.js";
import { onInbox, onInboxState } from "./inboxfeed.js";
import { indicator } from "./live.js";
import { h, alertShower } from "./dom.js";

const root = document.getElementById("inbox");

if (root) {
  const list = root.querySelector("[data-task-list]");
  const empty = root.querySelector("[data-empty]");
  const count = root.querySelector("[data-open-count]");
  const alertBox = root.querySelector("[data-alert]");
  const tab = root.dataset.tab;
  const firstPage = !new URLSearchParams(location.search).get("offset");
  const me = JSON.parse(document.getElementById("inbox-user")?.textContent || "{}");

  const itemOf = (id) => list.querySelector(`[data-task-id="${CSS.escape(String(id))}"]`);
  const syncEmpty = () => {
    empty.hidden = list.children.length > 0;
  };

  /** Fetches the server-rendered row of a task; null when it is gone or not ours. */
  const fetchItem = async (id) => {
    try {
      const res = await fetch(`/inbox/${encodeURIComponent(id)}/item${tab === "done" ? "?tab=done" : ""}`, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!res.ok) return null;
      const tpl = document.createElement("template");
      tpl.innerHTML = (await res.text()).trim();
      return tpl.content.firstElementChild;
    } catch {
      return null;
    }
  };

  /** Puts a task's row in the list: replaces it in place, or adds it at the top. */
  const upsert = async (id, highlight) => {
    const el = await fetchItem(id);
    if (!el) return;
    const old = itemOf(id);
    if (old) {
      old.replaceWith(el);
    } else {
      if (highlight) el.classList.add("is-new");
      list.prepend(el);
    }
    syncEmpty();
  };

  const remove = (id) => {
    const el = itemOf(id);
    if (!el) return;
    el.classList.add("is-leaving");
    setTimeout(() => {
      el.remove();
      syncEmpty();
    }, 250);
  };

  let first = true;
  onInbox((change, model) => {
    if (count) {
      count.textContent = String(model.total);
      count.dataset.count = String(model.total);
    }
    if (tab === "done") {
      if (change.kind === "removed" && change.task?.status === "done" && change.task.completedBy === me.id && firstPage && !itemOf(change.task.id)) upsert(change.task.id, true);
      return;
    }
    if (!firstPage) return;
    switch (change.kind) {
      case "snapshot": {
        if (first) {
          first = false;
          break;
        }
        // After a reconnect: add what arrived meanwhile; drop what left (when the snapshot is complete).
        for (const id of model.open.keys()) if (!itemOf(id)) upsert(id, true);
        if (model.total <= model.open.size) {
          for (const el of [...list.children]) if (!model.open.has(el.dataset.taskId)) remove(el.dataset.taskId);
        }
        break;
      }
      case "added":
        upsert(change.task.id, true);
        break;
      case "changed":
        upsert(change.task.id, false);
        break;
      case "removed":
        remove(change.task.id);
        break;
    }
  });
  onInboxState(indicator(root.querySelector("[data-live]"), t));

  // Auto-submitting sort.
  root.addEventListener("change", (e) => {
    if (e.target.matches?.("[data-autosubmit]")) e.target.form?.requestSubmit();
  });

  const showAlert = alertShower(alertBox, t);

  // Claim / unclaim.
  root.addEventListener("click", async (e) => {
    const b = e.target.closest?.("button[data-task-action]");
    if (!b || b.disabled) return;
    const { taskAction, id } = b.dataset;
    b.disabled = true;
    b.setAttribute("aria-busy", "true");
    let r;
    try {
      r = await api("POST", `/api/taskInst/${encodeURIComponent(id)}/${taskAction}`, {});
    } catch {
      r = { ok: false, status: 0, data: null };
    }
    b.disabled = false;
    b.removeAttribute("aria-busy");
    if (!r.ok) {
      showAlert(t("inbox.js.action_failed"), r);
      return;
    }
    upsert(id, false);
  });
  root.dataset.ready = "true";
}
