// node --test: the live instance model (snapshot + events by runtime id).
import { test } from "node:test";
import assert from "node:assert/strict";

import { InstanceModel, compareIds, elapsed, takenEdges, runLabel, sampleFromSchema } from "../runmodel.js";

const view = () => ({
  id: "100",
  status: "running",
  updateAt: 10,
  trigger: { days: 2 },
  tasks: [
    { instId: "start", name: "Start", template: "manual", status: "done", runtimes: [{ id: "101", taskId: "start", status: "done", index: 0, attempt: 0, startAt: 1, endAt: 1, cost: 0 }] },
    { instId: "calc", name: "Calc", template: "script", status: "running", runtimes: [{ id: "102", taskId: "calc", status: "running", index: 0, attempt: 0, startAt: 2 }] },
    { instId: "end", name: "End", template: "end", status: "", runtimes: [] },
  ],
});

test("compareIds orders decimal snowflakes of any length", () => {
  assert.ok(compareIds("9", "10") < 0);
  assert.ok(compareIds("2124474034535006213", "2124474034539200512") < 0);
  assert.equal(compareIds("5", "5"), 0);
  assert.deepEqual(["10", "9", "100"].sort(compareIds), ["9", "10", "100"]);
});

test("a snapshot gives statuses and a timeline", () => {
  const m = new InstanceModel(view());
  assert.equal(m.taskStatus("start"), "done");
  assert.equal(m.taskStatus("calc"), "running");
  assert.equal(m.taskStatus("end"), "");
  assert.deepEqual(m.timeline().map((r) => r.id), ["101", "102"]);
  assert.equal(m.ended, false);
});

test("node events upsert by runtime id; a repeat changes nothing", () => {
  const m = new InstanceModel(view());
  const done = { type: "node", instanceId: "100", id: "102", taskId: "calc", status: "done", index: 0, attempt: 0, startAt: 2, endAt: 5, cost: 3, output: { ok: true } };
  const c = m.apply(done);
  assert.deepEqual([...c.tasks], ["calc"]);
  assert.deepEqual([...c.runtimes], ["102"]);
  assert.equal(m.taskStatus("calc"), "done");
  assert.equal(m.runtimesOf("calc").length, 1);
  assert.equal(m.apply(done), null, "the same event twice is no change");
  const c2 = m.apply({ type: "node", instanceId: "100", id: "103", taskId: "end", status: "running", startAt: 6 });
  assert.deepEqual([...c2.tasks], ["end"]);
  assert.equal(m.taskStatus("end"), "running");
  assert.equal(m.apply({ type: "node", instanceId: "999", id: "5", taskId: "end", status: "done" }), null, "other instances are ignored");
});

test("a runtime keeps its input (resolved parameters) and incoming data", () => {
  const m = new InstanceModel(view());
  m.apply({ type: "node", id: "102", taskId: "calc", status: "done", input: { code: "return 1" }, incoming: { days: 2 }, output: 1 });
  assert.deepEqual(m.runtime("102").input, { code: "return 1" });
  assert.deepEqual(m.runtime("102").incoming, { days: 2 });
});

test("node events keep the human tasks the snapshot had", () => {
  const v = view();
  v.tasks[1].runtimes[0] = { id: "102", taskId: "calc", template: "approval", status: "waiting", humanTasks: [{ id: "7", status: "open" }] };
  const m = new InstanceModel(v);
  m.apply({ type: "node", id: "102", taskId: "calc", template: "approval", status: "done" });
  assert.equal(m.runtime("102").humanTasks[0].id, "7");
});

test("process events update the instance; older replies are ignored", () => {
  const m = new InstanceModel(view());
  const c = m.apply({ type: "process", id: "100", status: "done", output: { approved: true }, updateAt: 20, endAt: 20, cost: 19 });
  assert.equal(c.instance, true);
  assert.equal(m.instance.status, "done");
  assert.equal(m.ended, true);
  assert.equal(m.apply({ type: "process", id: "100", status: "running", updateAt: 15 }), null, "a stale reply does not undo");
  assert.equal(m.apply({ type: "process", id: "100", status: "done", updateAt: 20 }), null, "nothing new");
});

test("a new snapshot reports only what differs", () => {
  const m = new InstanceModel(view());
  const next = view();
  next.tasks[1].runtimes[0].status = "done";
  next.tasks[2].runtimes.push({ id: "103", taskId: "end", status: "done" });
  const c = m.apply({ type: "snapshot", ...next });
  assert.deepEqual([...c.tasks].sort(), ["calc", "end"]);
  assert.deepEqual([...c.runtimes].sort(), ["102", "103"]);
  assert.equal(c.instance, false);
});

test("loops and retries: labels, counts and the task's status", () => {
  const m = new InstanceModel({ id: "1", tasks: [{ instId: "loop", name: "Loop", runtimes: [] }, { instId: "flaky", name: "Flaky", runtimes: [] }] });
  for (let i = 0; i < 3; i++) m.apply({ type: "node", id: String(10 + i), taskId: "loop", index: i, attempt: 0, status: "done" });
  m.apply({ type: "node", id: "20", taskId: "flaky", index: 0, attempt: 0, status: "failed" });
  m.apply({ type: "node", id: "21", taskId: "flaky", index: 0, attempt: 1, status: "running" });
  const tl = m.timeline();
  const t = (k, p) => `${k}:${p.n}`;
  assert.deepEqual(tl.map((r) => runLabel(r, t)), ["rt.iteration:1", "rt.iteration:2", "rt.iteration:3", "", "rt.attempt:1"]);
  assert.equal(m.taskStatus("flaky"), "running");
  assert.equal(m.taskStatus("loop"), "done");
});

test("elapsed: cost when ended, time since start while running", () => {
  assert.equal(elapsed({ startAt: 100, endAt: 150, cost: 50 }, 1000), 50);
  assert.equal(elapsed({ startAt: 100 }, 400), 300);
  assert.equal(elapsed({}, 400), null);
});

test("taken connections go from a finished task to one that ran", () => {
  const edges = [{ from: "a", to: "b" }, { from: "b", to: "c" }, { from: "b", to: "d" }];
  const st = new Map([["a", "done"], ["b", "done"], ["c", "running"], ["d", ""]]);
  assert.deepEqual([...takenEdges(edges, st)], ["a>b", "b>c"]);
});

test("sample trigger data from a JSON schema", () => {
  const s = sampleFromSchema({
    type: "object",
    properties: { applicant: { type: "string" }, days: { type: "number", minimum: 0.5 }, urgent: { type: "boolean" }, kind: { enum: ["sick", "annual"] }, note: { type: "string", default: "n/a" }, rows: { type: "array" } },
  });
  assert.deepEqual(s, { applicant: "", days: 0.5, urgent: false, kind: "sick", note: "n/a", rows: [] });
  assert.deepEqual(sampleFromSchema({}), {});
  assert.deepEqual(sampleFromSchema(null), {});
});
