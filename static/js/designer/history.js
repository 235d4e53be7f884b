// flowcraft designer — the undo stack. No DOM.
//
// Every change goes through execute(cmd). Commands that carry the same
// mergeKey within mergeWindow ms (typing in one field) become one step. The
// history also knows whether the graph differs from what was last saved.

export class History {
  /**
   * @param {import("./graph.js").Graph} graph
   * @param {{limit?: number, mergeWindow?: number, now?: () => number}} [opts]
   */
  constructor(graph, opts = {}) {
    this.graph = graph;
    this.limit = opts.limit ?? 300;
    this.mergeWindow = opts.mergeWindow ?? 1000;
    this.now = opts.now ?? (() => Date.now());
    /** @type {object[]} */
    this.done = [];
    /** @type {object[]} */
    this.undone = [];
    /** Length of done when last saved; -1 when that state can no longer be reached. */
    this.savedAt = 0;
    this.lastAt = 0;
    /** @type {Set<() => void>} */
    this.listeners = new Set();
  }

  /**
   * Registers a listener called after every execute, undo, redo and save mark.
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

  /**
   * Runs cmd and records it. Returns cmd.
   * @param {object} cmd
   */
  execute(cmd) {
    cmd.do(this.graph);
    // A saved state among the undone steps can no longer be reached.
    if (this.savedAt > this.done.length) this.savedAt = -1;
    const t = this.now();
    const top = this.done[this.done.length - 1];
    const canMerge =
      top && cmd.mergeKey && top.mergeKey === cmd.mergeKey && top.merge && t - this.lastAt <= this.mergeWindow && this.savedAt !== this.done.length;
    if (canMerge) {
      top.merge(cmd);
    } else {
      this.done.push(cmd);
      if (this.done.length > this.limit) {
        this.done.shift();
        this.savedAt = this.savedAt > 0 ? this.savedAt - 1 : -1;
      }
    }
    this.undone = [];
    this.lastAt = t;
    this.changed();
    return cmd;
  }

  /** Ends merging: the next command starts a new step even if it could merge. */
  seal() {
    this.lastAt = -Infinity;
  }

  get canUndo() {
    return this.done.length > 0;
  }

  get canRedo() {
    return this.undone.length > 0;
  }

  /** Takes back the last step; returns false when there is none. */
  undo() {
    const cmd = this.done.pop();
    if (!cmd) return false;
    cmd.undo(this.graph);
    this.undone.push(cmd);
    this.seal();
    this.changed();
    return true;
  }

  /** Does the last undone step again; returns false when there is none. */
  redo() {
    const cmd = this.undone.pop();
    if (!cmd) return false;
    cmd.do(this.graph);
    this.done.push(cmd);
    this.seal();
    this.changed();
    return true;
  }

  /** Records that the current state is saved. */
  markSaved() {
    this.savedAt = this.done.length;
    this.seal();
    this.changed();
  }

  /** Reports whether the graph differs from the last saved state. */
  get dirty() {
    return this.savedAt !== this.done.length;
  }

  /** Forgets every step (after loading another definition). */
  clear() {
    this.done = [];
    this.undone = [];
    this.savedAt = 0;
    this.seal();
    this.changed();
  }
}
