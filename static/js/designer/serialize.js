// flowcraft designer — between the definition JSON (DESIGN §2) and the graph:
// load, save, import/export, copy/paste and new tasks. No DOM.
//
// `positions` is the top-left corner of a node (see geometry.js) and is kept
// exactly as written; `connections` are kept in order with all their fields.

import { Graph, clone } from "./graph.js";
import { newTaskId } from "./ids.js";
import { snap } from "./geometry.js";
import { renameErrorTargets } from "./routes.js";

/** The fields of a task the designer edits, in the order the server writes them. */
const TASK_FIELDS = ["instId", "name", "description", "template", "positions", "connections", "parameters", "errorHandler", "loopHandler", "timeout", "isIgnore"];

/**
 * Checks that text or a value is a process definition the designer can open
 * and returns it as an object; throws an Error naming the problem otherwise.
 * @param {string | object} input
 * @returns {object}
 */
export function parseDefinition(input) {
  const def = typeof input === "string" ? JSON.parse(input) : input;
  // An API answer {"response": {...}} is accepted too.
  const d = def && typeof def === "object" && def.response && Array.isArray(def.response.tasks) ? def.response : def;
  if (!d || typeof d !== "object" || Array.isArray(d)) throw new Error("not a JSON object");
  if (d.tasks !== undefined && !Array.isArray(d.tasks)) throw new Error("tasks must be an array");
  for (const [i, t] of (d.tasks || []).entries()) {
    if (!t || typeof t !== "object" || Array.isArray(t)) throw new Error(`tasks[${i}] is not an object`);
    if (typeof t.template !== "string" || !t.template) throw new Error(`tasks[${i}] has no template`);
    if (t.connections !== undefined && !Array.isArray(t.connections)) throw new Error(`tasks[${i}].connections must be an array`);
  }
  return d;
}

/**
 * Builds a graph from a definition. Tasks without an instId get one, tasks
 * without positions are put in a row; everything else is kept as it is.
 * @param {object} def a process definition
 * @param {() => number} [random] for new ids (tests)
 * @returns {Graph}
 */
export function fromDefinition(def, random) {
  const { tasks = [], ...meta } = clone(def) || {};
  const taken = new Set(tasks.map((t) => t.instId).filter(Boolean));
  tasks.forEach((t, i) => {
    if (!t.instId) {
      t.instId = newTaskId(taken, random);
      taken.add(t.instId);
    }
    if (!Array.isArray(t.positions) || t.positions.length < 2 || !t.positions.every(Number.isFinite)) {
      t.positions = [80 + i * 180, 200];
    }
    if (!Array.isArray(t.connections)) t.connections = [];
  });
  return new Graph(meta, tasks);
}

/**
 * Returns the definition of a graph: the process fields and the tasks in
 * order, deep-copied.
 * @param {Graph} g
 * @returns {object}
 */
export function toDefinition(g) {
  return { ...clone(g.meta), tasks: clone(g.allTasks()) };
}

/**
 * Returns a new task of a template at a position.
 * @param {{id: string, label?: {zh?: string, en?: string}}} spec the template
 * @param {string} id the new task id
 * @param {number[]} pos [x, y] top-left
 * @param {string} name the display name
 * @returns {object}
 */
export function newTask(spec, id, pos, name) {
  return {
    instId: id,
    name,
    description: "",
    template: spec.id,
    positions: [snap(pos[0]), snap(pos[1])],
    connections: [],
    parameters: {},
    errorHandler: {},
    loopHandler: {},
    timeout: 0,
    isIgnore: false,
  };
}

/**
 * Copies tasks for the clipboard: the tasks and only the connections among them.
 * @param {Graph} g
 * @param {Iterable<string>} ids
 * @returns {{kind: "flowcraft/tasks", tasks: object[]}}
 */
export function copyTasks(g, ids) {
  const set = new Set([...ids].filter((id) => g.has(id)));
  const tasks = g.order
    .filter((id) => set.has(id))
    .map((id) => {
      const t = clone(g.task(id));
      t.connections = t.connections.filter((c) => set.has(c.to));
      return t;
    });
  return { kind: "flowcraft/tasks", tasks };
}

/**
 * Makes pasteable tasks from a clipboard: new ids (connections, a goto target
 * and error routes' targets among the copied tasks follow them), positions
 * moved by offset.
 * @param {{tasks: object[]}} clip
 * @param {{has(id: string): boolean}} taken ids in use
 * @param {number[]} offset [dx, dy]
 * @param {() => number} [random]
 * @returns {object[]}
 */
export function pasteTasks(clip, taken, offset, random) {
  const used = new Set();
  const isTaken = { has: (id) => used.has(id) || taken.has(id) };
  const rename = new Map();
  for (const t of clip.tasks) {
    const id = newTaskId(isTaken, random);
    used.add(id);
    rename.set(t.instId, id);
  }
  return clip.tasks.map((t) => {
    const c = clone(t);
    c.instId = rename.get(t.instId);
    const p = Array.isArray(c.positions) ? c.positions : [0, 0];
    c.positions = [p[0] + offset[0], p[1] + offset[1]];
    c.connections = (c.connections || []).filter((x) => rename.has(x.to)).map((x) => ({ ...x, to: rename.get(x.to) }));
    renameErrorTargets(c, rename);
    return c;
  });
}

/**
 * Orders the keys of a task like the server does, for a tidy export. Fields
 * the designer does not know come last, unchanged.
 * @param {object} task
 */
export function tidyTask(task) {
  const out = {};
  for (const k of TASK_FIELDS) if (k in task) out[k] = task[k];
  for (const k of Object.keys(task)) if (!(k in out)) out[k] = task[k];
  return out;
}
