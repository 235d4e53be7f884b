// node --test: auto-layout and geometry.
import { test } from "node:test";
import assert from "node:assert/strict";

import { layeredLayout } from "../layout.js";
import { edgePath, fitView, zoomAt, nodeSize, inPort, outPort, intersects, snap } from "../geometry.js";

const box = (pos, n) => ({ x: pos[0], y: pos[1], w: n.w, h: n.h });

function check(nodes, edges, { acyclic = true } = {}) {
  const pos = layeredLayout(nodes, edges);
  assert.equal(pos.size, nodes.length, "every node is placed");
  for (const n of nodes) {
    const p = pos.get(n.id);
    assert.ok(p && Number.isFinite(p[0]) && Number.isFinite(p[1]), `${n.id} has a position`);
    assert.equal(p[0], snap(p[0]));
    assert.equal(p[1], snap(p[1]));
  }
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) {
      const a = box(pos.get(nodes[i].id), nodes[i]);
      const b = box(pos.get(nodes[j].id), nodes[j]);
      assert.ok(!intersects(a, b), `${nodes[i].id} and ${nodes[j].id} overlap`);
    }
  }
  if (acyclic) {
    for (const e of edges) assert.ok(pos.get(e.from)[0] < pos.get(e.to)[0], `${e.from} → ${e.to} points right`);
  }
  return pos;
}

const n = (id, kind = "action") => ({ id, ...nodeSize(kind) });

test("layout of a chain, a diamond and a long edge", () => {
  const nodes = [n("s", "trigger"), n("g", "flow"), n("a"), n("b"), n("j", "flow"), n("e", "end")];
  const edges = [
    { from: "s", to: "g" },
    { from: "g", to: "a" },
    { from: "g", to: "b" },
    { from: "a", to: "j" },
    { from: "b", to: "j" },
    { from: "j", to: "e" },
    { from: "s", to: "e" },
  ];
  const pos = check(nodes, edges);
  assert.deepEqual(pos.get("s"), [80, pos.get("s")[1]]);
  assert.ok(pos.get("a")[1] !== pos.get("b")[1], "branches are stacked");
});

test("layout keeps every node with cycles, self-loops, isolated nodes and unknown edges", () => {
  const nodes = [n("a"), n("b"), n("c"), n("lonely"), n("d")];
  const edges = [
    { from: "a", to: "b" },
    { from: "b", to: "c" },
    { from: "c", to: "a" },
    { from: "c", to: "c" },
    { from: "c", to: "nowhere" },
    { from: "d", to: "a" },
  ];
  check(nodes, edges, { acyclic: false });
  assert.equal(layeredLayout([], []).size, 0);
});

test("layout of 300 nodes is quick and overlap-free", () => {
  const nodes = [];
  const edges = [];
  for (let i = 0; i < 300; i++) {
    nodes.push(n(`t${i}`, i % 7 === 3 ? "flow" : "action"));
    if (i > 0) edges.push({ from: `t${Math.floor((i - 1) / 2)}`, to: `t${i}` });
    if (i > 10 && i % 5 === 0) edges.push({ from: `t${i - 9}`, to: `t${i}` });
  }
  const t0 = performance.now();
  check(nodes, edges);
  assert.ok(performance.now() - t0 < 2000, "under two seconds");
});

test("geometry: ports, paths and the viewport", () => {
  assert.deepEqual(outPort([100, 50], "action"), { x: 100 + nodeSize("action").w, y: 50 + nodeSize("action").h / 2 });
  assert.deepEqual(inPort([100, 50], "flow"), { x: 100, y: 50 + nodeSize("flow").h / 2 });
  const { d, mid } = edgePath({ x: 0, y: 0 }, { x: 200, y: 100 });
  assert.match(d, /^M0,0 C/);
  assert.ok(d.endsWith("200,100"));
  assert.deepEqual(mid, { x: 100, y: 50 });
  // Zooming keeps the point under the cursor still.
  const v = zoomAt({ x: 10, y: 20, k: 1 }, 2, 110, 120);
  assert.deepEqual(v, { x: -90, y: -80, k: 2 });
  const z = zoomAt({ x: 0, y: 0, k: 1 }, 100, 0, 0);
  assert.equal(z.k, 2.5, "zoom is clamped");
  // Fit centres the box and never zooms in past 100 %.
  const f = fitView({ x: 0, y: 0, w: 100, h: 100 }, 1000, 800);
  assert.deepEqual(f, { x: 450, y: 350, k: 1 });
  const g = fitView({ x: 0, y: 0, w: 4000, h: 100 }, 1000, 800, 0);
  assert.equal(g.k, 0.25);
});
