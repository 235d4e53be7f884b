// flowcraft — times and durations as the server formats them (ui formatTime in
// the server's time zone, ui.FormatDuration). DOM-free; node --test covers it.

// The times live in times.js (no messages: a page may import them without
// rendering the duration messages).
export { pageZone, fmtTime, fmtClock } from "./times.js";

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
