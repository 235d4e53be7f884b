// flowcraft designer — the REST API as the browser session sees it: JSON in
// and out, the session cookie, and the CSRF token from <meta name="csrf-token">
// in X-CSRF-Token on every call.

/** The session's CSRF token. */
const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content || "";

/**
 * Calls the API. Resolves to {ok, status, data} with data the parsed JSON body
 * (or null); rejects only when the server cannot be reached.
 * @param {string} method
 * @param {string} url
 * @param {*} [body] sent as JSON
 * @returns {Promise<{ok: boolean, status: number, data: any}>}
 */
export async function api(method, url, body) {
  const headers = { Accept: "application/json", "X-CSRF-Token": csrf() };
  const init = { method, headers, credentials: "same-origin" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
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

/** The URL of a process definition. */
export const processURL = (id) => `/api/process/${encodeURIComponent(id)}`;

/** The designer page of a process. */
export const designURL = (id) => `/processes/${encodeURIComponent(id)}/design`;

/**
 * Compiles code on the server: kind is "script", "expression" or "template".
 * Resolves to the list of problems [{line, column, message}] (empty when it
 * compiles), or null when the check itself failed (offline, no permission).
 * @param {string} code
 * @param {string} kind
 */
export async function checkCode(code, kind) {
  try {
    const r = await api("POST", "/api/scripts/check", { code, kind });
    if (!r.ok) return null;
    return r.data?.response?.errors || [];
  } catch {
    return null;
  }
}

/** Cached directory lists (users, groups) for pickers; null when not allowed. */
const directory = new Map();

/**
 * Lists users or groups for a picker: [{id, name}], or null when the caller
 * may not list them (only administrators can), so the picker takes free text.
 * @param {"users" | "groups"} what
 */
export function listDirectory(what) {
  if (!directory.has(what)) {
    directory.set(
      what,
      api("GET", `/api/${what}?limit=1000`)
        .then((r) => (r.ok ? (r.data?.response?.list || []).map((x) => ({ id: x.id, name: x.name || x.id })) : null))
        .catch(() => null),
    );
  }
  return directory.get(what);
}
