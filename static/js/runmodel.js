// flowcraft — the live model of one process instance. No DOM.
//
// It starts from a snapshot shaped like GET /api/processInst/{id} (the
// instance's fields plus tasks[] with their runtimes) and applies the
// websocket's events: {"type": "node", ...runtime} upserts a runtime by its
// id (events may repeat around a snapshot, so applying one twice changes
// nothing), {"type": "process", ...instance} updates the instance, and
// {"type": "snapshot", ...} replaces everything. Each apply returns what
// changed, so views redraw only those tasks and runtimes.

const INSTANCE_FIELDS = ["id", "parentId", "processId", "version", "name", "engine", "status", "executor", "triggerApp", "trigger", "output", "error", "startAt", "endAt", "cost", "createAt", "updateAt"];
const RUNTIME_FIELDS = ["id", "taskId", "name", "template", "index", "attempt", "status", "input", "incoming", "output", "error", "logs", "humanTasks", "startAt", "endAt", "cost", "createAt"];

/** Instance statuses that are final. */
export const ENDED = new Set(["done", "failed", "canceled", "timeout"]);

/**
 * Compares two snowflake ids given as decimal strings (too big for numbers).
 * @param {string} a
 * @param {string} b
 */
export function compareIds(a, b) {
  a = String(a ?? "");
  b = String(b ?? "");
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A stable string of a value, for change detection. */
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** Picks the known fields of a runtime event or snapshot entry. */
function runtimeOf(src, prev) {
  const rt = {};
  for (const k of RUNTIME_FIELDS) if (src[k] !== undefined) rt[k] = src[k];
  // Events carry no human tasks; keep the ones the snapshot had.
  if (rt.humanTasks === undefined && prev?.humanTasks) rt.humanTasks = prev.humanTasks;
  return rt;
}

export class InstanceModel {
  /** @param {object} view an instance view (GET /api/processInst/{id}) */
  constructor(view) {
    this.instance = {};
    /** @type {Map<string, {instId: string, name: string, template: string, runtimes: Map<string, object>}>} */
    this.tasks = new Map();
    this.reset(view || {});
  }

  /**
   * Replaces the model with a snapshot; returns what differs from before.
   * @param {object} view
   * @returns {{instance: boolean, tasks: Set<string>, runtimes: Set<string>}}
   */
  reset(view) {
    const changes = { instance: false, tasks: new Set(), runtimes: new Set() };
    const inst = {};
    for (const k of INSTANCE_FIELDS) if (view[k] !== undefined) inst[k] = view[k];
    if (!same(inst, this.instance)) changes.instance = true;
    this.instance = inst;
    const old = this.tasks;
    const tasks = new Map();
    for (const t of view.tasks || []) {
      const prev = old.get(t.instId);
      const runtimes = new Map();
      for (const r of t.runtimes || []) {
        const rt = runtimeOf(r, prev?.runtimes.get(r.id));
        runtimes.set(String(r.id), rt);
        if (!prev || !same(prev.runtimes.get(String(r.id)), rt)) {
          changes.runtimes.add(String(r.id));
          changes.tasks.add(t.instId);
        }
      }
      if (prev) {
        for (const id of prev.runtimes.keys()) {
          if (!runtimes.has(id)) {
            changes.runtimes.add(id);
            changes.tasks.add(t.instId);
          }
        }
      } else {
        changes.tasks.add(t.instId);
      }
      tasks.set(t.instId, { instId: t.instId, name: t.name || "", template: t.template || "", runtimes });
    }
    for (const id of old.keys()) if (!tasks.has(id)) changes.tasks.add(id);
    this.tasks = tasks;
    return changes;
  }

  /**
   * Applies one websocket message; returns what changed, or null for nothing.
   * @param {{type: string} & object} msg
   */
  apply(msg) {
    switch (msg?.type) {
      case "snapshot":
        return this.reset(msg);
      case "node": {
        if (msg.instanceId && this.instance.id && String(msg.instanceId) !== String(this.instance.id)) return null;
        const id = String(msg.id);
        let task = this.tasks.get(msg.taskId);
        if (!task) {
          task = { instId: msg.taskId, name: msg.name || "", template: msg.template || "", runtimes: new Map() };
          this.tasks.set(msg.taskId, task);
        }
        const prev = task.runtimes.get(id);
        const rt = runtimeOf(msg, prev);
        if (prev && same(prev, rt)) return null;
        task.runtimes.set(id, rt);
        return { instance: false, tasks: new Set([msg.taskId]), runtimes: new Set([id]) };
      }
      case "process": {
        if (msg.id && this.instance.id && String(msg.id) !== String(this.instance.id)) return null;
        // An answer read before the latest event (a PUT's reply racing the stream) is stale.
        if (msg.updateAt && this.instance.updateAt && msg.updateAt < this.instance.updateAt) return null;
        let changed = false;
        for (const k of INSTANCE_FIELDS) {
          if (msg[k] !== undefined && !same(msg[k], this.instance[k])) {
            this.instance[k] = msg[k];
            changed = true;
          }
        }
        return changed ? { instance: true, tasks: new Set(), runtimes: new Set() } : null;
      }
    }
    return null;
  }

  /** The runtimes of a task, oldest first. */
  runtimesOf(taskId) {
    const t = this.tasks.get(taskId);
    return t ? [...t.runtimes.values()].sort((a, b) => compareIds(a.id, b.id)) : [];
  }

  /** A runtime by id. */
  runtime(id) {
    for (const t of this.tasks.values()) {
      const r = t.runtimes.get(String(id));
      if (r) return r;
    }
    return undefined;
  }

  /** The status of a task: its latest runtime's, "" when it never ran. */
  taskStatus(taskId) {
    const rs = this.runtimesOf(taskId);
    if (!rs.length) return "";
    // A loop's iterations share the task's latest attempt; one still running wins.
    const last = rs[rs.length - 1];
    const live = rs.filter((r) => r.attempt === last.attempt && (r.status === "running" || r.status === "pending" || r.status === "waiting"));
    return live.length ? live[live.length - 1].status : last.status;
  }

  /** Every task's status (task id → status, "" for never ran). */
  statuses() {
    const out = new Map();
    for (const id of this.tasks.keys()) out.set(id, this.taskStatus(id));
    return out;
  }

  /** Every runtime in the order they were created, each with its task's runtime count. */
  timeline() {
    const all = [];
    for (const t of this.tasks.values()) {
      const rs = [...t.runtimes.values()];
      const iterations = new Set(rs.map((r) => r.index || 0)).size;
      const attempts = new Set(rs.map((r) => r.attempt || 0)).size;
      for (const r of rs) all.push({ ...r, taskName: t.name || r.name || t.instId, iterations, attempts });
    }
    return all.sort((a, b) => compareIds(a.id, b.id));
  }

  /** Whether the instance has ended. */
  get ended() {
    return ENDED.has(this.instance.status);
  }
}

/**
 * The time a runtime took: its cost when ended, the time since it started
 * while it runs, null when it has not started.
 * @param {object} rt
 * @param {number} now unix ms
 */
export function elapsed(rt, now) {
  if (rt.endAt) return rt.cost || Math.max(0, rt.endAt - (rt.startAt || rt.endAt));
  if (rt.startAt) return Math.max(0, now - rt.startAt);
  return null;
}

/**
 * The connections a run went along: from a task that finished to a task that
 * ran (or runs). edges: [{from, to}]; status: task id → status.
 * @returns {Set<string>} "from>to" keys
 */
export function takenEdges(edges, status) {
  const out = new Set();
  const finished = new Set(["done", "skipped", "failed"]);
  for (const e of edges) {
    if (finished.has(status.get(e.from)) && status.get(e.to)) out.add(`${e.from}>${e.to}`);
  }
  return out;
}

/**
 * A short label for a runtime in a list: iteration and attempt when the task
 * ran more than once. t gives rt.iteration ("#%d") and rt.attempt ("retry %d").
 */
export function runLabel(rt, t) {
  const parts = [];
  if ((rt.iterations || 1) > 1) parts.push(t("rt.iteration", { n: (rt.index || 0) + 1 }));
  if (rt.attempt > 0) parts.push(t("rt.attempt", { n: rt.attempt }));
  return parts.join(" · ");
}

/**
 * Builds a sample of trigger data from a JSON Schema (for the run dialog):
 * defaults, first enum values, minimums, or empty values by type.
 * @param {object} schema
 */
export function sampleFromSchema(schema) {
  if (!schema || typeof schema !== "object") return {};
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0];
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  switch (schema.type) {
    case "object":
      break;
    case "array":
      return [];
    case "string":
      return schema.format === "date" ? new Date(0).toISOString().slice(0, 10) : "";
    case "number":
    case "integer":
      return typeof schema.minimum === "number" ? schema.minimum : 0;
    case "boolean":
      return false;
    default:
      if (!schema.properties) return {};
  }
  const out = {};
  for (const [k, p] of Object.entries(schema.properties || {})) out[k] = sampleFromSchema(p);
  return out;
}
