// flowcraft designer — shortening labels to a width, measured with a canvas
// 2D context (SVG text has no text-overflow). Results are cached per text.

let ctx = null;
const cache = new Map();

/**
 * Returns text, shortened with "…" so that it is at most width pixels wide in
 * the given CSS font.
 * @param {string} text
 * @param {number} width
 * @param {string} font e.g. "600 13px system-ui"
 */
export function fitText(text, width, font) {
  const s = String(text ?? "");
  const key = font + "\u0000" + width + "\u0000" + s;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  if (!ctx) ctx = document.createElement("canvas").getContext("2d");
  ctx.font = font;
  let out = s;
  if (ctx.measureText(s).width > width) {
    const chars = [...s];
    let lo = 0;
    let hi = chars.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (ctx.measureText(chars.slice(0, mid).join("") + "…").width <= width) lo = mid;
      else hi = mid - 1;
    }
    out = chars.slice(0, lo).join("").trimEnd() + "…";
  }
  if (cache.size > 5000) cache.clear();
  cache.set(key, out);
  return out;
}

/**
 * Returns the width in pixels of text in the given CSS font.
 * @param {string} text
 * @param {string} font
 */
export function textWidth(text, font) {
  if (!ctx) ctx = document.createElement("canvas").getContext("2d");
  ctx.font = font;
  return ctx.measureText(String(text ?? "")).width;
}
