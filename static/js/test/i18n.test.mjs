// node --test: the one translator of the page scripts, and how API errors
// (stable code + params) become messages in the page's language.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { translator, format, loadMessages, problemText, errorText } from "../i18n.js";

// The real locale files: what the server renders into <script id="i18n">.
const locale = (name) => JSON.parse(readFileSync(fileURLToPath(new URL(`../../../ui/locales/${name}.json`, import.meta.url)), "utf8"));
const zh = translator(locale("zh-CN"), "zh-CN");
const en = translator(locale("en"), "en");

test("format fills named placeholders and leaves other braces", () => {
  assert.equal(format("{from}–{to} of {total}", { from: 1, to: 20, total: 57 }), "1–20 of 57");
  assert.equal(format("{a} {b}", { a: "A" }), "A {b}", "a missing value shows");
  assert.equal(format("{{ input.rows }} {\"k\"}", { input: "x" }), "{{ input.rows }} {\"k\"}");
  assert.equal(format("no params {x}"), "no params {x}");
  assert.equal(format("{n}", { n: 0 }), "0");
});

test("translator: key, has, fallback to the key, pick", () => {
  const t = translator({ "a.b": "Hi {name}" }, "zh-CN");
  assert.equal(t("a.b", { name: "Li" }), "Hi Li");
  assert.equal(t("a.c"), "a.c");
  assert.equal(t.has("a.b"), true);
  assert.equal(t.has("a.c"), false);
  assert.equal(t.pick({ zh: "审批", en: "Approval" }), "审批");
  assert.equal(translator({}, "en").pick({ zh: "审批", en: "Approval" }), "Approval");
  assert.equal(translator({}, "en").pick({ zh: "审批" }), "审批");
  assert.equal(t.pick("plain"), "plain");
  assert.equal(translator(null)("x"), "x");
});

test("loadMessages reads <script id=i18n> and <html lang>", () => {
  const doc = {
    documentElement: { lang: "zh-CN" },
    getElementById: (id) => (id === "i18n" ? { textContent: '{"nav.inbox": "待办"}' } : null),
  };
  const t = loadMessages(doc);
  assert.equal(t("nav.inbox"), "待办");
  assert.equal(t.lang, "zh-CN");
  const broken = loadMessages({ documentElement: {}, getElementById: () => ({ textContent: "{" }) });
  assert.equal(broken("nav.inbox"), "nav.inbox");
});

test("a validation problem shows in Chinese from its code and params, never the English message", () => {
  const p = { taskId: "task-calc0001", field: "parameters.code", code: "required", params: { field: "code" }, message: "Code (code) is required" };
  const text = problemText(zh, p);
  assert.notEqual(text, p.message);
  assert.match(text, /\p{Script=Han}/u);
  assert.doesNotMatch(text, /required|parameters\.code/);
  assert.equal(problemText(en, p), en("error.required", p.params));
  // An unknown code falls back to the server's message.
  assert.equal(problemText(zh, { code: "no_such_code", message: "server says" }), "server says");
  assert.equal(problemText(zh, { message: "plain" }), "plain");
});

test("an API error shows from its code; else from its status; the server's text last", () => {
  const stale = { statusCode: 409, code: "stale_version", params: { version: 3, current: 4 }, errorMessage: "process x is at version 4, not 3" };
  const text = errorText(zh, stale);
  assert.match(text, /\p{Script=Han}/u);
  assert.doesNotMatch(text, /version 4|not 3/);
  assert.match(text, /4/, "the params are filled in");
  assert.match(errorText(zh, { statusCode: 409, code: "no_such_code", errorMessage: "x" }), /\p{Script=Han}/u);
  assert.equal(errorText(translator({}), { statusCode: 418, errorMessage: "teapot" }), "teapot");
  assert.equal(errorText(translator({}), null, 502), "HTTP 502");
});

test("every error code has a message in both locales with the same placeholders", () => {
  const a = locale("en");
  const b = locale("zh-CN");
  const names = (s) => [...s.matchAll(/\{([A-Za-z][A-Za-z0-9_]*)\}/g)].map((m) => m[1]).sort().join(",");
  const codes = Object.keys(a).filter((k) => k.startsWith("error."));
  assert.ok(codes.length > 40, `only ${codes.length} error messages`);
  for (const k of codes) {
    assert.ok(k in b, `${k} missing in zh-CN`);
    assert.equal(names(a[k]), names(b[k]), `${k} placeholders differ`);
  }
});
