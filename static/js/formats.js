// flowcraft — times and durations as the server formats them (ui formatTime in
// the server's time zone, ui.FormatDuration). DOM-free; node --test covers it.

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

/**
 * Formats a duration in ms for people, as the server does (FormatDuration):
 * "850 ms", "1.2 s", "42 s", "3 min 4 s", "2 h 5 min", "3 d 4 h".
 * @param {number} ms
 * @param {(key: string, params?: Record<string, any>) => string} t
 */
export function fmtDuration(ms, t) {
  ms = Math.max(0, Math.round(Number(ms) || 0));
  if (ms < 1000) return t("duration.ms", { ms });
  if (ms < 10_000) return t("duration.s", { s: (ms / 1000).toFixed(1) });
  if (ms < 60_000) return t("duration.s", { s: Math.floor(ms / 1000) });
  if (ms < 3_600_000) return t("duration.min_s", { min: Math.floor(ms / 60_000), s: Math.floor((ms % 60_000) / 1000) });
  if (ms < 86_400_000) return t("duration.h_min", { h: Math.floor(ms / 3_600_000), min: Math.floor((ms % 3_600_000) / 60_000) });
  return t("duration.d_h", { d: Math.floor(ms / 86_400_000), h: Math.floor((ms % 86_400_000) / 3_600_000) });
}
