// flowcraft — drawing a live run: the status of each node on the designer's
// canvas (data-status, a status mark, the run count, the connections taken)
// and the detail of one task's runtimes (input = the resolved parameters,
// incoming data, output, error, logs,
// duration, loop iterations, retries, human tasks). Shared by the instance
// page and the designer's Run mode. Texts come from t (messages "rt.*",
// "status.*", "duration.*", "outcome.*").

import { elapsed, takenEdges, runLabel } from "./runmodel.js";
import { fmtClock, fmtTime, fmtDuration } from "./formats.js";
import { nodeSize } from "./designer/geometry.js";
import { h, svg } from "./dom.js";

/** Icon paths of the status marks (24×24 boxes, drawn at half size). */
const MARKS = {
  done: "M6 12.5l4 4 8-9",
  failed: "M7 7l10 10M17 7L7 17",
  timeout: "M12 6v6l4 2",
  canceled: "M6 12h12",
  skipped: "M7 6l7 6-7 6M17 6v12",
  waiting: "M9 7v10M15 7v10",
};

/**
 * Paints statuses on a canvas (the designer's Canvas): each node's
 * data-status and mark, its run count, and the taken connections.
 * Only nodes whose status or count changed are touched.
 */
export class CanvasPainter {
  /**
   * @param {import("./designer/canvas.js").Canvas} canvas
   * @param {(key: string, ...args: any[]) => string} t
   */
  constructor(canvas, t) {
    this.canvas = canvas;
    this.t = t;
    /** @type {Map<string, string>} what each node shows: "status|count" */
    this.shown = new Map();
    this.taken = new Set();
    canvas.host.classList.add("live-canvas");
  }

  /**
   * Shows the model's statuses; ids limits the work to those tasks (all when omitted).
   * @param {import("./runmodel.js").InstanceModel} model
   * @param {Iterable<string>} [ids]
   */
  paint(model, ids) {
    const status = model.statuses();
    const todo = ids ? [...ids] : [...new Set([...this.canvas.nodes.keys(), ...status.keys()])];
    for (const id of todo) {
      const n = this.canvas.nodes.get(id);
      if (!n) continue;
      const st = status.get(id) || "";
      const rs = model.runtimesOf(id);
      const key = `${st}|${rs.length}`;
      if (this.shown.get(id) === key && n.g.querySelector(".run-mark")) continue;
      this.shown.set(id, key);
      this.mark(n, id, st, rs.length);
    }
    this.paintEdges(status);
  }

  /** Clears every status (the designer leaving Run mode). */
  clear() {
    for (const [id, n] of this.canvas.nodes) {
      n.g.dataset.status = "";
      n.g.querySelector(".run-mark")?.remove();
      n.g.querySelector(".run-count")?.remove();
      this.shown.delete(id);
    }
    for (const el of this.canvas.host.querySelectorAll(".edge.is-taken")) el.classList.remove("is-taken");
    this.taken.clear();
    this.canvas.host.classList.remove("live-canvas");
  }

  /** @private */
  paintEdges(status) {
    const edges = [];
    for (const el of this.canvas.host.querySelectorAll(".edge[data-from]")) edges.push({ from: el.dataset.from, to: el.dataset.to, el });
    const next = takenEdges(edges, status);
    for (const e of edges) {
      const k = `${e.from}>${e.to}`;
      const on = next.has(k);
      if (on !== e.el.classList.contains("is-taken")) e.el.classList.toggle("is-taken", on);
    }
    this.taken = next;
  }

  /** @private */
  mark(n, id, st, count) {
    const g = n.g;
    g.dataset.status = st;
    const { w, h: ht } = nodeSize(n.kind);
    const box = { x: 0, y: 0, width: w, height: ht };
    const x = n.kind === "flow" ? w / 2 + 14 : w - 1;
    const y = n.kind === "flow" ? 8 : 0;
    let m = g.querySelector(".run-mark");
    if (!st) {
      m?.remove();
    } else {
      if (!m) {
        m = svg("g", { class: "run-mark" }, g);
        svg("circle", { r: 9 }, m);
        svg("path", { transform: "translate(-6 -6) scale(0.5)" }, m);
        svg("title", {}, m);
      }
      m.setAttribute("transform", `translate(${x} ${y})`);
      m.querySelector("path").setAttribute("d", MARKS[st] || "");
      m.querySelector("title").textContent = this.t(`status.${st}`);
    }
    let c = g.querySelector(".run-count");
    if (count > 1) {
      if (!c) {
        c = svg("g", { class: "run-count" }, g);
        svg("rect", { rx: 8, height: 16, y: -8 }, c);
        svg("text", { "text-anchor": "middle", y: 4 }, c);
      }
      const label = `×${count}`;
      c.querySelector("text").textContent = label;
      const w = 10 + label.length * 7;
      const r = c.querySelector("rect");
      r.setAttribute("width", String(w));
      r.setAttribute("x", String(-w / 2));
      c.setAttribute("transform", `translate(${box.x + box.width - w / 2 - 6} ${box.y + box.height})`);
      const title = c.querySelector("title") || svg("title", {}, c);
      title.textContent = this.t("rt.runs", { count });
    } else {
      c?.remove();
    }
    const label = g.getAttribute("aria-label")?.replace(/ — .*$/, "") || "";
    if (label) g.setAttribute("aria-label", st ? `${label} — ${this.t(`status.${st}`)}` : label);
  }
}

/** Pretty JSON for a value ("" for undefined). */
export function pretty(v) {
  if (v === undefined) return "";
  try {
    return JSON.stringify(v, null, 2);
  } catch {
    return String(v);
  }
}

/** A status pill element. */
export function pill(status, t) {
  const p = h("span", `pill pill-${status || "none"}`, status ? t(`status.${status}`) : t("status.not_run"));
  p.dataset.status = status || "";
  return p;
}

/** A titled block of JSON (collapsible when long); hint explains the title. */
function jsonBlock(title, value, t, open = true, hint = "") {
  const d = h("details", "rt-block");
  d.open = open;
  const s = h("summary", "rt-block-title", title);
  if (hint) {
    s.title = hint;
    s.append(h("span", "rt-block-hint muted", hint));
  }
  d.append(s);
  if (value === undefined || value === null) {
    d.append(h("p", "muted rt-empty", t("rt.none")));
  } else {
    d.append(h("pre", "code-block", pretty(value)));
  }
  return d;
}

/**
 * Draws the detail of one runtime: status, times, duration, and its input
 * (the task's resolved parameters), incoming data, output, error, logs and
 * human tasks.
 * @param {object} rt a runtime (with iterations/attempts from the timeline)
 * @param {(key: string, ...args: any[]) => string} t
 * @param {{now?: number, taskURL?: (id: string) => string}} [opts]
 */
export function runtimeDetail(rt, t, opts = {}) {
  const now = opts.now ?? Date.now();
  const box = h("article", "rt-detail");
  box.dataset.runtimeId = rt.id;
  const head = h("div", "rt-head");
  head.append(pill(rt.status, t));
  const label = opts.tabs ? "" : runLabel(rt, t);
  if (label) head.append(h("span", "tag", label));
  const took = elapsed(rt, now);
  const facts = h("dl", "rt-facts");
  const fact = (k, v, cls) => {
    const d = h("div", cls);
    d.append(h("dt", "", k), h("dd", "", v));
    facts.append(d);
  };
  fact(t("rt.started"), rt.startAt ? `${fmtTime(rt.startAt)}${fmtClock(rt.startAt).slice(5, 12)}` : "—");
  fact(t("rt.ended"), rt.endAt ? `${fmtTime(rt.endAt)}${fmtClock(rt.endAt).slice(5, 12)}` : "—");
  fact(t("rt.duration"), took === null ? "—" : fmtDuration(took, t), "rt-duration");
  const rid = h("span", "rt-id mono", rt.id);
  rid.title = t("rt.id");
  head.append(rid);
  box.append(head, facts);
  if (rt.error) {
    const err = h("div", "alert alert-danger rt-error");
    const body = h("div", "alert-body");
    body.append(h("div", "alert-title", t("rt.error")), h("pre", "pre-wrap rt-error-text", rt.error));
    err.append(body);
    box.append(err);
  }
  if (Array.isArray(rt.humanTasks) && rt.humanTasks.length) {
    const sec = h("section", "rt-block rt-humans");
    sec.append(h("div", "rt-block-title", t("rt.human_tasks")));
    const ul = h("ul", "rt-human-list");
    for (const ht of rt.humanTasks) {
      const li = h("li", "rt-human");
      const a = h("span", "rt-human-name", ht.assignee || (ht.candidateUsers || []).concat((ht.candidateGroups || []).map((g) => `@${g}`)).join(", ") || ht.name);
      const st = ht.outcome ? h("span", `pill ${ht.outcome === "reject" ? "pill-failed" : ht.outcome === "approve" ? "pill-done" : "pill-suspended"}`, ht.outcome === "approve" || ht.outcome === "reject" ? t(`outcome.${ht.outcome}d`) : ht.outcome) : pill(ht.status === "open" ? "waiting" : ht.status, t);
      li.append(a, st);
      if (ht.comment) li.append(h("span", "rt-human-comment", `“${ht.comment}”`));
      ul.append(li);
    }
    sec.append(ul);
    box.append(sec);
  }
  // input: the task's parameters as this run used them (the seed's runtime
  // input); incoming: the data that reached the task.
  const input = jsonBlock(t("rt.input"), rt.input, t, true, t("rt.input_hint"));
  input.dataset.block = "input";
  const incoming = jsonBlock(t("rt.incoming"), rt.incoming, t, true, t("rt.incoming_hint"));
  incoming.dataset.block = "incoming";
  const output = jsonBlock(t("rt.output"), rt.output, t, true);
  output.dataset.block = "output";
  box.append(input, incoming, output);
  const logs = h("details", "rt-block");
  logs.open = true;
  logs.append(h("summary", "rt-block-title", `${t("rt.logs")}${rt.logs?.length ? ` (${rt.logs.length})` : ""}`));
  if (!rt.logs?.length) {
    logs.append(h("p", "muted rt-empty", t("rt.no_logs")));
  } else {
    const ol = h("ol", "log-list");
    for (const l of rt.logs) {
      const li = h("li", `log log-${l.level || "log"}`);
      li.append(h("span", "log-at mono", l.at ? String(l.at).slice(11, 23) : ""), h("span", "log-level", l.level || "log"), h("span", "log-msg", l.message));
      ol.append(li);
    }
    logs.append(ol);
  }
  box.append(logs);
  return box;
}

/**
 * Draws the detail of a task: its name and, for each runtime (loop iterations,
 * retries), a tab; the chosen runtime's detail below.
 * @param {{instId: string, name: string, template: string}} task
 * @param {object[]} runtimes oldest first
 * @param {string | null} chosen the runtime id to show (the latest when null)
 */
export function taskDetail(task, runtimes, chosen, t, opts = {}) {
  const box = h("div", "task-detail");
  const head = h("div", "td-head");
  head.append(h("div", "td-name", task.name || task.instId), h("code", "mono muted td-id", task.instId));
  box.append(head);
  if (!runtimes.length) {
    box.append(h("p", "muted rt-empty", t("rt.not_run")));
    return box;
  }
  const iterations = new Set(runtimes.map((r) => r.index || 0)).size;
  const attempts = new Set(runtimes.map((r) => r.attempt || 0)).size;
  const rs = runtimes.map((r) => ({ ...r, iterations, attempts }));
  const current = rs.find((r) => r.id === chosen) || rs[rs.length - 1];
  if (rs.length > 1) {
    const tabs = h("div", "rt-tabs");
    tabs.setAttribute("role", "tablist");
    tabs.setAttribute("aria-label", t("rt.runs", { count: rs.length }));
    rs.forEach((r, i) => {
      const b = h("button", `rt-tab is-${r.status}`);
      b.type = "button";
      b.dataset.runtime = r.id;
      b.setAttribute("role", "tab");
      b.setAttribute("aria-selected", String(r === current));
      b.append(h("span", "rt-tab-dot"), h("span", "", runLabel(r, t) || `#${i + 1}`));
      tabs.append(b);
    });
    box.append(tabs);
  }
  box.append(runtimeDetail(current, t, { ...opts, tabs: rs.length > 1 }));
  return box;
}
