// flowcraft designer — template icons (24 × 24 stroke drawings) by the icon
// name a template's schema gives, and the kind colours.

const SVG_NS = "http://www.w3.org/2000/svg";

/** @type {Record<string, [string, Record<string, string|number>][]>} */
const ICONS = {
  play: [["path", { d: "M8 5.5v13l10.5-6.5z" }]],
  webhook: [
    ["path", { d: "M18 16.98h-5.99c-1.1 0-1.95.94-2.48 1.9A4 4 0 0 1 2 17c.01-.7.2-1.4.57-2" }],
    ["path", { d: "m6 17 3.13-5.78c.53-.97.1-2.18-.5-3.1a4 4 0 1 1 6.89-4.06" }],
    ["path", { d: "m12 6 3.13 5.73C15.66 12.7 16.9 13 18 13a4 4 0 0 1 0 8" }],
  ],
  clock: [
    ["circle", { cx: 12, cy: 12, r: 9 }],
    ["path", { d: "M12 7v5l3 2" }],
  ],
  code: [["path", { d: "m16 18 6-6-6-6M8 6l-6 6 6 6" }]],
  globe: [
    ["circle", { cx: 12, cy: 12, r: 9 }],
    ["path", { d: "M3 12h18M12 3a14 14 0 0 1 0 18M12 3a14 14 0 0 0 0 18" }],
  ],
  database: [
    ["ellipse", { cx: 12, cy: 5, rx: 8, ry: 3 }],
    ["path", { d: "M4 5v14c0 1.66 3.58 3 8 3s8-1.34 8-3V5" }],
    ["path", { d: "M4 12c0 1.66 3.58 3 8 3s8-1.34 8-3" }],
  ],
  diamond: [["path", { d: "M12 2.5 21.5 12 12 21.5 2.5 12z" }], ["path", { d: "m9.5 9.5 5 5m0-5-5 5" }]],
  plus: [["path", { d: "M12 2.5 21.5 12 12 21.5 2.5 12z" }], ["path", { d: "M12 8.5v7M8.5 12h7" }]],
  circle: [["path", { d: "M12 2.5 21.5 12 12 21.5 2.5 12z" }], ["circle", { cx: 12, cy: 12, r: 3.5 }]],
  "user-check": [
    ["path", { d: "M16 21v-2a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v2" }],
    ["circle", { cx: 9, cy: 7, r: 4 }],
    ["path", { d: "m16 11 2 2 4-4" }],
  ],
  hourglass: [["path", { d: "M5 22h14M5 2h14M17 22v-4.17a2 2 0 0 0-.59-1.42L12 12l-4.41 4.41A2 2 0 0 0 7 17.83V22M7 2v4.17a2 2 0 0 0 .59 1.42L12 12l4.41-4.41A2 2 0 0 0 17 6.17V2" }]],
  layers: [["path", { d: "m12 2 10 5-10 5L2 7z" }], ["path", { d: "m2 17 10 5 10-5M2 12l10 5 10-5" }]],
  cpu: [["rect", { x: 5, y: 5, width: 14, height: 14, rx: 2 }], ["rect", { x: 9, y: 9, width: 6, height: 6 }], ["path", { d: "M9 2v3M15 2v3M9 19v3M15 19v3M2 9h3M2 15h3M19 9h3M19 15h3" }]],
  flag: [["path", { d: "M5 21V4M5 4h11l-2 4 2 4H5" }]],
  stop: [["circle", { cx: 12, cy: 12, r: 9 }], ["rect", { x: 8.5, y: 8.5, width: 7, height: 7, rx: 1 }]],
  box: [["rect", { x: 4, y: 4, width: 16, height: 16, rx: 3 }]],
};

/** The marks drawn inside a gateway's diamond on the canvas, by icon name. */
const GATEWAY_MARKS = {
  diamond: [["path", { d: "m8 8 8 8m0-8-8 8" }]],
  plus: [["path", { d: "M12 6v12M6 12h12" }]],
  circle: [["circle", { cx: 12, cy: 12, r: 5.5 }]],
};

/**
 * Appends an icon's shapes to an SVG parent (a <g> or <svg>).
 * @param {Element} parent
 * @param {string} name icon name from the template schema
 * @param {boolean} [gatewayMark] draw only the mark that goes inside a gateway's diamond
 */
export function drawIcon(parent, name, gatewayMark = false) {
  const shapes = (gatewayMark && GATEWAY_MARKS[name]) || ICONS[name] || ICONS.box;
  for (const [tag, attrs] of shapes) {
    const el = parent.ownerDocument.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
    parent.append(el);
  }
}

/**
 * Returns a standalone 24 × 24 icon <svg> element (for HTML: palette, panel).
 * @param {Document} doc
 * @param {string} name
 * @param {number} [size]
 */
export function iconElement(doc, name, size = 18) {
  const svg = doc.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", String(size));
  svg.setAttribute("height", String(size));
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.classList.add("d-icon");
  drawIcon(svg, name);
  return svg;
}

/** The template kinds in palette order. */
export const KINDS = ["trigger", "action", "flow", "wait", "end"];
