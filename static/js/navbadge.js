// flowcraft — the open-task count on the navigation's Inbox (待办) link:
// loaded from GET /api/taskInsts?limit=1, then kept live by /ws/inbox.

import { onInbox } from "./inboxfeed.js";
import { api } from "./msgs.js";

const link = document.querySelector('.nav a.nav-link[href="/inbox"]');
let badge = null;
if (link) {
  badge = document.createElement("span");
  badge.className = "nav-badge";
  badge.dataset.inboxBadge = "";
  badge.hidden = true;
  link.append(badge);
}

/** Shows n on the badge (hidden at zero; "99+" above 99). */
const show = (n) => {
  if (!badge) return;
  n = Math.max(0, Number(n) || 0);
  badge.textContent = n > 99 ? "99+" : String(n);
  badge.hidden = n === 0;
  badge.dataset.count = String(n);
  link.dataset.inboxCount = String(n);
};

if (badge) {
  api("GET", "/api/taskInsts?limit=1")
    .then((r) => {
      if (r.ok && badge.dataset.count === undefined) show(r.data?.response?.total);
    })
    .catch(() => {});
  onInbox((_change, model) => show(model.total));
}
