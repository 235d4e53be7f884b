// flowcraft designer — a code field: a text area with line numbers, Tab
// indentation (Shift+Tab outdents; Escape then Tab leaves the field) and
// compile errors from POST /api/scripts/check marked on their line.

import { checkCode } from "./api.js";
import { t } from "../i18n.js";

const INDENT = "  ";

/**
 * Parses "line 3, column 7: message" (the server's validation messages).
 * @param {string} message
 * @returns {{line: number, column: number, message: string} | null}
 */
export function parseLineMessage(message) {
  const m = /^line (\d+), column (\d+): (.*)$/s.exec(message || "");
  return m ? { line: Number(m[1]), column: Number(m[2]), message: m[3] } : null;
}

export class CodeField {
  /**
   * @param {{value: string, kind: "script" | "expression" | "template", id: string,
   *   label: string, placeholder?: string, rows?: number, readOnly?: boolean,
   *   onChange: (value: string) => void}} opts
   */
  constructor(opts) {
    this.kind = opts.kind;
    this.onChange = opts.onChange;
    this.problems = [];
    this.serverProblems = [];
    this.serverCode = null; // the code the last save judged
    this.timer = 0;
    this.seq = 0;
    const doc = document;
    const root = doc.createElement("div");
    root.className = "codefield";
    root.dataset.kind = opts.kind;
    const gutter = doc.createElement("div");
    gutter.className = "codefield-gutter";
    gutter.setAttribute("aria-hidden", "true");
    const body = doc.createElement("div");
    body.className = "codefield-body";
    const marks = doc.createElement("div");
    marks.className = "codefield-marks";
    marks.setAttribute("aria-hidden", "true");
    const ta = doc.createElement("textarea");
    ta.className = "codefield-input";
    ta.id = opts.id;
    ta.spellcheck = false;
    ta.wrap = "off";
    ta.autocapitalize = "off";
    ta.setAttribute("autocomplete", "off");
    ta.setAttribute("autocorrect", "off");
    ta.rows = opts.rows || 8;
    ta.value = opts.value || "";
    ta.readOnly = !!opts.readOnly;
    if (opts.placeholder) ta.placeholder = opts.placeholder;
    ta.setAttribute("aria-describedby", `${opts.id}-problems`);
    body.append(marks, ta);
    root.append(gutter, body);
    const list = doc.createElement("ul");
    list.className = "codefield-problems";
    list.id = `${opts.id}-problems`;
    list.setAttribute("aria-live", "polite");
    const hint = doc.createElement("div");
    hint.className = "codefield-hint";
    hint.textContent = t("designer.code.hint");
    this.el = doc.createElement("div");
    this.el.className = "codefield-wrap";
    this.el.append(root, list, hint);
    Object.assign(this, { root, gutter, marks, ta, list });
    this.escaped = false;

    ta.addEventListener("input", () => {
      this.renderLines();
      this.onChange(ta.value);
      this.scheduleCheck();
    });
    ta.addEventListener("scroll", () => this.syncScroll());
    ta.addEventListener("keydown", (e) => this.onKey(e));
    ta.addEventListener("blur", () => (this.escaped = false));
    this.renderLines();
    if (ta.value.trim()) this.scheduleCheck(0);
  }

  /** The current text. */
  get value() {
    return this.ta.value;
  }

  /**
   * Replaces the text (after undo) without telling onChange.
   * @param {string} v
   */
  setValue(v) {
    if (this.ta.value === v) return;
    this.ta.value = v;
    this.renderLines();
    this.scheduleCheck();
  }

  /**
   * Shows problems reported by a save: {line, column, message} for a syntax
   * error, or a message (a plain one, or "line L, column C: …").
   * @param {Array<string | {line: number, column: number, message: string}>} messages
   */
  setServerProblems(messages) {
    this.serverProblems = messages.map((m) => (typeof m === "object" ? { ...m } : parseLineMessage(m) || { line: 0, column: 0, message: m }));
    this.serverCode = this.ta.value; // the code the save judged
    this.renderProblems();
  }

  /** @private */
  onKey(e) {
    const ta = this.ta;
    if (e.key === "Escape") {
      this.escaped = true; // the next Tab moves focus on
      return;
    }
    if (e.key !== "Tab" || this.escaped || e.ctrlKey || e.altKey || e.metaKey || ta.readOnly) return;
    e.preventDefault();
    const { selectionStart: s, selectionEnd: end, value } = ta;
    const lineStart = value.lastIndexOf("\n", s - 1) + 1;
    if (s === end && !e.shiftKey) {
      ta.setRangeText(INDENT, s, end, "end");
    } else {
      // Indent or outdent every line touched by the selection.
      const blockEnd = value.indexOf("\n", end - (end > s && value[end - 1] === "\n" ? 1 : 0));
      const stop = blockEnd < 0 ? value.length : blockEnd;
      const lines = value.slice(lineStart, stop).split("\n");
      let first = 0;
      let total = 0;
      const changed = lines.map((l, i) => {
        if (e.shiftKey) {
          const n = l.startsWith(INDENT) ? INDENT.length : l.startsWith("\t") || l.startsWith(" ") ? 1 : 0;
          if (i === 0) first = -n;
          total -= n;
          return l.slice(n);
        }
        if (i === 0) first = INDENT.length;
        total += INDENT.length;
        return INDENT + l;
      });
      ta.setRangeText(changed.join("\n"), lineStart, stop, "preserve");
      ta.selectionStart = Math.max(lineStart, s + first);
      ta.selectionEnd = Math.max(ta.selectionStart, end + total);
    }
    ta.dispatchEvent(new Event("input", { bubbles: true }));
  }

  /** @private */
  syncScroll() {
    this.gutter.scrollTop = this.ta.scrollTop;
    this.marks.style.transform = `translate(${-this.ta.scrollLeft}px, ${-this.ta.scrollTop}px)`;
  }

  /** Draws the line numbers and the error line marks. */
  renderLines() {
    const n = this.ta.value.split("\n").length;
    const bad = new Map();
    for (const p of [...this.problems, ...this.serverProblems]) {
      if (p.line > 0) bad.set(p.line, [...(bad.get(p.line) || []), p.message]);
    }
    const doc = document;
    const nums = [];
    const rows = [];
    for (let i = 1; i <= n; i++) {
      const num = doc.createElement("div");
      num.className = "codefield-num";
      num.textContent = String(i);
      const row = doc.createElement("div");
      row.className = "codefield-row";
      if (bad.has(i)) {
        num.classList.add("has-error");
        num.title = bad.get(i).join("\n");
        num.dataset.line = String(i);
        row.classList.add("has-error");
      }
      nums.push(num);
      rows.push(row);
    }
    this.gutter.replaceChildren(...nums);
    this.marks.replaceChildren(...rows);
    this.root.classList.toggle("has-errors", bad.size > 0 || this.serverProblems.length > 0 || this.problems.length > 0);
    this.syncScroll();
  }

  /** @private */
  renderProblems() {
    this.renderLines();
    const doc = document;
    const all = [...this.problems, ...this.serverProblems.filter((s) => !this.problems.some((p) => p.line === s.line && p.message === s.message))];
    this.list.replaceChildren(
      ...all.map((p) => {
        const li = doc.createElement("li");
        li.className = "codefield-problem";
        if (p.line > 0) {
          const b = doc.createElement("button");
          b.type = "button";
          b.className = "codefield-goto";
          b.textContent = t("designer.code.at", { line: p.line, column: p.column });
          b.addEventListener("click", () => this.gotoLine(p.line, p.column));
          li.append(b, " ");
        }
        li.append(p.message);
        return li;
      }),
    );
  }

  /** Puts the caret at a line and column. */
  gotoLine(line, column = 1) {
    const lines = this.ta.value.split("\n");
    let pos = 0;
    for (let i = 0; i < Math.min(line - 1, lines.length); i++) pos += lines[i].length + 1;
    pos += Math.max(0, column - 1);
    this.ta.focus();
    this.ta.setSelectionRange(pos, pos);
  }

  /** @private */
  scheduleCheck(delay = 450) {
    clearTimeout(this.timer);
    this.root.dataset.check = "pending"; // data-check: pending, running, done
    this.timer = setTimeout(() => this.check(), delay);
  }

  /** Compiles the code on the server and shows its problems. */
  async check() {
    const seq = ++this.seq;
    const code = this.ta.value;
    this.root.classList.add("is-checking");
    this.root.dataset.check = "running";
    if (!code.trim()) {
      this.problems = [];
      if (code !== this.serverCode) this.serverProblems = [];
      this.root.classList.remove("is-checking");
      this.root.dataset.check = "done";
      this.renderProblems();
      return;
    }
    const problems = await checkCode(code, this.kind);
    if (seq !== this.seq) return; // a newer check is under way
    this.root.classList.remove("is-checking");
    this.root.dataset.check = "done";
    if (problems === null) return;
    this.problems = problems;
    // A check of edited code replaces what the last save said; a check that ends
    // after the save of the same code keeps it (the save knows more, e.g. "required").
    if (code !== this.serverCode) this.serverProblems = [];
    this.root.classList.toggle("is-ok", problems.length === 0);
    this.renderProblems();
  }
}
