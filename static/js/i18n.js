// flowcraft — the one translator of every page script. The server renders the
// messages a page's scripts need, from the same locale files it renders the
// page with (ui/locales/*.json), as JSON in <script id="i18n">, keys whole
// ("designer.save", "rt.input", "error.required"). Messages take named
// placeholders, "{name}", filled from an object: t(key, {total: 3}).
// Any other brace ("{{ expr }}") is text.
//
// API errors carry a stable code and params beside the English errorMessage
// ({"code": "required", "params": {...}, "errorMessage": "..."}, and the same
// per problem in "errors"); errorText/problemText show them in the page's
// language from the "error.<code>" messages, falling back to the server's text
// only for a code the page has no message for.
//
// Everything but the page translator (t, pick, currentLang) is DOM-free; node
// --test covers it (static/js/test/i18n.test.mjs).

const placeholder = /\{([A-Za-z][A-Za-z0-9_]*)\}/g;

/**
 * Fills the {name} placeholders of msg from params; a placeholder without a
 * value stays as it is, so that a missing value shows.
 * @param {string} msg
 * @param {Record<string, any> | undefined} params
 */
export function format(msg, params) {
  if (!params || !msg.includes("{")) return msg;
  return msg.replace(placeholder, (whole, name) => {
    const v = params[name];
    return v === undefined || v === null ? whole : String(v);
  });
}

/**
 * @typedef {((key: string, params?: Record<string, any>) => string) & {
 *   has: (key: string) => boolean,
 *   lang: string,
 *   pick: (label: any) => string,
 * }} Translate
 */

/**
 * Makes a translate function over a message map: t(key, params) is the
 * message with its placeholders filled, or the key itself when there is none.
 * t.has(key) tells whether there is one; t.pick({zh, en}) picks a bilingual
 * label (the node templates' labels) in the translator's language.
 * @param {Record<string, string>} messages
 * @param {string} [lang] "zh-CN" or "en"
 * @returns {Translate}
 */
export function translator(messages, lang = "en") {
  const msgs = messages && typeof messages === "object" ? messages : {};
  const has = (key) => typeof msgs[key] === "string";
  const t = (key, params) => (has(key) ? format(msgs[key], params) : key);
  t.has = has;
  t.lang = lang;
  const zh = lang.toLowerCase().startsWith("zh");
  t.pick = (label) => {
    if (!label) return "";
    if (typeof label === "string") return label;
    return (zh ? label.zh || label.en : label.en || label.zh) || "";
  };
  return t;
}

/**
 * Reads the messages a page rendered as JSON (and the page's language from
 * <html lang>) and returns its translate function.
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
  return translator(messages, doc.documentElement?.lang || "en");
}

/**
 * The message of one validation problem ({taskId, field, code, params,
 * message}), in the page's language: "error.<code>" with the params, else the
 * server's message.
 * @param {Translate} t
 * @param {{code?: string, params?: Record<string, any>, message?: string}} p
 */
export function problemText(t, p) {
  if (p?.code && t.has(`error.${p.code}`)) return t(`error.${p.code}`, p.params || {});
  return String(p?.message ?? "");
}

// The code of an error known only by its HTTP status (what the server sends
// as "code" when it has no more precise one).
const statusCodes = {
  400: "invalid",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  413: "body_too_large",
  415: "unsupported_media_type",
  422: "unprocessable",
  429: "too_many_requests",
  500: "internal",
  503: "unavailable",
};

/**
 * The message of a failed API answer ({statusCode, code, params,
 * errorMessage}) in the page's language: "error.<code>" with the params; for
 * a code the page has no message for (a newer server), the message of the
 * status's kind; the server's English text only when neither exists; for no
 * answer at all (status 0), "error.network".
 * @param {Translate} t
 * @param {{statusCode?: number, code?: string, params?: Record<string, any>, errorMessage?: string} | null | undefined} data
 * @param {number} [status] the HTTP status when data has none
 */
export function errorText(t, data, status) {
  if (data?.code && t.has(`error.${data.code}`)) return t(`error.${data.code}`, data.params || {});
  const s = data?.statusCode || status;
  if (!s && !data?.errorMessage) return t("error.network");
  const kind = statusCodes[s] || (s >= 500 ? "internal" : "");
  if (kind && t.has(`error.${kind}`)) return t(`error.${kind}`, data?.params || {});
  return data?.errorMessage || `HTTP ${s}`;
}

// ---------- the page translator ----------

/** @type {Translate | null} */
let page = null;

/** The translator of the page this module runs in, loaded on first use. */
function pageTranslator() {
  if (!page) page = typeof document === "undefined" ? translator({}) : loadMessages(document);
  return page;
}

/**
 * Translates key with the page's messages (see translator); t.has and t.pick
 * work as on any translator, t.lang is the page's language.
 * @type {Translate}
 */
export const t = Object.defineProperty(
  Object.assign((key, params) => pageTranslator()(key, params), {
    has: (key) => pageTranslator().has(key),
    pick: (label) => pageTranslator().pick(label),
  }),
  "lang",
  { get: () => pageTranslator().lang },
);

/**
 * Picks the page's language from a {zh, en} label.
 * @param {{zh?: string, en?: string} | string | undefined} label
 */
export const pick = (label) => pageTranslator().pick(label);

/** The page's language: "zh" or "en". */
export const currentLang = () => (pageTranslator().lang.toLowerCase().startsWith("zh") ? "zh" : "en");
