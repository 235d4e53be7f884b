// node --test: formats.js shows times on the server's clock (the page's zone).
import { test } from "node:test";
import assert from "node:assert/strict";
import { fmtTime, fmtClock, pageZone } from "../formats.js";

const at = Date.UTC(2024, 4, 31, 16, 0, 5, 42); // 2024-05-31 16:00:05.042 UTC

test("fmtTime and fmtClock default to the page's zone, UTC outside a page", () => {
  assert.equal(pageZone(), "UTC");
  assert.equal(fmtTime(at), "2024-05-31 16:00");
  assert.equal(fmtClock(at), "16:00:05.042");
  assert.equal(fmtTime(0), "—");
  assert.equal(fmtClock(0), "—");
});

test("the page's zone comes from <meta name=timezone>", () => {
  globalThis.document = { querySelector: (sel) => (sel === 'meta[name="timezone"]' ? { content: "Asia/Shanghai" } : null) };
  try {
    assert.equal(pageZone(), "Asia/Shanghai");
    assert.equal(fmtTime(at), "2024-06-01 00:00", "midnight is 00, not 24");
    assert.equal(fmtClock(at), "00:00:05.042");
  } finally {
    delete globalThis.document;
  }
});

test("a daylight-saving zone: the offset follows the date", () => {
  const ny = "America/New_York";
  assert.equal(fmtTime(Date.UTC(2024, 0, 15, 12, 30), ny), "2024-01-15 07:30"); // EST, UTC-5
  assert.equal(fmtTime(Date.UTC(2024, 6, 15, 12, 30), ny), "2024-07-15 08:30"); // EDT, UTC-4
  // Around the spring change (2024-03-10 02:00 EST → 03:00 EDT).
  assert.equal(fmtClock(Date.UTC(2024, 2, 10, 6, 59, 59, 999), ny), "01:59:59.999");
  assert.equal(fmtClock(Date.UTC(2024, 2, 10, 7, 0, 0, 0), ny), "03:00:00.000");
  assert.equal(fmtTime(Date.UTC(2024, 6, 15, 12, 30), "UTC"), "2024-07-15 12:30");
});

test("an unknown zone falls back to UTC instead of throwing", () => {
  assert.equal(fmtTime(at, "Mars/Olympus"), "2024-05-31 16:00");
});
