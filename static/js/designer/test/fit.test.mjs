// node --test: keeping the process fitted in the view when the canvas changes
// size after the designer opened or imported it (geometry.refitView).
import { test } from "node:test";
import assert from "node:assert/strict";

import { boxVisible, refitView, fitView, MIN_ZOOM, MAX_ZOOM } from "../geometry.js";

const PHONE = [390, 320]; // the canvas of a 390 px wide phone (its minimum height)
const DESKTOP = [1280 - 248 - 340, 780]; // between the palette and the panel

/** The box's rectangle on the screen with view. */
const onScreen = (box, v) => ({ left: box.x * v.k + v.x, top: box.y * v.k + v.y, right: (box.x + box.w) * v.k + v.x, bottom: (box.y + box.h) * v.k + v.y });

test("boxVisible: inside, touching the margin, or hidden past an edge", () => {
  const view = { x: 10, y: 20, k: 0.5 };
  assert.ok(boxVisible({ x: 0, y: 0, w: 100, h: 100 }, view, 200, 200));
  assert.ok(boxVisible({ x: 0, y: 0, w: 380, h: 360 }, view, 200, 200), "right and bottom edges exactly on the screen's");
  assert.ok(!boxVisible({ x: 0, y: 0, w: 382, h: 100 }, view, 200, 200), "one pixel past the right edge");
  assert.ok(!boxVisible({ x: -30, y: 0, w: 10, h: 10 }, view, 200, 200), "past the left edge");
  assert.ok(!boxVisible({ x: 0, y: 0, w: 100, h: 100 }, view, 200, 200, 15), "closer than the margin");
  assert.ok(boxVisible(null, view, 200, 200), "nothing to show is never hidden");
});

test("refitView keeps a fit that still shows everything", () => {
  const box = { x: 80, y: 80, w: 500, h: 200 };
  assert.equal(refitView(box, { x: 0, y: 0, k: 1 }, ...DESKTOP), null, "shown whole at 100 %");
  const phone = fitView(box, ...PHONE);
  assert.ok(phone.k < 1);
  assert.equal(refitView(box, phone, ...PHONE), null, "a fit is kept at the same size");
  assert.equal(refitView(box, phone, PHONE[0] - 30, PHONE[1] - 30), null, "the canvas shrank a little, nothing is hidden");
  assert.equal(refitView(box, phone, PHONE[0] + 2, PHONE[1]), null, "the canvas grew by two pixels: no jump");
});

test("refitView shows a fit larger when the canvas grew (a phone turned, a window widened)", () => {
  const box = { x: 80, y: 80, w: 500, h: 200 };
  const phone = fitView(box, ...PHONE);
  const v = refitView(box, phone, ...DESKTOP);
  assert.deepEqual(v, fitView(box, ...DESKTOP));
  assert.equal(v.k, 1, "back to 100 %, not more");
});

test("refitView brings a process far from the origin (imported from BPMN) into a phone's view", () => {
  const box = { x: 5200, y: 3100, w: 1396, h: 56 };
  const view = { x: 0, y: 0, k: 1 };
  assert.ok(!boxVisible(box, view, ...PHONE));
  const v = refitView(box, view, ...PHONE);
  assert.ok(v, "the view changes");
  assert.ok(boxVisible(box, v, ...PHONE, 8), `shown with ${JSON.stringify(v)}: ${JSON.stringify(onScreen(box, v))}`);
  assert.ok(v.k >= MIN_ZOOM && v.k < 1, `zoom ${v.k}`);
  const r = onScreen(box, v);
  assert.ok(Math.abs(r.left - (PHONE[0] - r.right)) < 1e-6, "centred across");
  assert.ok(Math.abs(r.top - (PHONE[1] - r.bottom)) < 1e-6, "centred down");
});

test("refitView fits a process wider than the canvas at every width", () => {
  const box = { x: 80, y: 80, w: 15 * 180 - 44, h: 356 };
  for (const width of [320, 390, 600, 800, 1024, 1280, 1920]) {
    for (const start of [{ x: 0, y: 0, k: 1 }, fitView(box, 2 * width, 700)]) {
      const v = refitView(box, start, width, 700);
      assert.ok(v, `width ${width}: the view changes`);
      assert.ok(v.k >= MIN_ZOOM && v.k <= 1 && v.k <= MAX_ZOOM, `width ${width}: zoom ${v.k}`);
      if (v.k > MIN_ZOOM) assert.ok(boxVisible(box, v, width, 700, 8), `width ${width}: ${JSON.stringify(onScreen(box, v))}`);
    }
  }
});

test("refitView never zooms a small process in past 100 %", () => {
  const box = { x: 2000, y: 2000, w: 136, h: 56 };
  const v = refitView(box, { x: 0, y: 0, k: 1 }, ...DESKTOP);
  assert.equal(v.k, 1);
  assert.ok(boxVisible(box, v, ...DESKTOP, 8));
  const zoomedIn = refitView(box, { x: 0, y: 0, k: 2.5 }, ...PHONE);
  assert.equal(zoomedIn.k, 1, "a view zoomed in past the box comes back to 100 %, not more");
});

test("refitView stays within the zoom limits for a huge process", () => {
  const box = { x: 0, y: 0, w: 100000, h: 56 };
  const v = refitView(box, { x: 0, y: 0, k: 1 }, ...PHONE);
  assert.equal(v.k, MIN_ZOOM);
  const again = refitView(box, v, ...PHONE);
  assert.deepEqual(again, v, "fitting again at the same size gives the same view");
});

test("refitView does nothing without a screen or without a process", () => {
  const view = { x: 0, y: 0, k: 1 };
  assert.equal(refitView({ x: 5000, y: 0, w: 10, h: 10 }, view, 0, 0), null, "a canvas not laid out yet");
  assert.equal(refitView(null, view, ...PHONE), null);
});
