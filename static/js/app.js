// flowcraft — behaviour shared by every page (loaded as an ES module by the layout).
// Dropdown menus are <details data-menu> elements that work without script;
// this closes them on a click outside and on Escape. Then it starts the page's
// own script (boot.js: the page root's data-page names it).

// The open-task count on the Inbox (待办) link of signed-in pages.
import "./navbadge.js";
import { boot } from "./boot.js";

const menus = () => document.querySelectorAll("details[data-menu][open]");

document.addEventListener("click", (event) => {
  for (const menu of menus()) {
    if (!menu.contains(event.target)) menu.open = false;
  }
});

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const menu of menus()) {
    menu.open = false;
    menu.querySelector("summary")?.focus();
  }
});

// A page script that fails to start is an uncaught error, as it was when the
// page loaded the script itself.
boot(document);
