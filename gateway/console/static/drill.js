// Drill-down: the files and the imported lines behind one bar of the dashboard (the same range
// and currency plus that bar's key), paged from GET /api/sales/analytics/rows/, each as CSV too.
import { sales } from "./api.js";
import { h, fill, amount, errorText, table } from "./ui.js";
import { PATH, ROWS_PATH, query, entries, csvButton } from "./analytics.js";

const PAGE_SIZE = window.matchMedia("(max-width: 640px)").matches ? 10 : 25;   // phones stack each line

const COLUMNS = [
  { title: "File", cell: (r) => h("a", { href: `#/files/${r.file_id}` }, `#${r.file_id}`) },
  { title: "Line", num: true, cell: (r) => String(r.line ?? "—") },
  { title: "Sale month", cell: (r) => r.sale_month || "—" },
  { title: "Period", cell: (r) => r.period || "—" },
  { title: "DSP", cell: (r) => r.dsp || "—" },
  { title: "Territory", cell: (r) => r.territory || "—" },
  { title: "Artist", cell: (r) => r.artist || "—" },
  { title: "Track", cell: (r) => [r.track_title, r.isrc && h("span", { class: "muted small" }, ` ${r.isrc}`)].filter(Boolean) },
  { title: "Release", cell: (r) => [r.release_title, r.upc && h("span", { class: "muted small" }, ` ${r.upc}`)].filter(Boolean) },
  { title: "Qty", num: true, cell: (r) => String(r.quantity ?? "—") },
  { title: "Revenue", num: true, cell: (r) => amount(r.revenue, r.currency) },
];

/**
 * Fill `panel` with what lies behind `label` (filter {param: key} on top of `state`); the panel
 * scrolls into view and takes focus so keyboard and screen-reader users land on it.
 */
export function drill(panel, state, filter, label) {
  const q = query(state, filter || {});
  const filesBox = h("div", { id: "drill-files" }, h("p", { class: "muted" }, "Loading files…"));
  const rowsBox = h("div", { id: "drill-rows" }, h("p", { class: "muted" }, "Loading lines…"));
  const close = h("button", { type: "button", class: "secondary", onclick: () => { fill(panel); panel.hidden = true; } }, "Close");
  panel.hidden = false;
  fill(panel, h("div", { class: "drill-head" }, h("h2", { id: "drill-h", tabindex: "-1" }, `Behind ${label}`), close),
    h("h3", {}, "Files"), filesBox, h("h3", {}, "Lines"), rowsBox);
  const header = document.querySelector("header.top");   // sticky: keep the heading below it
  window.scrollTo({ top: panel.getBoundingClientRect().top + window.scrollY - (header ? header.offsetHeight : 0) - 8 });
  panel.querySelector("#drill-h").focus({ preventScroll: true });
  if (!filter) {   // "not stated", or a track/release without ISRC/UPC: no filter selects just it
    fill(filesBox, h("p", { class: "muted" }, `${label} has no DSP, territory, artist, ISRC or UPC of its own to select its lines by.`));
    fill(rowsBox);
    return;
  }
  loadFiles(filesBox, state, q);
  loadRows(rowsBox, q, 1, label);
}

async function loadFiles(box, state, q) {
  const fq = new URLSearchParams(q); fq.set("group_by", "file"); fq.set("top", "50");
  try {
    const answer = await sales("GET", `${PATH}?${fq}`);
    const list = entries(answer, state.currency);
    fill(box, list.length ? table([
      { title: "File", cell: (e) => h("a", { href: `#/files/${e.key}` }, e.label) },
      { title: "Revenue", num: true, cell: (e) => e.display }], list, { label: "Files behind the selection" })
      : h("p", { class: "muted" }, "No files."), h("p", {}, csvButton(PATH, fq, "files", "Files as CSV")));
  } catch (err) { fill(box, h("p", { class: "error" }, errorText(err))); }
}

async function loadRows(box, q, page, label) {
  const rq = new URLSearchParams(q); rq.set("page", String(page)); rq.set("page_size", String(PAGE_SIZE));
  try {
    const answer = await sales("GET", `${ROWS_PATH}?${rq}`);
    const pages = Math.max(1, Math.ceil((answer.count || 0) / PAGE_SIZE));
    const nav = h("div", { class: "row pager" },
      h("button", { type: "button", class: "secondary", disabled: page <= 1, onclick: () => loadRows(box, q, page - 1, label) }, "Previous"),
      h("span", { class: "small", role: "status" }, `Page ${page} of ${pages} · ${answer.count} line(s)`),
      h("button", { type: "button", class: "secondary", disabled: page >= pages, onclick: () => loadRows(box, q, page + 1, label) }, "Next"),
      csvButton(ROWS_PATH, q, `lines ${label}`, "Lines as CSV"));
    fill(box, answer.results.length ? table(COLUMNS, answer.results, { label: "Lines behind the selection" })
      : h("p", { class: "muted" }, "No lines."), nav);
  } catch (err) { fill(box, h("p", { class: "error" }, errorText(err))); }
}
