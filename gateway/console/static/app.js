// Hash router: #/dashboard (home), #/files, #/files/<id>, #/summary, #/reports, #/catalog, #/gtin/imports, #/gtin/document, #/signin.
import { auth } from "./api.js";
import { clear } from "./ui.js";
import * as signin from "./signin.js";
import * as dashboard from "./dashboard.js";
import * as files from "./files.js";
import * as detail from "./detail.js";
import * as summary from "./summary.js";
import * as reports from "./reports.js";
import * as catalog from "./catalog.js";
import * as gtinImports from "./gtin_imports.js";
import * as gtinDocument from "./gtin_document.js";

const ROUTES = [
  [/^\/signin$/, signin, "Sign in"],
  [/^\/dashboard$/, dashboard, "Dashboard"],
  [/^\/files$/, files, "Files"],
  [/^\/files\/(\d+)$/, detail, "File"],
  [/^\/summary$/, summary, "Summary"],
  [/^\/reports$/, reports, "Reports"],
  [/^\/catalog$/, catalog, "Catalog"],
  [/^\/gtin\/imports$/, gtinImports, "GTIN imports"],
  [/^\/gtin\/document$/, gtinDocument, "GTIN document"],
];

let cleanup = null;

// phones: the Menu button folds the links out; choosing a page folds them again
const top = document.querySelector("header.top");
const toggle = document.getElementById("menu-toggle");
function fold(open) { top.classList.toggle("open", open); toggle.setAttribute("aria-expanded", String(open)); }
toggle.addEventListener("click", () => fold(!top.classList.contains("open")));

function route() {
  fold(false);
  const path = (location.hash.replace(/^#/, "").split("?")[0]) || (auth.token ? "/dashboard" : auth.ticket ? "/gtin/imports" : "/signin");
  const match = ROUTES.find(([re]) => re.test(path)) || ROUTES[0];
  const [re, page, title] = match;
  if (cleanup) { try { cleanup(); } catch (e) { console.error(e); } cleanup = null; }
  const view = clear(document.getElementById("view"));
  document.title = `${title} · Tributary`;
  view.classList.toggle("wide", page === dashboard || page === files);
  for (const a of document.querySelectorAll("nav a")) {
    const target = a.getAttribute("href").slice(1);
    a.toggleAttribute("aria-current", path === target || path.startsWith(target + "/"));
    if (a.hasAttribute("aria-current")) a.setAttribute("aria-current", "page");
  }
  document.getElementById("signin-link").textContent = auth.token || auth.ticket ? "Account" : "Sign in";
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  cleanup = page.render(view, path.match(re).slice(1), params) || null;
  view.focus({ preventScroll: true });
}

// the offline banner: shown while the gateway cannot be reached (api.js), Retry draws the page again
const offline = document.getElementById("offline");
window.addEventListener("tributary:reachable", (ev) => { offline.hidden = ev.detail; });
document.getElementById("offline-retry").addEventListener("click", () => { offline.hidden = true; route(); });

window.addEventListener("hashchange", route);
route();
