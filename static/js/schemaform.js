// flowcraft — the start form from a process's inputDataSchema (JSON Schema).
// Pure functions, no DOM: processes.js draws the fields they describe.
//
// An object schema whose properties are all string, number, integer, boolean
// or enum becomes one field per property; anything else (nested objects,
// arrays, no schema) falls back to a JSON text area.

/**
 * @typedef {{key: string, label: string, type: "string"|"number"|"integer"|"boolean"|"enum",
 *   required: boolean, options?: string[], description?: string, default?: *,
 *   minimum?: number, maximum?: number, format?: string}} Field
 */

/**
 * Describes the form for a schema.
 * @param {object} schema a JSON Schema (usually {type: "object", properties, required})
 * @returns {{fields: Field[], json: boolean}} json: true when a JSON text area must be used instead
 */
export function formFromSchema(schema) {
  if (!schema || typeof schema !== "object" || Array.isArray(schema)) return { fields: [], json: true };
  const props = schema.properties;
  if (!props || typeof props !== "object" || Object.keys(props).length === 0) {
    // An empty schema accepts anything: no fields, a JSON box for optional data.
    return { fields: [], json: true };
  }
  if (schema.type !== undefined && schema.type !== "object") return { fields: [], json: true };
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const fields = [];
  for (const [key, p] of Object.entries(props)) {
    if (!p || typeof p !== "object") return { fields: [], json: true };
    const f = { key, label: typeof p.title === "string" && p.title ? p.title : key, required: required.has(key) };
    if (typeof p.description === "string") f.description = p.description;
    if (p.default !== undefined) f.default = p.default;
    if (Array.isArray(p.enum) && p.enum.length > 0 && p.enum.every((v) => typeof v === "string" || typeof v === "number")) {
      f.type = "enum";
      f.options = p.enum.map(String);
      f.enumTypes = p.enum.map((v) => typeof v);
    } else if (p.type === "string" || p.type === "number" || p.type === "integer" || p.type === "boolean") {
      f.type = p.type;
      if (typeof p.minimum === "number") f.minimum = p.minimum;
      if (typeof p.maximum === "number") f.maximum = p.maximum;
      if (typeof p.format === "string") f.format = p.format;
    } else {
      return { fields: [], json: true };
    }
    fields.push(f);
  }
  return { fields, json: false };
}

/**
 * Turns the form's raw values (strings from inputs, booleans from check
 * boxes) into trigger data and lists the problems by field key. Empty
 * optional fields are left out.
 * @param {Field[]} fields
 * @param {Record<string, string | boolean>} raw
 * @returns {{data: object, errors: {key: string, problem: "required"|"number"|"integer"|"min"|"max"}[]}}
 */
export function collectValues(fields, raw) {
  const data = {};
  const errors = [];
  for (const f of fields) {
    const v = raw[f.key];
    if (f.type === "boolean") {
      data[f.key] = v === true || v === "true" || v === "on";
      continue;
    }
    const s = typeof v === "string" ? v.trim() : "";
    if (s === "") {
      if (f.required) errors.push({ key: f.key, problem: "required" });
      continue;
    }
    if (f.type === "number" || f.type === "integer") {
      const n = Number(s);
      if (!Number.isFinite(n)) {
        errors.push({ key: f.key, problem: "number" });
        continue;
      }
      if (f.type === "integer" && !Number.isInteger(n)) {
        errors.push({ key: f.key, problem: "integer" });
        continue;
      }
      if (f.minimum !== undefined && n < f.minimum) {
        errors.push({ key: f.key, problem: "min" });
        continue;
      }
      if (f.maximum !== undefined && n > f.maximum) {
        errors.push({ key: f.key, problem: "max" });
        continue;
      }
      data[f.key] = n;
    } else if (f.type === "enum") {
      const i = f.options.indexOf(s);
      data[f.key] = i >= 0 && f.enumTypes?.[i] === "number" ? Number(s) : s;
    } else {
      data[f.key] = typeof v === "string" ? v : s;
    }
  }
  return { data, errors };
}
