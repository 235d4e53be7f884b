// flowcraft — starts the page's script. A page's root element names its
// script in data-page; boot imports that module (only the ones listed here)
// and calls its init(root). The page modules do nothing on import, so a test
// can import them (static/js/test/pages.test.mjs). Loaded by app.js, on every
// page: a page without data-page starts nothing.

/** The page modules by the name a root's data-page gives. */
export const pages = {
  processes: "./processes.js",
  designer: "./designer/main.js",
  instances: "./instances.js",
  instance: "./instance.js",
  inbox: "./inbox.js",
  task: "./task.js",
  admin: "./admin.js",
  admintasks: "./admintasks.js",
  history: "./history.js",
};

/**
 * Starts the page of doc: finds the element with data-page, imports the page
 * module of that name and calls its init with the element. Resolves to the
 * page's name, or "" when the page has none (or one not listed).
 * @param {Document} doc
 * @returns {Promise<string>}
 */
export async function boot(doc) {
  const root = doc.querySelector("[data-page]");
  const name = root?.dataset.page || "";
  if (!Object.hasOwn(pages, name)) return "";
  const { init } = await import(pages[name]);
  init(root);
  return name;
}
