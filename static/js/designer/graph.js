// flowcraft designer — the graph model: a process definition as tasks (nodes)
// and their outgoing connections (edges). No DOM.
//
// Tasks are kept as the plain JSON objects of the definition (DESIGN §2), so
// fields the designer does not know survive an edit. The graph tells its
// listeners what changed, with the ids involved, so a view can update only
// those parts:
//   {type: "reset"} · {type: "meta"} ·
//   {type: "task-added" | "task-removed" | "task-changed" | "task-moved", id} ·
//   {type: "edge-added" | "edge-removed" | "edge-changed", from, to}

/**
 * Returns a deep copy of a JSON value.
 * @template T
 * @param {T} v
 * @returns {T}
 */
export function clone(v) {
  return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
}

/**
 * The key of an edge in sets and maps. Task ids never hold a newline.
 * @param {string} from
 * @param {string} to
 */
export function edgeKey(from, to) {
  return from + "\n" + to;
}

/**
 * Splits an edge key into its ends.
 * @param {string} key
 * @returns {{from: string, to: string}}
 */
export function parseEdgeKey(key) {
  const i = key.indexOf("\n");
  return { from: key.slice(0, i), to: key.slice(i + 1) };
}

export class Graph {
  /**
   * @param {object} [meta] the process fields other than tasks
   * @param {object[]} [tasks] the tasks, each with instId, positions and connections
   */
  constructor(meta = {}, tasks = []) {
    /** @type {Set<(change: object) => void>} */
    this.listeners = new Set();
    this.load(meta, tasks);
  }

  /**
   * Replaces the whole graph (without telling listeners).
   * @param {object} meta
   * @param {object[]} tasks
   */
  load(meta, tasks) {
    this.meta = clone(meta) || {};
    delete this.meta.tasks;
    /** @type {string[]} */
    this.order = [];
    /** @type {Map<string, object>} */
    this.tasks = new Map();
    for (const t of tasks) {
      const task = clone(t);
      if (!Array.isArray(task.connections)) task.connections = [];
      this.tasks.set(task.instId, task);
      this.order.push(task.instId);
    }
  }

  /**
   * Replaces the whole graph and tells listeners {type: "reset"}.
   * @param {object} meta
   * @param {object[]} tasks
   */
  reset(meta, tasks) {
    this.load(meta, tasks);
    this.emit({ type: "reset" });
  }

  /**
   * Registers a change listener; returns a function that removes it.
   * @param {(change: object) => void} fn
   */
  on(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** @param {object} change */
  emit(change) {
    for (const fn of this.listeners) fn(change);
  }

  /** Number of tasks. */
  get size() {
    return this.order.length;
  }

  /**
   * Returns the task with the id, or undefined.
   * @param {string} id
   */
  task(id) {
    return this.tasks.get(id);
  }

  /** @param {string} id */
  has(id) {
    return this.tasks.has(id);
  }

  /** Returns the tasks in definition order. */
  allTasks() {
    return this.order.map((id) => this.tasks.get(id));
  }

  /**
   * Returns every edge as {from, to, conn, index} (index in the source's connections).
   * @returns {{from: string, to: string, conn: object, index: number}[]}
   */
  edges() {
    const out = [];
    for (const id of this.order) {
      this.tasks.get(id).connections.forEach((conn, index) => out.push({ from: id, to: conn.to, conn, index }));
    }
    return out;
  }

  /**
   * Returns the connection from → to and its index, or null.
   * @param {string} from
   * @param {string} to
   * @returns {{conn: object, index: number} | null}
   */
  connection(from, to) {
    const t = this.tasks.get(from);
    if (!t) return null;
    const index = t.connections.findIndex((c) => c.to === to);
    return index < 0 ? null : { conn: t.connections[index], index };
  }

  /**
   * Returns the edges that end at id.
   * @param {string} id
   */
  incoming(id) {
    return this.edges().filter((e) => e.to === id);
  }

  /**
   * Adds a task at index (default: the end).
   * @param {object} task a task with a unique instId
   * @param {number} [index]
   */
  addTask(task, index = this.order.length) {
    if (!task || !task.instId) throw new Error("task needs an instId");
    if (this.tasks.has(task.instId)) throw new Error(`duplicate task ${task.instId}`);
    const t = clone(task);
    if (!Array.isArray(t.connections)) t.connections = [];
    this.tasks.set(t.instId, t);
    this.order.splice(Math.min(index, this.order.length), 0, t.instId);
    this.emit({ type: "task-added", id: t.instId });
    for (const c of t.connections) {
      if (this.tasks.has(c.to)) this.emit({ type: "edge-added", from: t.instId, to: c.to });
    }
    for (const e of this.incoming(t.instId)) this.emit({ type: "edge-added", from: e.from, to: e.to });
  }

  /**
   * Removes a task and the connections into it. Returns what undo needs: the
   * task (with its own outgoing connections), its index and the removed
   * incoming connections with their indices.
   * @param {string} id
   */
  removeTask(id) {
    const task = this.tasks.get(id);
    if (!task) throw new Error(`no task ${id}`);
    const incoming = [];
    for (const e of this.incoming(id)) {
      incoming.push({ from: e.from, index: e.index, conn: clone(e.conn) });
    }
    for (const e of incoming.slice().reverse()) this.removeConnectionAt(e.from, e.index);
    for (const c of task.connections) {
      if (this.tasks.has(c.to)) this.emit({ type: "edge-removed", from: id, to: c.to });
    }
    const index = this.order.indexOf(id);
    this.order.splice(index, 1);
    this.tasks.delete(id);
    this.emit({ type: "task-removed", id });
    return { task: clone(task), index, incoming };
  }

  /**
   * Moves a task.
   * @param {string} id
   * @param {number[]} pos [x, y] top-left
   */
  moveTask(id, pos) {
    const t = this.tasks.get(id);
    if (!t) throw new Error(`no task ${id}`);
    t.positions = [pos[0], pos[1]];
    this.emit({ type: "task-moved", id });
  }

  /**
   * Sets fields of a task: a value of undefined deletes the field. instId and
   * connections cannot be set here.
   * @param {string} id
   * @param {object} patch
   */
  updateTask(id, patch) {
    const t = this.tasks.get(id);
    if (!t) throw new Error(`no task ${id}`);
    for (const [k, v] of Object.entries(patch)) {
      if (k === "instId" || k === "connections") throw new Error(`cannot set ${k}`);
      if (v === undefined) delete t[k];
      else t[k] = clone(v);
    }
    this.emit({ type: "task-changed", id });
  }

  /**
   * Tells why from → to cannot be connected, or "" when it can.
   * @param {string} from
   * @param {string} to
   * @param {(id: string) => string} [kindOf] the template kind of a task
   * @returns {"" | "self" | "unknown" | "duplicate" | "no-output" | "no-input"}
   */
  connectProblem(from, to, kindOf) {
    if (from === to) return "self";
    if (!this.tasks.has(from) || !this.tasks.has(to)) return "unknown";
    if (this.connection(from, to)) return "duplicate";
    if (kindOf && kindOf(from) === "end") return "no-output";
    if (kindOf && kindOf(to) === "trigger") return "no-input";
    return "";
  }

  /**
   * Adds the connection from → to (props: condition, label, default) at index.
   * @param {string} from
   * @param {string} to
   * @param {object} [props]
   * @param {number} [index]
   */
  connect(from, to, props = {}, index) {
    const problem = this.connectProblem(from, to);
    if (problem) throw new Error(`cannot connect ${from} to ${to}: ${problem}`);
    const list = this.tasks.get(from).connections;
    const conn = { ...clone(props), to };
    list.splice(index === undefined ? list.length : Math.min(index, list.length), 0, conn);
    this.emit({ type: "edge-added", from, to });
  }

  /**
   * Removes the connection from → to; returns it and its index.
   * @param {string} from
   * @param {string} to
   */
  disconnect(from, to) {
    const found = this.connection(from, to);
    if (!found) throw new Error(`no connection ${from} → ${to}`);
    this.removeConnectionAt(from, found.index);
    return { conn: clone(found.conn), index: found.index };
  }

  /** @private */
  removeConnectionAt(from, index) {
    const [conn] = this.tasks.get(from).connections.splice(index, 1);
    this.emit({ type: "edge-removed", from, to: conn.to });
  }

  /**
   * Sets fields of a connection (condition, label, default); undefined deletes.
   * @param {string} from
   * @param {string} to
   * @param {object} patch
   */
  updateConnection(from, to, patch) {
    const found = this.connection(from, to);
    if (!found) throw new Error(`no connection ${from} → ${to}`);
    for (const [k, v] of Object.entries(patch)) {
      if (k === "to") throw new Error("cannot set to");
      if (v === undefined) delete found.conn[k];
      else found.conn[k] = clone(v);
    }
    this.emit({ type: "edge-changed", from, to });
  }

  /**
   * Sets process fields (name, description, engine, …); undefined deletes.
   * @param {object} patch
   */
  updateMeta(patch) {
    for (const [k, v] of Object.entries(patch)) {
      if (k === "tasks") throw new Error("cannot set tasks");
      if (v === undefined) delete this.meta[k];
      else this.meta[k] = clone(v);
    }
    this.emit({ type: "meta" });
  }
}
