// flowcraft designer — Run: start the saved process with test data and watch
// it on the canvas. The dialog (rendered by the page) holds a JSON editor
// prefilled from the process's inputDataSchema (or the data of the last run);
// the run is followed over /ws/processInst/{id}: every node shows its status
// (data-status running/waiting/done/failed/…), and clicking a node shows its
// runtimes (input, output, error, logs) in a drawer over the canvas.

import { t } from "../i18n.js";
import { InstanceModel, sampleFromSchema, ENDED } from "../runmodel.js";
import { CanvasPainter, taskDetail, pill } from "../runtimeview.js";
import { h, showErrorBox, closeButtons } from "../dom.js";
import { call } from "../msgs.js";
import { fmtDuration } from "../formats.js";
import { live, indicator } from "../live.js";
import { externalBox, watchExternal } from "../externaljobs.js";

const storeKey = (id) => `flowcraft.run.${id}`;

/**
 * Wires the Run button and dialog.
 * @param {{root: HTMLElement, graph: any, canvas: any, selection: any, history: any,
 *   save: () => Promise<void>, toast: (msg: string, kind?: string) => void}} ctx
 */
export function setupRun(ctx) {
  const { root, graph, canvas, selection, history } = ctx;
  const dialog = document.querySelector("dialog[data-dialog=run]");
  const button = root.querySelector('[data-cmd="run"]');
  if (!dialog || !button) return { open() {} };
  const form = dialog.querySelector("[data-run-form]");
  const data = dialog.querySelector("[data-run-data]");
  const problem = dialog.querySelector("[data-run-problem]");
  const errorBox = dialog.querySelector("[data-run-error]");
  const dirtyBox = dialog.querySelector("[data-run-dirty]");
  const submit = dialog.querySelector("[data-run-submit]");
  const submitLabel = dialog.querySelector("[data-run-submit-label]");
  const wrap = canvas.host.closest(".canvas-wrap") || canvas.host.parentElement;

  const syncButton = () => {
    button.disabled = !graph.meta.id;
  };
  history.on(syncButton);
  syncButton();

  closeButtons([dialog]);
  data.addEventListener("input", () => problem.replaceChildren());

  const sample = () => JSON.stringify(sampleFromSchema(graph.meta.inputDataSchema), null, 2);
  dialog.querySelector("[data-run-sample]").addEventListener("click", () => {
    data.value = sample();
    data.focus();
  });

  /** Opens the dialog with the last data used for this process, or a sample. */
  const open = () => {
    if (!graph.meta.id) return;
    errorBox.hidden = true;
    problem.replaceChildren();
    let saved = null;
    try {
      saved = localStorage.getItem(storeKey(graph.meta.id));
    } catch {
      saved = null;
    }
    data.value = saved || sample();
    dialog.querySelector("[data-run-sub]").textContent = t("designer.run.sub", { name: graph.meta.name || graph.meta.id, version: graph.meta.version ?? "" });
    dirtyBox.hidden = !history.dirty;
    submitLabel.textContent = history.dirty ? t("designer.run.save_and_start") : t("designer.run.start");
    dialog.showModal();
    data.focus();
  };

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    errorBox.hidden = true;
    let body;
    try {
      body = JSON.parse(data.value.trim() || "{}");
      problem.replaceChildren();
    } catch (err) {
      problem.replaceChildren(h("div", "field-problem", t("designer.run.bad_json", { error: err.message })));
      return;
    }
    submit.setAttribute("aria-busy", "true");
    submit.disabled = true;
    try {
      if (history.dirty) {
        await ctx.save();
        if (history.dirty) {
          dialog.close();
          return; // the save was refused; its problems are shown
        }
      }
      const r = await call("POST", `/api/process/${encodeURIComponent(graph.meta.id)}`, body);
      if (!r.ok) {
        // Problems of the test data ("trigger/<key>") after the key they concern.
        const label = (x) => /^trigger\/(.+)$/.exec(x.field || "")?.[1] || "";
        showErrorBox(errorBox, t, r, { title: t("designer.run.failed"), rest: r.data?.errors || [], label });
        return;
      }
      try {
        localStorage.setItem(storeKey(graph.meta.id), data.value);
      } catch {
        // private mode: fine
      }
      dialog.close();
      watch(r.data.response.id);
    } finally {
      submit.removeAttribute("aria-busy");
      submit.disabled = false;
    }
  });

  // ---------- watching a run ----------

  let run = null;

  /** The bar over the canvas: status, instance link, time, stop. */
  const makeBar = () => {
    const bar = h("div", "run-bar");
    bar.setAttribute("role", "status");
    bar.setAttribute("aria-live", "polite");
    const status = h("span", "run-status");
    const liveEl = h("span", "live");
    liveEl.dataset.live = "connecting";
    liveEl.append(h("span", "live-dot"), h("span", "live-text", t("live.connecting")));
    liveEl.querySelector(".live-text").dataset.liveText = "";
    const link = h("a", "run-link mono");
    link.target = "_blank";
    link.rel = "noopener";
    const time = h("span", "run-time mono");
    const close = h("button", "btn btn-ghost btn-sm btn-icon run-close", "×");
    close.type = "button";
    close.title = t("designer.run.stop_watching");
    close.setAttribute("aria-label", t("designer.run.stop_watching"));
    close.addEventListener("click", () => stop());
    bar.append(h("span", "run-label", t("designer.run.watching")), status, link, time, liveEl, close);
    wrap.append(bar);
    return bar;
  };

  const makeDrawer = () => {
    const d = h("aside", "run-drawer");
    d.setAttribute("aria-label", t("designer.run.runtime"));
    d.hidden = true;
    wrap.append(d);
    d.addEventListener("click", (e) => {
      const b = e.target.closest?.("[data-runtime]");
      if (b && run) {
        run.runtimeId = b.dataset.runtime;
        drawDrawer();
      }
    });
    return d;
  };

  const drawBar = () => {
    if (!run) return;
    const inst = run.model.instance;
    const old = run.bar.querySelector(".run-status");
    const p = pill(inst.status || "pending", t);
    p.classList.add("run-status");
    old.replaceWith(p);
    run.bar.dataset.status = inst.status || "";
    root.dataset.runStatus = inst.status || "";
    const took = inst.endAt ? inst.cost : inst.startAt ? Date.now() - inst.startAt : 0;
    run.bar.querySelector(".run-time").textContent = fmtDuration(took || 0, t);
  };

  const drawDrawer = () => {
    if (!run) return;
    const [id] = selection.nodes;
    if (selection.nodes.size !== 1 || !graph.has(id)) {
      run.drawer.hidden = true;
      return;
    }
    const task = graph.task(id);
    const rs = run.model.runtimesOf(id);
    const detail = taskDetail({ instId: id, name: task.name || id, template: task.template }, rs, run.runtimeId, t);
    const job = run.ext.of(id);
    if (job) detail.querySelector(".td-head")?.after(externalBox(job, t, { now: Date.now(), admin: false, onRetry: () => {} }));
    const close = h("button", "btn btn-ghost btn-sm btn-icon run-drawer-close", "×");
    close.type = "button";
    close.setAttribute("aria-label", t("designer.run.close_runtime"));
    close.addEventListener("click", () => selection.clear());
    run.drawer.replaceChildren(close, detail);
    const opening = run.drawer.hidden;
    run.drawer.hidden = false;
    if (opening) keepVisible(id);
  };

  /** Pans the canvas so that a node is not hidden under the drawer. */
  const keepVisible = (id) => {
    const task = graph.task(id);
    if (!task || !run) return;
    const r = canvas.host.getBoundingClientRect();
    const room = r.width - run.drawer.offsetWidth - 32;
    const { x, y, k } = canvas.view;
    const right = (task.positions[0] + 150) * k + x;
    if (right > room) canvas.setView({ x: x - (right - room) - 24, y, k });
  };

  /** Starts watching an instance: live statuses on the canvas. */
  const watch = (instanceId) => {
    stop();
    const model = new InstanceModel({ id: instanceId, tasks: [] });
    const painter = new CanvasPainter(canvas, t);
    run = { id: instanceId, model, painter, bar: makeBar(), drawer: makeDrawer(), runtimeId: null, socket: null, timer: 0 };
    // External tasks' jobs: their state under the nodes (the instance page has the admin's retry).
    run.ext = watchExternal({
      instanceId,
      canvas,
      t,
      enabled: graph.allTasks().some((x) => x.template === "external-task"),
      onChange: () => {
        const [sel] = selection.nodes;
        if (sel && run?.ext.of(sel)) drawDrawer();
      },
      ended: () => ENDED.has(model.instance.status),
    });
    run.bar.querySelector(".run-link").textContent = instanceId;
    run.bar.querySelector(".run-link").href = `/instances/${encodeURIComponent(instanceId)}`;
    root.classList.add("is-running");
    root.dataset.runInstance = instanceId;
    drawBar();
    const update = (changes) => {
      if (!changes || !run) return;
      run.ext.reloadSoon();
      if (changes.instance) drawBar();
      if (changes.tasks.size) {
        painter.paint(model, changes.tasks);
        const [sel] = selection.nodes;
        if (sel && changes.tasks.has(sel)) drawDrawer();
      }
    };
    run.socket = live(`/ws/processInst/${encodeURIComponent(instanceId)}`, {
      onMessage: (msg) => update(model.apply(msg)),
      onState: indicator(run.bar.querySelector(".live"), t),
    });
    run.timer = setInterval(() => {
      if (run && !ENDED.has(run.model.instance.status)) drawBar();
      if (run && !document.hidden) run.ext.tick(Date.now());
    }, 1000);
    ctx.toast(t("designer.run.started", { id: instanceId }), "success");
  };

  /** Stops watching: the canvas goes back to editing. */
  const stop = () => {
    if (!run) return;
    run.socket?.stop();
    clearInterval(run.timer);
    run.ext.stop();
    run.painter.clear();
    run.bar.remove();
    run.drawer.remove();
    run = null;
    root.classList.remove("is-running");
    delete root.dataset.runInstance;
    delete root.dataset.runStatus;
  };

  selection.on(() => {
    if (run) {
      run.runtimeId = null;
      drawDrawer();
    }
  });
  graph.on(() => {
    if (run) run.painter.paint(run.model);
  });

  return { open, watch, stop };
}
