// node --test: the graph model, commands and undo/redo.
import { test } from "node:test";
import assert from "node:assert/strict";

import { Graph, edgeKey } from "../graph.js";
import * as cmd from "../commands.js";
import { History } from "../history.js";
import { newTaskId, TASK_ID_RE } from "../ids.js";

const task = (id, x = 0, y = 0, template = "script") => ({ instId: id, name: id, template, positions: [x, y], connections: [], parameters: {} });

/** A graph a → b → c. */
function chain() {
  const g = new Graph({ name: "p", version: 3 }, [task("a", 0, 0, "manual"), task("b", 200, 0), task("c", 400, 0, "end")]);
  g.connect("a", "b");
  g.connect("b", "c", { label: "ok" });
  return g;
}

const snapshot = (g) => JSON.stringify({ meta: g.meta, tasks: g.allTasks() });

test("add, connect, disconnect and remove tasks", () => {
  const g = new Graph();
  const events = [];
  g.on((e) => events.push(e.type));
  g.addTask(task("a"));
  g.addTask(task("b"));
  g.connect("a", "b", { condition: "input.ok" });
  assert.deepEqual(g.task("a").connections, [{ condition: "input.ok", to: "b" }]);
  assert.deepEqual(g.edges().map((e) => [e.from, e.to]), [["a", "b"]]);
  assert.throws(() => g.connect("a", "b"), /duplicate/);
  assert.throws(() => g.connect("a", "a"), /self/);
  assert.throws(() => g.addTask(task("a")), /duplicate/);
  g.disconnect("a", "b");
  assert.equal(g.edges().length, 0);
  g.connect("a", "b");
  const removed = g.removeTask("b");
  assert.equal(g.size, 1);
  assert.deepEqual(g.task("a").connections, [], "the connection into the removed task goes too");
  assert.deepEqual(removed.incoming.map((e) => e.from), ["a"]);
  assert.deepEqual(events, ["task-added", "task-added", "edge-added", "edge-removed", "edge-added", "edge-removed", "task-removed"]);
});

test("connectProblem knows triggers and ends", () => {
  const g = chain();
  const kinds = { a: "trigger", b: "action", c: "end" };
  const kindOf = (id) => kinds[id];
  assert.equal(g.connectProblem("c", "b", kindOf), "no-output");
  assert.equal(g.connectProblem("b", "a", kindOf), "no-input");
  assert.equal(g.connectProblem("a", "b", kindOf), "duplicate");
  assert.equal(g.connectProblem("a", "c", kindOf), "");
  assert.equal(g.connectProblem("a", "zz", kindOf), "unknown");
});

test("undo and redo of every command restore the graph exactly", () => {
  const cases = {
    add: (g) => cmd.addTasks([{ ...task("d", 600, 0), connections: [{ to: "c" }] }]),
    remove: () => cmd.removeElements(["b"]),
    "remove edge": () => cmd.removeElements([], [edgeKey("b", "c")]),
    "remove task and edge": () => cmd.removeElements(["c"], [edgeKey("a", "b")]),
    move: () => cmd.moveTasks([{ id: "b", from: [200, 0], to: [210, 40] }]),
    connect: () => cmd.connect("a", "c", { label: "skip" }),
    "update task": () => cmd.updateTask("b", { name: "Renamed", description: undefined, timeout: 5000 }),
    parameter: (g) => cmd.setParameter(g, "b", "code", "return 1"),
    "update connection": () => cmd.updateConnection("b", "c", { condition: "input.x > 1", label: undefined }),
    meta: () => cmd.updateMeta({ name: "q", engine: "fast" }),
    layout: (g) => cmd.setPositions(g, new Map([["a", [1, 2]], ["c", [3, 4]]])),
    import: () => cmd.replaceAll({ name: "other" }, [task("x")]),
    batch: (g) => cmd.batch("two", [cmd.removeElements(["a"]), cmd.setParameter(g, "b", "code", "x")]),
  };
  for (const [name, make] of Object.entries(cases)) {
    const g = chain();
    const h = new History(g);
    const before = snapshot(g);
    h.execute(make(g));
    const after = snapshot(g);
    assert.notEqual(after, before, `${name}: the command changes the graph`);
    assert.ok(h.undo(), name);
    assert.equal(snapshot(g), before, `${name}: undo restores`);
    assert.ok(h.redo(), name);
    assert.equal(snapshot(g), after, `${name}: redo repeats`);
  }
});

test("removing a task restores its incoming and outgoing connections in order", () => {
  const g = new Graph({}, [task("a"), task("b"), task("c"), task("d")]);
  g.connect("a", "c");
  g.connect("a", "b");
  g.connect("a", "d");
  g.connect("b", "d");
  g.connect("d", "c");
  const before = snapshot(g);
  const h = new History(g);
  h.execute(cmd.removeElements(["b", "d"]));
  assert.deepEqual(g.edges().map((e) => edgeKey(e.from, e.to)), [edgeKey("a", "c")]);
  h.undo();
  assert.equal(snapshot(g), before);
});

test("typing in one field merges into one step; saving marks the state clean", () => {
  let now = 0;
  const g = chain();
  const h = new History(g, { now: () => now });
  assert.equal(h.dirty, false);
  for (const name of ["R", "Re", "Ren"]) {
    now += 100;
    h.execute(cmd.updateTask("b", { name }));
  }
  assert.equal(h.done.length, 1);
  assert.equal(g.task("b").name, "Ren");
  assert.equal(h.dirty, true);
  h.markSaved();
  assert.equal(h.dirty, false);
  now += 100;
  h.execute(cmd.updateTask("b", { name: "Rena" }));
  assert.equal(h.done.length, 2, "no merging across a save");
  h.undo();
  assert.equal(h.dirty, false, "back at the saved state");
  assert.equal(g.task("b").name, "Ren");
  h.undo();
  assert.equal(g.task("b").name, "b");
  assert.equal(h.dirty, true);
  now += 5000;
  h.execute(cmd.updateTask("b", { name: "Other" }));
  assert.equal(h.canRedo, false);
  assert.equal(h.dirty, true, "the saved state was in the discarded redo steps");
  assert.equal(h.savedAt, -1);
  // Merging ends after the window.
  now += 2000;
  h.execute(cmd.updateTask("b", { name: "Other2" }));
  assert.equal(h.done.length, 2);
});

test("the history keeps at most limit steps", () => {
  const g = new Graph({}, [task("a")]);
  const h = new History(g, { limit: 3 });
  for (let i = 1; i <= 5; i++) h.execute(cmd.moveTasks([{ id: "a", from: [i - 1, 0], to: [i, 0] }]));
  assert.equal(h.done.length, 3);
  while (h.undo());
  assert.deepEqual(g.task("a").positions, [2, 0]);
});

test("new task ids are task- and 8 characters of [a-z0-9], unique", () => {
  const taken = new Set();
  for (let i = 0; i < 500; i++) {
    const id = newTaskId(taken);
    assert.match(id, TASK_ID_RE);
    assert.ok(!taken.has(id));
    taken.add(id);
  }
  // A colliding random source retries.
  let n = 0;
  const seq = [0, 0, 0, 0, 0, 0, 0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5];
  const id = newTaskId(new Set(["task-aaaaaaaa"]), () => seq[n++ % seq.length]);
  assert.equal(id, "task-ssssssss");
});
