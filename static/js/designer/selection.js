// flowcraft designer — what is selected: tasks and connections. No DOM.

import { edgeKey } from "./graph.js";

export class Selection {
  constructor() {
    /** @type {Set<string>} task ids */
    this.nodes = new Set();
    /** @type {Set<string>} edge keys (edgeKey(from, to)) */
    this.edges = new Set();
    /** @type {Set<() => void>} */
    this.listeners = new Set();
  }

  /**
   * Registers a listener called after every change.
   * @param {() => void} fn
   */
  on(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** @private */
  changed() {
    for (const fn of this.listeners) fn();
  }

  /** Reports whether nothing is selected. */
  get empty() {
    return this.nodes.size === 0 && this.edges.size === 0;
  }

  /**
   * Selects exactly the given tasks and edges.
   * @param {Iterable<string>} [nodes]
   * @param {Iterable<string>} [edges]
   */
  set(nodes = [], edges = []) {
    const n = new Set(nodes);
    const e = new Set(edges);
    if (sameSet(n, this.nodes) && sameSet(e, this.edges)) return;
    this.nodes = n;
    this.edges = e;
    this.changed();
  }

  /** Selects nothing. */
  clear() {
    this.set();
  }

  /**
   * Adds or removes one task.
   * @param {string} id
   */
  toggleNode(id) {
    if (!this.nodes.delete(id)) this.nodes.add(id);
    this.changed();
  }

  /**
   * Adds or removes one edge.
   * @param {string} from
   * @param {string} to
   */
  toggleEdge(from, to) {
    const k = edgeKey(from, to);
    if (!this.edges.delete(k)) this.edges.add(k);
    this.changed();
  }

  /**
   * Drops ids that no longer exist (after undo or delete).
   * @param {(id: string) => boolean} hasNode
   * @param {(key: string) => boolean} hasEdge
   */
  prune(hasNode, hasEdge) {
    let changed = false;
    for (const id of this.nodes) if (!hasNode(id)) changed = this.nodes.delete(id) || changed;
    for (const k of this.edges) if (!hasEdge(k)) changed = this.edges.delete(k) || changed;
    if (changed) this.changed();
  }
}

function sameSet(a, b) {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
