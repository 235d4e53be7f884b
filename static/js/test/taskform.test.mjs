// node --test: the human task's form (fields from the task, answers for the API).
import { test } from "node:test";
import assert from "node:assert/strict";

import { fieldsFromTask, collectTaskForm, pickLabel, submitBody, problemField } from "../taskform.js";

const form = [
  { key: "remark", label: { zh: "意见", en: "Remark" }, type: "textarea", required: true },
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
    ["remark", "意见", "textarea", true],
    ["amount", "Amount", "number", false],
    ["urgent", "urgent", "boolean", false],
    ["until", "Until", "date", false],
    ["level", "Level", "select", false],
    ["odd", "odd", "text", false],
  ]);
  assert.deepEqual(zh[4].options, [{ value: "low", label: "low" }, { value: "high", label: "高" }]);
  assert.equal(fieldsFromTask(form, "en")[0].label, "Remark");
  assert.deepEqual(fieldsFromTask(null, "en"), []);
  assert.equal(pickLabel(undefined, "en", "k"), "k");
});

test("answers: typed values, problems by field", () => {
  const fields = fieldsFromTask(form, "en");
  const ok = collectTaskForm(fields, { remark: "fine", amount: "12.5", urgent: true, until: "2024-05-31", level: "high", odd: "" });
  assert.deepEqual(ok.errors, []);
  assert.deepEqual(ok.data, { remark: "fine", amount: 12.5, urgent: true, until: "2024-05-31", level: "high" });
  const bad = collectTaskForm(fields, { remark: " ", amount: "x", urgent: false, until: "31.05.2024", level: "mid" });
  assert.deepEqual(bad.errors, [
    { key: "remark", problem: "required" },
    { key: "amount", problem: "number" },
    { key: "until", problem: "date" },
    { key: "level", problem: "option" },
  ]);
  assert.deepEqual(bad.data, { urgent: false });
});

test("the submit body is the seed's flat object: answers by key, outcome, comment", () => {
  const fields = fieldsFromTask(form, "en");
  const { data } = collectTaskForm(fields, { remark: "fine", amount: "3", urgent: false, until: "", level: "" });
  assert.deepEqual(submitBody("approve", "同意", data), { remark: "fine", amount: 3, urgent: false, outcome: "approve", comment: "同意" });
  assert.deepEqual(submitBody("reject", undefined, {}), { outcome: "reject", comment: "" });
  // A stray reserved key in the answers cannot replace the decision.
  assert.deepEqual(submitBody("approve", "", { outcome: "reject", comment: "x" }), { outcome: "approve", comment: "" });
  assert.equal(JSON.stringify(submitBody("approve", "", data)).includes('"form"'), false);
});

test("server problems land on the field named by their key", () => {
  const fields = fieldsFromTask(form, "en");
  assert.equal(problemField({ field: "amount", code: "wrong_type" }, fields), "amount");
  assert.equal(problemField({ field: "outcome", code: "required" }, fields), null);
  assert.equal(problemField({ field: "key1", code: "unknown_field" }, fields), null);
  assert.equal(problemField({ field: "form.amount" }, fields), null);
  assert.equal(problemField({}, fields), null);
});
