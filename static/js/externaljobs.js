// flowcraft — the live state of external tasks (DESIGN §10) on the instance
// page: each external-task node shows whether its job waits for a worker, is
// locked by one (until when), or became an incident (with an admin's retry).
// The state comes from GET /api/externalTasks?instanceId= (a lock is not an
// instance event: the page reads again on the instance's events and, while a
// job waits or is locked, every few seconds). Texts come from t ("rt.external.*").
//
// watchExternal is the page's loader (the instance page, the designer's Run);
// jobStatus, jobText and latestByTask are DOM-free (node --test).

import { fmtClock, fmtTime } from "./times.js";
import { h, svg } from "./dom.js";
import { call } from "./msgs.js";
import { nodeSize } from "./designer/geometry.js";
import { fitText, textWidth } from "./designer/textfit.js";

const LABEL_FONT = '500 11px ui-sans-serif, system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';

/** How often the page reads the jobs again while one waits or is locked. */
export const POLL_MS = 5000;

/**
 * What a job shows: "waiting" (open, or its lock expired), "locked",
 * "incident" or "done"; null without a job.
 * @param {{state: string, lockExpiresAt?: number} | null | undefined} job
 * @param {number} now unix ms
 */
export function jobStatus(job, now) {
  if (!job) return null;
  switch (job.state) {
    case "incident":
      return "incident";
    case "done":
      return "done";
    case "locked":
      return job.lockExpiresAt && job.lockExpiresAt > now ? "locked" : "waiting";
    default:
      return "waiting";
  }
}

/**
 * A time for a lock's expiry on the page's clock (the server's zone, as every
 * time of the page): "10:42" today, "2026-12-01 10:42" on another day.
 * @param {number} ms
 * @param {number} now
 * @param {string} [tz]
 */
export function lockTime(ms, now, tz) {
  const day = fmtTime(ms, tz).slice(0, 10);
  return day === fmtTime(now, tz).slice(0, 10) ? fmtClock(ms, tz).slice(0, 5) : fmtTime(ms, tz);
}

/**
 * The one-line state of a job in the page's language:
 * "Waiting for a worker", "Locked by worker-7 until 10:42",
 * "Incident: <error> — retries 0".
 * @param {object} job
 * @param {(key: string, params?: object) => string} t
 * @param {number} now
 * @param {string} [tz]
 */
export function jobText(job, t, now, tz) {
  switch (jobStatus(job, now)) {
    case "locked":
      return t("rt.external.locked", { worker: job.workerId || "?", until: lockTime(job.lockExpiresAt, now, tz) });
    case "incident":
      return t("rt.external.incident", { error: job.errorMessage || t("rt.external.no_message"), retries: job.retries ?? 0 });
    case "done":
      return t("rt.external.done");
    case "waiting":
      return t("rt.external.waiting");
    default:
      return "";
  }
}

/**
 * The newest job of each task (by creation, then id).
 * @param {object[]} jobs
 * @returns {Map<string, object>}
 */
export function latestByTask(jobs) {
  const out = new Map();
  for (const j of jobs || []) {
    const old = out.get(j.taskId);
    if (!old || (j.createAt || 0) > (old.createAt || 0) || ((j.createAt || 0) === (old.createAt || 0) && String(j.id) > String(old.id))) out.set(j.taskId, j);
  }
  return out;
}

/**
 * The detail box of a task's job: its state, topic, worker, retries, error,
 * and for admins on an incident a retry with new retries.
 * @param {object} job
 * @param {(key: string, params?: object) => string} t
 * @param {{now: number, admin: boolean, onRetry: (job: object, retries: number, button: HTMLButtonElement) => void}} opts
 */
export function externalBox(job, t, { now, admin, onRetry }) {
  const st = jobStatus(job, now);
  const box = h("section", `rt-block ext-state ext-${st}`);
  box.dataset.testid = "external-state";
  box.dataset.state = st;
  box.append(h("div", "rt-block-title", t("rt.external.title")));
  const line = h("p", "ext-line", jobText(job, t, now));
  line.dataset.testid = "external-state-text";
  box.append(line);
  const facts = h("dl", "rt-facts ext-facts");
  const fact = (k, v) => {
    const d = h("div");
    d.append(h("dt", "", k), h("dd", "mono", v));
    facts.append(d);
  };
  fact(t("rt.external.topic"), job.topic || "—");
  if (job.workerId) fact(t("rt.external.worker"), job.workerId);
  fact(t("rt.external.retries"), job.retries === null || job.retries === undefined ? t("rt.external.retries_unset", { retries: job.taskRetries ?? 0 }) : String(job.retries));
  if (job.priority) fact(t("rt.external.priority"), String(job.priority));
  box.append(facts);
  if (st === "incident" && job.errorDetails) {
    const d = h("details", "ext-details");
    d.append(h("summary", "", t("rt.external.details")), h("pre", "code-block", job.errorDetails));
    box.append(d);
  }
  if (st === "incident" && admin) {
    const form = h("form", "ext-retry");
    const id = `ext-retries-${job.id}`;
    const label = h("label", "label", t("rt.external.new_retries"));
    label.htmlFor = id;
    const input = h("input", "input input-sm");
    input.type = "number";
    input.min = "1";
    input.max = "1000";
    input.step = "1";
    input.value = "1";
    input.id = id;
    input.dataset.testid = "external-retries";
    const b = h("button", "btn btn-primary btn-sm", t("rt.external.retry"));
    b.type = "submit";
    b.dataset.testid = "external-retry";
    form.append(label, input, b);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const n = Number(input.value);
      if (Number.isInteger(n) && n >= 1) onRetry(job, n, b);
      else input.setAttribute("aria-invalid", "true");
    });
    box.append(form);
  }
  return box;
}

/**
 * Writes each external-task node's state under it on the canvas (a small
 * label with data-testid="external-node-state" and data-state).
 * @param {import("./designer/canvas.js").Canvas} canvas
 * @param {Map<string, object>} jobs by task id
 * @param {(key: string, params?: object) => string} t
 * @param {number} now
 */
export function paintNodes(canvas, jobs, t, now) {
  for (const [id, n] of canvas.nodes) {
    const job = jobs.get(id);
    let g = n.g.querySelector(".ext-node-state");
    const st = jobStatus(job, now);
    if (!st || st === "done") {
      g?.remove();
      continue;
    }
    const text = jobText(job, t, now);
    if (g && g.dataset.text === text) continue;
    if (!g) {
      g = svg("g", { class: "ext-node-state", "data-testid": "external-node-state" }, n.g);
      svg("rect", { rx: 7, height: 18, y: -9 }, g);
      svg("text", { "text-anchor": "middle", y: 4 }, g);
    }
    g.dataset.state = st;
    g.dataset.text = text;
    const { w, h: ht } = nodeSize(n.kind);
    const shown = fitText(text, w + 40, LABEL_FONT);
    g.querySelector("text").textContent = shown;
    const width = Math.ceil(textWidth(shown, LABEL_FONT)) + 14;
    const r = g.querySelector("rect");
    r.setAttribute("width", String(width));
    r.setAttribute("x", String(-width / 2));
    g.setAttribute("transform", `translate(${w / 2} ${ht + 16})`);
    let title = g.querySelector("title");
    if (!title) title = svg("title", {}, g);
    title.textContent = text;
  }
}

/**
 * Follows the external jobs of an instance: reads GET /api/externalTasks?instanceId=
 * (soon after reloadSoon(), called on the instance's events), paints them under
 * their nodes, and on tick(now) (once a second) shows expired locks as waiting and,
 * while a job waits or is locked, reads again every POLL_MS (a lock is no instance
 * event). onChange() runs when what is shown changed. With enabled false (no
 * external-task node) it does nothing.
 * @param {{instanceId: string, canvas?: any, t: (key: string, params?: object) => string,
 *   enabled: boolean, onChange?: () => void, ended?: () => boolean, onStates?: (states: string) => void}} o
 */
export function watchExternal(o) {
  const { instanceId, canvas, t, enabled } = o;
  const onChange = o.onChange || (() => {});
  /** @type {Map<string, object>} */
  let byTask = new Map();
  let shown = "";
  let states = "";
  let timer = 0;
  let lastRead = 0;
  let reading = false;
  let again = false;
  let stopped = false;

  const paint = (now) => {
    if (canvas) paintNodes(canvas, byTask, t, now);
    const next = [...byTask.values()].map((j) => jobStatus(j, now)).join(",");
    const changed = next !== states;
    states = next;
    o.onStates?.(states);
    return changed;
  };

  const read = async () => {
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    lastRead = Date.now();
    const r = await call("GET", `/api/externalTasks?instanceId=${encodeURIComponent(instanceId)}&state=all&limit=1000`);
    reading = false;
    if (stopped) return;
    if (r.ok) {
      const list = r.data?.response?.list || [];
      const sig = JSON.stringify(list);
      byTask = latestByTask(list);
      paint(Date.now());
      if (sig !== shown) {
        shown = sig;
        onChange();
      }
    }
    if (again) {
      again = false;
      reloadSoon();
    }
  };

  const reloadSoon = () => {
    if (!enabled || stopped) return;
    clearTimeout(timer);
    timer = setTimeout(read, 200);
  };

  return {
    reloadSoon,
    /** The newest job of a task. */
    of: (taskId) => byTask.get(taskId),
    tick(now) {
      if (!enabled || stopped || !byTask.size) return;
      if (paint(now)) onChange();
      const live = [...byTask.values()].some((j) => ["waiting", "locked"].includes(jobStatus(j, now)));
      if (live && !o.ended?.() && now - lastRead >= POLL_MS) read();
    },
    /** Stops reading and takes the labels off the canvas. */
    stop() {
      stopped = true;
      clearTimeout(timer);
      byTask = new Map();
      if (canvas) paintNodes(canvas, byTask, t, Date.now());
    },
  };
}
