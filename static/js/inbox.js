// flowcraft — the inbox page (待办/已办): claim and unclaim, and live
// updates: a task that arrives appears at the top without a reload, a task
// that is completed, claimed by someone else or closed leaves the list.
// Rows are rendered by the server (GET /inbox/{id}/item, the same template
// as the page's rows), so a live row looks exactly like a loaded one.

import { call } from "./msgs.js";
import { t } from "./i18n.js";
import { onInbox, onInboxState } from "./inboxfeed.js";
import { indicator } from "./live.js";
import { alertShower, autoSubmit } from "./dom.js";

/**
 * Starts the inbox page: the live list and the claim buttons.
 * @param {HTMLElement} root the page element (#inbox)
 */
export function init(root) {
  const list = taskList(root);
  liveFeed(root, list);
  autoSubmit(root);
  claimButtons(root, list);
  root.dataset.ready = "true";
}

/**
 * The list of task rows: upsert(id, highlight) puts a task's server-rendered
 * row in (in place, or at the top), remove(id) lets one go, has(id) tells
 * whether a task is listed.
 * @param {HTMLElement} root
 */
function taskList(root) {
  const list = root.querySelector("[data-task-list]");
  const empty = root.querySelector("[data-empty]");
  const tab = root.dataset.tab;

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

  return {
    has: (id) => !!itemOf(id),
    ids: () => [...list.children].map((el) => el.dataset.taskId),
    async upsert(id, highlight) {
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
    },
    remove(id) {
      const el = itemOf(id);
      if (!el) return;
      el.classList.add("is-leaving");
      setTimeout(() => {
        el.remove();
        syncEmpty();
      }, 250);
    },
  };
}

/**
 * Keeps the open count and (on the first page) the list in step with
 * /ws/inbox; the done tab gains the tasks I complete meanwhile.
 * @param {HTMLElement} root
 * @param {ReturnType<typeof taskList>} list
 */
function liveFeed(root, list) {
  const count = root.querySelector("[data-open-count]");
  const tab = root.dataset.tab;
  const firstPage = !new URLSearchParams(location.search).get("offset");
  const me = JSON.parse(document.getElementById("inbox-user")?.textContent || "{}");
  let first = true;
  onInbox((change, model) => {
    if (count) {
      count.textContent = String(model.total);
      count.dataset.count = String(model.total);
    }
    if (tab === "done") {
      if (change.kind === "removed" && change.task?.status === "done" && change.task.completedBy === me.id && firstPage && !list.has(change.task.id)) list.upsert(change.task.id, true);
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
        for (const id of model.open.keys()) if (!list.has(id)) list.upsert(id, true);
        if (model.total <= model.open.size) {
          for (const id of list.ids()) if (!model.open.has(id)) list.remove(id);
        }
        break;
      }
      case "added":
        list.upsert(change.task.id, true);
        break;
      case "changed":
        list.upsert(change.task.id, false);
        break;
      case "removed":
        list.remove(change.task.id);
        break;
    }
  });
  onInboxState(indicator(root.querySelector("[data-live]"), t));
}

/**
 * Claim / unclaim buttons (data-task-action): the row is redrawn from the
 * server after a good answer; a failure becomes an alert.
 * @param {HTMLElement} root
 * @param {ReturnType<typeof taskList>} list
 */
function claimButtons(root, list) {
  const showAlert = alertShower(root.querySelector("[data-alert]"), t);
  root.addEventListener("click", async (e) => {
    const b = e.target.closest?.("button[data-task-action]");
    if (!b || b.disabled) return;
    const { taskAction, id } = b.dataset;
    b.disabled = true;
    b.setAttribute("aria-busy", "true");
    const r = await call("POST", `/api/taskInst/${encodeURIComponent(id)}/${taskAction}`, {});
    b.disabled = false;
    b.removeAttribute("aria-busy");
    if (!r.ok) {
      showAlert(t("inbox.js.action_failed"), r);
      return;
    }
    list.upsert(id, false);
  });
}
