// flowcraft — times on the server's clock, as the server renders them (ui
// formatTime in the server's time zone). DOM-free apart from reading the page's
// zone; node --test covers it (formats.test.mjs).

/**
 * The server's time zone (--timezone): the IANA name the layout puts in
 * <meta name="timezone">; "UTC" outside a page (node) or without it.
 */
export const pageZone = () => globalThis.document?.querySelector?.('meta[name="timezone"]')?.content || "UTC";

const formatters = new Map();

/** The parts of unix ms on the clock of time zone tz (an unknown zone: UTC). */
function parts(ms, tz) {
  let f = formatters.get(tz);
  if (!f) {
    const opts = { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", fractionalSecondDigits: 3, hourCycle: "h23" };
    try {
      f = new Intl.DateTimeFormat("en-US", { ...opts, timeZone: tz });
    } catch {
      f = new Intl.DateTimeFormat("en-US", { ...opts, timeZone: "UTC" });
    }
    formatters.set(tz, f);
  }
  const p = {};
  for (const { type, value } of f.formatToParts(ms)) p[type] = value;
  return p;
}

/**
 * Formats unix ms as "2006-01-02 15:04" in time zone tz (default the page's, as
 * the server renders it: ui formatTime); "—" for none.
 */
export function fmtTime(ms, tz = pageZone()) {
  if (!ms) return "—";
  const p = parts(ms, tz);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** Formats unix ms as "15:04:05.000" in time zone tz (default the page's), for timelines. */
export function fmtClock(ms, tz = pageZone()) {
  if (!ms) return "—";
  const p = parts(ms, tz);
  return `${p.hour}:${p.minute}:${p.second}.${p.fractionalSecond}`;
}
