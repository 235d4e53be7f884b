// node --test: the live state of external tasks (externaljobs.js, DOM-free part).
import { test } from "node:test";
import assert from "node:assert/strict";

import { jobStatus, jobText, latestByTask, lockTime } from "../externaljobs.js";
import { translator } from "../i18n.js";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const messages = (lang) => JSON.parse(readFileSync(path.resolve(here, `../../../ui/locales/${lang}.json`), "utf8"));

const now = Date.UTC(2026, 10, 30, 10, 0, 0);
const locked = { id: "1", taskId: "task-a", state: "locked", workerId: "worker-7", lockExpiresAt: Date.UTC(2026, 10, 30, 10, 42, 0), createAt: 1 };

test("a job's state: waiting, locked until its lock expires, incident, done", () => {
  assert.equal(jobStatus(null, now), null);
  assert.equal(jobStatus({ state: "open" }, now), "waiting");
  assert.equal(jobStatus(locked, now), "locked");
  assert.equal(jobStatus(locked, locked.lockExpiresAt), "waiting", "an expired lock frees the job");
  assert.equal(jobStatus({ state: "locked" }, now), "waiting");
  assert.equal(jobStatus({ state: "incident", retries: 0 }, now), "incident");
  assert.equal(jobStatus({ state: "done" }, now), "done");
});

test("the texts, in both languages, with the lock's time on the page's clock", () => {
  const en = translator(messages("en"), "en");
  const zh = translator(messages("zh-CN"), "zh-CN");
  assert.equal(jobText({ state: "open" }, en, now, "UTC"), "Waiting for a worker");
  assert.equal(jobText(locked, en, now, "UTC"), "Locked by worker-7 until 10:42");
  assert.equal(jobText(locked, en, now, "Asia/Shanghai"), "Locked by worker-7 until 18:42");
  assert.equal(jobText(locked, zh, now, "UTC"), "已被 worker-7 锁定，至 10:42");
  assert.equal(jobText({ state: "incident", errorMessage: "card declined", retries: 0 }, en, now, "UTC"), "Incident: card declined — retries 0");
  assert.equal(jobText({ state: "incident", retries: null }, en, now, "UTC"), "Incident: no message — retries 0");
  assert.equal(lockTime(Date.UTC(2026, 11, 1, 9, 5), now, "UTC"), "2026-12-01 09:05", "another day shows the date");
});

test("the newest job of each task", () => {
  const m = latestByTask([
    { id: "1", taskId: "a", createAt: 10 },
    { id: "3", taskId: "a", createAt: 20 },
    { id: "2", taskId: "b", createAt: 5 },
    { id: "4", taskId: "a", createAt: 20 },
  ]);
  assert.equal(m.get("a").id, "4");
  assert.equal(m.get("b").id, "2");
  assert.equal(latestByTask(undefined).size, 0);
});
