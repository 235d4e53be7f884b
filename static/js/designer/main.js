// flowcraft designer — the page controller: reads what the page rendered
// (messages, templates, the definition), builds the model (graph, selection,
// history) and the views (canvas, palette, panel), and wires the toolbar,
// keyboard shortcuts, save, import and export.

import { Graph, edgeKey, parseEdgeKey } from "./graph.js";
import { History } from "./history.js";
import { Selection } from "./selection.js";
import * as cmd from "./commands.js";
import { fromDefinition, toDefinition, parseDefinition, newTask, copyTasks, pasteTasks, tidyTask } from "./serialize.js";
import { layeredLayout } from "./layout.js";
import { nodeSize, GRID } from "./geometry.js";
import { newTaskId } from "./ids.js";
import { Canvas } from "./canvas.js";
import { Palette } from "./palette.js";
import { Panel } from "./panel.js";
import { api, processURL, designURL } from "./api.js";
import { t, pick, problemText, errorText } from "../i18n.js";
import { setupRun } from "./run.js";

/** Reads a JSON blob rendered by the page. */
function pageJSON(id) {
  const el = document.getElementById(id);
  return el ? JSON.parse(el.textContent || "null") : null;
}

/** Reports whether an element takes typing (so shortcuts leave it alone). */
function isEditable(el) {
  return !!el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
}

/**
 * Starts the designer: the model (graph, history, selection) and the views
 * (canvas, palette, panel) from what the page rendered, then the parts that
 * wire them: the status line, the problems bar, save, import and export, the
 * toolbar, the clipboard and the keyboard. The parts share one context, d.
 * @param {HTMLElement} root the page element (#designer)
 */
export function init(root) {
  const d = designerContext(root);
  const status = statusLine(d);
  nameField(d);
  leaveGuard(d);
  const setProblems = problemsBar(d);
  const save = saver(d, status, setProblems);
  const files = importExport(d, setProblems);
  files.exportBPMN = bpmnExport(d, save);
  conflictDialog(d, files.exportJSON);
  const run = setupRun({ root, graph: d.graph, canvas: d.canvas, selection: d.selection, history: d.history, save, toast: d.toast });
  const actions = toolbar(d, { save, run, files });
  const clip = clipboard(d);
  keyboard(d, actions, clip, save);

  status.show();
  if (d.graph.size) d.canvas.fit();
  else d.canvas.setView({ x: 80, y: 80, k: 1 });
  // The first fit measured the canvas before the page settled; a narrower
  // window (a phone) or a later resize must not leave the process off-screen.
  d.canvas.keepFitted();
  root.dataset.ready = "true";
}

/**
 * Builds the model and the views from the page: returns the context the
 * parts share: {root, $, readOnly, specs, spec, graph, history, selection,
 * execute, prune, canvas, panel, removeSelection, toast, state: {saving,
 * leaving}}.
 * @param {HTMLElement} root
 */
function designerContext(root) {
  const readOnly = root.dataset.readonly === "true";
  const $ = (sel) => root.querySelector(sel);
  const specs = pageJSON("designer-templates") || [];
  const specById = new Map(specs.map((s) => [s.id, s]));
  const spec = (id) => specById.get(id);
  const def = pageJSON("designer-definition");
  const graph = def
    ? fromDefinition(def)
    : new Graph({ name: t("designer.untitled"), description: "", engine: "standard", enabled: true, timeout: 0, inputDataSchema: {}, outputDataSchema: {} }, []);
  const history = new History(graph);
  const selection = new Selection();

  /** Forgets selected things that are gone. */
  const prune = () =>
    selection.prune((id) => graph.has(id), (k) => {
      const { from, to } = parseEdgeKey(k);
      return !!graph.connection(from, to);
    });

  /** Runs a command through the history, then prunes the selection. */
  const execute = (c) => {
    if (readOnly) return;
    history.execute(c);
    prune();
  };

  const zoomText = $("[data-zoom]");
  const canvas = new Canvas($("[data-canvas]"), {
    graph,
    selection,
    spec,
    execute,
    readOnly,
    onView: (v) => {
      if (zoomText) zoomText.textContent = `${Math.round(v.k * 100)}%`;
    },
  });

  /** Adds a task of a template centred at a canvas point and selects it. */
  const addTask = (s, world) => {
    const { w, h } = nodeSize(s.kind);
    const base = pick(s.label) || s.id;
    const names = new Set(graph.allTasks().map((x) => x.name));
    let name = base;
    for (let i = 2; names.has(name); i++) name = `${base} ${i}`;
    const task = newTask(s, newTaskId(graph.tasks), [world.x - w / 2, world.y - h / 2], name);
    execute(cmd.addTasks([task], "add"));
    selection.set([task.instId]);
    canvas.nodeElement(task.instId)?.focus({ preventScroll: true });
  };

  new Palette($("[data-palette]"), { specs, canvas, add: addTask, readOnly });

  /** Deletes what is selected (one undo step). */
  const removeSelection = () => {
    if (selection.empty || readOnly) return;
    execute(cmd.removeElements(selection.nodes, selection.edges));
    selection.clear();
  };

  const panel = new Panel($("[data-panel]"), { graph, selection, spec, execute, remove: removeSelection, readOnly });

  const toast = toaster($("[data-toasts]"));
  const state = { saving: false, leaving: false };
  return { root, $, readOnly, specs, spec, graph, history, selection, execute, prune, canvas, panel, removeSelection, toast, state };
}

/** Returns toast(message, kind): a short notice at the bottom of the canvas. */
function toaster(toasts) {
  return (message, kind = "info") => {
    const el = document.createElement("div");
    el.className = `toast toast-${kind}`;
    el.setAttribute("role", kind === "danger" ? "alert" : "status");
    el.textContent = message;
    toasts.append(el);
    setTimeout(() => el.classList.add("is-leaving"), 3600);
    setTimeout(() => el.remove(), 4000);
  };
}

/**
 * The status line (saved, unsaved, saving, new; the version), the toolbar's
 * enabled buttons and the document title (● when unsaved), redrawn on every
 * history change; returns {show}.
 */
function statusLine(d) {
  const { root, $, graph, history, readOnly, state } = d;
  const statusText = $("[data-status-text]");
  const versionText = $("[data-version]");
  const baseTitle = document.title;
  const show = () => {
    const dirty = history.dirty || !graph.meta.id;
    let text;
    if (state.saving) text = t("designer.status.saving");
    else if (!graph.meta.id) text = t("designer.status.new");
    else if (history.dirty) text = t("designer.status.unsaved");
    else text = t("designer.status.saved");
    statusText.textContent = text;
    root.dataset.state = state.saving ? "saving" : dirty ? "dirty" : "saved";
    versionText.textContent = graph.meta.version ? t("designer.status.version", { version: graph.meta.version }) : "";
    $('[data-cmd="undo"]').disabled = !history.canUndo || readOnly;
    $('[data-cmd="redo"]').disabled = !history.canRedo || readOnly;
    $('[data-cmd="save"]').disabled = state.saving || readOnly;
    const bpmn = $('[data-cmd="export-bpmn"]');
    if (bpmn) {
      bpmn.disabled = !graph.meta.id || state.saving;
      bpmn.title = t(graph.meta.id ? "designer.export_bpmn_title" : "designer.export_bpmn_unsaved");
    }
    document.title = (history.dirty ? "● " : "") + baseTitle;
  };
  history.on(show);
  return { show };
}

/** The process name in the header: edits go through the history; Enter or Escape leaves it. */
function nameField(d) {
  const { $, graph, execute } = d;
  const nameInput = $("[data-process-name]");
  const showName = () => {
    if (nameInput && document.activeElement !== nameInput) nameInput.value = graph.meta.name || "";
  };
  graph.on((c) => {
    if (c.type === "meta" || c.type === "reset") showName();
  });
  nameInput?.addEventListener("input", () => execute(cmd.updateMeta({ name: nameInput.value })));
  nameInput?.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === "Escape") {
      e.preventDefault();
      nameInput.blur();
    }
  });
  showName();
}

/** Leaving with unsaved changes asks first (unless the page itself navigates away). */
function leaveGuard(d) {
  window.addEventListener("beforeunload", (e) => {
    if (!d.state.leaving && d.history.dirty && !d.readOnly) {
      e.preventDefault();
      e.returnValue = "";
    }
  });
}

// The panel's label of each field a validation problem can name.
const fieldKeys = {
  name: "designer.panel.name",
  description: "designer.panel.description",
  engine: "designer.panel.engine",
  timeout: "designer.panel.timeout",
  historyTimeToLive: "designer.panel.history_ttl",
  inputDataSchema: "designer.panel.inputDataSchema",
  outputDataSchema: "designer.panel.outputDataSchema",
  instId: "designer.panel.task_id",
  "errorHandler.retry": "designer.panel.retry",
  "errorHandler.interval": "designer.panel.interval",
  "errorHandler.backoff": "designer.panel.backoff",
  "errorHandler.strategy": "designer.panel.strategy",
  "errorHandler.target": "designer.panel.target",
  "errorHandler.routes": "designer.routes.label",
  "errorHandler.routes.errorCode": "designer.routes.code",
  "errorHandler.routes.target": "designer.routes.target",
  "loopHandler.mode": "designer.panel.loop.mode",
  "loopHandler.items": "designer.panel.loop.items",
  "loopHandler.condition": "designer.panel.loop.condition",
  "loopHandler.max": "designer.panel.loop.max",
  "loopHandler.maxConcurrency": "designer.panel.loop.max_concurrency",
  condition: "designer.panel.condition",
  default: "designer.panel.default",
  to: "designer.panel.connection",
  connections: "designer.panel.connection",
};

/**
 * The validation problems of a refused save, on the canvas, the panel and
 * the problems bar (each entry selects and reveals what it concerns);
 * returns setProblems(errors) ([] clears them).
 */
function problemsBar(d) {
  const { $, graph, spec, canvas, panel, selection } = d;
  const bar = $("[data-problems]");

  /**
   * The label a person knows a problem's field by: a parameter's label from
   * its template, the panel's label of other fields, "" when there is none
   * (never the internal path such as "parameters.code").
   */
  const fieldLabel = (taskId, field) => {
    const p = /^parameters\.([^.[]+)/.exec(field || "");
    if (p) {
      const param = taskId && spec(graph.task(taskId)?.template)?.parameters?.find((x) => x.key === p[1]);
      return param ? pick(param.label) || p[1] : p[1];
    }
    const f = (field || "").replace(/^connections\[\d+\]\./, "").replace(/^errorHandler\.routes\[\d+\]/, "errorHandler.routes");
    if (!taskId && f === "timeout") return t("designer.panel.process_timeout");
    return fieldKeys[f] ? t(fieldKeys[f]) : "";
  };

  /** A problem's message in the page's language, after its field's label. */
  const labelled = (e) => {
    const label = fieldLabel(e.taskId, e.field);
    return label ? `${label}: ${problemText(t, e)}` : problemText(t, e);
  };

  /** Selects and reveals what a problem concerns, and focuses its field in the panel. */
  const goTo = (e) => {
    const task = e.taskId && graph.task(e.taskId);
    if (task) {
      const m = /^connections\[(\d+)\]\.?/.exec(e.field || "");
      const conn = m && task.connections[Number(m[1])];
      if (conn && graph.has(conn.to)) selection.set([], [edgeKey(e.taskId, conn.to)]);
      else selection.set([e.taskId]);
      canvas.reveal(e.taskId);
      panel.focusField(conn ? (e.field || "").replace(/^connections\[\d+\]\./, "") : e.field || "");
    } else {
      selection.clear();
      panel.focusField(e.field || "name");
    }
  };

  /** One entry of the problems bar: where, and the message. */
  const entry = (e) => {
    const li = document.createElement("li");
    const b = document.createElement("button");
    b.type = "button";
    b.className = "problem";
    const task = e.taskId && graph.task(e.taskId);
    const where = document.createElement("span");
    where.className = "problem-where";
    where.textContent = task ? task.name || e.taskId : t("designer.problems.process");
    const msg = document.createElement("span");
    msg.className = "problem-msg";
    msg.textContent = labelled(e);
    b.append(where, " ", msg);
    b.addEventListener("click", () => goTo(e));
    li.append(b);
    return li;
  };

  const setProblems = (errors) => {
    const byTask = new Map();
    const messages = new Map();
    const edges = new Set();
    const general = [];
    for (const e of errors) {
      const text = problemText(t, e);
      if (!e.taskId || !graph.has(e.taskId)) {
        general.push({ field: e.field || "", message: text, label: fieldLabel("", e.field) });
        continue;
      }
      if (!byTask.has(e.taskId)) byTask.set(e.taskId, []);
      // A syntax error of code keeps its place, for the code editor's line marks.
      const at = e.code === "script_syntax" ? { line: Number(e.params?.line) || 0, column: Number(e.params?.column) || 0, detail: String(e.params?.error ?? "") } : {};
      byTask.get(e.taskId).push({ field: e.field || "", message: text, label: fieldLabel(e.taskId, e.field), ...at });
      if (!messages.has(e.taskId)) messages.set(e.taskId, []);
      messages.get(e.taskId).push(labelled(e));
      const m = /^connections\[(\d+)\]/.exec(e.field || "");
      const conn = m && graph.task(e.taskId).connections[Number(m[1])];
      if (conn) edges.add(edgeKey(e.taskId, conn.to));
    }
    canvas.setProblems(messages, edges);
    panel.setProblems(byTask, general);
    bar.hidden = errors.length === 0;
    bar.querySelector("[data-problem-count]").textContent = t("designer.problems.count", { count: errors.length });
    bar.querySelector("[data-problem-list]").replaceChildren(...errors.map(entry));
  };
  bar.querySelector("[data-problems-close]").addEventListener("click", () => setProblems([]));
  return setProblems;
}

/**
 * Returns save(): POST for a new process (then opens its design page), PUT
 * with the version otherwise; a conflict opens the conflict dialog, refused
 * validation shows the problems, anything else a toast.
 */
function saver(d, status, setProblems) {
  const { root, $, graph, history, readOnly, state, toast } = d;
  const conflict = $("[data-dialog=conflict]");
  return async () => {
    if (state.saving || readOnly) return;
    history.seal();
    const body = toDefinition(graph);
    body.tasks = body.tasks.map(tidyTask);
    const isNew = !graph.meta.id;
    state.saving = true;
    status.show();
    let r;
    try {
      r = isNew ? await api("POST", "/api/process", body) : await api("PUT", processURL(graph.meta.id), body);
    } catch {
      state.saving = false;
      status.show();
      toast(t("error.network"), "danger");
      return;
    }
    state.saving = false;
    if (r.ok) {
      setProblems([]);
      const saved = r.data?.response || {};
      if (isNew) {
        history.markSaved();
        state.leaving = true;
        root.dataset.savedId = saved.id;
        window.location.assign(designURL(saved.id));
        return;
      }
      // Take what the server sets (version, trigger, ids of start/end); keep the tasks as drawn.
      const patch = {};
      for (const k of ["version", "startTaskInstId", "endTaskInstId", "triggerApp", "triggerToken", "creator", "status", "error", "createAt", "updateAt"]) {
        if (k in saved) patch[k] = saved[k];
      }
      graph.updateMeta(patch);
      history.markSaved();
      toast(t("designer.toast.saved", { version: saved.version ?? "" }), "success");
      return;
    }
    status.show();
    if (r.status === 409) {
      conflict.querySelector("[data-conflict-detail]").textContent = errorText(t, r.data, r.status);
      conflict.showModal();
    } else if (r.status === 400 && Array.isArray(r.data?.errors) && r.data.errors.length) {
      setProblems(r.data.errors);
      toast(t("designer.toast.invalid", { count: r.data.errors.length }), "danger");
    } else {
      toast(`${t("designer.toast.save_failed")}: ${errorText(t, r.data, r.status)}`, "danger");
    }
  };
}

/** The conflict dialog of a save: reload (losing the edits), export them, or close. */
function conflictDialog(d, exportJSON) {
  const conflict = d.$("[data-dialog=conflict]");
  conflict.addEventListener("click", (e) => {
    const action = e.target.closest?.("[data-conflict-action]")?.dataset.conflictAction;
    if (action === "reload") {
      d.state.leaving = true;
      window.location.reload();
    } else if (action === "export") {
      exportJSON();
    } else if (action === "close") {
      conflict.close();
    }
  });
}

/**
 * Import (a JSON file replaces the drawing, one undo step) and export (the
 * definition as a JSON download); returns {exportJSON, pick} (pick opens the
 * file chooser).
 */
function importExport(d, setProblems) {
  const { $, graph, execute, selection, canvas, toast } = d;

  const exportJSON = () => {
    const def = toDefinition(graph);
    def.tasks = def.tasks.map(tidyTask);
    const blob = new Blob([JSON.stringify(def, null, 2) + "\n"], { type: "application/json" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    const base = (graph.meta.name || graph.meta.id || "process").replace(/[\\/:*?"<>|\s]+/g, "-").slice(0, 80);
    a.download = `${base || "process"}.json`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };

  const input = $("[data-import-file]");
  input.addEventListener("change", async () => {
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    let def;
    try {
      def = parseDefinition(await file.text());
    } catch (err) {
      toast(t("designer.toast.import_bad", { file: file.name, error: err.message }), "danger");
      return;
    }
    const g = fromDefinition(def);
    execute(cmd.replaceAll(g.meta, g.allTasks()));
    selection.clear();
    setProblems([]);
    canvas.fit();
    toast(t("designer.toast.imported", { count: g.size }), "success");
  });

  return { exportJSON, pick: () => input.click() };
}

/**
 * Export BPMN: downloads GET /api/process/{id}/bpmn, the saved definition as
 * BPMN 2.0 (unsaved changes are saved first; a refused save exports nothing);
 * a failure is a toast. Returns the command.
 */
function bpmnExport(d, save) {
  const { graph, history, toast, readOnly } = d;
  return async () => {
    if (!graph.meta.id) return;
    if (history.dirty && !readOnly) {
      await save();
      if (history.dirty) return; // the save was refused; its problems are shown
    }
    let res;
    try {
      res = await fetch(`${processURL(graph.meta.id)}/bpmn`, { credentials: "same-origin", headers: { Accept: "application/xml" } });
    } catch {
      toast(`${t("designer.toast.bpmn_failed")}: ${t("error.network")}`, "danger");
      return;
    }
    if (!res.ok) {
      let data = null;
      try {
        data = await res.json();
      } catch {
        data = null;
      }
      toast(`${t("designer.toast.bpmn_failed")}: ${errorText(t, data, res.status)}`, "danger");
      return;
    }
    const blob = await res.blob();
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = downloadName(res.headers.get("Content-Disposition")) || `${graph.meta.name || graph.meta.id}.bpmn`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };
}

/**
 * The file name a Content-Disposition names: filename* (RFC 5987, UTF-8) before
 * filename; "" when there is none.
 * @param {string | null} cd
 */
function downloadName(cd) {
  if (!cd) return "";
  const ext = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(cd);
  if (ext) {
    try {
      return decodeURIComponent(ext[1].trim());
    } catch {
      // fall back to the plain filename
    }
  }
  return /filename\s*=\s*"([^"]*)"/i.exec(cd)?.[1] || "";
}

/** The toolbar's commands by name (data-cmd); returns them, for the keyboard. */
function toolbar(d, { save, run, files }) {
  const { root, graph, history, canvas, execute, prune, spec } = d;
  const kindOf = (id) => spec(graph.task(id)?.template)?.kind || "action";
  const afterHistory = () => {
    prune();
    return true;
  };
  const layout = () => {
    if (graph.size === 0) return;
    const nodes = graph.allTasks().map((x) => ({ id: x.instId, ...nodeSize(kindOf(x.instId)) }));
    const b = canvas.contentBounds();
    const pos = layeredLayout(nodes, graph.edges(), { origin: [Math.round(b.x / GRID) * GRID, Math.round(b.y / GRID) * GRID] });
    execute(cmd.setPositions(graph, pos, "layout"));
    canvas.fit();
  };
  const actions = {
    save,
    run: () => run.open(),
    undo: () => history.undo() && afterHistory(),
    redo: () => history.redo() && afterHistory(),
    "zoom-in": () => canvas.zoomBy(1.2),
    "zoom-out": () => canvas.zoomBy(1 / 1.2),
    "zoom-reset": () => canvas.setView({ ...canvas.view, k: 1 }),
    fit: () => canvas.fit(),
    layout,
    import: files.pick,
    export: files.exportJSON,
    "export-bpmn": files.exportBPMN,
    delete: d.removeSelection,
  };
  root.addEventListener("click", (e) => {
    const b = e.target.closest?.("[data-cmd]");
    if (!b || b.disabled) return;
    actions[b.dataset.cmd]?.();
  });
  return actions;
}

/**
 * Copy, cut and paste of the selected tasks (the system clipboard carries
 * them as JSON, kind "flowcraft/tasks"; each paste lands a little further
 * off); returns {copy, paste} for the keyboard's duplicate.
 */
function clipboard(d) {
  const { graph, selection, execute, readOnly, removeSelection } = d;
  let held = null;
  let pasteCount = 0;
  const copy = () => {
    if (selection.nodes.size === 0) return null;
    held = copyTasks(graph, selection.nodes);
    pasteCount = 0;
    return held;
  };
  const paste = (clip) => {
    if (!clip?.tasks?.length || readOnly) return;
    pasteCount += 1;
    const tasks = pasteTasks(clip, graph.tasks, [40 * pasteCount, 40 * pasteCount]);
    execute(cmd.addTasks(tasks, "paste"));
    selection.set(tasks.map((x) => x.instId));
  };

  document.addEventListener("copy", (e) => {
    if (isEditable(document.activeElement) || String(window.getSelection?.() || "") !== "") return;
    const clip = copy();
    if (!clip) return;
    e.clipboardData?.setData("text/plain", JSON.stringify(clip));
    e.preventDefault();
  });
  document.addEventListener("cut", (e) => {
    if (isEditable(document.activeElement) || readOnly) return;
    const clip = copy();
    if (!clip) return;
    e.clipboardData?.setData("text/plain", JSON.stringify(clip));
    e.preventDefault();
    removeSelection();
  });
  document.addEventListener("paste", (e) => {
    if (isEditable(document.activeElement)) return;
    let clip = held;
    const text = e.clipboardData?.getData("text/plain");
    if (text) {
      try {
        const parsed = JSON.parse(text);
        if (parsed?.kind === "flowcraft/tasks" && Array.isArray(parsed.tasks)) {
          if (JSON.stringify(parsed) !== JSON.stringify(held)) pasteCount = 0;
          clip = parsed;
          held = parsed;
        }
      } catch {
        // not ours: leave it
      }
    }
    if (!clip) return;
    e.preventDefault();
    paste(clip);
  });
  return { copy, paste };
}

/** The keyboard shortcuts (see the README): save, undo/redo, delete, select all, duplicate, zoom, nudge. */
function keyboard(d, actions, clip, save) {
  const { graph, selection, canvas, execute, readOnly, removeSelection } = d;
  document.addEventListener("keydown", (e) => {
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    if (mod && key === "s") {
      e.preventDefault();
      save();
      return;
    }
    if (document.querySelector("dialog[open]")) return;
    const editing = isEditable(document.activeElement);
    if (mod && key === "z" && !editing) {
      e.preventDefault();
      if (e.shiftKey) actions.redo();
      else actions.undo();
      return;
    }
    if (mod && key === "y" && !editing) {
      e.preventDefault();
      actions.redo();
      return;
    }
    if (editing) return;
    if (key === "Escape") {
      if (!canvas.cancelGesture()) selection.clear();
      return;
    }
    if (key === "Delete" || key === "Backspace") {
      if (!selection.empty) {
        e.preventDefault();
        removeSelection();
      }
      return;
    }
    if (mod && key === "a") {
      e.preventDefault();
      selection.set(graph.order, []);
      return;
    }
    if (mod && key === "d") {
      e.preventDefault();
      const copied = clip.copy();
      if (copied) clip.paste(copied);
      return;
    }
    if (!mod && (key === "+" || key === "=")) return actions["zoom-in"]();
    if (!mod && key === "-") return actions["zoom-out"]();
    if (!mod && key === "0") return actions["zoom-reset"]();
    if (!mod && e.shiftKey && key === "!") return actions.fit();
    const arrows = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (arrows[key] && selection.nodes.size && !readOnly) {
      e.preventDefault();
      const step = e.shiftKey ? GRID * 5 : GRID;
      execute(cmd.nudge(graph, [...selection.nodes], arrows[key][0] * step, arrows[key][1] * step));
    }
  });
}
