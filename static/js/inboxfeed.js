// flowcraft — one /ws/inbox connection per page, shared by the navigation's
// count badge and the inbox and task pages (ES modules load once per page,
// so every importer gets this same feed). Listeners get each change of the
// inbox model and the socket's state.

import { InboxModel } from "./inboxmodel.js";
import { live } from "./live.js";
import { api } from "./msgs.js";

const listeners = new Set();
const stateListeners = new Set();
let model = null;
let socket = null;
let state = "";

/** The signed-in user as the page knows them (id and groups), for "is it mine". */
function me() {
  const el = document.getElementById("inbox-user");
  if (el) {
    try {
      return JSON.parse(el.textContent || "{}");
    } catch {
      // fall through
    }
  }
  return null; // unknown here: counts are read from the server after each change
}

let recountTimer = 0;
/** Reads the open count again soon (when the model cannot know it). */
function recountSoon() {
  clearTimeout(recountTimer);
  recountTimer = setTimeout(recount, 120);
}

/** Reads the open count again. */
async function recount() {
  try {
    const r = await api("GET", "/api/taskInsts?limit=1");
    if (r.ok && model) {
      model.total = Number(r.data?.response?.total) || 0;
      for (const fn of listeners) fn({ kind: "count" }, model);
    }
  } catch {
    // offline: the next snapshot corrects it
  }
}

/**
 * Subscribes to inbox changes: fn(change, model) for every change (and once
 * at once when the model is ready). Opens the websocket on first use.
 * @returns {() => void} unsubscribe
 */
export function onInbox(fn) {
  listeners.add(fn);
  if (!socket) {
    const who = me();
    model = new InboxModel(who || { id: "", groups: [] });
    socket = live("/ws/inbox", {
      onMessage: (msg) => {
        const change = model.apply(msg);
        if (!change) return;
        for (const f of listeners) f(change, model);
        if (change.resync || (!who && msg.type === "task")) recountSoon();
      },
      onState: (s) => {
        state = s;
        for (const f of stateListeners) f(s);
      },
    });
  } else if (model.ready) {
    fn({ kind: "snapshot" }, model);
  }
  return () => listeners.delete(fn);
}

/** Subscribes to the socket's state ("connecting", "live", "reconnecting"). */
export function onInboxState(fn) {
  stateListeners.add(fn);
  if (state) fn(state);
  return () => stateListeners.delete(fn);
}
