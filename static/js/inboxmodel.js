// flowcraft — the live inbox: which open tasks are mine, applied from the
// /ws/inbox stream. No DOM.
//
// The stream starts with {"type": "snapshot", "list", "total"} (the first
// page of my open tasks) and then sends {"type": "task", ...task} whenever a
// task I may see changes. A task is in my open list when it is open and
// assigned to me, or unassigned and I am a candidate (directly or through a
// group) — the same rule as GET /api/taskInsts.

/**
 * Reports whether a task belongs in the user's open list.
 * @param {object} task a human task
 * @param {{id: string, groups?: string[]}} me
 */
export function isOpenFor(task, me) {
  if (!task || task.status !== "open" || !me?.id) return false;
  if (task.assignee === me.id) return true;
  if (task.assignee) return false;
  if ((task.candidateUsers || []).includes(me.id)) return true;
  const groups = new Set(me.groups || []);
  return (task.candidateGroups || []).some((g) => groups.has(g));
}

export class InboxModel {
  /** @param {{id: string, groups?: string[]}} me */
  constructor(me) {
    this.me = me;
    /** @type {Map<string, object>} the open tasks known (the first page and what arrived since) */
    this.open = new Map();
    this.total = 0;
    this.ready = false;
  }

  /**
   * Applies a stream message. Returns what happened to the list:
   * {kind: "snapshot"} | {kind: "added"|"changed"|"removed", task} | null,
   * with resync: true when the count cannot be known from here (a task
   * beyond the first page changed) and should be read again.
   */
  apply(msg) {
    if (msg?.type === "snapshot") {
      this.open = new Map((msg.list || []).map((t) => [String(t.id), t]));
      this.total = Number(msg.total) || this.open.size;
      this.ready = true;
      return { kind: "snapshot" };
    }
    if (msg?.type !== "task" || !msg.id) return null;
    const { type, ...task } = msg;
    const id = String(task.id);
    const was = this.open.has(id);
    const now = isOpenFor(task, this.me);
    // With more open tasks than we hold, an unknown task may have been counted already.
    const partial = this.total > this.open.size;
    if (was && now) {
      this.open.set(id, task);
      return { kind: "changed", task };
    }
    if (was && !now) {
      this.open.delete(id);
      this.total = Math.max(0, this.total - 1);
      return { kind: "removed", task };
    }
    if (!was && now) {
      this.open.set(id, task);
      if (!partial) this.total += 1;
      return { kind: "added", task, resync: partial };
    }
    return partial ? { kind: "none", task, resync: true } : { kind: "none", task };
  }
}
