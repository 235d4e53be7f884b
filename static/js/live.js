// flowcraft — a small reconnecting websocket for the live pages.
//
// LiveSocket opens ws(s)://<this host><path> (the session cookie
// authenticates it), hands every JSON message to onMessage, and when the
// connection closes reconnects with exponential backoff and jitter. A
// {"type": "dropped"} message (the server found us too slow) closes and
// reconnects at once; the server then sends a fresh snapshot. onState tells
// the page "connecting", "live" or "reconnecting" for its indicator.

/**
 * The delay before reconnect attempt n (0-based): base·2ⁿ capped at max,
 * with ±20 % jitter so that many tabs do not reconnect in step.
 * @param {number} attempt
 * @param {{base?: number, max?: number, random?: () => number}} [opts]
 */
export function backoff(attempt, { base = 500, max = 15_000, random = Math.random } = {}) {
  const d = Math.min(max, base * 2 ** Math.max(0, attempt));
  return Math.round(d * (0.8 + 0.4 * random()));
}

/** The websocket URL of a path on this page's host. */
export function wsURL(path, loc = globalThis.location) {
  return `${loc.protocol === "https:" ? "wss" : "ws"}://${loc.host}${path}`;
}

export class LiveSocket {
  /**
   * @param {string} path e.g. "/ws/processInst/123"
   * @param {{onMessage: (msg: any) => void, onState?: (state: string) => void,
   *   WebSocket?: any, url?: string, timers?: {set: Function, clear: Function}, backoff?: object}} opts
   */
  constructor(path, opts) {
    this.url = opts.url || wsURL(path);
    this.onMessage = opts.onMessage;
    this.onState = opts.onState || (() => {});
    this.WS = opts.WebSocket || globalThis.WebSocket;
    this.timers = opts.timers || { set: (fn, ms) => setTimeout(fn, ms), clear: (id) => clearTimeout(id) };
    this.backoffOpts = opts.backoff || {};
    this.attempt = 0;
    this.ws = null;
    this.timer = null;
    this.stopped = true;
    this.state = "";
  }

  /** Connects (again); does nothing while connected. */
  start() {
    this.stopped = false;
    if (!this.ws) this.open();
    return this;
  }

  /** Closes for good (no reconnect). */
  stop() {
    this.stopped = true;
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      try {
        ws.close();
      } catch {
        // already closing
      }
    }
  }

  /** Reconnects now (after "dropped", or when the network is back). */
  reconnectNow() {
    if (this.stopped) return;
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onclose = null;
      try {
        ws.close();
      } catch {
        // already closing
      }
    }
    this.open();
  }

  /** @private */
  setState(s) {
    if (s === this.state) return;
    this.state = s;
    this.onState(s);
  }

  /** @private */
  open() {
    this.setState(this.attempt === 0 && this.state !== "reconnecting" ? "connecting" : "reconnecting");
    let ws;
    try {
      ws = new this.WS(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.attempt = 0;
      this.setState("live");
    };
    ws.onmessage = (e) => {
      if (this.ws !== ws) return;
      let msg;
      try {
        msg = JSON.parse(e.data);
      } catch {
        return;
      }
      if (msg?.type === "dropped") {
        this.setState("reconnecting");
        this.reconnectNow();
        return;
      }
      this.onMessage(msg);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (!this.stopped) this.scheduleReconnect();
    };
    ws.onerror = () => {
      // onclose follows and reconnects
    };
  }

  /** @private */
  scheduleReconnect() {
    this.setState("reconnecting");
    const delay = backoff(this.attempt++, this.backoffOpts);
    this.timer = this.timers.set(() => {
      this.timer = null;
      if (!this.stopped && !this.ws) this.open();
    }, delay);
  }
}

/**
 * Keeps a live indicator (<span class="live" data-live>) in step with a
 * socket's state; t gives the texts live.connecting/live/reconnecting.
 * @param {Element | null} el
 * @param {(key: string) => string} t
 */
export function indicator(el, t) {
  return (state) => {
    if (!el) return;
    el.dataset.live = state;
    const text = el.querySelector("[data-live-text]");
    if (text) text.textContent = t(`live.${state}`);
  };
}

/**
 * Opens a LiveSocket that also reconnects at once when the browser comes back
 * online, and stops when the page goes away.
 */
export function live(path, opts) {
  const s = new LiveSocket(path, opts);
  globalThis.addEventListener?.("online", () => s.reconnectNow());
  globalThis.addEventListener?.("pagehide", () => s.stop());
  // A page restored from the back/forward cache connects again (and gets a fresh snapshot).
  globalThis.addEventListener?.("pageshow", (e) => e.persisted && s.start());
  return s.start();
}
