// flowcraft designer — the palette: node templates grouped by kind, with a
// search box. Drag a template onto the canvas (pointer events, so it works
// with mouse, pen and touch), or press Enter / click to add it in the middle
// of the visible canvas.

import { iconElement, KINDS } from "./icons.js";
import { t, pick } from "../i18n.js";

export class Palette {
  /**
   * @param {HTMLElement} root the palette's container (holds [data-palette-search] and [data-palette-list])
   * @param {{specs: object[], canvas: import("./canvas.js").Canvas, add: (spec: object, world: {x: number, y: number}, centred: boolean) => void, readOnly?: boolean}} opts
   */
  constructor(root, opts) {
    this.root = root;
    this.specs = opts.specs;
    this.canvas = opts.canvas;
    this.add = opts.add;
    this.readOnly = !!opts.readOnly;
    this.search = root.querySelector("[data-palette-search]");
    this.list = root.querySelector("[data-palette-list]");
    this.drag = null;
    this.render();
    this.search?.addEventListener("input", () => this.filter(this.search.value));
    this.search?.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        this.list.querySelector(".palette-item:not([hidden])")?.focus();
      } else if (e.key === "Escape" && this.search.value) {
        e.stopPropagation();
        this.search.value = "";
        this.filter("");
      }
    });
    this.list.addEventListener("pointerdown", (e) => this.onDown(e));
    this.list.addEventListener("keydown", (e) => {
      const item = e.target.closest?.(".palette-item");
      if (item && (e.key === "Enter" || e.key === " ")) {
        e.preventDefault();
        this.addAtCentre(item.dataset.template);
      }
    });
  }

  /** Draws the groups and items. */
  render() {
    const doc = this.root.ownerDocument;
    this.list.replaceChildren();
    for (const kind of KINDS) {
      const specs = this.specs.filter((s) => s.kind === kind);
      if (specs.length === 0) continue;
      const group = doc.createElement("section");
      group.className = "palette-group";
      group.dataset.kind = kind;
      const h = doc.createElement("h3");
      h.className = "palette-kind";
      h.textContent = t(`designer.kind.${kind}`);
      group.append(h);
      const ul = doc.createElement("ul");
      ul.className = "palette-items";
      ul.setAttribute("role", "list");
      for (const s of specs) {
        const li = doc.createElement("li");
        const item = doc.createElement("button");
        item.type = "button";
        item.className = `palette-item kind-${kind}`;
        item.dataset.template = s.id;
        item.disabled = this.readOnly;
        const label = pick(s.label) || s.id;
        const desc = pick(s.description);
        item.title = desc ? `${label} — ${desc}` : label;
        item.setAttribute("aria-label", t("designer.palette.add", { name: label }));
        const icon = doc.createElement("span");
        icon.className = "palette-icon";
        icon.append(iconElement(doc, s.icon, 16));
        const text = doc.createElement("span");
        text.className = "palette-text";
        const name = doc.createElement("span");
        name.className = "palette-name";
        name.textContent = label;
        text.append(name);
        if (desc) {
          const d = doc.createElement("span");
          d.className = "palette-desc";
          d.textContent = desc;
          text.append(d);
        }
        item.append(icon, text);
        item.dataset.search = `${s.id} ${s.label?.zh || ""} ${s.label?.en || ""} ${s.description?.zh || ""} ${s.description?.en || ""} ${t(`designer.kind.${kind}`)}`.toLowerCase();
        li.append(item);
        ul.append(li);
      }
      group.append(ul);
      this.list.append(group);
    }
    const none = doc.createElement("p");
    none.className = "palette-none";
    none.hidden = true;
    none.textContent = t("designer.palette.none");
    this.list.append(none);
    this.none = none;
  }

  /**
   * Shows only the templates matching the query (id, labels, description, kind).
   * @param {string} query
   */
  filter(query) {
    const q = query.trim().toLowerCase();
    let shown = 0;
    for (const group of this.list.querySelectorAll(".palette-group")) {
      let any = false;
      for (const item of group.querySelectorAll(".palette-item")) {
        const match = !q || q.split(/\s+/).every((w) => item.dataset.search.includes(w));
        item.parentElement.hidden = !match;
        item.hidden = !match;
        any ||= match;
        if (match) shown++;
      }
      group.hidden = !any;
    }
    this.none.hidden = shown > 0;
  }

  /** @private */
  addAtCentre(templateId) {
    const spec = this.specs.find((s) => s.id === templateId);
    if (spec && !this.readOnly) this.add(spec, this.canvas.centre(), true);
  }

  /** @private */
  onDown(e) {
    const item = e.target.closest?.(".palette-item");
    if (!item || e.button !== 0 || this.readOnly) return;
    e.preventDefault();
    const spec = this.specs.find((s) => s.id === item.dataset.template);
    if (!spec) return;
    const doc = this.root.ownerDocument;
    const ghost = item.cloneNode(true);
    ghost.classList.add("palette-ghost");
    ghost.removeAttribute("data-template");
    ghost.style.width = `${item.getBoundingClientRect().width}px`;
    ghost.hidden = true;
    doc.body.append(ghost);
    const move = (ev) => {
      const dist = Math.abs(ev.clientX - e.clientX) + Math.abs(ev.clientY - e.clientY);
      if (dist > 3) ghost.hidden = false;
      ghost.style.transform = `translate(${ev.clientX + 8}px, ${ev.clientY + 8}px)`;
      const over = this.canvas.contains(ev.clientX, ev.clientY);
      ghost.classList.toggle("over-canvas", over);
      this.canvas.host.classList.toggle("is-drop-target", over);
    };
    const up = (ev) => {
      doc.removeEventListener("pointermove", move);
      doc.removeEventListener("pointerup", up);
      doc.removeEventListener("keydown", esc, true);
      ghost.remove();
      this.canvas.host.classList.remove("is-drop-target");
      const dist = Math.abs(ev.clientX - e.clientX) + Math.abs(ev.clientY - e.clientY);
      if (dist <= 3) {
        this.addAtCentre(spec.id); // a click
      } else if (this.canvas.contains(ev.clientX, ev.clientY)) {
        this.add(spec, this.canvas.toWorld(ev.clientX, ev.clientY), true);
      }
    };
    const esc = (ev) => {
      if (ev.key !== "Escape") return;
      ev.stopPropagation();
      doc.removeEventListener("pointermove", move);
      doc.removeEventListener("pointerup", up);
      doc.removeEventListener("keydown", esc, true);
      ghost.remove();
      this.canvas.host.classList.remove("is-drop-target");
    };
    doc.addEventListener("pointermove", move);
    doc.addEventListener("pointerup", up);
    doc.addEventListener("keydown", esc, true);
  }
}
