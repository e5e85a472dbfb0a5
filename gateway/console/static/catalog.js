// Catalog: upload a catalog file (a new version once it is read), the versions imported so far,
// and a search of the current version. Imports have no event stream: one that is running is
// read once a second until it ends (as GTIN imports are).
import { auth, sales, putFile } from "./api.js";
import { h, field, fill, when, errorText, needSignIn, table } from "./ui.js";

const WORDS = { INITIALIZED: "Registered", UPLOADING: "Waiting for the file", UPLOADED: "Uploaded",
  PROCESSING: "Reading", DONE: "Current version", FAILED: "Failed" };
const RUNNING = ["INITIALIZED", "UPLOADING", "UPLOADED", "PROCESSING"];
const TYPES = ".csv,.tsv,.txt,.xlsx,.xls";

export function render(root) {
  if (!auth.token) return needSignIn(root, "an organisation token");
  let current = null, stopped = false;
  const timers = new Set();
  const input = h("input", { type: "file", id: "catalog-file", accept: TYPES });
  const msg = h("p", { class: "small", role: "status", "aria-live": "polite", id: "catalog-msg" });
  const versions = h("div", { id: "catalog-versions" });
  const head = h("p", { id: "catalog-current" });
  const fields = ["isrc", "upc", "title", "artist"].map((k) => h("input", { type: "text", id: `catalog-${k}`, name: k }));
  const results = h("div", { id: "catalog-results" });
  const search = h("form", { class: "row", id: "catalog-search", role: "search" },
    field("ISRC", fields[0]), field("UPC", fields[1]), field("Title", fields[2]), field("Artist", fields[3]),
    h("button", { type: "submit" }, "Search"));
  root.append(h("h1", {}, "Catalog"),
    h("section", { class: "card", "aria-labelledby": "cat-up-h" }, h("h2", { id: "cat-up-h" }, "Upload a catalog"),
      h("p", { class: "muted small" }, "A CSV, TSV, TXT or Excel file with ISRC and/or UPC, titles and artists. " +
        "Once read it becomes the current version; monthly reports match sales against it."),
      field("Catalog file", input), msg),
    h("section", { class: "card", "aria-labelledby": "cat-search-h" }, h("h2", { id: "cat-search-h" }, "Search"), head, search, results),
    h("section", { class: "card", "aria-labelledby": "cat-v-h" }, h("h2", { id: "cat-v-h" }, "Versions"), versions));

  input.addEventListener("change", () => { if (input.files[0]) upload(input.files[0]); input.value = ""; });
  search.addEventListener("submit", (e) => { e.preventDefault(); find(1); });

  async function upload(file) {
    msg.classList.remove("error"); msg.textContent = `Uploading ${file.name}…`;
    try {
      const rec = await sales("POST", "/api/catalog/imports/", { filename: file.name, filesize: file.size });
      await putFile(rec.presigned_url, file, () => {});
      await sales("POST", `/api/catalog/imports/${rec.id}/process/`);
      msg.textContent = `${file.name} uploaded; reading it…`;
      follow(rec.id);
      loadVersions();
    } catch (err) { msg.textContent = `${file.name}: ${errorText(err)}`; msg.classList.add("error"); }
  }

  function follow(id) {
    const tick = async () => {
      if (stopped) return;
      try {
        const r = await sales("GET", `/api/catalog/imports/${id}`);
        if (RUNNING.includes(r.status)) { const t = setTimeout(tick, 1000); timers.add(t); return; }
        msg.textContent = r.status === "DONE" ? `${r.filename}: version ${r.version} with ${r.rows} rows` +
          (r.bad_rows ? ` (${r.bad_rows} unreadable rows left out)` : "") : `${r.filename} failed: ${r.error_message || r.status_cause}`;
        msg.classList.toggle("error", r.status !== "DONE");
        find(1).then(loadVersions);   // the current version first: the list marks the earlier ones
      } catch (err) { msg.textContent = errorText(err); msg.classList.add("error"); }
    };
    tick();
  }

  async function loadVersions() {
    try {
      const page = await sales("GET", "/api/catalog/imports/?page_size=50");
      fill(versions, page.results.length ? table([
        { title: "Version", cell: (r) => r.version != null ? String(r.version) : "—" },
        { title: "File", cell: (r) => r.filename || "—" },
        { title: "Status", cell: (r) => h("span", { class: `badge ${r.status === "DONE" ? "ok" : r.status === "FAILED" ? "bad" : "busy"}`, title: r.status, "data-status": r.status },
          r.status === "DONE" && current && r.version !== current.version ? "Earlier version" : WORDS[r.status] || r.status) },
        { title: "Rows", num: true, cell: (r) => r.rows != null ? String(r.rows) : "—" },
        { title: "Left out", num: true, cell: (r) => r.bad_rows ? h("span", { title: (r.bad_samples || []).map((s) => `line ${s.line}: ${s.reason}`).join("\n") }, String(r.bad_rows)) : "0" },
        { title: "Problem", cell: (r) => r.status === "FAILED" ? h("span", { class: "error" }, r.error_message || r.status_cause || "") : "" },
        { title: "Updated", cell: (r) => when(r.updated_at) }], page.results, { label: "Catalog versions" })
        : h("p", { class: "empty" }, "No catalog yet. Upload one so monthly reports can match sales to your releases."));
    } catch (err) { fill(versions, h("p", { class: "error" }, errorText(err))); }
  }

  async function find(page) {
    const q = new URLSearchParams({ page: String(page), page_size: "25" });
    for (const f of fields) if (f.value.trim()) q.set(f.name, f.value.trim());
    try {
      const r = await sales("GET", `/api/catalog/?${q}`);
      current = r.version != null ? r : null;
      head.textContent = current ? `Current version ${r.version}: ${r.catalog_rows} rows, since ${when(r.switched_at)}` : "No catalog yet.";
      const pages = Math.max(1, Math.ceil(r.count / r.page_size));
      fill(results, r.results.length ? table([
        { title: "ISRC", cell: (e) => e.isrc || "—" }, { title: "UPC", cell: (e) => e.upc || "—" },
        { title: "Track", cell: (e) => e.track_title || "—" }, { title: "Release", cell: (e) => e.release_title || "—" },
        { title: "Artist", cell: (e) => e.artist || "—" },
        { title: "More", cell: (e) => Object.entries(e.extra || {}).map(([k, v]) => `${k}: ${v}`).join(", ") }], r.results, { label: "Catalog entries" })
        : h("p", { class: "muted" }, current ? "Nothing matches." : ""),
      r.count > r.page_size ? h("div", { class: "row pager" },
        h("button", { type: "button", class: "secondary", disabled: page <= 1, onclick: () => find(page - 1) }, "Previous"),
        h("span", { class: "small" }, `Page ${page} of ${pages} · ${r.count} entries`),
        h("button", { type: "button", class: "secondary", disabled: page >= pages, onclick: () => find(page + 1) }, "Next")) : null);
    } catch (err) { fill(results, h("p", { class: "error" }, errorText(err))); }
  }

  find(1).then(loadVersions);
  return () => { stopped = true; for (const t of timers) clearTimeout(t); };
}
