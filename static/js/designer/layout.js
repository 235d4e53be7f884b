// flowcraft designer — automatic layout: layered, left to right (a compact
// Sugiyama scheme). No DOM.
//
//  1. break cycles: edges that close a cycle (found by depth-first search from
//     the sources) are ignored;
//  2. layers: each node's column is the longest path from a source;
//  3. order: long edges get placeholder nodes in the layers they cross, then a
//     few barycentre sweeps reduce crossings;
//  4. coordinates: columns left to right, each node placed near the mean
//     height of its neighbours in the previous column, without overlaps.
//
// The result is the top-left corner of every node (see geometry.js), snapped
// to the grid, with the layout's top-left at origin.

import { GRID, CARD_W, snap } from "./geometry.js";

/**
 * Lays out a graph.
 * @param {{id: string, w: number, h: number}[]} nodes in a stable order (ties keep it)
 * @param {{from: string, to: string}[]} edges edges to unknown nodes are ignored
 * @param {{gapX?: number, gapY?: number, origin?: number[], minColumn?: number}} [opts]
 *   minColumn: the least width of a column (default: a card's), so that narrow
 *   gateways leave room for the labels of their branches
 * @returns {Map<string, number[]>} id → [x, y] top-left
 */
export function layeredLayout(nodes, edges, opts = {}) {
  const gapX = opts.gapX ?? 100;
  const gapY = opts.gapY ?? 48;
  const origin = opts.origin ?? [80, 80];
  const minColumn = opts.minColumn ?? CARD_W;
  const result = new Map();
  if (nodes.length === 0) return result;

  const byId = new Map(nodes.map((n, i) => [n.id, { ...n, index: i }]));
  const out = new Map(nodes.map((n) => [n.id, []]));
  const indeg = new Map(nodes.map((n) => [n.id, 0]));
  for (const e of edges) {
    if (!byId.has(e.from) || !byId.has(e.to) || e.from === e.to) continue;
    out.get(e.from).push(e.to);
    indeg.set(e.to, indeg.get(e.to) + 1);
  }

  // 1. Depth-first search from the sources (then from anything unvisited);
  //    an edge to a node on the stack closes a cycle and is dropped.
  const state = new Map(); // 1 = on stack, 2 = done
  const dag = new Map(nodes.map((n) => [n.id, []]));
  const roots = [...nodes.filter((n) => indeg.get(n.id) === 0), ...nodes].map((n) => n.id);
  for (const root of roots) {
    if (state.has(root)) continue;
    const stack = [[root, 0]];
    state.set(root, 1);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [id, i] = top;
      const succ = out.get(id);
      if (i >= succ.length) {
        state.set(id, 2);
        stack.pop();
        continue;
      }
      top[1]++;
      const to = succ[i];
      const s = state.get(to);
      if (s === 1) continue; // back edge
      dag.get(id).push(to);
      if (!s) {
        state.set(to, 1);
        stack.push([to, 0]);
      }
    }
  }

  // 2. Longest-path layering over the DAG, in topological order (Kahn).
  const inDag = new Map(nodes.map((n) => [n.id, 0]));
  for (const succ of dag.values()) for (const to of succ) inDag.set(to, inDag.get(to) + 1);
  const layerOf = new Map();
  const queue = nodes.filter((n) => inDag.get(n.id) === 0).map((n) => n.id);
  for (const id of queue) layerOf.set(id, 0);
  for (let qi = 0; qi < queue.length; qi++) {
    const id = queue[qi];
    for (const to of dag.get(id)) {
      layerOf.set(to, Math.max(layerOf.get(to) ?? 0, layerOf.get(id) + 1));
      inDag.set(to, inDag.get(to) - 1);
      if (inDag.get(to) === 0) queue.push(to);
    }
  }

  // 3. Layers with placeholders for edges that span several layers.
  const layerCount = Math.max(...layerOf.values()) + 1;
  /** @type {{id: string, w: number, h: number, dummy?: boolean}[][]} */
  const layers = Array.from({ length: layerCount }, () => []);
  const preds = new Map();
  const succs = new Map();
  const link = (a, b) => {
    if (!succs.has(a)) succs.set(a, []);
    if (!preds.has(b)) preds.set(b, []);
    succs.get(a).push(b);
    preds.get(b).push(a);
  };
  // Initial order: depth-first from the sources, so branches stay together.
  const seen = new Set();
  const visit = (id) => {
    if (seen.has(id)) return;
    seen.add(id);
    layers[layerOf.get(id)].push(byId.get(id));
    for (const to of dag.get(id)) visit(to);
  };
  for (const n of nodes) if (layerOf.get(n.id) === 0) visit(n.id);
  for (const n of nodes) visit(n.id);
  let dummies = 0;
  for (const [from, succ] of dag) {
    for (const to of succ) {
      let prev = from;
      for (let l = layerOf.get(from) + 1; l < layerOf.get(to); l++) {
        const d = { id: `\u0000dummy${dummies++}`, w: 0, h: 8, dummy: true };
        layers[l].push(d);
        link(prev, d.id);
        prev = d.id;
      }
      link(prev, to);
    }
  }
  const pos = new Map();
  const renumber = (layer) => layer.forEach((n, i) => pos.set(n.id, i));
  layers.forEach(renumber);
  const barycentre = (id, neigh) => {
    const ns = neigh.get(id);
    if (!ns || ns.length === 0) return null;
    return ns.reduce((s, n) => s + pos.get(n), 0) / ns.length;
  };
  const sweep = (layer, neigh) => {
    const keyed = layer.map((n, i) => ({ n, i, b: barycentre(n.id, neigh) }));
    // Nodes without neighbours keep their place relative to the others.
    let last = 0;
    for (const k of keyed) {
      if (k.b === null) k.b = last;
      else last = k.b;
    }
    keyed.sort((a, b) => a.b - b.b || a.i - b.i);
    layer.splice(0, layer.length, ...keyed.map((k) => k.n));
    renumber(layer);
  };
  for (let iter = 0; iter < 4; iter++) {
    for (let l = 1; l < layers.length; l++) sweep(layers[l], preds);
    for (let l = layers.length - 2; l >= 0; l--) sweep(layers[l], succs);
  }

  // 4. Coordinates.
  const y = new Map();
  const centre = (n) => y.get(n.id) + n.h / 2;
  layers.forEach((layer, l) => {
    // Wanted centre: the mean centre of the placed predecessors.
    const want = layer.map((n) => {
      const ps = (preds.get(n.id) || []).filter((p) => y.has(p));
      if (l === 0 || ps.length === 0) return null;
      return ps.reduce((s, p) => s + y.get(p) + nodeOf(p).h / 2, 0) / ps.length;
    });
    // Stack top to bottom, pushing down to avoid overlaps.
    let cursor = -Infinity;
    layer.forEach((n, i) => {
      let top = want[i] === null ? cursor : want[i] - n.h / 2;
      if (top === -Infinity) top = 0;
      top = Math.max(top, cursor);
      y.set(n.id, top);
      cursor = top + n.h + (n.dummy ? gapY / 2 : gapY);
    });
    // Centre the column on its wishes: shift by the mean difference, but not
    // above the first column's top when nothing pulls it.
    const diffs = layer.map((n, i) => (want[i] === null ? null : want[i] - centre(n))).filter((d) => d !== null);
    if (diffs.length) {
      const shift = diffs.reduce((s, d) => s + d, 0) / diffs.length;
      for (const n of layer) y.set(n.id, y.get(n.id) + shift);
    }
  });
  function nodeOf(id) {
    return byId.get(id) || { h: 8 };
  }
  // Columns: as wide as their widest node.
  const colX = [];
  let x = 0;
  for (const layer of layers) {
    colX.push(x);
    const w = Math.max(minColumn, ...layer.filter((n) => !n.dummy).map((n) => n.w));
    x += w + gapX;
  }
  let minY = Infinity;
  for (const n of nodes) minY = Math.min(minY, y.get(n.id));
  for (const n of nodes) {
    const l = layerOf.get(n.id);
    const layerW = Math.max(minColumn, ...layers[l].filter((m) => !m.dummy).map((m) => m.w));
    // Narrow nodes (gateways) sit in the middle of their column.
    const nx = origin[0] + colX[l] + (layerW - n.w) / 2;
    const ny = origin[1] + y.get(n.id) - minY;
    result.set(n.id, [snap(nx, GRID), snap(ny, GRID)]);
  }
  return result;
}
