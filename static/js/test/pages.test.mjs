// The page scripts do nothing on import (no document here: touching it would
// throw) and export init; boot starts only the pages it lists.

import { test } from "node:test";
import assert from "node:assert/strict";
import { pages, boot } from "../boot.js";

test("every listed page module imports without a DOM and exports init", async () => {
  assert.ok(Object.keys(pages).length >= 7);
  for (const [name, path] of Object.entries(pages)) {
    const mod = await import(new URL(path, new URL("../boot.js", import.meta.url)).href);
    assert.equal(typeof mod.init, "function", `${name} (${path}) exports no init`);
  }
});

/** A document whose one element has the given data-page. */
const fakeDoc = (page) => {
  const listeners = [];
  const root = {
    dataset: page === undefined ? {} : { page },
    addEventListener: (type) => listeners.push(type),
  };
  return { root, listeners, doc: { querySelector: (sel) => (sel === "[data-page]" && page !== undefined ? root : null) } };
};

test("boot starts the page its root names", async () => {
  const { root, listeners, doc } = fakeDoc("instances");
  assert.equal(await boot(doc), "instances");
  assert.equal(root.dataset.ready, "true");
  assert.deepEqual(listeners.sort(), ["change", "click"]);
});

test("boot starts nothing for a page without data-page or with a name it does not list", async () => {
  assert.equal(await boot(fakeDoc(undefined).doc), "");
  for (const name of ["toString", "__proto__", "constructor", "../app", "nope"]) {
    const { root, doc } = fakeDoc(name);
    assert.equal(await boot(doc), "", name);
    assert.equal(root.dataset.ready, undefined, name);
  }
});
