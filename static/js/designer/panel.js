// flowcraft designer — the property panel. It shows, for what is selected:
//  - one task: name, description, the template's parameters (editors built
//    from the schema), then timeout, skip, error handling and loop settings;
//  - one connection: label, condition, default;
//  - several things: how many, and a delete button;
//  - nothing: the process settings (name, description, engine, timeout,
//    input schema).
// Every edit is a command, so it can be undone. Validation problems from a
// save are shown on their fields.

import { parseEdgeKey } from "./graph.js";
import * as cmd from "./commands.js";
import { CodeField } from "./codefield.js";
import { paramEditor, fieldBox, showFieldProblems, nextId, editors } from "./fields.js";
import { h } from "../dom.js";
import { iconElement } from "./icons.js";
import { routeEditor, routesOf, withRoutes } from "./routes.js";
import { t, pick } from "../i18n.js";

export class Panel {
  /**
   * @param {HTMLElement} root
   * @param {{graph: import("./graph.js").Graph, selection: import("./selection.js").Selection,
   *   spec: (id: string) => object | undefined, execute: (c: object) => void,
   *   remove: () => void, readOnly?: boolean}} opts
   */
  constructor(root, opts) {
    Object.assign(this, opts);
    this.root = root;
    this.problems = { tasks: new Map(), general: [] };
    /** field name → field box, for the shown subject */
    this.boxes = new Map();
    /** field name → editor, for refreshing after undo */
    this.fields = new Map();
    this.subject = null;
    this.applying = false;
    this.selection.on(() => this.render());
    this.graph.on((c) => this.onChange(c));
    this.render();
  }

  /** Runs a command caused by this panel (the resulting change does not redraw it). */
  apply(c) {
    this.applying = true;
    try {
      this.execute(c);
    } finally {
      this.applying = false;
    }
  }

  /**
   * Sets the validation problems (messages already translated): by task id
   * [{field, message, label}], and general ones.
   * @param {Map<string, {field: string, message: string}[]>} tasks
   * @param {{field: string, message: string}[]} general
   */
  setProblems(tasks, general) {
    this.problems = { tasks, general };
    this.showProblems();
  }

  /** @private */
  onChange(c) {
    if (this.applying) return;
    const s = this.subject;
    if (!s) return;
    if (c.type === "reset") return this.render();
    if (s.type === "task" && (c.id === s.id || c.type.startsWith("edge") || c.type === "task-removed" || c.type === "task-added")) {
      if (!this.graph.has(s.id)) return this.render();
      if (c.type === "task-changed" && c.id === s.id) return this.refresh();
      if (c.type !== "task-moved") this.refresh();
      return;
    }
    if (s.type === "edge" && (c.type.startsWith("edge") || c.type === "task-changed")) {
      if (!this.graph.connection(s.from, s.to)) return this.render();
      return this.refresh();
    }
    if (s.type === "process" && c.type !== "task-moved") this.refresh();
  }

  /** Updates the shown editors from the model (after undo/redo). */
  refresh() {
    for (const [, f] of this.fields) f.refresh?.();
  }

  /** Draws the panel for the current selection. */
  render() {
    const sel = this.selection;
    this.boxes.clear();
    this.fields.clear();
    const body = h("div", "panel-body");
    if (sel.nodes.size === 1 && sel.edges.size === 0) {
      const id = [...sel.nodes][0];
      if (this.graph.has(id)) {
        this.subject = { type: "task", id };
        this.renderTask(body, id);
      }
    } else if (sel.nodes.size === 0 && sel.edges.size === 1) {
      const { from, to } = parseEdgeKey([...sel.edges][0]);
      if (this.graph.connection(from, to)) {
        this.subject = { type: "edge", from, to };
        this.renderEdge(body, from, to);
      }
    } else if (!sel.empty) {
      this.subject = { type: "many" };
      this.renderMany(body);
    }
    if (sel.empty) {
      this.subject = { type: "process" };
      this.renderProcess(body);
    }
    if (!body.childElementCount) {
      this.subject = null;
    }
    const active = this.root.querySelector(".panel-body");
    if (active) active.replaceWith(body);
    else this.root.append(body);
    this.root.dataset.subject = this.subject?.type || "";
    this.showProblems();
  }

  // ---------- helpers ----------

  /** Adds a field box for an editor under a model field name. */
  add(parent, name, label, editor, { help, required, refresh, inline } = {}) {
    const box = fieldBox({ label, id: editor.id, editor, help, required, field: name, inline: inline ?? editor.inline });
    parent.append(box);
    this.boxes.set(name, box);
    this.fields.set(name, { editor, refresh });
    return box;
  }

  /** A titled section. */
  section(parent, title, { open = true, collapsible = false } = {}) {
    if (collapsible) {
      const d = h("details", "panel-section");
      d.open = open;
      const s = h("summary", "panel-section-title", title);
      d.append(s);
      parent.append(d);
      return d;
    }
    const s = h("section", "panel-section");
    s.append(h("h3", "panel-section-title", title));
    parent.append(s);
    return s;
  }

  /** The header of the panel: icon, title, subtitle. */
  header(parent, { icon, kind, title, sub, mono }) {
    const head = h("header", "panel-head");
    if (icon) {
      const ic = h("span", `panel-icon kind-${kind || "action"}`);
      ic.append(iconElement(document, icon, 18));
      head.append(ic);
    }
    const text = h("div", "panel-head-text");
    text.append(h("h2", "panel-title", title));
    if (sub) {
      const s = h("div", "panel-sub");
      s.append(sub);
      if (mono) {
        const code = h("code", "panel-id", mono);
        code.title = t("designer.panel.task_id");
        s.append(" · ", code);
      }
      text.append(s);
    }
    head.append(text);
    parent.append(head);
  }

  // ---------- one task ----------

  /** @private */
  renderTask(body, id) {
    const task = () => this.graph.task(id);
    const spec = this.spec(task().template);
    this.header(body, {
      icon: spec?.icon || "box",
      kind: spec?.kind,
      title: task().name || pick(spec?.label) || task().template,
      sub: spec ? pick(spec.label) : t("designer.canvas.unknown_template", { template: task().template }),
      mono: id,
    });
    if (spec && pick(spec.description)) body.append(h("p", "panel-desc", pick(spec.description)));
    const set = (patch) => this.apply(cmd.updateTask(id, patch));
    const general = this.section(body, t("designer.panel.general"));
    const name = editors.textEditor(nextId("name"), task().name, (v) => set({ name: v ?? "" }), { placeholder: pick(spec?.label) });
    name.id = name.el.id;
    this.add(general, "name", t("designer.panel.name"), name, { refresh: () => name.setValue(task().name) });
    const desc = editors.textareaEditor(nextId("desc"), task().description, (v) => set({ description: v ?? "" }), { rows: 2 });
    desc.id = desc.el.id;
    this.add(general, "description", t("designer.panel.description"), desc, { refresh: () => desc.setValue(task().description) });

    const params = spec?.parameters || [];
    if (params.length) {
      const sec = this.section(body, t("designer.panel.parameters"));
      for (const p of params) {
        const field = `parameters.${p.key}`;
        const current = () => task().parameters?.[p.key]?.value;
        const ed = paramEditor(p, current(), (v) => this.apply(cmd.setParameter(this.graph, id, p.key, v)), {
          onProblem: (msgs) => this.boxes.has(field) && showFieldProblems(this.boxes.get(field), msgs),
        });
        this.add(sec, field, pick(p.label) || p.key, ed, { help: pick(p.description), required: p.required, refresh: () => ed.setValue(current()) });
      }
    }
    // Parameters in the task that the template does not know (kept, shown read-only).
    const unknown = Object.keys(task().parameters || {}).filter((k) => !params.some((p) => p.key === k));
    if (unknown.length) {
      const sec = this.section(body, t("designer.panel.other_parameters"));
      for (const k of unknown) {
        const ed = editors.jsonEditor(nextId("x"), task().parameters[k]?.value, (v) => this.apply(cmd.setParameter(this.graph, id, k, v)), { onProblem: () => {} });
        ed.id = ed.el.id;
        this.add(sec, `parameters.${k}`, k, ed);
      }
    }
    if (spec?.kind !== "trigger") this.renderRun(body, id);
    const actions = h("div", "panel-actions");
    const del = h("button", "btn btn-secondary btn-sm btn-danger-text", t("designer.panel.delete_task"));
    del.type = "button";
    del.dataset.action = "delete-selection";
    del.addEventListener("click", () => this.remove());
    actions.append(del);
    body.append(actions);
  }

  /** Timeout, skip, error handling and loop of a task. @private */
  renderRun(body, id) {
    const task = () => this.graph.task(id);
    const spec = this.spec(task().template);
    const set = (patch) => this.apply(cmd.updateTask(id, patch));
    const hasRun = !!(task().timeout || task().isIgnore || task().errorHandler?.retry || task().errorHandler?.strategy || task().errorHandler?.routes?.length || task().loopHandler?.mode);
    const sec = this.section(body, t("designer.panel.run"), { collapsible: true, open: hasRun });
    sec.dataset.section = "run";

    const timeout = editors.numberEditor(nextId("timeout"), task().timeout || undefined, (v) => set({ timeout: v ?? 0 }), { min: 0, step: 1000, placeholder: t("designer.panel.none") });
    timeout.id = timeout.el.id;
    this.add(sec, "timeout", t("designer.panel.timeout"), timeout, { help: t("designer.panel.timeout_help"), refresh: () => timeout.setValue(task().timeout || undefined) });
    const ignore = editors.boolEditor(nextId("ignore"), task().isIgnore, (v) => set({ isIgnore: v }));
    ignore.id = ignore.el.querySelector("input").id;
    this.add(sec, "isIgnore", t("designer.panel.is_ignore"), ignore, { inline: true, help: t("designer.panel.is_ignore_help"), refresh: () => ignore.setValue(task().isIgnore) });

    // Error handling.
    const eh = () => task().errorHandler || {};
    const setEH = (patch) => {
      const next = { ...eh(), ...patch };
      for (const k of Object.keys(next)) if (next[k] === undefined || next[k] === "" || next[k] === 0) delete next[k];
      if (next.strategy !== "goto") delete next.target;
      set({ errorHandler: next });
    };
    const sub = h("div", "panel-subsection");
    sub.append(h("h4", "panel-subtitle", t("designer.panel.errors")));
    sec.append(sub);
    const grid = h("div", "field-grid");
    sub.append(grid);
    const retry = editors.numberEditor(nextId("retry"), eh().retry, (v) => setEH({ retry: v }), { min: 0, max: 100, step: 1, placeholder: "0" });
    retry.id = retry.el.id;
    this.add(grid, "errorHandler.retry", t("designer.panel.retry"), retry, { refresh: () => retry.setValue(eh().retry) });
    const interval = editors.numberEditor(nextId("interval"), eh().interval, (v) => setEH({ interval: v }), { min: 0, step: 100, placeholder: "0" });
    interval.id = interval.el.id;
    this.add(grid, "errorHandler.interval", t("designer.panel.interval"), interval, { refresh: () => interval.setValue(eh().interval) });
    const backoff = editors.numberEditor(nextId("backoff"), eh().backoff, (v) => setEH({ backoff: v }), { min: 1, step: 0.5, placeholder: "1" });
    backoff.id = backoff.el.id;
    this.add(grid, "errorHandler.backoff", t("designer.panel.backoff"), backoff, { refresh: () => backoff.setValue(eh().backoff) });
    const strategies = ["fail", "ignore", "goto"].map((s) => ({ value: s, label: t(`designer.panel.strategy.${s}`) }));
    const strategy = editors.selectEditor(nextId("strategy"), eh().strategy, (v) => {
      setEH({ strategy: v === "fail" ? undefined : v });
      drawTarget();
    }, { options: strategies, emptyLabel: null });
    strategy.id = strategy.el.id;
    if (!eh().strategy) strategy.el.value = "fail";
    this.add(sub, "errorHandler.strategy", t("designer.panel.strategy"), strategy, {
      refresh: () => {
        strategy.setValue(eh().strategy || "fail");
        drawTarget();
      },
    });
    const targetSlot = h("div");
    sub.append(targetSlot);
    const drawTarget = () => {
      targetSlot.replaceChildren();
      this.boxes.delete("errorHandler.target");
      if ((eh().strategy || "fail") !== "goto") return;
      const options = this.graph.allTasks().filter((x) => x.instId !== id).map((x) => ({ value: x.instId, label: `${x.name || x.template} (${x.instId})` }));
      const target = editors.selectEditor(nextId("target"), eh().target, (v) => setEH({ target: v }), { options, emptyLabel: t("designer.panel.choose_task") });
      target.id = target.el.id;
      this.add(targetSlot, "errorHandler.target", t("designer.panel.target"), target);
    };
    drawTarget();

    // Error routes: a coded error (a worker's BPMN error) goes to its own task.
    const routesSub = h("div", "panel-subsection");
    routesSub.dataset.testid = "error-routes-section";
    routesSub.append(h("h4", "panel-subtitle", t("designer.routes.title")));
    sec.append(routesSub);
    const routeTargets = () => this.graph.allTasks().filter((x) => x.instId !== id).map((x) => ({ value: x.instId, label: `${x.name || x.template} (${x.instId})` }));
    const routes = routeEditor(nextId("routes"), routesOf(task()), (rows) => set({ errorHandler: withRoutes(eh(), rows) }), { options: routeTargets });
    this.add(routesSub, "errorHandler.routes", t("designer.routes.label"), routes, { help: t("designer.routes.help"), refresh: () => routes.setValue(routesOf(task())) });

    // Loop (actions and waits only).
    if (spec && spec.kind !== "action" && spec.kind !== "wait" && !task().loopHandler?.mode) return;
    const lh = () => task().loopHandler || {};
    const setLH = (patch) => {
      const next = { ...lh(), ...patch };
      for (const k of Object.keys(next)) if (next[k] === undefined || next[k] === "" || next[k] === false || next[k] === 0) delete next[k];
      set({ loopHandler: next });
    };
    const loop = h("div", "panel-subsection");
    loop.append(h("h4", "panel-subtitle", t("designer.panel.loop")));
    sec.append(loop);
    const modes = [
      { value: "forEach", label: t("designer.panel.loop.forEach") },
      { value: "while", label: t("designer.panel.loop.while") },
    ];
    const mode = editors.selectEditor(nextId("mode"), lh().mode, (v) => {
      setLH(v === "forEach" ? { mode: v, condition: undefined, max: undefined } : v === "while" ? { mode: v, items: undefined, parallel: undefined, maxConcurrency: undefined } : { mode: undefined, items: undefined, parallel: undefined, maxConcurrency: undefined, condition: undefined, max: undefined });
      drawLoop();
    }, { options: modes, emptyLabel: t("designer.panel.loop.none") });
    mode.id = mode.el.id;
    this.add(loop, "loopHandler.mode", t("designer.panel.loop.mode"), mode, {
      refresh: () => {
        mode.setValue(lh().mode);
        drawLoop();
      },
    });
    const loopSlot = h("div");
    loop.append(loopSlot);
    const drawLoop = () => {
      loopSlot.replaceChildren();
      for (const k of ["items", "parallel", "maxConcurrency", "condition", "max"]) this.boxes.delete(`loopHandler.${k}`);
      if (lh().mode === "forEach") {
        const items = editors.textEditor(nextId("items"), lh().items, (v) => setLH({ items: v }), { placeholder: "{{ input.rows }}", mono: true });
        items.id = items.el.id;
        this.add(loopSlot, "loopHandler.items", t("designer.panel.loop.items"), items, { help: t("designer.panel.loop.items_help"), required: true });
        const par = editors.boolEditor(nextId("par"), lh().parallel, (v) => setLH({ parallel: v }));
        par.id = par.el.querySelector("input").id;
        this.add(loopSlot, "loopHandler.parallel", t("designer.panel.loop.parallel"), par, { inline: true });
        const mc = editors.numberEditor(nextId("mc"), lh().maxConcurrency, (v) => setLH({ maxConcurrency: v }), { min: 1, step: 1, placeholder: "4" });
        mc.id = mc.el.id;
        this.add(loopSlot, "loopHandler.maxConcurrency", t("designer.panel.loop.max_concurrency"), mc);
      } else if (lh().mode === "while") {
        const cond = new CodeField({ id: nextId("cond"), kind: "expression", value: lh().condition || "", rows: 2, placeholder: "vars.page < 10", onChange: (v) => setLH({ condition: v }) });
        this.add(loopSlot, "loopHandler.condition", t("designer.panel.loop.condition"), { el: cond.el, id: cond.ta.id, code: cond }, { required: true });
        const max = editors.numberEditor(nextId("max"), lh().max, (v) => setLH({ max: v }), { min: 1, step: 1, placeholder: "100" });
        max.id = max.el.id;
        this.add(loopSlot, "loopHandler.max", t("designer.panel.loop.max"), max, { required: true });
      }
      this.showProblems();
    };
    drawLoop();
  }

  // ---------- one connection ----------

  /** @private */
  renderEdge(body, from, to) {
    const conn = () => this.graph.connection(from, to)?.conn || {};
    const src = this.graph.task(from);
    const dst = this.graph.task(to);
    const srcSpec = this.spec(src.template);
    const isGateway = srcSpec?.kind === "flow";
    const route = h("span", "panel-route");
    route.append(h("span", "", src.name || src.template), " → ", h("span", "", dst.name || dst.template));
    this.header(body, { icon: "", title: t("designer.panel.connection"), sub: route });
    const set = (patch) => this.apply(cmd.updateConnection(from, to, patch));
    const sec = this.section(body, t("designer.panel.general"));
    const label = editors.textEditor(nextId("label"), conn().label, (v) => set({ label: v }), { placeholder: t("designer.panel.label_placeholder") });
    label.id = label.el.id;
    this.add(sec, "label", t("designer.panel.label"), label, { refresh: () => label.setValue(conn().label) });
    const cond = new CodeField({
      id: nextId("condition"),
      kind: "expression",
      value: conn().condition || "",
      rows: 3,
      placeholder: "input.amount > 1000",
      onChange: (v) => set({ condition: v === "" ? undefined : v }),
    });
    this.add(sec, "condition", t("designer.panel.condition"), { el: cond.el, id: cond.ta.id, code: cond }, {
      help: isGateway ? t("designer.panel.condition_help_gateway") : t("designer.panel.condition_help"),
      refresh: () => cond.setValue(conn().condition || ""),
    });
    cond.ta.disabled = !!conn().default;
    if (isGateway) {
      const def = editors.boolEditor(nextId("default"), !!conn().default, (v) => {
        set({ default: v ? true : undefined, condition: v ? undefined : conn().condition });
        cond.setValue(v ? "" : conn().condition || "");
        cond.ta.disabled = v;
      });
      def.id = def.el.querySelector("input").id;
      this.add(sec, "default", t("designer.panel.default"), def, {
        inline: true,
        help: t("designer.panel.default_help"),
        refresh: () => {
          def.setValue(!!conn().default);
          cond.ta.disabled = !!conn().default;
        },
      });
    }
    const actions = h("div", "panel-actions");
    const del = h("button", "btn btn-secondary btn-sm btn-danger-text", t("designer.panel.delete_connection"));
    del.type = "button";
    del.dataset.action = "delete-selection";
    del.addEventListener("click", () => this.remove());
    actions.append(del);
    body.append(actions);
  }

  // ---------- several ----------

  /** @private */
  renderMany(body) {
    const n = this.selection.nodes.size;
    const e = this.selection.edges.size;
    this.header(body, { icon: "", title: t("designer.panel.selected", { count: n + e }) });
    body.append(h("p", "panel-desc", t("designer.panel.selected_detail", { nodes: n, connections: e })));
    const actions = h("div", "panel-actions");
    const del = h("button", "btn btn-secondary btn-sm btn-danger-text", t("designer.panel.delete_selected"));
    del.type = "button";
    del.dataset.action = "delete-selection";
    del.addEventListener("click", () => this.remove());
    actions.append(del);
    body.append(actions);
  }

  // ---------- the process ----------

  /** @private */
  renderProcess(body) {
    const g = this.graph;
    this.header(body, { icon: "", title: t("designer.panel.process"), sub: g.meta.id ? h("code", "panel-id", g.meta.id) : t("designer.panel.new_process") });
    const set = (patch) => this.apply(cmd.updateMeta(patch));
    const sec = this.section(body, t("designer.panel.general"));
    const name = editors.textEditor(nextId("pname"), g.meta.name, (v) => set({ name: v ?? "" }), { placeholder: t("designer.untitled") });
    name.id = name.el.id;
    this.add(sec, "name", t("designer.panel.name"), name, { required: true, refresh: () => name.setValue(g.meta.name) });
    const desc = editors.textareaEditor(nextId("pdesc"), g.meta.description, (v) => set({ description: v ?? "" }), { rows: 3 });
    desc.id = desc.el.id;
    this.add(sec, "description", t("designer.panel.description"), desc, { refresh: () => desc.setValue(g.meta.description) });
    const engine = editors.selectEditor(nextId("engine"), g.meta.engine || "standard", (v) => set({ engine: v }), {
      options: [
        { value: "standard", label: t("designer.engine.standard") },
        { value: "fast", label: t("designer.engine.fast") },
      ],
      emptyLabel: null,
    });
    engine.id = engine.el.id;
    this.add(sec, "engine", t("designer.panel.engine"), engine, { help: t("designer.panel.engine_help"), refresh: () => engine.setValue(g.meta.engine || "standard") });
    const timeout = editors.numberEditor(nextId("ptimeout"), g.meta.timeout || undefined, (v) => set({ timeout: v ?? 0 }), { min: 0, step: 1000, placeholder: t("designer.panel.none") });
    timeout.id = timeout.el.id;
    this.add(sec, "timeout", t("designer.panel.process_timeout"), timeout, { refresh: () => timeout.setValue(g.meta.timeout || undefined) });
    const ttl = editors.numberEditor(nextId("pttl"), g.meta.historyTimeToLive || undefined, (v) => set({ historyTimeToLive: v ?? 0 }), { min: 0, max: 36500, step: 1, placeholder: t("designer.panel.history_ttl_forever") });
    ttl.id = ttl.el.id;
    this.add(sec, "historyTimeToLive", t("designer.panel.history_ttl"), ttl, { help: t("designer.panel.history_ttl_help"), refresh: () => ttl.setValue(g.meta.historyTimeToLive || undefined) });
    const enabled = editors.boolEditor(nextId("enabled"), g.meta.enabled !== false, (v) => set({ enabled: v }));
    enabled.id = enabled.el.querySelector("input").id;
    this.add(sec, "enabled", t("designer.panel.enabled"), enabled, { inline: true, refresh: () => enabled.setValue(g.meta.enabled !== false) });

    const data = this.section(body, t("designer.panel.data"), { collapsible: true, open: false });
    for (const key of ["inputDataSchema", "outputDataSchema"]) {
      const ed = editors.jsonEditor(nextId(key), g.meta[key], (v) => set({ [key]: v ?? {} }), {
        placeholder: '{"type": "object", "properties": {…}}',
        onProblem: (msgs) => this.boxes.has(key) && showFieldProblems(this.boxes.get(key), msgs),
      });
      ed.id = ed.el.id;
      this.add(data, key, t(`designer.panel.${key}`), ed, { help: t(`designer.panel.${key}_help`), refresh: () => ed.setValue(g.meta[key]) });
    }
    const stats = h("p", "panel-desc panel-stats");
    const count = () => (stats.textContent = t("designer.panel.stats", { nodes: g.size, connections: g.edges().filter((e) => g.has(e.to)).length }));
    count();
    this.fields.set("_stats", { refresh: count });
    body.append(stats);
  }

  // ---------- problems ----------

  /** Shows the save's validation problems on the fields of the shown subject. */
  showProblems() {
    const byField = new Map();
    const s = this.subject;
    let list = [];
    if (s?.type === "task") list = this.problems.tasks.get(s.id) || [];
    else if (s?.type === "process") list = this.problems.general;
    else if (s?.type === "edge") {
      const idx = this.graph.connection(s.from, s.to)?.index;
      const prefix = `connections[${idx}].`;
      list = (this.problems.tasks.get(s.from) || []).filter((p) => p.field.startsWith(prefix)).map((p) => ({ ...p, field: p.field.slice(prefix.length) }));
    }
    const labels = new Map();
    for (const p of list) {
      const f = this.boxes.has(p.field) ? p.field : this.nearestField(p.field);
      if (!byField.has(f)) byField.set(f, []);
      byField.get(f).push(p);
      if (p.label) labels.set(f, p.label);
    }
    for (const [name, box] of this.boxes) {
      const ps = byField.get(name) || [];
      const code = this.fields.get(name)?.editor?.code;
      const rowed = this.fields.get(name)?.editor?.setRowProblems;
      if (rowed) {
        // Problems of one row (errorHandler.routes[2].target) show on that row.
        const byIndex = new Map();
        const whole = [];
        for (const p of ps) {
          const m = /^[^[]+\[(\d+)\]/.exec(p.field || "");
          if (!m) whole.push(p.message);
          else byIndex.set(Number(m[1]), [...(byIndex.get(Number(m[1])) || []), p.message]);
        }
        showFieldProblems(box, whole);
        rowed(byIndex);
      } else if (code) {
        code.setServerProblems(ps.map((p) => (p.line ? { line: p.line, column: p.column, message: p.detail } : p.message)));
        box.classList.toggle("has-problem", ps.length > 0);
      } else {
        showFieldProblems(box, ps.map((p) => p.message));
      }
    }
    // Problems without a field of their own go on top of the panel, after the
    // field's label when it has one (never its internal path).
    const rest = [...byField.entries()].filter(([f]) => !this.boxes.has(f)).flatMap(([f, ps]) => ps.map((p) => (labels.has(f) ? `${labels.get(f)}: ${p.message}` : p.message)));
    let top = this.root.querySelector(".panel-problems");
    if (!rest.length) {
      top?.remove();
      return;
    }
    if (!top) {
      top = h("div", "alert alert-danger panel-problems");
      top.setAttribute("role", "alert");
      this.root.querySelector(".panel-head")?.after(top);
    }
    top.replaceChildren(...rest.map((m) => h("div", "", m)));
  }

  /** Maps a server field (errorHandler.target, parameters.x.y, errorHandler.routes[0].target) to a shown field. @private */
  nearestField(field) {
    let f = field;
    while (f.includes(".") || f.includes("[")) {
      f = f.slice(0, Math.max(f.lastIndexOf("."), f.lastIndexOf("[")));
      if (this.boxes.has(f)) return f;
    }
    return field;
  }

  /** Focuses the editor of a field when it is shown. */
  focusField(field) {
    const f = this.fields.get(field) || this.fields.get(this.nearestField(field));
    const box = this.boxes.get(field);
    if (box?.closest("details")) box.closest("details").open = true;
    f?.editor?.focus?.();
  }
}

