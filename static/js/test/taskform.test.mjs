// node --test: the human task's form (fields from the task, answers for the API).
import { test } from "node:test";
import assert from "node:assert/strict";

import { fieldsFromTask, collectTaskForm, pickLabel } from "../taskform.js";

const form = [
  { key: "comment", label: { zh: "意见", en: "Comment" }, type: "textarea", required: true },
  { key: "amount", label: "Amount", type: "number" },
  { key: "urgent", type: "boolean" },
  { key: "until", label: "Until", type: "date" },
  { key: "level", label: "Level", type: "select", options: ["low", { value: "high", label: { zh: "高", en: "High" } }] },
  { key: "odd", type: "color" },
  { type: "text" },
];

test("fields from a task: labels by language, known types, options", () => {
  const zh = fieldsFromTask(form, "zh");
  assert.deepEqual(zh.map((f) => [f.key, f.label, f.type, f.required]), [
    ["comment", "意见", "textarea", true],
    ["amount", "Amount", "number", false],
    ["urgent", "urgent", "boolean", false],
    ["until", "Until", "date", false],
    ["level", "Level", "select", false],
    ["odd", "odd", "text", false],
  ]);
  assert.deepEqual(zh[4].options, [{ value: "low", label: "low" }, { value: "high", label: "高" }]);
  assert.equal(fieldsFromTask(form, "en")[0].label, "Comment");
  assert.deepEqual(fieldsFromTask(null, "en"), []);
  assert.equal(pickLabel(undefined, "en", "k"), "k");
});

test("answers: typed values, problems by field", () => {
  const fields = fieldsFromTask(form, "en");
  const ok = collectTaskForm(fields, { comment: "fine", amount: "12.5", urgent: true, until: "2024-05-31", level: "high", odd: "" });
  assert.deepEqual(ok.errors, []);
  assert.deepEqual(ok.data, { comment: "fine", amount: 12.5, urgent: true, until: "2024-05-31", level: "high" });
  const bad = collectTaskForm(fields, { comment: " ", amount: "x", urgent: false, until: "31.05.2024", level: "mid" });
  assert.deepEqual(bad.errors, [
    { key: "comment", problem: "required" },
    { key: "amount", problem: "number" },
    { key: "until", problem: "date" },
    { key: "level", problem: "option" },
  ]);
  assert.deepEqual(bad.data, { urgent: false });
});
