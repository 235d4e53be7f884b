// node --test: the reconnecting websocket and the shared formats.
import { test } from "node:test";
import assert from "node:assert/strict";

import { LiveSocket, backoff, wsURL } from "../live.js";
import { fmtDuration, fmtTime } from "../formats.js";
import { translator } from "../i18n.js";

/** A fake WebSocket the test drives. */
class FakeWS {
  static all = [];
  constructor(url) {
    this.url = url;
    this.closed = false;
    FakeWS.all.push(this);
  }
  open() {
    this.onopen?.();
  }
  send(obj) {
    this.onmessage?.({ data: JSON.stringify(obj) });
  }
  drop() {
    this.onclose?.();
  }
  close() {
    this.closed = true;
  }
}

/** Timers the test fires by hand. */
function fakeTimers() {
  const pending = [];
  return {
    pending,
    set: (fn, ms) => {
      pending.push({ fn, ms });
      return pending.length;
    },
    clear: () => {},
    fire: () => pending.shift()?.fn(),
  };
}

test("backoff doubles up to a cap, with jitter", () => {
  const mid = () => 0.5;
  assert.deepEqual([0, 1, 2, 3].map((n) => backoff(n, { random: mid })), [500, 1000, 2000, 4000]);
  assert.equal(backoff(20, { random: mid }), 15000);
  assert.equal(backoff(0, { random: () => 0 }), 400);
  assert.equal(backoff(0, { random: () => 1 }), 600);
});

test("wsURL follows the page's scheme and host", () => {
  assert.equal(wsURL("/ws/inbox", { protocol: "https:", host: "a.example:8443" }), "wss://a.example:8443/ws/inbox");
  assert.equal(wsURL("/ws/inbox", { protocol: "http:", host: "localhost" }), "ws://localhost/ws/inbox");
});

test("messages, states, reconnect after a close, resync after dropped", () => {
  FakeWS.all = [];
  const timers = fakeTimers();
  const got = [];
  const states = [];
  const s = new LiveSocket("/ws/x", { url: "ws://h/ws/x", WebSocket: FakeWS, timers, onMessage: (m) => got.push(m.type), onState: (x) => states.push(x), backoff: { random: () => 0.5 } });
  s.start();
  assert.equal(FakeWS.all.length, 1);
  FakeWS.all[0].open();
  FakeWS.all[0].send({ type: "snapshot" });
  FakeWS.all[0].send({ type: "node" });
  FakeWS.all[0].drop();
  assert.equal(timers.pending[0].ms, 500);
  timers.fire();
  assert.equal(FakeWS.all.length, 2);
  FakeWS.all[1].open();
  FakeWS.all[1].send({ type: "dropped" });
  assert.equal(FakeWS.all[1].closed, true);
  assert.equal(FakeWS.all.length, 3, "a dropped client reconnects at once");
  FakeWS.all[2].open();
  FakeWS.all[2].send({ type: "snapshot" });
  assert.deepEqual(got, ["snapshot", "node", "snapshot"]);
  assert.deepEqual(states, ["connecting", "live", "reconnecting", "live", "reconnecting", "live"]);
  s.stop();
  assert.equal(FakeWS.all[2].closed, true);
  FakeWS.all[2].drop();
  assert.equal(FakeWS.all.length, 3, "no reconnect after stop");
});

test("formats", () => {
  const t = translator({ "duration.ms": "{ms} ms", "duration.s": "{s} s", "duration.min_s": "{min} min {s} s", "duration.h_min": "{h} h {min} min", "duration.d_h": "{d} d {h} h" });
  assert.deepEqual([850, 1234, 42_000, 184_000, 7_500_000, 97_200_000].map((ms) => fmtDuration(ms, t)), ["850 ms", "1.2 s", "42 s", "3 min 4 s", "2 h 5 min", "1 d 3 h"]);
  assert.equal(fmtTime(1717171200000), "2024-05-31 16:00");
  assert.equal(fmtTime(0), "—");
});
