// node --test: error routes (errorHandler.routes) in the model: round trips,
// editing, copy/paste, what the canvas draws, undo.
import { test } from "node:test";
import assert from "node:assert/strict";

import { fromDefinition, toDefinition, copyTasks, pasteTasks, tidyTask } from "../serialize.js";
import { routesOf, withRoutes, routeLinks, renameErrorTargets } from "../routes.js";
import { routePath } from "../geometry.js";
import * as cmd from "../commands.js";
import { History } from "../history.js";

const def = {
  id: "proc-routes01",
  name: "orders",
  tasks: [
    { instId: "task-start001", name: "Start", template: "manual", positions: [80, 200], connections: [{ to: "task-ext00001" }], parameters: {} },
    {
      instId: "task-ext00001",
      name: "Charge",
      template: "external-task",
      positions: [260, 200],
      connections: [{ to: "task-end00001" }],
      parameters: { topic: { value: "charge" }, retries: { value: 3 } },
      errorHandler: {
        strategy: "goto",
        target: "task-end00002",
        routes: [
          { errorCode: "CARD_DECLINED", target: "task-end00002" },
          { errorCode: "", target: "task-end00003" },
        ],
      },
    },
    { instId: "task-end00001", name: "Done", template: "end", positions: [440, 200], connections: [] },
    { instId: "task-end00002", name: "Declined", template: "end", positions: [440, 320], connections: [] },
    { instId: "task-end00003", name: "Other", template: "end", positions: [440, 440], connections: [] },
  ],
};

test("error routes round-trip exactly through the graph and the export", () => {
  const g = fromDefinition(def);
  assert.deepEqual(toDefinition(g), def);
  assert.deepEqual(toDefinition(fromDefinition(JSON.parse(JSON.stringify(toDefinition(g))))), def);
  assert.deepEqual(tidyTask(g.task("task-ext00001")).errorHandler.routes, def.tasks[1].errorHandler.routes);
});

test("routesOf copies; withRoutes trims codes, keeps incomplete rows, drops an empty list", () => {
  const g = fromDefinition(def);
  const rs = routesOf(g.task("task-ext00001"));
  rs[0].errorCode = "changed";
  assert.equal(g.task("task-ext00001").errorHandler.routes[0].errorCode, "CARD_DECLINED");
  assert.deepEqual(routesOf({}), []);
  assert.deepEqual(routesOf({ errorHandler: { routes: "x" } }), []);

  const eh = { retry: 2, strategy: "ignore" };
  assert.deepEqual(withRoutes(eh, [{ errorCode: "  NOT_FOUND ", target: "t1" }, { errorCode: "", target: "" }]), {
    retry: 2,
    strategy: "ignore",
    routes: [
      { errorCode: "NOT_FOUND", target: "t1" },
      { errorCode: "", target: "" },
    ],
  });
  assert.deepEqual(withRoutes({ ...eh, routes: [{ errorCode: "A", target: "t" }] }, []), eh);
  assert.deepEqual(eh, { retry: 2, strategy: "ignore" }, "the input is not changed");
});

test("editing routes is one undoable command and round-trips", () => {
  const g = fromDefinition(def);
  const h = new History(g);
  const before = JSON.stringify(toDefinition(g));
  const id = "task-ext00001";
  const rows = [...routesOf(g.task(id)), { errorCode: "TIMEOUT", target: "task-end00001" }];
  h.execute(cmd.updateTask(id, { errorHandler: withRoutes(g.task(id).errorHandler, rows) }));
  const saved = toDefinition(g);
  assert.equal(saved.tasks[1].errorHandler.routes.length, 3);
  assert.deepEqual(saved.tasks[1].errorHandler.routes[2], { errorCode: "TIMEOUT", target: "task-end00001" });
  assert.equal(saved.tasks[1].errorHandler.strategy, "goto");
  assert.deepEqual(toDefinition(fromDefinition(saved)), saved);
  h.undo();
  assert.equal(JSON.stringify(toDefinition(g)), before);
  h.redo();
  h.execute(cmd.updateTask(id, { errorHandler: withRoutes(g.task(id).errorHandler, []) }));
  assert.equal("routes" in g.task(id).errorHandler, false);
});

test("the canvas draws one link per route to an existing other task", () => {
  const g = fromDefinition(def);
  assert.deepEqual(routeLinks(g), [
    { from: "task-ext00001", to: "task-end00002", index: 0, code: "CARD_DECLINED" },
    { from: "task-ext00001", to: "task-end00003", index: 1, code: "" },
  ]);
  const broken = structuredClone(def);
  broken.tasks[1].errorHandler.routes.push({ errorCode: "X", target: "task-gone0001" }, { errorCode: "Y", target: "" }, { errorCode: "Z", target: "task-ext00001" });
  assert.equal(routeLinks(fromDefinition(broken)).length, 2);
});

test("copy and paste: route targets among the copied tasks follow, others stay", () => {
  const g = fromDefinition(def);
  const pasted = pasteTasks(copyTasks(g, ["task-ext00001", "task-end00002"]), g.tasks, [20, 20]);
  const [ext, end2] = pasted;
  assert.equal(ext.errorHandler.routes[0].target, end2.instId);
  assert.equal(ext.errorHandler.routes[1].target, "task-end00003");
  assert.equal(ext.errorHandler.target, end2.instId);
  assert.deepEqual(toDefinition(g), def, "the originals are untouched");

  const task = { errorHandler: { routes: [{ errorCode: "A", target: "a" }, null] } };
  renameErrorTargets(task, new Map([["a", "b"]]));
  assert.deepEqual(task.errorHandler.routes, [{ errorCode: "A", target: "b" }, null]);
  renameErrorTargets({}, new Map());
});

test("a route's path leaves the bottom of its task and enters the target from the left", () => {
  const { d, mid } = routePath({ x: 100, y: 60 }, { x: 300, y: 200 });
  assert.match(d, /^M100,60 C100,\d+(\.\d)? \d+(\.\d)?,200 300,200$/);
  assert.ok(mid.x > 100 && mid.x < 300 && mid.y > 60 && mid.y <= 200, JSON.stringify(mid));
});
