// File detail: facts, the snapshot as charts, bad-row samples and the status history — live.
import { auth, sales, liveStream } from "./api.js";
import { h, clear, fill, money, when, errorText, toast, needSignIn, table } from "./ui.js";
import { statusBadge } from "./status.js";
import { barChart, revenueEntries } from "./charts.js";
import { applyFileEvent, FILE_EVENTS, REIMPORTABLE } from "./fold.js";
import { wizard } from "./mapping.js";
import { moneyFacts, qualityCard } from "./quality.js";
import { missingRatesCard } from "./rates.js";
import { duplicateLink, importAnywayButton, totalsNote, voidButton } from "./statements.js";

export function render(root, [idText]) {
  if (!auth.token) return needSignIn(root, "an organisation token");
  const id = Number(idText);
  let record = null, chartsFor = null;
  const head = h("div", {}), facts = h("section", { class: "card", "aria-labelledby": "facts-h" });
  const charts = h("section", { "aria-labelledby": "charts-h", id: "charts" });
  const bad = h("section", { class: "card", "aria-labelledby": "bad-h" });
  const quality = h("div", {});
  const rates = h("div", {});
  let ratesFor = null;
  const history = h("section", { class: "card", "aria-labelledby": "history-h" });
  const mapper = h("div", {});      // the mapping wizard (mapping.js), kept while the user edits it
  let mapperFor = null;
  root.append(h("p", {}, h("a", { href: "#/files" }, "← Files")), head, mapper, rates, facts, charts, quality, bad, history);

  function draw() {
    const r = record;
    fill(head, h("h1", {}, `${r.filename} `, h("span", { id: "detail-status", "data-status": r.status }, statusBadge(r.status))));
    const items = [["File id", r.id], ["Type", r.filetype], ["Size", `${r.filesize} bytes`], ["Reporting period", r.reporting_period],
      ["Layout", r.layout], ["Encoding", r.encoding], ["Rows", r.total_rows], ["Artists", r.total_artists],
      ...moneyFacts(r),
      ["Bad rows", r.bad_rows], ["Attempt", r.attempt], ["Updated", when(r.updated_at)]];
    if (r.totals_check) items.push(["Declared totals", r.totals_check]);
    if (r.status_cause) items.push(["Cause", r.status_cause]);
    if (r.error_message) items.push(["Error", r.error_message]);
    if (r.progress) items.push(["Progress", `${r.progress.stage}: ${r.progress.rows} rows, ${r.progress.percent}%`]);
    fill(facts, h("h2", { id: "facts-h" }, "File"),
      totalsNote(r), duplicateLink(r),
      h("dl", { class: "facts" }, items.filter(([, v]) => v !== null && v !== undefined && v !== "").flatMap(([k, v]) => [h("dt", {}, k), h("dd", { class: k === "Error" || k === "Cause" ? "error" : null }, v instanceof Node ? v : String(v))])),
      (r.warnings || []).length ? h("ul", { class: "small warnings" }, r.warnings.map((w) => h("li", {}, warningText(w)))) : null,
      h("p", { class: "actions" }, REIMPORTABLE.includes(r.status) ? h("button", { type: "button", class: "secondary", onclick: reimport }, "Reimport") : null,
        importAnywayButton(r), voidButton(r)));
    fill(quality, qualityCard(r));
    const ratesKey = `${r.attempt}:${JSON.stringify((r.conversion || {}).missing || [])}`;
    if (ratesKey !== ratesFor) { ratesFor = ratesKey; fill(rates, missingRatesCard(r)); }   // kept while typed in
    fill(bad, h("h2", { id: "bad-h" }, `Bad rows (${r.bad_rows || 0})`),
      (r.bad_samples || []).length ? table([{ title: "Line", num: true, cell: (s) => s.line }, { title: "Reason", cell: (s) => s.reason }], r.bad_samples, { label: "Bad row samples" })
        : h("p", { class: "muted" }, "No bad rows."));
    fill(history, h("h2", { id: "history-h" }, "Status history"),
      table([{ title: "Status", cell: (e) => statusBadge(e.status) }, { title: "When", cell: (e) => when(e.ts) }, { title: "Cause", cell: (e) => e.status_cause || "" }],
        r.history || [], { label: "Status history" }));
    const proposal = r.status_cause === "UNKNOWN_LAYOUT" ? r.layout_proposal : r.layout === "inferred" ? r.inference : null;
    const key = proposal ? `${r.id}:${r.attempt}:${r.status_cause || r.layout}` : null;
    if (key !== mapperFor) { mapperFor = key; fill(mapper, proposal ? wizard(r, proposal, { open: r.status_cause === "UNKNOWN_LAYOUT" }) : null); }
    if (["PROCESSED", "FINALIZED"].includes(r.status) && chartsFor !== `${r.id}:${r.attempt}:${r.status}`) loadCharts();
    if (!["PROCESSED", "FINALIZED"].includes(r.status)) fill(charts, h("h2", { id: "charts-h" }, "Snapshot"), h("p", { class: "muted" }, "Charts appear when the file is processed."));
  }

  async function loadCharts() {
    chartsFor = `${record.id}:${record.attempt}:${record.status}`;
    try {
      const s = await sales("GET", `/api/files/salesfiles/${id}/snapshot/`);
      const t = s.totals || {};
      const truncated = (name) => (s.truncated || {})[name] ? `first ${(s[name] || []).length} of ${s.truncated[name]}` : undefined;
      fill(charts, h("h2", { id: "charts-h" }, "Snapshot"),
        h("div", { class: "tiles" }, [["Rows", t.rows], ["Quantity", t.quantity],
          ["Revenue", t.revenue != null ? money(t.revenue, t.currency) : (t.by_currency || []).map((c) => money(c.revenue, c.currency)).join(" · ")],
          ["Converted", money(t.revenue_converted, s.conversion && s.conversion.currency) + (t.converted_complete === false ? " (incomplete)" : "")],
          ["Artists", t.artists], ["Tracks", t.tracks], ["Releases", t.releases]].map(([k, v]) => h("div", { class: "tile" }, h("div", { class: "v" }, String(v ?? "—")), h("div", { class: "k" }, k)))),
        h("div", { class: "charts" },
          barChart("Revenue by DSP", revenueEntries(s.byDSP), { top: 15, note: truncated("byDSP") }),
          barChart("Revenue by territory", revenueEntries(s.byTerritory), { top: 15, note: truncated("byTerritory") }),
          barChart("Top artists", revenueEntries(s.byArtist), { note: truncated("byArtist") }),
          barChart("Top tracks", revenueEntries(s.byTrack, "isrc")),
          barChart("Top releases", revenueEntries(s.byRelease, "upc"))));
    } catch (err) { chartsFor = null; fill(charts, h("p", { class: "error" }, errorText(err))); }
  }

  async function reimport() {
    try { await sales("POST", `/api/files/salesfiles/${id}/process/`, { action: "reimport" }); toast("Reimport started"); }
    catch (err) { toast(errorText(err)); }
  }

  async function load() {
    try { record = await sales("GET", `/api/files/salesfiles/${id}/`); draw(); }
    catch (err) { fill(head, h("h1", {}, `File ${id}`), h("p", { class: "error" }, errorText(err))); }
  }

  return liveStream("files", FILE_EVENTS, (ev) => {
    if (ev.payload.file_id !== id || !record) return;
    record = applyFileEvent(record, ev); draw();
  }, load);
}

/** A warning as a sentence: its text, else its fields as "name: value" (never raw JSON). */
function warningText(w) {
  if (typeof w === "string") return w;
  const text = w.warning || w.message || w.detail;
  if (typeof text === "string") return text;
  return Object.entries(w).map(([k, v]) => `${k.replace(/_/g, " ")}: ${typeof v === "object" ? JSON.stringify(v) : v}`).join("; ");
}
