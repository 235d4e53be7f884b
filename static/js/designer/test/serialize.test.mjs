// node --test: import/export round trips, copy/paste and new tasks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

import { fromDefinition, toDefinition, parseDefinition, copyTasks, pasteTasks, newTask, tidyTask } from "../serialize.js";
import { layeredLayout } from "../layout.js";
import { setPositions } from "../commands.js";
import { History } from "../history.js";
import { nodeSize } from "../geometry.js";
import { TASK_ID_RE } from "../ids.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const examplesDir = path.resolve(here, "../../../../examples");

/** The repository's examples/ (ready-to-import definitions); there is always one. */
function examples() {
  const list = readdirSync(examplesDir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => [f, JSON.parse(readFileSync(path.join(examplesDir, f), "utf8"))]);
  assert.ok(list.length > 0, `no examples in ${examplesDir}`);
  return list;
}

const sample = {
  id: "proc-abcdefgh",
  name: "请假",
  version: 4,
  inputDataSchema: { type: "object" },
  extension: { custom: [1, 2] },
  tasks: [
    { instId: "task-a0000001", name: "Start", template: "manual", positions: [80, 200], connections: [{ to: "task-b0000001" }], parameters: {}, futureField: { x: 1 } },
    {
      instId: "task-b0000001",
      name: "Gate",
      template: "exclusive-gateway",
      positions: [260.5, 200],
      connections: [
        { to: "task-c0000001", condition: "input.x > 1", label: "big" },
        { to: "task-d0000001", default: true, label: "else" },
      ],
      parameters: {},
    },
    { instId: "task-c0000001", name: "C", template: "script", positions: [440, 120], connections: [], parameters: { code: { label: "代码", type: "string", value: "return 1", required: true } }, errorHandler: { retry: 2, strategy: "goto", target: "task-d0000001" } },
    { instId: "task-d0000001", name: "D", template: "end", positions: [440, 300], connections: [] },
  ],
};

test("a definition round-trips exactly through the graph", () => {
  const g = fromDefinition(sample);
  assert.deepEqual(toDefinition(g), sample);
  assert.deepEqual(toDefinition(fromDefinition(toDefinition(g))), sample);
  // Positions and connections are exactly what was written.
  assert.deepEqual(g.task("task-b0000001").positions, [260.5, 200]);
  assert.deepEqual(g.edges().map((e) => [e.from, e.to]), [
    ["task-a0000001", "task-b0000001"],
    ["task-b0000001", "task-c0000001"],
    ["task-b0000001", "task-d0000001"],
  ]);
});

test("the examples round-trip exactly", () => {
  for (const [name, def] of examples()) {
    const g = fromDefinition(def);
    assert.deepEqual(toDefinition(g), def, name);
    assert.equal(g.size, def.tasks.length, name);
  }
});

test("auto-layout of the examples keeps every node and edge and is one undo step", () => {
  for (const [name, def] of [["sample", sample], ...examples()]) {
    const g = fromDefinition(def);
    const edgesBefore = JSON.stringify(g.edges().map((e) => [e.from, e.to]));
    const kinds = { manual: "trigger", webhook: "trigger", "cron-timer": "trigger", "exclusive-gateway": "flow", end: "end" };
    const nodes = g.allTasks().map((t) => ({ id: t.instId, ...nodeSize(kinds[t.template] || "action") }));
    const pos = layeredLayout(nodes, g.edges());
    const h = new History(g);
    const before = JSON.stringify(toDefinition(g));
    h.execute(setPositions(g, pos));
    assert.equal(g.size, def.tasks.length, name);
    assert.equal(JSON.stringify(g.edges().map((e) => [e.from, e.to])), edgesBefore, name);
    for (const t of g.allTasks()) assert.deepEqual(t.positions, pos.get(t.instId), name);
    assert.equal(h.done.length, 1);
    h.undo();
    assert.equal(JSON.stringify(toDefinition(g)), before, name);
  }
});

test("loading fills what is missing: ids, positions, connections", () => {
  const g = fromDefinition({ name: "x", tasks: [{ template: "manual" }, { template: "end", instId: "task-end" }] }, () => 0.1);
  const [a, b] = g.allTasks();
  assert.match(a.instId, TASK_ID_RE);
  assert.deepEqual(a.positions, [80, 200]);
  assert.deepEqual(b.positions, [260, 200]);
  assert.deepEqual(a.connections, []);
});

test("parseDefinition accepts definitions and API answers, refuses the rest", () => {
  assert.equal(parseDefinition(JSON.stringify(sample)).name, "请假");
  assert.equal(parseDefinition({ response: sample }).id, "proc-abcdefgh");
  assert.throws(() => parseDefinition("[1]"), /object/);
  assert.throws(() => parseDefinition("{"), SyntaxError);
  assert.throws(() => parseDefinition({ tasks: {} }), /array/);
  assert.throws(() => parseDefinition({ tasks: [{ name: "x" }] }), /template/);
});

test("copy and paste: new ids, internal connections only, goto targets follow", () => {
  const g = fromDefinition(sample);
  const clip = copyTasks(g, ["task-b0000001", "task-c0000001", "task-d0000001"]);
  assert.equal(clip.tasks.length, 3);
  const pasted = pasteTasks(clip, g.tasks, [40, 40]);
  const ids = pasted.map((t) => t.instId);
  for (const id of ids) {
    assert.match(id, TASK_ID_RE);
    assert.ok(!g.has(id));
  }
  assert.equal(new Set(ids).size, 3);
  assert.deepEqual(pasted[0].positions, [300.5, 240]);
  assert.deepEqual(pasted[0].connections.map((c) => c.to), [ids[1], ids[2]]);
  assert.equal(pasted[0].connections[0].condition, "input.x > 1");
  assert.equal(pasted[1].errorHandler.target, ids[2]);
  // Only connections among the copied tasks travel.
  const one = pasteTasks(copyTasks(g, ["task-a0000001"]), g.tasks, [0, 0]);
  assert.deepEqual(one[0].connections, []);
  // The originals are untouched.
  assert.deepEqual(toDefinition(g), sample);
});

test("new tasks have the full task shape and a snapped position", () => {
  const t = newTask({ id: "script" }, "task-abcdefgh", [103, 47], "Script");
  assert.deepEqual(t, {
    instId: "task-abcdefgh", name: "Script", description: "", template: "script", positions: [100, 50],
    connections: [], parameters: {}, errorHandler: {}, loopHandler: {}, timeout: 0, isIgnore: false,
  });
  assert.deepEqual(Object.keys(tidyTask({ x: 1, template: "a", instId: "i" })), ["instId", "template", "x"]);
});
