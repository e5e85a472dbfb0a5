// GTIN imports: upload a CSV (presigned PUT) or give a link, preview it, map columns to widgets,
// start the task and watch it. There is no event stream of GTIN import tasks, so the task's
// status is polled (GET /import/tasks/{id}, once a second, only while it runs; the gateway answers
// it from its status view).
import { auth, gtin, putFile } from "./api.js";
import { h, field, clear, fill, badge, when, errorText, needSignIn, table } from "./ui.js";

const B = "/description-service";
const DELIMITERS = [[",", "comma ,"], ["\t", "tab"], [";", "semicolon ;"], ["|", "pipe |"]];
const ROLES = [["", "ignore"], ["gtin", "GTIN"], ["name", "name"], ["brand", "brand"], ["text", "text widget"],
  ["image", "image widget"], ["gpc_brick", "GPC brick"], ["gpc_class", "GPC class"], ["gpc_family", "GPC family"], ["gpc_segment", "GPC segment"]];
const POLL_MS = 1000;

export function render(root) {
  if (!auth.ticket) return needSignIn(root, "a session ticket");
  let pollTimer = null, stopped = false;
  const fileIn = h("input", { type: "file", id: "gtin-file", accept: ".csv,.tsv,.txt,text/csv" });
  const uploadBar = h("progress", { max: 100, value: 0, "aria-label": "CSV upload progress" });
  const linkIn = h("input", { type: "url", id: "gtin-link", name: "link", placeholder: "https://… or the link of an upload", size: 40 });
  const delimSel = h("select", { id: "gtin-delimiter" }, DELIMITERS.map(([v, t]) => h("option", { value: v }, t)));
  const headerChk = h("input", { type: "checkbox", id: "gtin-has-header", checked: true });
  const linesIn = h("input", { type: "number", id: "gtin-num-lines", min: 1, max: 1000, value: 10 });
  const stepMsg = h("p", { class: "small", role: "status", "aria-live": "polite", id: "gtin-msg" });
  const preview = h("section", { class: "card", id: "gtin-preview", hidden: true });
  const mapping = h("section", { class: "card", id: "gtin-mapping", hidden: true });
  const watch = h("section", { class: "card", id: "gtin-task", hidden: true, "aria-live": "polite" });
  const tasks = h("section", { class: "card", id: "gtin-tasks" });

  const drop = h("div", { class: "drop" }, field("CSV file to upload", fileIn), uploadBar);
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); if (e.dataTransfer.files[0]) upload(e.dataTransfer.files[0]); });
  fileIn.addEventListener("change", () => fileIn.files[0] && upload(fileIn.files[0]));
  const source = h("form", { class: "card", id: "gtin-source" }, h("h2", {}, "1. File"), drop,
    h("div", { class: "row" }, field("Link", linkIn), field("Delimiter", delimSel),
      field("Preview lines", linesIn), h("label", { class: "check", for: "gtin-has-header" }, headerChk, "First line is a header"),
      h("button", { type: "submit" }, "Preview")), stepMsg);
  source.addEventListener("submit", (e) => { e.preventDefault(); doPreview(); });
  root.append(h("h1", {}, "GTIN imports"), h("div", { class: "steps" }, source, preview, mapping, watch, tasks));

  async function upload(file) {
    stepMsg.textContent = `Uploading ${file.name}…`; stepMsg.classList.remove("error");
    try {
      const head = await file.slice(0, 4096).text();
      const first = head.split(/\r?\n/)[0] || "";
      const best = DELIMITERS.map(([d]) => [d, first.split(d).length]).sort((a, b) => b[1] - a[1])[0];
      if (best[1] > 1) delimSel.value = best[0];
      const up = await gtin("POST", `${B}/uploads`);
      await putFile(up.upload_url, file, (done, total) => { uploadBar.value = total ? Math.round((done / total) * 100) : 100; });
      linkIn.value = up.link;
      stepMsg.textContent = `Uploaded ${file.name}.`;
      await doPreview();
    } catch (err) { stepMsg.textContent = `Upload failed: ${errorText(err)}`; stepMsg.classList.add("error"); }
  }

  let last = null;
  async function doPreview() {
    const body = { link: linkIn.value.trim(), delimiter: delimSel.value, has_header: headerChk.checked, num_lines: Number(linesIn.value) || 10 };
    try {
      const p = await gtin("POST", `${B}/import/preview`, body);
      last = { ...body, header: p.header };
      stepMsg.textContent = `Preview: ${p.records.length} line(s), ${p.header.length} column(s).`; stepMsg.classList.remove("error");
      fill(preview, h("h2", {}, "2. Preview"), table(p.header.map((c) => ({ title: c, cell: (r) => r[c] ?? "" })), p.records, { label: "Preview of the file" }));
      preview.hidden = false;
      drawMapping(p.header);
    } catch (err) { stepMsg.textContent = `Preview failed: ${errorText(err)}`; stepMsg.classList.add("error"); }
  }

  function drawMapping(header) {
    const rows = header.map((col, i) => {
      const slug = col.toLowerCase();
      const guess = /^(gtin|ean|upc|barcode|code)/.test(slug) ? "gtin" : /^(name|title|product_?name)$/.test(slug) ? "name"
        : /brand/.test(slug) ? "brand" : /(image|img|photo|picture)/.test(slug) ? "image" : /brick/.test(slug) ? "gpc_brick" : "text";
      const n = `map-${i}`;
      return {
        col, role: Object.assign(h("select", { id: `${n}-role`, "aria-label": `Use of column ${col}` }, ROLES.map(([v, t]) => h("option", { value: v }, t))), { value: guess }),
        title: h("input", { type: "text", id: `${n}-title`, value: col, "aria-label": `Widget title for ${col}` }),
        position: h("input", { type: "number", id: `${n}-position`, min: 0, value: i, "aria-label": `Widget position for ${col}` }),
        cdn: h("input", { type: "checkbox", id: `${n}-cdn`, "aria-label": `Copy ${col} images to the CDN` }),
        country: h("input", { type: "checkbox", id: `${n}-country`, "aria-label": `Add the country of registration from ${col}` }),
      };
    });
    const lang = h("input", { type: "text", id: "gtin-languages", value: "en", "aria-describedby": "cond-hint" });
    const country = h("input", { type: "text", id: "gtin-countries", value: "", placeholder: "e.g. 036, 276", "aria-describedby": "cond-hint" });
    const replace = h("input", { type: "checkbox", id: "gtin-replace" });
    const result = h("p", { class: "small", role: "status", "aria-live": "polite" });
    const startBtn = h("button", { type: "submit", id: "gtin-start" }, "Start import");
    const form = h("form", { id: "gtin-map-form" }, h("h2", {}, "3. Map columns to widgets"),
      h("div", { class: "table-wrap" }, h("table", { class: "responsive map-grid", "aria-label": "Column mapping" },
        h("thead", {}, h("tr", {}, ["Column", "Use as", "Title", "Position", "Copy to CDN", "To country"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, rows.map((r) => h("tr", {}, h("td", { "data-label": "Column" }, r.col), h("td", { "data-label": "Use as" }, r.role),
          h("td", { "data-label": "Title" }, r.title), h("td", { "data-label": "Position" }, r.position),
          h("td", { "data-label": "Copy to CDN" }, r.cdn), h("td", { "data-label": "To country" }, r.country)))))),
      h("p", { class: "muted small", id: "cond-hint" }, "Conditions of the source: ISO 639-1 languages and ISO 3166 numeric countries, comma-separated; empty means any."),
      h("div", { class: "row" }, field("Languages", lang), field("Countries", country),
        h("label", { class: "check", for: "gtin-replace" }, replace, "Replace my sources whose conditions these include")),
      startBtn, result);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const list = (el) => el.value.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
      const body = { link: last.link, delimiter: last.delimiter, has_header: last.has_header, fields: [], name: [],
        conditions: { language: list(lang), country: list(country) }, replace_included_conditions: replace.checked };
      for (const r of rows) {
        const role = r.role.value, position = Number(r.position.value) || 0, title = r.title.value.trim() || r.col;
        if (role === "gtin") { body.gtin_field = r.col; if (r.country.checked) body.fields.push({ field: r.col, action: "to_country", title: "Country", position }); }
        else if (role === "name") body.name.push(r.col);
        else if (role === "brand") body.brand = r.col;
        else if (role === "text") body.fields.push({ field: r.col, title, position });
        else if (role === "image") body.fields.push({ field: r.col, widget: "image", title, position, ...(r.cdn.checked ? { action: "copy_to_cdn" } : {}) });
        else if (role.startsWith("gpc_")) body[`${role}_field`] = r.col;
      }
      startBtn.disabled = true;
      try {
        const task = await gtin("POST", `${B}/import/tasks`, body);
        result.textContent = `Task ${task.id} ${task.status}.`; result.classList.remove("error");
        follow(task.id);
      } catch (err) { result.textContent = `Not started: ${errorText(err)}`; result.classList.add("error"); }
      finally { startBtn.disabled = false; }
    });
    fill(mapping, form);
    mapping.hidden = false;
  }

  function follow(taskId) {
    clearTimeout(pollTimer);
    watch.hidden = false;
    const tick = async () => {
      if (stopped) return;
      try {
        const t = await gtin("GET", `${B}/import/tasks/${taskId}`);
        drawTask(t);
        if (!["done", "failed"].includes(t.status)) pollTimer = setTimeout(tick, POLL_MS);
        else loadTasks();
      } catch (err) { fill(watch, h("p", { class: "error" }, errorText(err))); }
    };
    tick();
  }

  function drawTask(t) {
    const errs = (title, list, cols, id) => h("div", { id }, h("h3", {}, `${title} (${list.length})`),
      list.length ? table(cols, list.slice(0, 200), { label: title }) : h("p", { class: "muted small" }, "None."));
    const c = t.counts || {};
    fill(watch, h("h2", {}, "4. Task"),
      h("p", {}, h("span", { id: "task-status", "data-status": t.status }, badge(t.status)), " ", t.detail || t.message || ""),
      h("progress", { max: t.total_lines || 1, value: t.processed_lines || 0, "aria-label": "Lines processed" }),
      h("div", { class: "tiles" }, [["Processed lines", t.processed_lines, "processed"], ["Total lines", t.total_lines, "total"], ["Imported", c.imported, "imported"],
        ["Bad lines", c.bad_lines ?? (t.bad_line_details || []).length, "bad_lines"], ["Bad GTINs", c.bad_gtins ?? (t.bad_gtins || []).length, "bad_gtins"],
        ["Bad prefixes", c.bad_prefixes ?? (t.bad_prefixes || []).length, "bad_prefixes"]]
        .map(([k, v, key]) => h("div", { class: "tile", "data-counter": key }, h("div", { class: "v" }, String(v ?? "—")), h("div", { class: "k" }, k)))),
      h("p", { class: "muted small" }, `Task ${t.id} · ${when(t.ts)}`),
      errs("Bad lines", t.bad_line_details || [], [{ title: "Line", num: true, cell: (e) => e.line }, { title: "Reason", cell: (e) => e.reason }], "bad-lines"),
      errs("Bad GTINs", t.bad_gtins || [], [{ title: "Line", num: true, cell: (e) => e.line }, { title: "GTIN", cell: (e) => e.gtin ?? "(empty)" }], "bad-gtins"),
      errs("Bad prefixes", t.bad_prefixes || [], [{ title: "Line", num: true, cell: (e) => e.line }, { title: "GTIN", cell: (e) => e.gtin }], "bad-prefixes"));
  }

  async function loadTasks() {
    try {
      const list = await gtin("GET", `${B}/import/tasks`);
      fill(tasks, h("h2", {}, "Your import tasks"), list.tasks.length ? table([
        { title: "Task", cell: (t) => h("button", { type: "button", class: "secondary", "aria-label": `Show task ${t.id}`, onclick: () => follow(t.id) }, t.id.slice(0, 8)) },
        { title: "Status", cell: (t) => badge(t.status) }, { title: "Lines", num: true, cell: (t) => `${t.processed_lines ?? 0} / ${t.total_lines ?? "?"}` },
        { title: "When", cell: (t) => when(t.ts) }], list.tasks, { label: "Import tasks" }) : h("p", { class: "muted" }, "No tasks yet."));
    } catch (err) { fill(tasks, h("p", { class: "error" }, errorText(err))); }
  }
  loadTasks();
  return () => { stopped = true; clearTimeout(pollTimer); };
}
