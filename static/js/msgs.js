// flowcraft — how page scripts call the API: with the session cookie and the
// CSRF token. Messages come from i18n.js, formats of times from formats.js.

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

/**
 * Like api, but a server that cannot be reached resolves too, to
 * {ok: false, status: 0, data: null} (which errorText shows as a network error).
 */
export async function call(method, url, body) {
  try {
    return await api(method, url, body);
  } catch {
    return { ok: false, status: 0, data: null };
  }
}
