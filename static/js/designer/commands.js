// flowcraft designer — commands: every change of the graph made by the user is
// a command with do() and undo(), so the history can take it back. No DOM.
//
// A command is {label, do(graph), undo(graph), mergeKey?, merge?(next)}. Two
// commands with the same mergeKey in quick succession (typing in a field) are
// merged by the history into one step.

import { clone, edgeKey, parseEdgeKey } from "./graph.js";

/**
 * Adds tasks and, after all of them exist, connections between them or to
 * existing tasks. Used for a palette drop and for paste.
 * @param {object[]} tasks full task objects with unique instIds (their own connections are kept)
 * @param {string} [label]
 */
export function addTasks(tasks, label = "add") {
  const copies = clone(tasks);
  return {
    label,
    do(g) {
      // Add without connections first, so an edge is only drawn once both ends exist.
      for (const t of copies) g.addTask({ ...t, connections: [] });
      for (const t of copies) {
        for (const c of t.connections || []) {
          if (g.has(c.to) && !g.connection(t.instId, c.to)) {
            const { to, ...props } = c;
            g.connect(t.instId, to, props);
          }
        }
      }
    },
    undo(g) {
      for (const t of copies.slice().reverse()) if (g.has(t.instId)) g.removeTask(t.instId);
    },
  };
}

/**
 * Removes tasks (with every connection into or out of them) and single
 * connections. Undo puts everything back where it was, in the same order.
 * @param {Iterable<string>} taskIds
 * @param {Iterable<string>} edgeKeys keys from edgeKey(from, to)
 */
export function removeElements(taskIds, edgeKeys = []) {
  const ids = [...taskIds];
  const keys = [...edgeKeys];
  /** @type {{edges: {from: string, index: number, conn: object}[], tasks: {task: object, index: number}[]}} */
  let saved = null;
  return {
    label: "delete",
    do(g) {
      const idSet = new Set(ids);
      const edges = [];
      // Connections first (those touching removed tasks come back with their tasks).
      for (const key of keys) {
        const { from, to } = parseEdgeKey(key);
        if (idSet.has(from) || idSet.has(to)) continue;
        if (!g.connection(from, to)) continue;
        const { conn, index } = g.disconnect(from, to);
        edges.push({ from, index, conn });
      }
      const tasks = [];
      for (const id of ids) {
        if (!g.has(id)) continue;
        const r = g.removeTask(id);
        tasks.push({ task: r.task, index: r.index });
        for (const inc of r.incoming) edges.push(inc);
      }
      saved = { edges, tasks };
    },
    undo(g) {
      const { edges, tasks } = saved;
      for (const { task, index } of tasks.slice().reverse()) {
        g.addTask({ ...task, connections: [] }, index);
      }
      // Outgoing connections of restored tasks, in their original order.
      for (const { task } of tasks) {
        task.connections.forEach((c, i) => {
          if (g.has(c.to) && !g.connection(task.instId, c.to)) {
            const { to, ...props } = c;
            g.connect(task.instId, to, props, i);
          } else if (!g.has(c.to)) {
            // A dangling connection (to a task that does not exist): keep it as it was.
            g.task(task.instId).connections.splice(i, 0, clone(c));
          }
        });
      }
      // Other removed connections, in reverse order of removal so indices fit.
      for (const { from, index, conn } of edges.slice().reverse()) {
        if (g.has(from) && g.has(conn.to) && !g.connection(from, conn.to)) {
          const { to, ...props } = conn;
          g.connect(from, to, props, index);
        }
      }
    },
  };
}

/**
 * Moves tasks. moves: [{id, from: [x, y], to: [x, y]}].
 * @param {{id: string, from: number[], to: number[]}[]} moves
 * @param {string} [label]
 */
export function moveTasks(moves, label = "move") {
  const ms = clone(moves);
  return {
    label,
    do(g) {
      for (const m of ms) g.moveTask(m.id, m.to);
    },
    undo(g) {
      for (const m of ms) g.moveTask(m.id, m.from);
    },
    merge(next) {
      // Keyboard nudges of the same tasks: keep the first "from", take the last "to".
      for (const n of next.moves()) {
        const m = ms.find((x) => x.id === n.id);
        if (m) m.to = n.to.slice();
        else ms.push(clone(n));
      }
      return true;
    },
    moves: () => ms,
  };
}

/**
 * Moves tasks by a small step (arrow keys); consecutive nudges of the same
 * tasks merge into one undo step.
 * @param {import("./graph.js").Graph} g
 * @param {string[]} ids
 * @param {number} dx
 * @param {number} dy
 */
export function nudge(g, ids, dx, dy) {
  const moves = ids
    .filter((id) => g.has(id))
    .map((id) => {
      const from = g.task(id).positions.slice(0, 2);
      return { id, from, to: [from[0] + dx, from[1] + dy] };
    });
  const c = moveTasks(moves, "move");
  c.mergeKey = `nudge:${ids.slice().sort().join(",")}`;
  return c;
}

/**
 * Builds a moveTasks command from the graph's current positions to new ones;
 * tasks whose position does not change are left out.
 * @param {import("./graph.js").Graph} g
 * @param {Map<string, number[]>} positions
 * @param {string} [label]
 */
export function setPositions(g, positions, label = "layout") {
  const moves = [];
  for (const [id, to] of positions) {
    const t = g.task(id);
    if (!t) continue;
    const from = Array.isArray(t.positions) ? t.positions.slice(0, 2) : [0, 0];
    if (from[0] !== to[0] || from[1] !== to[1]) moves.push({ id, from, to: [to[0], to[1]] });
  }
  return moveTasks(moves, label);
}

/**
 * Connects from → to.
 * @param {string} from
 * @param {string} to
 * @param {object} [props] condition, label, default
 */
export function connect(from, to, props = {}) {
  const p = clone(props);
  return {
    label: "connect",
    do(g) {
      g.connect(from, to, p);
    },
    undo(g) {
      g.disconnect(from, to);
    },
  };
}

/** Returns the current values of keys in obj (undefined for missing ones). */
function pick(obj, keys) {
  const out = {};
  for (const k of keys) out[k] = clone(obj[k]);
  return out;
}

/**
 * Sets fields of a task (name, description, parameters, errorHandler, …).
 * Consecutive edits of the same fields of the same task merge into one step.
 * @param {string} id
 * @param {object} patch undefined values delete the field
 */
export function updateTask(id, patch) {
  const after = clone(patch);
  const keys = Object.keys(patch);
  let before = null;
  return {
    label: "edit",
    mergeKey: `task:${id}:${keys.sort().join(",")}`,
    do(g) {
      if (!before) before = pick(g.task(id), keys);
      g.updateTask(id, after);
    },
    undo(g) {
      g.updateTask(id, before);
    },
    merge(next) {
      Object.assign(after, clone(next.after()));
      return true;
    },
    after: () => after,
  };
}

/**
 * Sets one parameter value of a task: parameters[key].value. A value of
 * undefined removes the parameter (the server then applies the default).
 * Other fields of the parameter (label, type, …) are kept.
 * @param {import("./graph.js").Graph} g
 * @param {string} id
 * @param {string} key
 * @param {*} value
 */
export function setParameter(g, id, key, value) {
  const params = clone(g.task(id)?.parameters) || {};
  if (value === undefined) {
    delete params[key];
  } else {
    const prev = params[key] && typeof params[key] === "object" ? params[key] : {};
    params[key] = { ...prev, value: clone(value) };
  }
  const cmd = updateTask(id, { parameters: params });
  cmd.mergeKey = `param:${id}:${key}`;
  return cmd;
}

/**
 * Sets fields of the connection from → to (condition, label, default).
 * @param {string} from
 * @param {string} to
 * @param {object} patch
 */
export function updateConnection(from, to, patch) {
  const after = clone(patch);
  const keys = Object.keys(patch);
  let before = null;
  return {
    label: "edit",
    mergeKey: `edge:${edgeKey(from, to)}:${keys.sort().join(",")}`,
    do(g) {
      if (!before) before = pick(g.connection(from, to).conn, keys);
      g.updateConnection(from, to, after);
    },
    undo(g) {
      g.updateConnection(from, to, before);
    },
    merge(next) {
      Object.assign(after, clone(next.after()));
      return true;
    },
    after: () => after,
  };
}

/**
 * Sets process fields (name, description, engine, timeout, inputDataSchema …).
 * @param {object} patch
 */
export function updateMeta(patch) {
  const after = clone(patch);
  const keys = Object.keys(patch);
  let before = null;
  return {
    label: "edit",
    mergeKey: `meta:${keys.sort().join(",")}`,
    do(g) {
      if (!before) before = pick(g.meta, keys);
      g.updateMeta(after);
    },
    undo(g) {
      g.updateMeta(before);
    },
    merge(next) {
      Object.assign(after, clone(next.after()));
      return true;
    },
    after: () => after,
  };
}

/**
 * Replaces the whole definition (import). Undo restores the previous one.
 * @param {object} meta
 * @param {object[]} tasks
 */
export function replaceAll(meta, tasks) {
  const next = { meta: clone(meta), tasks: clone(tasks) };
  let prev = null;
  return {
    label: "import",
    do(g) {
      if (!prev) prev = { meta: clone(g.meta), tasks: clone(g.allTasks()) };
      g.reset({ ...next.meta, id: g.meta.id, version: g.meta.version }, next.tasks);
    },
    undo(g) {
      // The process keeps its identity and the version the server last gave it.
      g.reset({ ...prev.meta, id: g.meta.id, version: g.meta.version }, prev.tasks);
    },
  };
}

/**
 * Runs several commands as one undoable step.
 * @param {string} label
 * @param {object[]} cmds
 */
export function batch(label, cmds) {
  return {
    label,
    do(g) {
      for (const c of cmds) c.do(g);
    },
    undo(g) {
      for (const c of cmds.slice().reverse()) c.undo(g);
    },
  };
}
