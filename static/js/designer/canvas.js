// flowcraft designer — the SVG canvas: draws the graph and turns pointer
// gestures into commands (move, connect), selection changes and viewport
// changes (pan, zoom).
//
// Drawing is incremental: the canvas listens to the graph's change events and
// touches only the node or connection concerned. While a node is dragged,
// only the moved nodes' transforms and their connections' paths are updated,
// once per animation frame; the graph itself changes once, on release, as one
// undoable command.
//
// DOM contract (DESIGN §7): every node is <g data-task-id="…" data-status="">,
// every connection <g data-from="…" data-to="…">. A node's transform is
// translate(x, y) with [x, y] its task's `positions` (the top-left corner).
// Error routes (errorHandler.routes) are drawn dashed, from the bottom of their
// task to their target, as <g class="error-route" data-route-from data-route-to
// data-error-code> under the connections; they are not connections.

import { edgeKey, parseEdgeKey } from "./graph.js";
import * as geo from "./geometry.js";
import { connect, setPositions } from "./commands.js";
import { drawIcon } from "./icons.js";
import { routeLinks } from "./routes.js";
import { fitText, textWidth } from "./textfit.js";
import { t, pick } from "../i18n.js";
import { svg as svgEl } from "../dom.js";

const NAME_FONT = '600 13px ui-sans-serif, system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';
const SUB_FONT = '11px ui-sans-serif, system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';
const LABEL_FONT = '500 11px ui-sans-serif, system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';
const DRAG_THRESHOLD = 3;
const PORT_R = 5;

/** The outline of a card: triggers round their left side, ends their right side. */
function cardPath(kind, w, h) {
  const r = 10;
  const R = h / 2;
  if (kind === "trigger") {
    return `M${R},0 H${w - r} a${r},${r} 0 0 1 ${r},${r} V${h - r} a${r},${r} 0 0 1 ${-r},${r} H${R} a${R},${R} 0 0 1 0,${-h} Z`;
  }
  if (kind === "end") {
    return `M${r},0 H${w - R} a${R},${R} 0 0 1 0,${h} H${r} a${r},${r} 0 0 1 ${-r},${-r} V${r} a${r},${r} 0 0 1 ${r},${-r} Z`;
  }
  return `M${r},0 H${w - r} a${r},${r} 0 0 1 ${r},${r} V${h - r} a${r},${r} 0 0 1 ${-r},${r} H${r} a${r},${r} 0 0 1 ${-r},${-r} V${r} a${r},${r} 0 0 1 ${r},${-r} Z`;
}

export class Canvas {
  /**
   * @param {HTMLElement} host the element the SVG fills
   * @param {{graph: import("./graph.js").Graph, selection: import("./selection.js").Selection,
   *   spec: (templateId: string) => object | undefined, execute: (cmd: object) => void,
   *   readOnly?: boolean, onView?: (view: {x: number, y: number, k: number}) => void}} opts
   */
  constructor(host, opts) {
    this.host = host;
    this.graph = opts.graph;
    this.selection = opts.selection;
    this.spec = opts.spec;
    this.execute = opts.execute;
    this.readOnly = !!opts.readOnly;
    this.onView = opts.onView || (() => {});
    this.view = { x: 0, y: 0, k: 1 };
    /** Whether the view is still the one fit() chose (no pan or zoom since). */
    this.fitted = false;
    /** @type {Map<string, {g: SVGGElement, kind: string}>} */
    this.nodes = new Map();
    /** @type {Map<string, {g: SVGGElement, hit: SVGPathElement, line: SVGPathElement, label: SVGGElement, tick: SVGPathElement}>} */
    this.edges = new Map();
    /** @type {Map<string, Set<string>>} task id → keys of its connections */
    this.incident = new Map();
    /** Validation problems: task id → messages; edge keys with problems. */
    this.problems = { tasks: new Map(), edges: new Set() };
    this.shownSelection = { nodes: new Set(), edges: new Set() };
    this.gesture = null;
    this.frame = 0;
    this.build();
    this.graph.on((c) => this.onChange(c));
    this.selection.on(() => this.showSelection());
    this.bindPointer();
    this.renderAll();
  }

  /** Builds the SVG skeleton: defs, grid, viewport with edge and node layers, overlay. */
  build() {
    const svg = svgEl("svg", { class: "canvas-svg", role: "application", "aria-roledescription": t("designer.canvas.role"), "aria-label": t("designer.canvas.label") });
    const defs = svgEl("defs", {}, svg);
    for (const [id, cls] of [["fc-arrow", "arrow"], ["fc-arrow-sel", "arrow arrow-selected"], ["fc-arrow-bad", "arrow arrow-invalid"], ["fc-arrow-route", "arrow arrow-route"]]) {
      const m = svgEl("marker", { id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 10, markerHeight: 10, orient: "auto-start-reverse", markerUnits: "userSpaceOnUse" }, defs);
      svgEl("path", { d: "M1,1 L9,5 L1,9 Z", class: cls }, m);
    }
    const grid = svgEl("pattern", { id: "fc-grid", width: 20, height: 20, patternUnits: "userSpaceOnUse" }, defs);
    svgEl("circle", { cx: 1, cy: 1, r: 1, class: "grid-dot" }, grid);
    this.gridPattern = grid;
    this.background = svgEl("rect", { class: "canvas-bg", width: "100%", height: "100%", fill: "url(#fc-grid)" }, svg);
    this.viewport = svgEl("g", { class: "viewport" }, svg);
    this.routeLayer = svgEl("g", { class: "error-routes" }, this.viewport);
    /** @type {{from: string, to: string, index: number, code: string, line: SVGPathElement, label: SVGGElement}[]} */
    this.routes = [];
    this.edgeLayer = svgEl("g", { class: "edges" }, this.viewport);
    this.nodeLayer = svgEl("g", { class: "nodes" }, this.viewport);
    this.overlay = svgEl("g", { class: "overlay" }, this.viewport);
    this.svg = svg;
    this.host.append(svg);
  }

  // ---------- drawing ----------

  /** The template kind of a task (action for unknown templates). */
  kindOf(id) {
    const task = this.graph.task(id);
    return (task && this.spec(task.template)?.kind) || "action";
  }

  /** Returns the position of a task, or a pending drag position for it. */
  posOf(id) {
    const p = this.gesture?.type === "drag" ? this.gesture.pending.get(id) : undefined;
    return p || this.graph.task(id)?.positions || [0, 0];
  }

  /** Draws everything anew (after load, import or undo of an import). */
  renderAll() {
    this.nodeLayer.replaceChildren();
    this.edgeLayer.replaceChildren();
    this.nodes.clear();
    this.edges.clear();
    this.incident.clear();
    for (const task of this.graph.allTasks()) this.addNode(task.instId);
    for (const e of this.graph.edges()) this.addEdge(e.from, e.to);
    this.drawRoutes();
    this.shownSelection = { nodes: new Set(), edges: new Set() };
    this.showSelection();
    this.host.classList.toggle("is-empty", this.graph.size === 0);
  }

  /** @param {object} c a graph change */
  onChange(c) {
    switch (c.type) {
      case "reset":
        this.renderAll();
        break;
      case "task-added":
        this.addNode(c.id);
        break;
      case "task-removed":
        this.removeNode(c.id);
        break;
      case "task-moved":
        this.placeNode(c.id);
        break;
      case "task-changed":
        this.updateNode(c.id);
        for (const k of this.incident.get(c.id) || []) this.updateEdge(k);
        break;
      case "edge-added":
        this.addEdge(c.from, c.to);
        break;
      case "edge-removed":
        this.removeEdge(edgeKey(c.from, c.to));
        break;
      case "edge-changed":
        this.updateEdge(edgeKey(c.from, c.to));
        break;
    }
    if (c.type === "task-added" || c.type === "task-removed") this.host.classList.toggle("is-empty", this.graph.size === 0);
    if (c.type === "task-added" || c.type === "task-removed" || c.type === "task-changed") this.drawRoutes();
  }

  /** Creates the element of a task's node. */
  addNode(id) {
    if (this.nodes.has(id)) this.removeNode(id);
    const task = this.graph.task(id);
    if (!task) return;
    const spec = this.spec(task.template);
    const kind = spec?.kind || "action";
    const { w, h } = geo.nodeSize(kind);
    const g = svgEl("g", { class: `node kind-${kind}`, "data-task-id": id, "data-status": "", tabindex: this.readOnly ? -1 : 0, role: "button" });
    if (!spec) g.classList.add("unknown-template");
    svgEl("title", {}, g);
    if (kind === "flow") {
      svgEl("path", { class: "node-halo", d: `M${w / 2},-7 L${w + 7},${h / 2} L${w / 2},${h + 7} L-7,${h / 2} Z` }, g);
      svgEl("path", { class: "node-body", d: `M${w / 2},0 L${w},${h / 2} L${w / 2},${h} L0,${h / 2} Z` }, g);
      const icon = svgEl("g", { class: "node-icon gateway-mark", transform: `translate(${w / 2 - 12} ${h / 2 - 12})` }, g);
      drawIcon(icon, spec?.icon || "diamond", true);
      svgEl("text", { class: "node-name node-name-below", x: w / 2, y: h + 17, "text-anchor": "middle" }, g);
    } else {
      svgEl("rect", { class: "node-halo", x: -5, y: -5, width: w + 10, height: h + 10, rx: kind === "action" || kind === "wait" ? 14 : h / 2 + 5 }, g);
      svgEl("path", { class: "node-body", d: cardPath(kind, w, h) }, g);
      const ix = kind === "trigger" ? 14 : 10;
      svgEl("rect", { class: "node-icon-bg", x: ix, y: (h - 30) / 2, width: 30, height: 30, rx: 8 }, g);
      const icon = svgEl("g", { class: "node-icon", transform: `translate(${ix + 6} ${(h - 30) / 2 + 6}) scale(0.75)` }, g);
      drawIcon(icon, spec?.icon || "box");
      svgEl("text", { class: "node-name", x: ix + 38, y: h / 2 - 3 }, g);
      svgEl("text", { class: "node-sub", x: ix + 38, y: h / 2 + 13 }, g);
    }
    const flags = svgEl("g", { class: "node-flags", transform: `translate(${kind === "flow" ? w - 6 : w - 14} ${kind === "flow" ? -2 : 12})` }, g);
    flags.dataset.role = "flags";
    const badge = svgEl("g", { class: "node-badge", transform: `translate(${kind === "flow" ? w - 4 : w - 4} 4)` }, g);
    svgEl("circle", { r: 9 }, badge);
    svgEl("text", { "text-anchor": "middle", y: 4 }, badge).textContent = "!";
    if (geo.hasInput(kind)) svgEl("circle", { class: "port port-in", cx: 0, cy: h / 2, r: PORT_R, "data-port": "in" }, g);
    if (geo.hasOutput(kind)) svgEl("circle", { class: "port port-out", cx: w, cy: h / 2, r: PORT_R + 1, "data-port": "out" }, g);
    this.nodes.set(id, { g, kind });
    this.incident.set(id, this.incident.get(id) || new Set());
    this.nodeLayer.append(g);
    this.placeNode(id);
    this.updateNode(id);
  }

  /** Sets a node's transform from its position and redraws its connections. */
  placeNode(id) {
    const n = this.nodes.get(id);
    if (!n) return;
    const [x, y] = this.posOf(id);
    n.g.setAttribute("transform", `translate(${x} ${y})`);
    for (const k of this.incident.get(id) || []) this.pathEdge(k);
    this.pathRoutes(id);
  }

  /** Draws the error routes anew (they change with their task's errorHandler). */
  drawRoutes() {
    if (!this.routeLayer) return;
    const links = routeLinks(this.graph);
    const sig = JSON.stringify(links);
    if (sig === this.routeSig) return this.pathRoutes();
    this.routeSig = sig;
    this.routeLayer.replaceChildren();
    this.routes = links.map((r) => {
      const g = svgEl("g", { class: "error-route", "data-route-from": r.from, "data-route-to": r.to, "data-error-code": r.code, "data-testid": "error-route" }, this.routeLayer);
      const code = r.code || t("designer.routes.any");
      svgEl("title", {}, g).textContent = t("designer.routes.canvas_title", { code });
      const line = svgEl("path", { class: "error-route-line", "marker-end": "url(#fc-arrow-route)" }, g);
      const label = svgEl("g", { class: "error-route-label" }, g);
      const shown = fitText(code, 110, LABEL_FONT);
      const w = Math.ceil(textWidth(shown, LABEL_FONT)) + 12;
      svgEl("rect", { rx: 6, height: 18, y: -9, x: -w / 2, width: w }, label);
      svgEl("text", { "text-anchor": "middle", y: 4 }, label).textContent = shown;
      return { ...r, g, line, label };
    });
    this.pathRoutes();
  }

  /** Recomputes the paths of the error routes of or to a task (all without id). */
  pathRoutes(id) {
    for (const r of this.routes || []) {
      if (id && r.from !== id && r.to !== id) continue;
      const fromKind = this.kindOf(r.from);
      const [x, y] = this.posOf(r.from);
      const { w, h } = geo.nodeSize(fromKind);
      const p = geo.inPort(this.posOf(r.to), this.kindOf(r.to));
      const { d, mid } = geo.routePath({ x: x + w / 2, y: y + h }, { x: p.x - PORT_R - 1, y: p.y });
      r.line.setAttribute("d", d);
      r.label.setAttribute("transform", `translate(${mid.x} ${mid.y})`);
    }
  }

  /** Updates a node's texts, flags and classes from its task. */
  updateNode(id) {
    const n = this.nodes.get(id);
    const task = this.graph.task(id);
    if (!n || !task) return;
    const spec = this.spec(task.template);
    const { w } = geo.nodeSize(n.kind);
    const name = task.name || pick(spec?.label) || task.template;
    const sub = spec ? pick(spec.label) : t("designer.canvas.unknown_template", { template: task.template });
    n.g.querySelector("title").textContent = `${name}\n${sub} · ${id}`;
    n.g.setAttribute("aria-label", `${name} (${sub})`);
    const nameEl = n.g.querySelector(".node-name");
    if (n.kind === "flow") {
      nameEl.textContent = fitText(name, 150, NAME_FONT);
    } else {
      const textX = Number(nameEl.getAttribute("x"));
      const room = w - textX - 10;
      nameEl.textContent = fitText(name, room, NAME_FONT);
      n.g.querySelector(".node-sub").textContent = fitText(sub, room, SUB_FONT);
    }
    n.g.classList.toggle("ignored", !!task.isIgnore);
    // Small marks: skipped, loop, retries.
    const flags = n.g.querySelector("[data-role=flags]");
    flags.replaceChildren();
    const marks = [];
    if (task.loopHandler?.mode) marks.push(["loop", t("designer.canvas.flag.loop"), "M17 2l4 4-4 4M3 11V9a3 3 0 0 1 3-3h15M7 22l-4-4 4-4M21 13v2a3 3 0 0 1-3 3H3"]);
    if (task.errorHandler?.retry > 0 || (task.errorHandler?.strategy && task.errorHandler.strategy !== "fail")) marks.push(["retry", t("designer.canvas.flag.errors"), "M3 12a9 9 0 1 0 3-6.7L3 8M3 3v5h5"]);
    if (task.isIgnore) marks.push(["skip", t("designer.canvas.flag.ignored"), "M5 4l10 8-10 8zM19 5v14"]);
    marks.forEach(([cls, title, d], i) => {
      const m = svgEl("g", { class: `flag flag-${cls}`, transform: `translate(${-i * 14} 0) scale(0.5)` }, flags);
      svgEl("title", {}, m).textContent = title;
      svgEl("path", { d, transform: "translate(-12 -12)" }, m);
    });
    this.showProblem(id);
  }

  /** Removes a node's element. */
  removeNode(id) {
    const n = this.nodes.get(id);
    if (!n) return;
    for (const k of [...(this.incident.get(id) || [])]) this.removeEdge(k);
    n.g.remove();
    this.nodes.delete(id);
    this.incident.delete(id);
  }

  /** Creates the element of the connection from → to (when both ends exist). */
  addEdge(from, to) {
    if (!this.graph.has(from) || !this.graph.has(to)) return;
    const key = edgeKey(from, to);
    if (this.edges.has(key)) this.removeEdge(key);
    const g = svgEl("g", { class: "edge", "data-from": from, "data-to": to });
    const hit = svgEl("path", { class: "edge-hit" }, g);
    const line = svgEl("path", { class: "edge-line", "marker-end": "url(#fc-arrow)" }, g);
    const tick = svgEl("path", { class: "edge-default-mark" }, g);
    const label = svgEl("g", { class: "edge-label" }, g);
    svgEl("rect", { rx: 6, height: 18, y: -9 }, label);
    svgEl("text", { "text-anchor": "middle", y: 4 }, label);
    this.edges.set(key, { g, hit, line, label, tick });
    for (const id of [from, to]) {
      if (!this.incident.has(id)) this.incident.set(id, new Set());
      this.incident.get(id).add(key);
    }
    this.edgeLayer.append(g);
    this.updateEdge(key);
  }

  /** Removes a connection's element. */
  removeEdge(key) {
    const e = this.edges.get(key);
    if (!e) return;
    e.g.remove();
    this.edges.delete(key);
    const { from, to } = parseEdgeKey(key);
    this.incident.get(from)?.delete(key);
    this.incident.get(to)?.delete(key);
  }

  /** Updates a connection's label, default mark and path from the model. */
  updateEdge(key) {
    const e = this.edges.get(key);
    if (!e) return;
    const { from, to } = parseEdgeKey(key);
    const found = this.graph.connection(from, to);
    if (!found) return;
    const c = found.conn;
    const text = c.label || (c.condition ? c.condition : "");
    e.g.classList.toggle("has-condition", !!c.condition);
    e.g.classList.toggle("is-default", !!c.default);
    const txt = e.label.querySelector("text");
    const shown = text ? fitText(text, 120, LABEL_FONT) : "";
    txt.textContent = shown;
    txt.classList.toggle("is-condition", !c.label && !!c.condition);
    const w = shown ? Math.ceil(textWidth(shown, LABEL_FONT)) + 12 : 0;
    const rect = e.label.querySelector("rect");
    rect.setAttribute("width", String(w));
    rect.setAttribute("x", String(-w / 2));
    e.label.style.display = shown ? "" : "none";
    let title = e.g.querySelector("title");
    if (!title) title = svgEl("title", {}, e.g);
    title.textContent = [c.label, c.condition, c.default ? t("designer.canvas.default") : ""].filter(Boolean).join(" · ") || t("designer.canvas.connection");
    this.pathEdge(key);
    e.g.classList.toggle("invalid", this.problems.edges.has(key));
  }

  /** Recomputes a connection's path (during drags: from the pending positions). */
  pathEdge(key) {
    const e = this.edges.get(key);
    if (!e) return;
    const { from, to } = parseEdgeKey(key);
    const a = geo.outPort(this.posOf(from), this.kindOf(from));
    const p = geo.inPort(this.posOf(to), this.kindOf(to));
    // The arrow's tip stops at the input port's rim, so the port does not hide it.
    const b = { x: p.x - PORT_R - 1, y: p.y };
    const { d, mid } = geo.edgePath(a, b);
    e.line.setAttribute("d", d);
    e.hit.setAttribute("d", d);
    e.label.setAttribute("transform", `translate(${mid.x} ${mid.y})`);
    e.tick.setAttribute("d", `M${a.x + 9},${a.y + 6} L${a.x + 17},${a.y - 6}`);
  }

  /** Marks selected nodes and connections (only those that changed). */
  showSelection() {
    const prev = this.shownSelection;
    const next = { nodes: new Set(this.selection.nodes), edges: new Set(this.selection.edges) };
    for (const id of prev.nodes) if (!next.nodes.has(id)) this.nodes.get(id)?.g.classList.remove("selected");
    for (const id of next.nodes) this.nodes.get(id)?.g.classList.add("selected");
    for (const k of prev.edges) if (!next.edges.has(k)) this.markEdge(k, false);
    for (const k of next.edges) this.markEdge(k, true);
    this.shownSelection = next;
  }

  /** @private */
  markEdge(key, on) {
    const e = this.edges.get(key);
    if (!e) return;
    e.g.classList.toggle("selected", on);
    e.line.setAttribute("marker-end", on ? "url(#fc-arrow-sel)" : e.g.classList.contains("invalid") ? "url(#fc-arrow-bad)" : "url(#fc-arrow)");
    if (on) this.edgeLayer.append(e.g); // on top of the others
  }

  /**
   * Shows validation problems from a save: messages by task id, and the keys
   * of connections with problems. Pass empty ones to clear.
   * @param {Map<string, string[]>} tasks
   * @param {Set<string>} edges
   */
  setProblems(tasks, edges) {
    const old = this.problems;
    this.problems = { tasks, edges };
    for (const id of new Set([...old.tasks.keys(), ...tasks.keys()])) this.showProblem(id);
    for (const k of new Set([...old.edges, ...edges])) {
      const e = this.edges.get(k);
      if (!e) continue;
      e.g.classList.toggle("invalid", edges.has(k));
      this.markEdge(k, this.selection.edges.has(k));
    }
  }

  /** @private */
  showProblem(id) {
    const n = this.nodes.get(id);
    if (!n) return;
    const msgs = this.problems.tasks.get(id);
    n.g.classList.toggle("invalid", !!msgs?.length);
    if (msgs?.length) n.g.dataset.invalid = String(msgs.length);
    else delete n.g.dataset.invalid;
    const badge = n.g.querySelector(".node-badge");
    let title = badge.querySelector("title");
    if (!title) title = svgEl("title", {}, badge);
    title.textContent = msgs ? msgs.join("\n") : "";
  }

  // ---------- viewport ----------

  /** Applies the viewport transform (once per frame at most). */
  applyView() {
    const { x, y, k } = this.view;
    this.viewport.setAttribute("transform", `translate(${x} ${y}) scale(${k})`);
    this.gridPattern.setAttribute("patternTransform", `translate(${x} ${y}) scale(${k})`);
    this.host.style.setProperty("--zoom", String(k));
    this.onView(this.view);
  }

  /**
   * Sets the viewport: the user's own view from now on, which a resize of the
   * canvas leaves as it is (see keepFitted).
   * @param {{x: number, y: number, k: number}} v
   */
  setView(v) {
    this.fitted = false;
    this.showView(v);
  }

  /** @private Sets the viewport, leaving fitted as it is. */
  showView(v) {
    this.view = { x: v.x, y: v.y, k: geo.clampZoom(v.k) };
    this.applyView();
  }

  /** Zooms by a factor around the middle of the canvas. */
  zoomBy(factor) {
    const r = this.host.getBoundingClientRect();
    this.setView(geo.zoomAt(this.view, this.view.k * factor, r.width / 2, r.height / 2));
  }

  /**
   * Shows the whole graph. The view stays a fit until the user pans or zooms:
   * with keepFitted, a resize fits the graph again when it calls for it.
   */
  fit() {
    const r = this.host.getBoundingClientRect();
    this.showView(geo.fitView(this.contentBounds(), r.width, r.height));
    this.fitted = true;
  }

  /**
   * Keeps a fitted view fitted: whenever the canvas changes size (the window
   * narrows, the page's layout settles after the first fit, a phone turns)
   * while the view is still the one fit() chose, the graph is fitted again if
   * part of it would be hidden, or if there is room to show it larger. A view
   * the user panned or zoomed is left alone.
   */
  keepFitted() {
    if (typeof ResizeObserver !== "function" || this.resizeObserver) return;
    this.resizeObserver = new ResizeObserver(() => this.refit());
    this.resizeObserver.observe(this.host);
  }

  /** Fits the graph again if the view is still a fit and the canvas's size calls for it (geometry.refitView). */
  refit() {
    if (!this.fitted || this.gesture) return;
    const r = this.host.getBoundingClientRect();
    const v = geo.refitView(this.contentBounds(), this.view, r.width, r.height);
    if (v) this.showView(v);
  }

  /** The bounding box of every node (with the names under gateways). */
  contentBounds() {
    return geo.bounds(
      this.graph.allTasks().map((task) => {
        const { w, h } = geo.nodeSize(this.kindOf(task.instId));
        const [x, y] = task.positions || [0, 0];
        return { x, y, w, h: h + (this.kindOf(task.instId) === "flow" ? 24 : 0) };
      }),
    );
  }

  /** Centres the view on a task. */
  reveal(id) {
    const task = this.graph.task(id);
    if (!task) return;
    const { w, h } = geo.nodeSize(this.kindOf(id));
    const r = this.host.getBoundingClientRect();
    const [x, y] = task.positions;
    const sx = (x + w / 2) * this.view.k + this.view.x;
    const sy = (y + h / 2) * this.view.k + this.view.y;
    if (sx < 40 || sy < 40 || sx > r.width - 40 || sy > r.height - 40) {
      this.setView({ k: this.view.k, x: r.width / 2 - (x + w / 2) * this.view.k, y: r.height / 2 - (y + h / 2) * this.view.k });
    }
  }

  /**
   * Converts a client (window) point to canvas coordinates.
   * @returns {{x: number, y: number}}
   */
  toWorld(clientX, clientY) {
    const r = this.host.getBoundingClientRect();
    return { x: (clientX - r.left - this.view.x) / this.view.k, y: (clientY - r.top - this.view.y) / this.view.k };
  }

  /** Reports whether a client point is over the canvas. */
  contains(clientX, clientY) {
    const r = this.host.getBoundingClientRect();
    return clientX >= r.left && clientX <= r.right && clientY >= r.top && clientY <= r.bottom;
  }

  /** The canvas point in the middle of what is visible. */
  centre() {
    const r = this.host.getBoundingClientRect();
    return this.toWorld(r.left + r.width / 2, r.top + r.height / 2);
  }

  /** Returns the element of a task's node (for focus). */
  nodeElement(id) {
    return this.nodes.get(id)?.g;
  }

  // ---------- gestures ----------

  /** @private */
  bindPointer() {
    const svg = this.svg;
    svg.addEventListener("pointerdown", (e) => this.onPointerDown(e));
    svg.addEventListener("pointermove", (e) => this.onPointerMove(e));
    svg.addEventListener("pointerup", (e) => this.onPointerUp(e));
    svg.addEventListener("pointercancel", () => this.cancelGesture());
    svg.addEventListener("lostpointercapture", () => this.gesture && this.onPointerUp(null));
    svg.addEventListener("wheel", (e) => this.onWheel(e), { passive: false });
    svg.addEventListener("focusin", (e) => {
      const node = e.target.closest?.("[data-task-id]");
      if (node && !this.gesture && !this.pointerFocus && !this.selection.nodes.has(node.dataset.taskId)) {
        this.selection.set([node.dataset.taskId]);
      }
    });
  }

  /** @private */
  onPointerDown(e) {
    if (this.gesture) return;
    const world = this.toWorld(e.clientX, e.clientY);
    const start = { cx: e.clientX, cy: e.clientY, world };
    if (e.button === 1 || (e.button === 0 && e.altKey)) {
      this.begin(e, { type: "pan", ...start, view: { ...this.view } });
      return;
    }
    if (e.button !== 0) return;
    const port = e.target.closest?.(".port-out");
    const nodeEl = e.target.closest?.("[data-task-id]");
    const edgeEl = e.target.closest?.(".edge");
    const additive = e.shiftKey || e.ctrlKey || e.metaKey;
    if (port && nodeEl && !this.readOnly) {
      const from = nodeEl.dataset.taskId;
      const temp = svgEl("path", { class: "edge-temp", "marker-end": "url(#fc-arrow-sel)" }, this.overlay);
      this.host.classList.add("is-connecting");
      this.begin(e, { type: "connect", ...start, from, temp, target: null });
      this.updateConnect(e);
      return;
    }
    if (nodeEl) {
      const id = nodeEl.dataset.taskId;
      const wasSelected = this.selection.nodes.has(id);
      if (additive) this.selection.toggleNode(id);
      else if (!wasSelected) this.selection.set([id]);
      this.pointerFocus = true;
      nodeEl.focus({ preventScroll: true });
      this.pointerFocus = false;
      if (this.readOnly || (additive && wasSelected)) return;
      const ids = [...this.selection.nodes].filter((n) => this.graph.has(n));
      const origin = new Map(ids.map((n) => [n, this.graph.task(n).positions.slice(0, 2)]));
      this.begin(e, { type: "drag", ...start, id, origin, pending: new Map(), moved: false, collapse: wasSelected && !additive });
      return;
    }
    if (edgeEl) {
      const from = edgeEl.dataset.from;
      const to = edgeEl.dataset.to;
      if (additive) this.selection.toggleEdge(from, to);
      else this.selection.set([], [edgeKey(from, to)]);
      return;
    }
    // Empty canvas: shift-drag selects with a rectangle, a plain drag pans.
    if (additive) {
      const rect = svgEl("rect", { class: "rubber-band", x: world.x, y: world.y, width: 0, height: 0 }, this.overlay);
      this.begin(e, { type: "rubber", ...start, rect, base: new Set(this.selection.nodes) });
    } else {
      this.begin(e, { type: "pan", ...start, view: { ...this.view }, click: true });
    }
  }

  /** @private */
  begin(e, gesture) {
    this.gesture = gesture;
    try {
      this.svg.setPointerCapture(e.pointerId);
    } catch {
      // a synthetic event without a live pointer
    }
    this.host.classList.add(`is-${gesture.type}`);
    e.preventDefault();
  }

  /** @private */
  onPointerMove(e) {
    const g = this.gesture;
    if (!g) return;
    g.last = e;
    if (!this.frame) this.frame = requestAnimationFrame(() => this.step());
  }

  /** Applies the latest pointer position of the gesture (once per frame). */
  step() {
    this.frame = 0;
    const g = this.gesture;
    const e = g?.last;
    if (!g || !e) return;
    const dx = e.clientX - g.cx;
    const dy = e.clientY - g.cy;
    switch (g.type) {
      case "pan":
        if (Math.abs(dx) + Math.abs(dy) > DRAG_THRESHOLD) g.click = false;
        // A tap that jitters a pixel or two is no pan of the user's own.
        if (g.click) this.showView({ x: g.view.x + dx, y: g.view.y + dy, k: g.view.k });
        else this.setView({ x: g.view.x + dx, y: g.view.y + dy, k: g.view.k });
        break;
      case "drag": {
        if (!g.moved && Math.abs(dx) + Math.abs(dy) <= DRAG_THRESHOLD) return;
        g.moved = true;
        this.host.classList.add("is-dragging");
        const wx = dx / this.view.k;
        const wy = dy / this.view.k;
        const touched = new Set();
        for (const [id, [ox, oy]] of g.origin) {
          g.pending.set(id, [geo.snap(ox + wx), geo.snap(oy + wy)]);
          const n = this.nodes.get(id);
          if (!n) continue;
          const [x, y] = g.pending.get(id);
          n.g.setAttribute("transform", `translate(${x} ${y})`);
          for (const k of this.incident.get(id) || []) touched.add(k);
        }
        for (const k of touched) this.pathEdge(k);
        break;
      }
      case "connect":
        this.updateConnect(e);
        break;
      case "rubber": {
        const w = this.toWorld(e.clientX, e.clientY);
        const r = geo.rectFromPoints(g.world.x, g.world.y, w.x, w.y);
        g.box = r;
        g.rect.setAttribute("x", String(r.x));
        g.rect.setAttribute("y", String(r.y));
        g.rect.setAttribute("width", String(r.w));
        g.rect.setAttribute("height", String(r.h));
        break;
      }
    }
  }

  /** @private */
  updateConnect(e) {
    const g = this.gesture;
    const a = geo.outPort(this.posOf(g.from), this.kindOf(g.from));
    const w = this.toWorld(e.clientX, e.clientY);
    const hover = document.elementFromPoint(e.clientX, e.clientY)?.closest?.("[data-task-id]");
    const target = hover && hover.dataset.taskId !== g.from ? hover.dataset.taskId : null;
    if (g.targetEl && g.targetEl !== hover) g.targetEl.classList.remove("connect-ok", "connect-bad");
    g.target = null;
    g.targetEl = null;
    let b = w;
    if (target) {
      const problem = this.graph.connectProblem(g.from, target, (id) => this.kindOf(id));
      hover.classList.add(problem ? "connect-bad" : "connect-ok");
      g.targetEl = hover;
      if (!problem) {
        g.target = target;
        const p = geo.inPort(this.posOf(target), this.kindOf(target));
        b = { x: p.x - PORT_R - 1, y: p.y };
      }
    }
    g.temp.setAttribute("d", geo.edgePath(a, b).d);
  }

  /** @private */
  onPointerUp(e) {
    const g = this.gesture;
    if (!g) return;
    if (e) g.last = e;
    if (this.frame) {
      cancelAnimationFrame(this.frame);
      this.frame = 0;
    }
    if (g.last) this.step();
    this.gesture = null;
    this.host.classList.remove(`is-${g.type}`, "is-dragging", "is-connecting");
    switch (g.type) {
      case "pan":
        if (g.click) this.selection.clear();
        break;
      case "drag":
        if (g.moved) {
          // The nodes already show the new place; the command makes it real.
          this.execute(setPositions(this.graph, g.pending, "move"));
        } else if (g.collapse) {
          this.selection.set([g.id]);
        }
        break;
      case "connect":
        g.temp.remove();
        g.targetEl?.classList.remove("connect-ok", "connect-bad");
        if (g.target) {
          this.execute(connect(g.from, g.target));
          this.selection.set([], [edgeKey(g.from, g.target)]);
        }
        break;
      case "rubber": {
        g.rect.remove();
        if (g.box) {
          const ids = new Set(g.base);
          for (const task of this.graph.allTasks()) {
            const { w, h } = geo.nodeSize(this.kindOf(task.instId));
            if (geo.intersects(g.box, { x: task.positions[0], y: task.positions[1], w, h })) ids.add(task.instId);
          }
          this.selection.set(ids);
        }
        break;
      }
    }
  }

  /** Ends the gesture in progress without changing anything (Escape). */
  cancelGesture() {
    const g = this.gesture;
    if (!g) return false;
    this.gesture = null;
    this.host.classList.remove(`is-${g.type}`, "is-dragging", "is-connecting");
    if (g.type === "connect") {
      g.temp.remove();
      g.targetEl?.classList.remove("connect-ok", "connect-bad");
    } else if (g.type === "drag") {
      for (const id of g.origin.keys()) this.placeNode(id);
    } else if (g.type === "rubber") {
      g.rect.remove();
    }
    return true;
  }

  /** @private */
  onWheel(e) {
    e.preventDefault();
    const r = this.host.getBoundingClientRect();
    if (e.ctrlKey || e.metaKey || Math.abs(e.deltaY) >= Math.abs(e.deltaX)) {
      // Mouse wheels and pinch gestures zoom around the pointer.
      const speed = e.ctrlKey ? 0.01 : 0.0015;
      const delta = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY;
      this.setView(geo.zoomAt(this.view, this.view.k * Math.exp(-delta * speed), e.clientX - r.left, e.clientY - r.top));
    } else {
      this.setView({ ...this.view, x: this.view.x - e.deltaX });
    }
  }
}
