// flowcraft designer — messages in the page's language. The page renders the
// catalogue's "designer.*" messages as JSON in <script id="designer-i18n">;
// keys are used here without the "designer." prefix.

/** @type {Record<string, string>} */
let messages = {};
let lang = "en";

/**
 * Loads the messages rendered by the page.
 * @param {Document} doc
 */
export function loadMessages(doc) {
  const el = doc.getElementById("designer-i18n");
  messages = el ? JSON.parse(el.textContent || "{}") : {};
  lang = doc.documentElement.lang === "zh-CN" ? "zh" : "en";
}

/**
 * Returns the message for key with %s/%d replaced by args in order; the key
 * itself when there is no message.
 * @param {string} key
 * @param {...*} args
 */
export function t(key, ...args) {
  const m = messages[key] ?? key;
  let i = 0;
  return m.replace(/%[sd]/g, () => String(args[i++] ?? ""));
}

/**
 * Picks the page's language from a {zh, en} label.
 * @param {{zh?: string, en?: string} | string | undefined} label
 */
export function pick(label) {
  if (!label) return "";
  if (typeof label === "string") return label;
  return (lang === "zh" ? label.zh || label.en : label.en || label.zh) || "";
}

/** The page's language: "zh" or "en". */
export const currentLang = () => lang;
