// node --test: the start form generated from inputDataSchema.
import { test } from "node:test";
import assert from "node:assert/strict";

import { formFromSchema, collectValues } from "../schemaform.js";

test("fields from an object schema", () => {
  const { fields, json } = formFromSchema({
    type: "object",
    required: ["applicant", "days"],
    properties: {
      applicant: { type: "string", title: "Applicant" },
      days: { type: "number", minimum: 0.5 },
      count: { type: "integer", maximum: 10 },
      urgent: { type: "boolean", default: false },
      kind: { enum: ["sick", "annual", 3] },
    },
  });
  assert.equal(json, false);
  assert.deepEqual(fields.map((f) => [f.key, f.type, f.required, f.label]), [
    ["applicant", "string", true, "Applicant"],
    ["days", "number", true, "days"],
    ["count", "integer", false, "count"],
    ["urgent", "boolean", false, "urgent"],
    ["kind", "enum", false, "kind"],
  ]);
  assert.deepEqual(fields[4].options, ["sick", "annual", "3"]);
});

test("schemas the form cannot draw fall back to JSON", () => {
  for (const s of [null, {}, { type: "object" }, { type: "array", items: {} }, { properties: { a: { type: "object" } } }, { properties: { a: { type: "array" } } }]) {
    assert.equal(formFromSchema(s).json, true, JSON.stringify(s));
  }
});

test("values are converted and checked", () => {
  const { fields } = formFromSchema({
    type: "object",
    required: ["name", "days"],
    properties: { name: { type: "string" }, days: { type: "number", minimum: 1 }, n: { type: "integer" }, ok: { type: "boolean" }, k: { enum: ["a", 2] }, note: { type: "string" } },
  });
  assert.deepEqual(collectValues(fields, { name: " 张三 ", days: "2.5", n: "3", ok: true, k: "2", note: "" }), {
    data: { name: " 张三 ", days: 2.5, n: 3, ok: true, k: 2 },
    errors: [],
  });
  const bad = collectValues(fields, { name: "", days: "0", n: "1.5", ok: false });
  assert.deepEqual(bad.errors, [
    { key: "name", problem: "required" },
    { key: "days", problem: "min" },
    { key: "n", problem: "integer" },
  ]);
  assert.deepEqual(collectValues(fields, { name: "x", days: "abc" }).errors, [{ key: "days", problem: "number" }]);
});
