// flowcraft — the form of a human task, from its fields ([{key, label, type,
// required, options}]; types text, textarea, number, boolean, date, select).
// Pure functions, no DOM: task.js draws the fields they describe.

/**
 * Picks a label in the page's language: a string, or {zh, en}.
 * @param {string | {zh?: string, en?: string} | undefined} label
 * @param {"zh" | "en"} lang
 * @param {string} fallback
 */
export function pickLabel(label, lang, fallback) {
  if (typeof label === "string" && label) return label;
  if (label && typeof label === "object") return (lang === "zh" ? label.zh || label.en : label.en || label.zh) || fallback;
  return fallback;
}

/**
 * Describes a task's form: one field per entry with a known input type.
 * Unknown types become text. Options may be strings or {value, label}.
 * @param {object[]} form
 * @param {"zh" | "en"} lang
 * @returns {{key: string, label: string, type: string, required: boolean, options: {value: string, label: string}[]}[]}
 */
export function fieldsFromTask(form, lang) {
  const known = new Set(["text", "textarea", "number", "boolean", "date", "select"]);
  return (Array.isArray(form) ? form : [])
    .filter((f) => f && typeof f.key === "string" && f.key)
    .map((f) => ({
      key: f.key,
      label: pickLabel(f.label, lang, f.key),
      type: known.has(f.type) ? f.type : "text",
      required: !!f.required,
      options: (Array.isArray(f.options) ? f.options : []).map((o) =>
        o && typeof o === "object" ? { value: String(o.value ?? ""), label: pickLabel(o.label, lang, String(o.value ?? "")) } : { value: String(o), label: String(o) },
      ),
    }));
}

/**
 * Turns the raw values of the inputs (strings; booleans for check boxes) into
 * the form answers the API takes, and lists the problems by field key.
 * Empty optional fields are left out; booleans are always sent.
 * @param {ReturnType<typeof fieldsFromTask>} fields
 * @param {Record<string, string | boolean>} raw
 * @returns {{data: Record<string, any>, errors: {key: string, problem: "required" | "number" | "date" | "option"}[]}}
 */
export function collectTaskForm(fields, raw) {
  const data = {};
  const errors = [];
  for (const f of fields) {
    const v = raw[f.key];
    if (f.type === "boolean") {
      data[f.key] = v === true || v === "true" || v === "on";
      continue;
    }
    const s = typeof v === "string" ? v : "";
    if (s.trim() === "") {
      if (f.required) errors.push({ key: f.key, problem: "required" });
      continue;
    }
    switch (f.type) {
      case "number": {
        const n = Number(s.trim());
        if (!Number.isFinite(n)) errors.push({ key: f.key, problem: "number" });
        else data[f.key] = n;
        break;
      }
      case "date":
        if (!/^\d{4}-\d{2}-\d{2}$/.test(s.trim()) || Number.isNaN(Date.parse(s.trim()))) errors.push({ key: f.key, problem: "date" });
        else data[f.key] = s.trim();
        break;
      case "select":
        if (!f.options.some((o) => o.value === s)) errors.push({ key: f.key, problem: "option" });
        else data[f.key] = s;
        break;
      default:
        data[f.key] = s;
    }
  }
  return { data, errors };
}

/** Keys of the submit body that are not form fields (a form field may not take them). */
export const RESERVED_KEYS = ["outcome", "comment"];

/**
 * The body of POST /api/taskInst/{id}: the seed's flat object, the form's
 * answers by field key beside the reserved keys outcome and comment.
 * @param {string} outcome
 * @param {string} comment
 * @param {Record<string, any>} data the answers (collectTaskForm's data)
 * @returns {Record<string, any>}
 */
export function submitBody(outcome, comment, data) {
  const body = {};
  for (const [k, v] of Object.entries(data || {})) {
    if (!RESERVED_KEYS.includes(k)) body[k] = v;
  }
  body.outcome = outcome;
  body.comment = comment || "";
  return body;
}

/**
 * The form field a problem of the server's answer concerns (its field is the
 * field's key), or null for the others (outcome, comment, unknown keys).
 * @param {{field?: string}} problem
 * @param {ReturnType<typeof fieldsFromTask>} fields
 * @returns {string | null}
 */
export function problemField(problem, fields) {
  const key = problem?.field || "";
  return fields.some((f) => f.key === key) ? key : null;
}
