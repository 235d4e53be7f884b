// flowcraft — messages for page scripts and the formats they share. The page
// renders the catalogue's messages its script needs as JSON in
// <script id="i18n">, keys kept whole ("rt.input", "status.done").
// Everything but loadMessages is DOM-free (node --test covers it).

/**
 * Makes a translate function over a message map: t(key, ...args) replaces
 * %s/%d in order; the key itself when there is no message.
 * @param {Record<string, string>} messages
 * @returns {(key: string, ...args: any[]) => string}
 */
export function translator(messages) {
  return (key, ...args) => {
    const m = messages?.[key] ?? key;
    let i = 0;
    return m.replace(/%[sd]/g, () => String(args[i++] ?? ""));
  };
}

/**
 * Reads the messages a page rendered as JSON and returns its translate function.
 * @param {Document} doc
 * @param {string} [id]
 */
export function loadMessages(doc, id = "i18n") {
  const el = doc.getElementById(id);
  let messages = {};
  try {
    messages = el ? JSON.parse(el.textContent || "{}") : {};
  } catch {
    messages = {};
  }
  return translator(messages);
}

/** Formats unix ms as "2006-01-02 15:04" (UTC), like the server; "—" for none. */
export const fmtTime = (ms) => (ms ? new Date(ms).toISOString().slice(0, 16).replace("T", " ") : "—");

/** Formats unix ms as "15:04:05.000" (UTC), for timelines. */
export const fmtClock = (ms) => (ms ? new Date(ms).toISOString().slice(11, 23) : "—");

/**
 * Formats a duration in ms for people, as the server does (FormatDuration):
 * "850 ms", "1.2 s", "42 s", "3 min 4 s", "2 h 5 min", "3 d 4 h".
 * @param {number} ms
 * @param {(key: string, ...args: any[]) => string} t
 */
export function fmtDuration(ms, t) {
  ms = Math.max(0, Math.round(Number(ms) || 0));
  if (ms < 1000) return t("duration.ms", ms);
  if (ms < 10_000) return t("duration.s", (ms / 1000).toFixed(1));
  if (ms < 60_000) return t("duration.s", Math.floor(ms / 1000));
  if (ms < 3_600_000) return t("duration.min_s", Math.floor(ms / 60_000), Math.floor((ms % 60_000) / 1000));
  if (ms < 86_400_000) return t("duration.h_min", Math.floor(ms / 3_600_000), Math.floor((ms % 3_600_000) / 60_000));
  return t("duration.d_h", Math.floor(ms / 86_400_000), Math.floor((ms % 86_400_000) / 3_600_000));
}

/** The session's CSRF token from <meta name="csrf-token">. */
export const csrfToken = (doc = document) => doc.querySelector('meta[name="csrf-token"]')?.content || "";

/**
 * Calls the API with the session cookie and the CSRF token. Resolves to
 * {ok, status, data} (data: the parsed JSON body or null); rejects only when
 * the server cannot be reached.
 */
export async function api(method, url, body) {
  const headers = { Accept: "application/json", "X-CSRF-Token": csrfToken() };
  const init = { method, headers, credentials: "same-origin" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = typeof body === "string" ? body : JSON.stringify(body); // a string is JSON text already
  }
  const res = await fetch(url, init);
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { errorMessage: text.slice(0, 300) };
    }
  }
  return { ok: res.ok, status: res.status, data };
}
