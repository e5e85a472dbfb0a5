// Files: drag-and-drop upload (register → presigned PUT with progress → process) and the
// organisation's file table, kept live by the `files` event stream (no polling).
import { auth, sales, putFile, liveStream } from "./api.js";
import { h, field, clear, fill, amount, amounts, errorText, toast, needSignIn, tableRow } from "./ui.js";
import { WORDS, statusBadge, problemCell } from "./status.js";
import { applyFileEvent, FILE_EVENTS, STATUSES, REIMPORTABLE } from "./fold.js";
import { duplicateLink, importAnywayButton, totalsNote, voidButton, TOTALS_CHECKS } from "./statements.js";

const TYPES = ["CSV", "TSV", "TXT", "XLS", "XLSX", "ZIP"];
const PAGE = 100;
const PARALLEL = 3;
const LOG = 20;   // upload log entries kept

export function render(root) {
  if (!auth.token) return needSignIn(root, "an organisation token");
  const rows = new Map();   // id → record
  let count = 0, shown = PAGE;
  const filter = { status: "", period: "", totals: "" };

  const input = h("input", { type: "file", id: "file-input", multiple: true, accept: TYPES.map((t) => "." + t.toLowerCase()).join(",") });
  const uploads = h("ul", { class: "uploads", id: "uploads", "aria-live": "polite", "aria-label": "Uploads" });
  const uploadCount = h("span", {}, "Uploads");
  const uploadLog = h("details", { class: "upload-log", id: "upload-log", open: true, hidden: true },
    h("summary", {}, uploadCount, " ", h("button", { type: "button", class: "secondary small", onclick: (e) => { e.preventDefault(); clearLog(); } }, "Clear")),
    uploads);
  const drop = h("div", { class: "drop", id: "drop-zone" },
    h("p", {}, "Drop sales files here (CSV, TSV, TXT, XLS, XLSX, or a ZIP of them), or"),
    field("Choose sales files", input));
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); start([...e.dataTransfer.files]); });
  input.addEventListener("change", () => { start([...input.files]); input.value = ""; });

  const statusSel = h("select", { id: "filter-status", name: "status" }, h("option", { value: "" }, "Any status"),
    STATUSES.map((s) => h("option", { value: s }, WORDS[s] || s)));
  const periodIn = h("input", { type: "month", id: "filter-period", name: "period", placeholder: "YYYY-MM" });
  const totalsSel = h("select", { id: "filter-totals", name: "totals_check" }, h("option", { value: "" }, "Any totals check"),
    TOTALS_CHECKS.map((s) => h("option", { value: s }, s)));
  const filterForm = h("form", { class: "row", id: "filter-form", role: "search" },
    field("Status", statusSel),
    field("Reporting period", periodIn),
    field("Declared totals", totalsSel),
    h("button", { type: "submit", class: "secondary" }, "Filter"));
  filterForm.addEventListener("submit", (e) => { e.preventDefault(); filter.status = statusSel.value; filter.period = periodIn.value; filter.totals = totalsSel.value; shown = PAGE; load(); });
  statusSel.addEventListener("change", () => filterForm.requestSubmit());

  const columns = [
    { title: "File", cell: (r) => h("span", { class: "file-name" }, h("a", { href: `#/files/${r.id}` }, r.filename), h("span", { class: "muted small" }, ` #${r.id}`)) },
    { title: "Period", cell: (r) => r.reporting_period || "—" },
    { title: "Status", cell: (r) => h("span", { class: "status", "data-status": r.status }, statusBadge(r.status),
      r.progress ? h("span", { class: "small" }, " ", h("progress", { max: 100, value: r.progress.percent ?? 0, "aria-label": `${r.filename} ${r.progress.stage} progress` }),
        ` ${r.progress.rows ?? 0} rows`) : null) },
    { title: "Rows", num: true, cell: (r) => r.total_rows ?? "—" },
    { title: "Revenue", num: true, cell: (r) => r.total_local != null ? amount(r.total_local, r.currency)
      : (r.totals_by_currency || []).length ? amounts(r.totals_by_currency) : "—" },
    { title: "Problem", cell: (r) => problem(r) },
    { title: "Actions", cell: (r) => h("span", { class: "actions" }, REIMPORTABLE.includes(r.status)
      ? h("button", { type: "button", class: "secondary small", "aria-label": `Reimport ${r.filename}`, onclick: (e) => reimport(r, e.target) }, "Reimport") : null,
      importAnywayButton(r), voidButton(r)) },
  ];
  const tbody = h("tbody", { id: "files-body" });
  const tableEl = h("div", { class: "table-wrap" }, h("table", { class: "responsive", id: "files-table", "aria-label": "Sales files" },
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col", class: c.num ? "num" : null }, c.title)))), tbody));
  const info = h("p", { class: "muted small", id: "files-count", role: "status" });
  const empty = h("div", { class: "empty", id: "files-empty", hidden: true });
  const more = h("button", { type: "button", class: "secondary", hidden: true, onclick: () => { shown += PAGE; load(); } }, "Show more");

  root.append(h("h1", {}, "Sales files"),
    h("section", { class: "card", "aria-labelledby": "upload-h" }, h("h2", { id: "upload-h" }, "Upload"), drop,
      uploadLog),
    h("section", { class: "card", "aria-labelledby": "list-h" }, h("h2", { id: "list-h" }, "Files"), filterForm, info, empty, tableEl, more));

  function matches(r) {
    return (!filter.status || r.status === filter.status) && (!filter.period || r.reporting_period === filter.period)
      && (!filter.totals || r.totals_check === filter.totals);
  }
  function draw() {
    const list = [...rows.values()].filter(matches).sort((a, b) => b.id - a.id);
    fill(tbody, ...list.map((r) => tableRow(columns, r, { id: `file-${r.id}`, "data-status": r.status })));
    info.textContent = `${list.length} of ${Math.max(count, list.length)} file(s)`;
    more.hidden = count <= list.length;
    const filtered = filter.status || filter.period || filter.totals;
    empty.hidden = list.length > 0; tableEl.hidden = list.length === 0;
    fill(empty, filtered ? h("p", {}, "No file matches this filter.")
      : [h("p", {}, h("strong", {}, "No sales files yet.")), h("p", { class: "muted" }, "Drop your first statement above: Tributary reads it, checks it and adds it to the dashboard.")]);
    for (const li of uploads.children) {   // the upload log follows each file's real status
      const rec = rows.get(Number(li.dataset.id));
      if (rec && li.dataset.status !== rec.status) { li.dataset.status = rec.status; fill(li.querySelector(".state"), " ", statusBadge(rec.status), " ", problemCell(rec)); }
    }
  }
  async function load() {
    const q = new URLSearchParams({ page_size: String(Math.min(shown, 500)) });
    if (filter.status) q.set("status", filter.status);
    if (filter.period) q.set("reporting_period", filter.period);
    if (filter.totals) q.set("totals_check", filter.totals);
    try {
      const page = await sales("GET", `/api/files/salesfiles/?${q}`);
      rows.clear(); count = page.count;
      for (const r of page.results) rows.set(r.id, r);
      draw();
    } catch (err) { info.textContent = errorText(err); }
  }
  function onEvent(ev) {
    const id = ev.payload.file_id;
    const known = rows.get(id);
    if (!known && ev.type !== "SalesFileRegistered") {
      // a file we have not listed (another page, or beyond this page): read it once
      sales("GET", `/api/files/salesfiles/${id}/`).then((r) => { rows.set(r.id, r); count += 1; draw(); }).catch(() => {});
      return;
    }
    if (!known) count += 1;
    rows.set(id, applyFileEvent(known, ev));
    draw();
  }

  async function reimport(r, button) {
    button.disabled = true;
    try { await sales("POST", `/api/files/salesfiles/${r.id}/process/`, { action: "reimport" }); toast(`Reimporting ${r.filename}`); }
    catch (err) { toast(errorText(err)); button.disabled = false; }
  }

  const queue = [];
  let running = 0;
  function start(fileList) {
    for (const f of fileList) queue.push(f);
    while (running < PARALLEL && queue.length) { running += 1; uploadOne(queue.shift()).finally(() => { running -= 1; start([]); }); }
  }
  async function uploadOne(file) {
    const bar = h("progress", { max: 100, value: 0, "aria-label": `Upload of ${file.name}` });
    const state = h("span", { class: "small state" }, " registering…");
    const li = h("li", { "data-file": file.name }, h("strong", {}, file.name), " ", bar, state);
    uploads.prepend(li);
    while (uploads.children.length > LOG) uploads.lastChild.remove();
    uploadLog.hidden = false; uploadCount.textContent = `Uploads (${uploads.children.length})`;
    const ext = (file.name.split(".").pop() || "").toUpperCase();
    try {
      const rec = await sales("POST", "/api/files/salesfiles/", { filename: file.name, filetype: ext, filesize: file.size,
        mongo_db_id: "console", upload_mode: "MANUALLY" });
      if (rec.filename && !rows.has(rec.id)) { rows.set(rec.id, rec); count += 1; draw(); }
      li.dataset.id = rec.id;
      state.textContent = " uploading…";
      const up = await sales("POST", `/api/files/salesfiles/${rec.id}/process/`, { action: "upload" });
      await putFile(up.presigned_url, file, (done, total) => { bar.value = total ? Math.round((done / total) * 100) : 100; });
      state.textContent = " uploaded; processing…";
      const res = await sales("POST", `/api/files/salesfiles/${rec.id}/process/`, { action: "process" });
      const now = rows.get(rec.id) || { ...rec, ...res };
      li.dataset.status = now.status;
      fill(state, " ", statusBadge(now.status), " ", problemCell(now));
    } catch (err) {
      state.textContent = ` failed: ${errorText(err)}`; state.classList.add("error");
    }
  }

  function clearLog() { clear(uploads); uploadLog.hidden = true; }

  return liveStream("files", FILE_EVENTS, onEvent, load);
}

function problem(r) {
  const overridden = r.duplicate_of != null && r.status_cause !== "DUPLICATE" ? duplicateLink(r) : null;
  return problemCell(r, [overridden, totalsNote(r), r.bad_rows ? h("span", { class: "muted small" }, ` ${r.bad_rows} bad row(s)`) : null]);
}
