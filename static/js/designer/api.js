// flowcraft designer — the REST API as the browser session sees it: JSON in
// and out, the session cookie, and the CSRF token from <meta name="csrf-token">
// in X-CSRF-Token on every call.

import { api } from "../msgs.js";

/** Calls the API: {ok, status, data}; see msgs.js. */
export { api };

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
