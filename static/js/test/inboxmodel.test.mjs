// node --test: the live inbox model (which open tasks are mine).
import { test } from "node:test";
import assert from "node:assert/strict";

import { InboxModel, isOpenFor } from "../inboxmodel.js";

const me = { id: "lisi", groups: ["hr"] };
const task = (over) => ({ id: "1", status: "open", assignee: "", candidateUsers: [], candidateGroups: [], ...over });

test("isOpenFor: assignee, candidate user, candidate group", () => {
  assert.equal(isOpenFor(task({ assignee: "lisi" }), me), true);
  assert.equal(isOpenFor(task({ candidateUsers: ["lisi"] }), me), true);
  assert.equal(isOpenFor(task({ candidateGroups: ["hr"] }), me), true);
  assert.equal(isOpenFor(task({ candidateGroups: ["hr"], assignee: "wangwu" }), me), false, "claimed by someone else");
  assert.equal(isOpenFor(task({ assignee: "lisi", status: "done" }), me), false);
  assert.equal(isOpenFor(task({ candidateGroups: ["sales"] }), me), false);
});

test("a new task is added and counted; completing it removes it", () => {
  const m = new InboxModel(me);
  assert.deepEqual(m.apply({ type: "snapshot", list: [], total: 0 }), { kind: "snapshot" });
  const c = m.apply({ type: "task", ...task({ id: "7", assignee: "lisi" }) });
  assert.equal(c.kind, "added");
  assert.equal(c.resync, false);
  assert.equal(m.total, 1);
  assert.equal(m.apply({ type: "task", ...task({ id: "7", assignee: "lisi", priority: 80 }) }).kind, "changed");
  assert.equal(m.total, 1);
  assert.equal(m.apply({ type: "task", ...task({ id: "7", assignee: "lisi", status: "done", completedBy: "lisi" }) }).kind, "removed");
  assert.equal(m.total, 0);
});

test("a candidate task claimed by someone else leaves the list", () => {
  const m = new InboxModel(me);
  m.apply({ type: "snapshot", list: [task({ id: "3", candidateGroups: ["hr"] })], total: 1 });
  const c = m.apply({ type: "task", ...task({ id: "3", candidateGroups: ["hr"], assignee: "wangwu" }) });
  assert.equal(c.kind, "removed");
  assert.equal(m.total, 0);
});

test("with more tasks than the first page, unknown tasks ask for a recount", () => {
  const m = new InboxModel(me);
  m.apply({ type: "snapshot", list: [task({ id: "1", assignee: "lisi" })], total: 25 });
  const c = m.apply({ type: "task", ...task({ id: "40", assignee: "lisi" }) });
  assert.equal(c.kind, "added");
  assert.equal(c.resync, true);
  assert.equal(m.total, 25, "not counted twice");
  assert.equal(m.apply({ type: "task", ...task({ id: "41", assignee: "lisi", status: "done" }) }).resync, true);
});
