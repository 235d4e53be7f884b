// flowcraft — the instance page: the graph coloured by status (the designer's
// canvas, read-only), the timeline of runtimes, the selected task's runtimes
// and the controls (suspend, resume, retry, cancel). It starts from the view
// the page rendered and stays live over /ws/processInst/{id}: events are
// applied to the model by runtime id and only the rows and nodes that
// changed are redrawn.

import { call } from "./msgs.js";
import { fmtDuration, fmtClock } from "./formats.js";
import { t } from "./i18n.js";
import { live, indicator } from "./live.js";
import { InstanceModel, elapsed, runLabel, compareIds } from "./runmodel.js";
import { CanvasPainter, taskDetail, pill, pretty } from "./runtimeview.js";
import { h, alertShower } from "./dom.js";
import { fromDefinition } from "./designer/serialize.js";
import { Selection } from "./designer/selection.js";
import { Canvas } from "./designer/canvas.js";
import { externalBox, watchExternal } from "./externaljobs.js";

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

/**
 * Starts the instance page: the graph, the timeline, the detail, the header
 * with its controls, then the live feed. The parts share the model and the
 * selection (which task, which of its runtimes) and call one another through
 * the functions below (select, update).
 * @param {HTMLElement} root the page element (#instance)
 */
export function init(root) {
  const model = new InstanceModel(pageJSON("instance-view") || { id: root.dataset.instanceId, tasks: [] });
  /** @type {{selected: {taskId: string, runtimeId: string | null} | null}} */
  const state = { selected: null };

  const graph = instanceGraph(root, (taskId) => {
    if (taskId !== state.selected?.taskId) select(taskId, null, false);
  });
  const timeline = instanceTimeline(root, model, state, (rt) => select(rt.taskId, rt.id, true));
  const jobs = externalJobs(root, model, graph, () => {
    if (state.selected && jobs.of(state.selected.taskId)) detail.draw();
  });
  const detail = instanceDetail(root, model, state, graph?.canvas, jobs, {
    pickRuntime: (runtimeId) => {
      state.selected = { taskId: state.selected.taskId, runtimeId };
      detail.draw();
      timeline.markSelected();
    },
    clear: () => {
      state.selected = null;
      graph?.selection.clear();
      detail.draw();
      timeline.markSelected();
    },
  });
  const header = instanceHeader(root, model);
  const resyncSoon = resyncer(model, (changes) => update(changes));
  instanceControls(root, model, (changes) => {
    update(changes);
    resyncSoon(); // the reply may be older than events that already arrived
  });
  ticker(model, header, timeline, jobs);

  /** Selects a task (and one of its runtimes) in the graph, the timeline and the detail. */
  function select(taskId, runtimeId, fromList) {
    state.selected = taskId ? { taskId, runtimeId } : null;
    if (fromList && graph && taskId) graph.reveal(taskId);
    detail.draw();
    timeline.markSelected();
  }

  /** Redraws what a change touched. */
  function update(changes) {
    if (!changes) return;
    if (changes.instance) header.draw();
    if (changes.runtimes.size || changes.tasks.size) {
      timeline.draw(changes.runtimes);
      graph?.painter.paint(model, changes.tasks);
      if (state.selected && changes.tasks.has(state.selected.taskId)) detail.draw();
      timeline.markSelected();
    } else if (changes.instance && !state.selected) {
      detail.draw();
    }
    for (const id of changes.runtimes) {
      const rt = model.runtime(id);
      if (rt?.template === "approval" && rt.status !== "running") resyncSoon();
    }
    if (changes.instance || changes.runtimes.size || changes.tasks.size) jobs.reloadSoon();
  }

  header.draw();
  timeline.draw();
  graph?.painter.paint(model);
  detail.draw();
  jobs.reloadSoon();
  root.dataset.ready = "true";

  live(`/ws/processInst/${encodeURIComponent(root.dataset.instanceId)}`, {
    onMessage: (msg) => update(model.apply(msg)),
    onState: indicator(root.querySelector("[data-live]"), t),
  });
}

/**
 * The graph: the designer's canvas, read-only, painted by status; picking a
 * node calls onPick(taskId). Null when the page has no definition.
 * Returns {canvas, painter, selection, reveal(taskId)}.
 * @param {HTMLElement} root
 * @param {(taskId: string) => void} onPick
 */
function instanceGraph(root, onPick) {
  const def = pageJSON("designer-definition");
  const host = root.querySelector("[data-canvas]");
  if (!def || !host) return null;
  const specs = pageJSON("designer-templates") || [];
  const specById = new Map(specs.map((s) => [s.id, s]));
  const selection = new Selection();
  const canvas = new Canvas(host, { graph: fromDefinition(def), selection, spec: (id) => specById.get(id), execute: () => {}, readOnly: true });
  const painter = new CanvasPainter(canvas, t);
  selection.on(() => {
    const [id] = selection.nodes;
    if (selection.nodes.size === 1) onPick(id);
  });
  // Fitted once the page is laid out; while the view is still that fit it
  // follows the canvas's size (a narrower window, a phone turned), but a view
  // the user zoomed or panned is theirs until they press fit (as in the designer).
  requestAnimationFrame(() => {
    canvas.fit();
    canvas.keepFitted();
  });
  root.addEventListener("click", (e) => {
    const b = e.target.closest?.("[data-graph]");
    if (!b) return;
    if (b.dataset.graph === "fit") canvas.fit();
    else canvas.zoomBy(b.dataset.graph === "zoom-in" ? 1.2 : 1 / 1.2);
  });
  return {
    canvas,
    painter,
    selection,
    /** Selects a task's node (unless it alone is selected already) and brings it into view. */
    reveal(taskId) {
      if (selection.nodes.size === 1 && selection.nodes.has(taskId)) return;
      selection.set([taskId]);
      canvas.reveal(taskId);
    },
  };
}

/**
 * The timeline of runtimes, in creation order: draw(ids?) redraws the rows
 * of those runtimes (all when omitted), markSelected() marks the selected
 * runtime's row, tickRunning(now) moves the time of running rows on. A click
 * on a row calls onPick(runtime).
 * @param {HTMLElement} root
 * @param {InstanceModel} model
 * @param {{selected: {taskId: string, runtimeId: string | null} | null}} state
 * @param {(rt: any) => void} onPick
 */
function instanceTimeline(root, model, state, onPick) {
  const list = root.querySelector("[data-timeline]");
  /** @type {Map<string, HTMLLIElement>} */
  const rows = new Map();

  const isLatest = (rt) => {
    const rs = model.runtimesOf(rt.taskId);
    return rs.length > 0 && rs[rs.length - 1].id === rt.id;
  };
  const isSelected = (rt) => {
    const sel = state.selected;
    return !!rt && sel?.taskId === rt.taskId && (sel.runtimeId === rt.id || (!sel.runtimeId && isLatest(rt)));
  };

  /** Fills a timeline row from a runtime. */
  const fillRow = (li, rt) => {
    li.dataset.status = rt.status || "";
    li.dataset.taskId = rt.taskId;
    const b = h("button", "tl-button");
    b.type = "button";
    b.dataset.runtime = rt.id;
    b.setAttribute("aria-pressed", String(isSelected(rt)));
    const dot = h("span", "tl-dot");
    dot.setAttribute("aria-hidden", "true");
    const main = h("span", "tl-main");
    main.append(h("span", "tl-name", rt.taskName));
    const label = runLabel(rt, t);
    if (label) main.append(h("span", "tag tl-tag", label));
    const meta = h("span", "tl-meta");
    const took = elapsed(rt, Date.now());
    meta.append(h("span", "tl-time mono", fmtClock(rt.startAt || rt.createAt).slice(0, 8)), h("span", "tl-took mono", took === null ? "" : fmtDuration(took, t)));
    const st = h("span", "visually-hidden", t(`status.${rt.status}`));
    b.append(dot, main, st, meta);
    li.replaceChildren(b);
  };

  /** The row of a new runtime, in creation order (before the first later row). */
  const addRow = (id) => {
    const li = h("li", "tl-item");
    li.dataset.runtimeId = id;
    rows.set(id, li);
    let before = null;
    for (const el of list.children) {
      if (compareIds(el.dataset.runtimeId, id) > 0) {
        before = el;
        break;
      }
    }
    list.insertBefore(li, before);
    return li;
  };

  list.addEventListener("click", (e) => {
    const b = e.target.closest?.("[data-runtime]");
    if (!b) return;
    const rt = model.runtime(b.dataset.runtime);
    if (rt) onPick(rt);
  });

  return {
    draw(ids) {
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
        if (!rt) {
          rows.get(id)?.remove();
          rows.delete(id);
          continue;
        }
        fillRow(rows.get(id) || addRow(id), rt);
      }
      root.querySelector("[data-timeline-empty]").hidden = items.length > 0;
      root.querySelector("[data-runtime-count]").textContent = items.length ? String(items.length) : "";
    },
    markSelected() {
      for (const [id, li] of rows) {
        const on = isSelected(model.runtime(id));
        li.classList.toggle("is-selected", on);
        li.querySelector("button")?.setAttribute("aria-pressed", String(on));
      }
    },
    tickRunning(now) {
      for (const [id, li] of rows) {
        if (li.dataset.status !== "running") continue;
        const rt = model.runtime(id);
        const el = li.querySelector(".tl-took");
        if (rt && el) el.textContent = fmtDuration(elapsed(rt, now) || 0, t);
      }
    },
  };
}

/**
 * The detail card: the selected task's runtimes, or the instance's own data
 * (trigger, output) when nothing is selected. draw() redraws it; picking one
 * of the task's runtimes calls on.pickRuntime(id), its clear button
 * on.clear().
 * @param {HTMLElement} root
 * @param {InstanceModel} model
 * @param {{selected: {taskId: string, runtimeId: string | null} | null}} state
 * @param {Canvas | undefined} canvas
 * @param {{box: (taskId: string) => HTMLElement | null}} jobs the external job of a task
 * @param {{pickRuntime: (id: string) => void, clear: () => void}} on
 */
function instanceDetail(root, model, state, canvas, jobs, on) {
  const detail = root.querySelector("[data-detail]");
  const title = root.querySelector("[data-detail-title]");
  const clear = root.querySelector("[data-detail-clear]");

  /** Shows the instance's own data: trigger, output. */
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
    title.textContent = t("rt.instance_data");
    clear.hidden = true;
  };

  detail.addEventListener("click", (e) => {
    const b = e.target.closest?.("[data-runtime]");
    if (b && state.selected) on.pickRuntime(b.dataset.runtime);
  });
  clear.addEventListener("click", () => on.clear());

  return {
    draw() {
      const sel = state.selected;
      if (!sel) {
        drawInstanceData();
        return;
      }
      const task = model.tasks.get(sel.taskId) || { instId: sel.taskId, name: sel.taskId };
      const rs = model.runtimesOf(sel.taskId);
      const name = task.name || canvas?.graph.task(sel.taskId)?.name || sel.taskId;
      const td = taskDetail({ ...task, name }, rs, sel.runtimeId, t, { taskURL: (id) => `/inbox/${encodeURIComponent(id)}` });
      const ext = jobs.box(sel.taskId);
      if (ext) td.querySelector(".td-head")?.after(ext);
      detail.replaceChildren(td);
      title.textContent = t("rt.task_runtime");
      clear.hidden = false;
    },
  };
}

/**
 * The page header: the status pill, the controls the status allows, the
 * instance's error and its duration. draw() redraws it all, drawDuration()
 * the duration only.
 * @param {HTMLElement} root
 * @param {InstanceModel} model
 */
function instanceHeader(root, model) {
  const drawDuration = () => {
    const inst = model.instance;
    const el = root.querySelector("[data-duration-text]");
    if (!el) return;
    const took = inst.endAt ? inst.cost || inst.endAt - inst.startAt : inst.startAt ? Date.now() - inst.startAt : null;
    el.textContent = took === null ? "—" : fmtDuration(took, t);
  };
  return {
    drawDuration,
    draw() {
      const inst = model.instance;
      const status = inst.status || "";
      root.dataset.status = status;
      const old = root.querySelector(".page-title [data-status]");
      if (old && old.dataset.status !== status) old.replaceWith(pill(status, t));
      for (const b of root.querySelectorAll("[data-instance-action]")) {
        b.hidden = !(ALLOWED[b.dataset.instanceAction] || []).includes(status);
      }
      const err = root.querySelector("[data-instance-error]");
      if (err) {
        err.hidden = !inst.error;
        root.querySelector("[data-instance-error-text]").textContent = inst.error || "";
      }
      drawDuration();
    },
  };
}

/** Running things show their time going up: once a second while the page is visible. */
function ticker(model, header, timeline, jobs) {
  setInterval(() => {
    if (document.hidden) return;
    if (!model.ended) header.drawDuration();
    timeline.tickRunning(Date.now());
    jobs.tick(Date.now());
  }, 1000);
}

/**
 * The external jobs of the instance (external-task nodes; externaljobs.js
 * watchExternal): painted under their nodes; box(taskId) is the detail's part,
 * with an admin's retry. onChange() runs after they changed.
 * @param {HTMLElement} root
 * @param {InstanceModel} model
 * @param {{canvas: Canvas} | null} graph
 * @param {() => void} onChange
 */
function externalJobs(root, model, graph, onChange) {
  const admin = root.dataset.isAdmin === "true";
  const w = watchExternal({
    instanceId: root.dataset.instanceId,
    canvas: graph?.canvas,
    t,
    enabled: (pageJSON("designer-definition")?.tasks || []).some((x) => x.template === "external-task"),
    onChange,
    ended: () => model.ended,
    onStates: (states) => (root.dataset.externalStates = states),
  });

  const retry = async (job, retries, button) => {
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    const r = await call("POST", `/api/externalTasks/${encodeURIComponent(job.id)}/retries`, { retries });
    button.disabled = false;
    button.removeAttribute("aria-busy");
    if (!r.ok) {
      alertShower(root.querySelector("[data-alert]"), t)(t("rt.external.retry_failed"), r);
      return;
    }
    w.reloadSoon();
  };

  return {
    reloadSoon: w.reloadSoon,
    tick: w.tick,
    of: w.of,
    box(taskId) {
      const job = w.of(taskId);
      return job ? externalBox(job, t, { now: Date.now(), admin, onRetry: retry }) : null;
    },
  };
}

/**
 * The controls (suspend, resume, retry, cancel; data-instance-action, after
 * data-confirm): the answer's instance goes to applied(changes); a failure
 * becomes an alert.
 * @param {HTMLElement} root
 * @param {InstanceModel} model
 * @param {(changes: any) => void} applied
 */
function instanceControls(root, model, applied) {
  const alertBox = root.querySelector("[data-alert]");
  const showAlert = alertShower(alertBox, t);
  root.addEventListener("click", async (e) => {
    const b = e.target.closest?.("[data-instance-action]");
    if (!b || b.disabled) return;
    const action = b.dataset.instanceAction;
    if (b.dataset.confirm && !window.confirm(b.dataset.confirm)) return;
    alertBox.hidden = true;
    b.setAttribute("aria-busy", "true");
    b.disabled = true;
    const r = await call("PUT", `/api/processInst/${encodeURIComponent(model.instance.id || root.dataset.instanceId)}`, { action });
    b.removeAttribute("aria-busy");
    b.disabled = false;
    if (r.ok) {
      applied(model.apply({ type: "process", ...(r.data?.response || {}) }));
      return;
    }
    showAlert(t("instance.js.action_failed"), r);
  });
}

/**
 * Returns resyncSoon(): reads the whole instance again shortly (human tasks
 * are not in node events) and hands what changed to update, when the view
 * is at least as new as what the stream already told.
 * @param {InstanceModel} model
 * @param {(changes: any) => void} update
 */
function resyncer(model, update) {
  let timer = 0;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const r = await call("GET", `/api/processInst/${encodeURIComponent(model.instance.id)}`);
      const view = r.data; // the instance view, bare (seed 000)
      // Only a view at least as new as what the stream already told; else the socket's next snapshot will do.
      if (r.ok && view && (view.updateAt || 0) >= (model.instance.updateAt || 0)) update(model.reset(view));
    }, 150);
  };
}
