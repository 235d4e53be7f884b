// flowcraft — the instance page: the graph coloured by status (the designer's
// canvas, read-only), the timeline of runtimes, the selected task's runtimes
// and the controls (suspend, resume, retry, cancel). It starts from the view
// the page rendered and stays live over /ws/processInst/{id}: events are
// applied to the model by runtime id and only the rows and nodes that
// changed are redrawn.

import { api } from "./msgs.js";
import { fmtDuration, fmtClock } from "./formats.js";
import { t } from "./i18n.js";
import { live, indicator } from "./live.js";
import { InstanceModel, elapsed, runLabel, compareIds } from "./runmodel.js";
import { CanvasPainter, taskDetail, pill, pretty } from "./runtimeview.js";
import { h, alertShower } from "./dom.js";
import { fromDefinition } from "./designer/serialize.js";
import { Selection } from "./designer/selection.js";
import { Canvas } from "./designer/canvas.js";

/** Reads a JSON blob rendered by the page. */
function pageJSON(id) {
  const el = document.getElementById(id);
  try {
    return el ? JSON.parse(el.textContent || "null") : null;
  } catch {
    return null;
  }
}

/** Which actions an instance status allows (as the engine does). */
export const ALLOWED = {
  cancel: ["pending", "running", "waiting", "suspended"],
  suspend: ["pending", "running", "waiting"],
  resume: ["suspended"],
  retry: ["failed", "timeout"],
};

const root = document.getElementById("instance");

if (root) {
  const $ = (sel) => root.querySelector(sel);
  const model = new InstanceModel(pageJSON("instance-view") || { id: root.dataset.instanceId, tasks: [] });
  const timeline = $("[data-timeline]");
  const detail = $("[data-detail]");
  const detailTitle = $("[data-detail-title]");
  const detailClear = $("[data-detail-clear]");
  const alertBox = $("[data-alert]");
  /** @type {{taskId: string, runtimeId: string | null} | null} */
  let selected = null;

  // ---------- graph ----------

  let canvas = null;
  let painter = null;
  let selection = null;
  const def = pageJSON("designer-definition");
  const host = $("[data-canvas]");
  if (def && host) {
    const specs = pageJSON("designer-templates") || [];
    const specById = new Map(specs.map((s) => [s.id, s]));
    const graph = fromDefinition(def);
    selection = new Selection();
    canvas = new Canvas(host, { graph, selection, spec: (id) => specById.get(id), execute: () => {}, readOnly: true });
    painter = new CanvasPainter(canvas, t);
    selection.on(() => {
      const [id] = selection.nodes;
      if (selection.nodes.size === 1 && id !== selected?.taskId) select(id, null, false);
    });
    requestAnimationFrame(() => canvas.fit());
    window.addEventListener("resize", () => canvas.fit());
    root.addEventListener("click", (e) => {
      const b = e.target.closest?.("[data-graph]");
      if (!b) return;
      if (b.dataset.graph === "fit") canvas.fit();
      else canvas.zoomBy(b.dataset.graph === "zoom-in" ? 1.2 : 1 / 1.2);
    });
  }

  // ---------- timeline ----------

  /** @type {Map<string, HTMLLIElement>} */
  const rows = new Map();

  /** Fills a timeline row from a runtime. */
  const fillRow = (li, rt) => {
    li.dataset.status = rt.status || "";
    li.dataset.taskId = rt.taskId;
    const b = h("button", "tl-button");
    b.type = "button";
    b.dataset.runtime = rt.id;
    b.setAttribute("aria-pressed", String(selected?.taskId === rt.taskId && (selected.runtimeId === rt.id || (!selected.runtimeId && isLatest(rt)))));
    const dot = h("span", "tl-dot");
    dot.setAttribute("aria-hidden", "true");
    const main = h("span", "tl-main");
    const name = h("span", "tl-name", rt.taskName);
    main.append(name);
    const label = runLabel(rt, t);
    if (label) main.append(h("span", "tag tl-tag", label));
    const meta = h("span", "tl-meta");
    const took = elapsed(rt, Date.now());
    meta.append(h("span", "tl-time mono", fmtClock(rt.startAt || rt.createAt).slice(0, 8)), h("span", "tl-took mono", took === null ? "" : fmtDuration(took, t)));
    const st = h("span", "visually-hidden", t(`status.${rt.status}`));
    b.append(dot, main, st, meta);
    li.replaceChildren(b);
  };

  const isLatest = (rt) => {
    const rs = model.runtimesOf(rt.taskId);
    return rs.length > 0 && rs[rs.length - 1].id === rt.id;
  };

  /** Redraws the timeline rows of the given runtimes (all when omitted). */
  const drawTimeline = (ids) => {
    const items = model.timeline();
    const byId = new Map(items.map((r) => [r.id, r]));
    const todo = ids ? [...ids] : items.map((r) => r.id);
    // Runtimes whose task gained a runtime may change their label (iteration n of m).
    if (ids) {
      const tasks = new Set(todo.map((id) => byId.get(id)?.taskId).filter(Boolean));
      for (const r of items) if (tasks.has(r.taskId)) todo.push(r.id);
    }
    for (const id of new Set(todo)) {
      const rt = byId.get(id);
      let li = rows.get(id);
      if (!rt) {
        li?.remove();
        rows.delete(id);
        continue;
      }
      if (!li) {
        li = h("li", "tl-item");
        li.dataset.runtimeId = id;
        rows.set(id, li);
        // Keep creation order: insert before the first later row.
        let before = null;
        for (const el of timeline.children) {
          if (compareIds(el.dataset.runtimeId, id) > 0) {
            before = el;
            break;
          }
        }
        timeline.insertBefore(li, before);
      }
      fillRow(li, rt);
    }
    $("[data-timeline-empty]").hidden = items.length > 0;
    $("[data-runtime-count]").textContent = items.length ? String(items.length) : "";
  };

  timeline.addEventListener("click", (e) => {
    const b = e.target.closest?.("[data-runtime]");
    if (!b) return;
    const rt = model.runtime(b.dataset.runtime);
    if (rt) select(rt.taskId, rt.id, true);
  });

  // ---------- detail ----------

  /** Shows the instance's own data: trigger, output, error. */
  const drawInstanceData = () => {
    const box = h("div", "instance-data");
    for (const [key, value] of [["rt.trigger", model.instance.trigger], ["rt.process_output", model.instance.output]]) {
      const d = h("details", "rt-block");
      d.open = true;
      d.append(h("summary", "rt-block-title", t(key)));
      if (value === undefined || value === null) d.append(h("p", "muted rt-empty", t("rt.none")));
      else d.append(h("pre", "code-block", pretty(value)));
      box.append(d);
    }
    box.append(h("p", "hint", t("rt.pick_hint")));
    detail.replaceChildren(box);
    detailTitle.textContent = t("rt.instance_data");
    detailClear.hidden = true;
  };

  const drawDetail = () => {
    if (!selected) {
      drawInstanceData();
      return;
    }
    const task = model.tasks.get(selected.taskId) || { instId: selected.taskId, name: selected.taskId };
    const rs = model.runtimesOf(selected.taskId);
    const name = task.name || canvas?.graph.task(selected.taskId)?.name || selected.taskId;
    detail.replaceChildren(taskDetail({ ...task, name }, rs, selected.runtimeId, t, { taskURL: (id) => `/inbox/${encodeURIComponent(id)}` }));
    detailTitle.textContent = t("rt.task_runtime");
    detailClear.hidden = false;
  };

  detail.addEventListener("click", (e) => {
    const b = e.target.closest?.("[data-runtime]");
    if (!b || !selected) return;
    selected = { taskId: selected.taskId, runtimeId: b.dataset.runtime };
    drawDetail();
    markSelectedRows();
  });
  detailClear.addEventListener("click", () => {
    selected = null;
    selection?.clear();
    drawDetail();
    markSelectedRows();
  });

  const markSelectedRows = () => {
    for (const [id, li] of rows) {
      const rt = model.runtime(id);
      const on = !!rt && selected?.taskId === rt.taskId && (selected.runtimeId === id || (!selected.runtimeId && isLatest(rt)));
      li.classList.toggle("is-selected", on);
      li.querySelector("button")?.setAttribute("aria-pressed", String(on));
    }
  };

  /** Selects a task (and one of its runtimes) in the graph, the timeline and the detail. */
  function select(taskId, runtimeId, fromList) {
    selected = taskId ? { taskId, runtimeId } : null;
    if (fromList && selection && taskId && !(selection.nodes.size === 1 && selection.nodes.has(taskId))) {
      selection.set([taskId]);
      canvas.reveal(taskId);
    }
    drawDetail();
    markSelectedRows();
  }

  // ---------- header and controls ----------

  const drawHeader = () => {
    const inst = model.instance;
    const status = inst.status || "";
    root.dataset.status = status;
    const old = root.querySelector(".page-title [data-status]");
    if (old && old.dataset.status !== status) old.replaceWith(pill(status, t));
    for (const b of root.querySelectorAll("[data-instance-action]")) {
      b.hidden = !(ALLOWED[b.dataset.instanceAction] || []).includes(status);
    }
    const err = $("[data-instance-error]");
    if (err) {
      err.hidden = !inst.error;
      $("[data-instance-error-text]").textContent = inst.error || "";
    }
    drawDuration();
  };

  const drawDuration = () => {
    const inst = model.instance;
    const el = $("[data-duration-text]");
    if (!el) return;
    const took = inst.endAt ? inst.cost || inst.endAt - inst.startAt : inst.startAt ? Date.now() - inst.startAt : null;
    el.textContent = took === null ? "—" : fmtDuration(took, t);
  };

  // Running things show their time going up.
  setInterval(() => {
    if (document.hidden) return;
    if (!model.ended) drawDuration();
    for (const [id, li] of rows) {
      if (li.dataset.status !== "running") continue;
      const rt = model.runtime(id);
      const el = li.querySelector(".tl-took");
      if (rt && el) el.textContent = fmtDuration(elapsed(rt, Date.now()) || 0, t);
    }
  }, 1000);

  const showAlert = alertShower(alertBox, t);

  root.addEventListener("click", async (e) => {
    const b = e.target.closest?.("[data-instance-action]");
    if (!b || b.disabled) return;
    const action = b.dataset.instanceAction;
    if (b.dataset.confirm && !window.confirm(b.dataset.confirm)) return;
    alertBox.hidden = true;
    b.setAttribute("aria-busy", "true");
    b.disabled = true;
    let r;
    try {
      r = await api("PUT", `/api/processInst/${encodeURIComponent(model.instance.id || root.dataset.instanceId)}`, { action });
    } catch {
      r = { ok: false, status: 0, data: null };
    } finally {
      b.removeAttribute("aria-busy");
      b.disabled = false;
    }
    if (r.ok) {
      update(model.apply({ type: "process", ...(r.data?.response || {}) }));
      resyncSoon(); // the reply may be older than events that already arrived
      return;
    }
    showAlert(t("instance.js.action_failed"), r);
  });

  // ---------- live ----------

  let resync = 0;
  /** Reads the whole instance again (human tasks are not in node events). */
  const resyncSoon = () => {
    clearTimeout(resync);
    resync = setTimeout(async () => {
      try {
        const r = await api("GET", `/api/processInst/${encodeURIComponent(model.instance.id)}`);
        const view = r.data?.response;
        // Only a view at least as new as what the stream already told.
        if (r.ok && view && (view.updateAt || 0) >= (model.instance.updateAt || 0)) update(model.reset(view));
      } catch {
        // the socket's next snapshot will do
      }
    }, 150);
  };

  /** Redraws what a change touched. */
  function update(changes) {
    if (!changes) return;
    if (changes.instance) drawHeader();
    if (changes.runtimes.size || changes.tasks.size) {
      drawTimeline(changes.runtimes);
      painter?.paint(model, changes.tasks);
      if (selected && changes.tasks.has(selected.taskId)) drawDetail();
      markSelectedRows();
    } else if (changes.instance && !selected) {
      drawDetail();
    }
    for (const id of changes.runtimes) {
      const rt = model.runtime(id);
      if (rt?.template === "approval" && rt.status !== "running") resyncSoon();
    }
  }

  drawHeader();
  drawTimeline();
  painter?.paint(model);
  drawDetail();
  root.dataset.ready = "true";

  live(`/ws/processInst/${encodeURIComponent(root.dataset.instanceId)}`, {
    onMessage: (msg) => update(model.apply(msg)),
    onState: indicator(root.querySelector("[data-live]"), t),
  });
}
