// flowcraft designer — canvas geometry shared by the model (auto-layout), the
// view and the tests. No DOM.
//
// Coordinates: a task's `positions` is [x, y] of the TOP-LEFT corner of its
// node's box, in canvas units (1 unit = 1 CSS pixel at 100 % zoom). The view
// draws a node exactly there, import/export keep the numbers as they are, and
// auto-layout produces top-left corners, so a saved file round-trips exactly.
//
// Every node is NODE_H tall. Cards (triggers, actions, waits, ends) are
// CARD_W wide; gateways (kind "flow") are a GATEWAY_W square drawn as a
// diamond. The input port is the middle of the left edge, the output port the
// middle of the right edge.

/** Height of every node. */
export const NODE_H = 56;
/** Width of a card node. */
export const CARD_W = 136;
/** Width (and height) of a gateway diamond. */
export const GATEWAY_W = 56;
/** Grid that dropped and dragged nodes snap to. */
export const GRID = 10;
/** Zoom limits. */
export const MIN_ZOOM = 0.2;
export const MAX_ZOOM = 2.5;

/**
 * Returns the size of a node of the given template kind.
 * @param {string} kind trigger | action | flow | wait | end
 * @returns {{w: number, h: number}}
 */
export function nodeSize(kind) {
  return kind === "flow" ? { w: GATEWAY_W, h: NODE_H } : { w: CARD_W, h: NODE_H };
}

/**
 * Reports whether a node of the kind has an input port (triggers do not).
 * @param {string} kind
 */
export function hasInput(kind) {
  return kind !== "trigger";
}

/**
 * Reports whether a node of the kind has an output port (ends do not).
 * @param {string} kind
 */
export function hasOutput(kind) {
  return kind !== "end";
}

/**
 * Returns the output port of a node at pos: the middle of its right edge.
 * @param {number[]} pos [x, y] top-left
 * @param {string} kind
 * @returns {{x: number, y: number}}
 */
export function outPort(pos, kind) {
  const { w, h } = nodeSize(kind);
  return { x: pos[0] + w, y: pos[1] + h / 2 };
}

/**
 * Returns the input port of a node at pos: the middle of its left edge.
 * @param {number[]} pos [x, y] top-left
 * @param {string} kind
 * @returns {{x: number, y: number}}
 */
export function inPort(pos, kind) {
  const { h } = nodeSize(kind);
  return { x: pos[0], y: pos[1] + h / 2 };
}

/**
 * Returns a smooth connection between two points as an SVG path and the point
 * halfway along it (for the label). Forward edges are a horizontal S-curve;
 * edges going back (target left of the source) bend out further so the curve
 * stays readable.
 * @param {{x: number, y: number}} a start (an output port)
 * @param {{x: number, y: number}} b end (an input port)
 * @returns {{d: string, mid: {x: number, y: number}}}
 */
export function edgePath(a, b) {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  let c = Math.max(36, Math.abs(dx) / 2);
  if (dx < 0) c = Math.max(80, Math.min(200, Math.abs(dx) / 2 + Math.abs(dy) / 4));
  const c1 = { x: a.x + c, y: a.y };
  const c2 = { x: b.x - c, y: b.y };
  const r = (n) => Math.round(n * 10) / 10;
  const d = `M${r(a.x)},${r(a.y)} C${r(c1.x)},${r(c1.y)} ${r(c2.x)},${r(c2.y)} ${r(b.x)},${r(b.y)}`;
  // Cubic Bézier at t = 0.5.
  const mid = { x: (a.x + 3 * c1.x + 3 * c2.x + b.x) / 8, y: (a.y + 3 * c1.y + 3 * c2.y + b.y) / 8 };
  return { d, mid: { x: r(mid.x), y: r(mid.y) } };
}

/**
 * The path of an error route: down from a (the bottom of its task), then
 * into b (the target's input) from the left. Returns {d, mid} as edgePath.
 * @param {{x: number, y: number}} a
 * @param {{x: number, y: number}} b
 */
export function routePath(a, b) {
  const drop = Math.max(40, Math.min(120, Math.abs(b.y - a.y) / 2 + 30));
  const c1 = { x: a.x, y: a.y + drop };
  const c2 = { x: b.x - Math.max(60, Math.abs(b.x - a.x) / 3), y: b.y };
  const r = (n) => Math.round(n * 10) / 10;
  const d = `M${r(a.x)},${r(a.y)} C${r(c1.x)},${r(c1.y)} ${r(c2.x)},${r(c2.y)} ${r(b.x)},${r(b.y)}`;
  const mid = { x: (a.x + 3 * c1.x + 3 * c2.x + b.x) / 8, y: (a.y + 3 * c1.y + 3 * c2.y + b.y) / 8 };
  return { d, mid: { x: r(mid.x), y: r(mid.y) } };
}

/**
 * Snaps a number to the grid.
 * @param {number} n
 * @param {number} [grid]
 */
export function snap(n, grid = GRID) {
  return Math.round(n / grid) * grid;
}

/**
 * Returns the bounding box of the given boxes, or null for none.
 * @param {Iterable<{x: number, y: number, w: number, h: number}>} boxes
 * @returns {{x: number, y: number, w: number, h: number} | null}
 */
export function bounds(boxes) {
  let x1 = Infinity;
  let y1 = Infinity;
  let x2 = -Infinity;
  let y2 = -Infinity;
  for (const b of boxes) {
    x1 = Math.min(x1, b.x);
    y1 = Math.min(y1, b.y);
    x2 = Math.max(x2, b.x + b.w);
    y2 = Math.max(y2, b.y + b.h);
  }
  if (x1 === Infinity) return null;
  return { x: x1, y: y1, w: x2 - x1, h: y2 - y1 };
}

/**
 * Reports whether two boxes overlap (touching edges do not).
 * @param {{x: number, y: number, w: number, h: number}} a
 * @param {{x: number, y: number, w: number, h: number}} b
 */
export function intersects(a, b) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/**
 * Normalizes a rectangle given by two corners.
 * @returns {{x: number, y: number, w: number, h: number}}
 */
export function rectFromPoints(x1, y1, x2, y2) {
  return { x: Math.min(x1, x2), y: Math.min(y1, y2), w: Math.abs(x2 - x1), h: Math.abs(y2 - y1) };
}

/**
 * Clamps a zoom factor to [MIN_ZOOM, MAX_ZOOM].
 * @param {number} k
 */
export function clampZoom(k) {
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, k));
}

/**
 * Zooms a viewport {x, y, k} (screen = world * k + (x, y)) to factor k while
 * keeping the screen point (sx, sy) over the same world point.
 * @returns {{x: number, y: number, k: number}}
 */
export function zoomAt(view, k, sx, sy) {
  const nk = clampZoom(k);
  const wx = (sx - view.x) / view.k;
  const wy = (sy - view.y) / view.k;
  return { x: sx - wx * nk, y: sy - wy * nk, k: nk };
}

/**
 * Returns the viewport that shows box centred in a screen of width × height
 * with padding around it, never zooming in beyond 100 %.
 * @param {{x: number, y: number, w: number, h: number} | null} box
 * @returns {{x: number, y: number, k: number}}
 */
export function fitView(box, width, height, padding = 48) {
  if (!box || width <= 0 || height <= 0) return { x: 0, y: 0, k: 1 };
  const k = clampZoom(Math.min(1, (width - 2 * padding) / Math.max(box.w, 1), (height - 2 * padding) / Math.max(box.h, 1)));
  return { x: (width - box.w * k) / 2 - box.x * k, y: (height - box.h * k) / 2 - box.y * k, k };
}

/**
 * Reports whether box, drawn with view, lies wholly inside a screen of
 * width × height, margin pixels in from each edge.
 * @param {{x: number, y: number, w: number, h: number} | null} box
 * @param {{x: number, y: number, k: number}} view
 */
export function boxVisible(box, view, width, height, margin = 0) {
  if (!box) return true;
  const left = box.x * view.k + view.x;
  const top = box.y * view.k + view.y;
  const right = (box.x + box.w) * view.k + view.x;
  const bottom = (box.y + box.h) * view.k + view.y;
  return left >= margin && top >= margin && right <= width - margin && bottom <= height - margin;
}

/**
 * The view that keeps box fitted in a screen that became width × height while
 * view was a fit the user has not changed since: fitView (never past 100 %,
 * within [MIN_ZOOM, MAX_ZOOM]) when part of box is hidden with view (ports and
 * halos included), or when the screen grew enough to show it larger. Returns
 * null to keep view: everything is shown and there is no more room, there is
 * nothing to show, or no screen yet.
 * @param {{x: number, y: number, k: number} | null} box
 * @param {{x: number, y: number, k: number}} view
 * @returns {{x: number, y: number, k: number} | null}
 */
export function refitView(box, view, width, height, padding = 48) {
  if (!box || width <= 0 || height <= 0) return null;
  const fit = fitView(box, width, height, padding);
  if (!boxVisible(box, view, width, height, 8) || fit.k > view.k + 0.01) return fit;
  return null;
}
