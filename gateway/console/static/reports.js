// Reports: request a monthly or unmatched report for a period, watch it run (the `reports`
// event stream), download when done (GET /api/reports/{id} hands out a 24-hour link).
import { auth, sales, liveStream } from "./api.js";
import { h, field, clear, fill, amounts, errorText, toast, needSignIn, tableRow } from "./ui.js";
import { emptyNote } from "./report_notes.js";
import { WORDS, statusBadge } from "./status.js";
import { PATH, csvButton } from "./analytics.js";

const TERMINAL = ["DONE", "FAILED"];

export function render(root) {
  if (!auth.token) return needSignIn(root, "an organisation token");
  const reports = new Map();
  const notes = new Map();   // report id → why it is empty (asked once per finished report)
  const noteOf = (r) => { if (!notes.has(r.id) && r.snapshot) notes.set(r.id, emptyNote(r)); return notes.get(r.id) ?? null; };
  const typeSel = h("select", { id: "report-type", name: "type" }, h("option", { value: "monthly" }, "Monthly (matched to the catalog)"),
    h("option", { value: "unmatched" }, "Unmatched"));
  const periodIn = h("input", { type: "month", id: "report-period", name: "period", required: true, placeholder: "YYYY-MM" });
  const msg = h("p", { class: "small", role: "status", "aria-live": "polite" });
  const form = h("form", { class: "card", id: "report-form" }, h("h2", {}, "Request a report"),
    h("div", { class: "row" }, field("Type", typeSel), field("Reporting period", periodIn),
      h("button", { type: "submit" }, "Request")), msg);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const r = await sales("POST", "/api/reports/", { type: typeSel.value, period: periodIn.value });
      msg.textContent = `Report #${r.id}: ${WORDS[r.status] || r.status}`; msg.classList.remove("error");
      if (!reports.has(r.id)) reports.set(r.id, { id: r.id, type: typeSel.value, period: periodIn.value, status: r.status });
      draw();
    } catch (err) { msg.textContent = errorText(err); msg.classList.add("error"); }
  });

  const columns = [
    { title: "#", cell: (r) => String(r.id) },
    { title: "Type", cell: (r) => r.type },
    { title: "Period", cell: (r) => r.period },
    { title: "Status", cell: (r) => h("span", { class: "status", "data-status": r.status }, statusBadge(r.status), r.stale ? h("span", { class: "badge", title: JSON.stringify(r.stale_reason || {}) }, "stale") : "") },
    { title: "Progress", cell: (r) => r.progress ? h("progress", { max: 100, value: r.progress.percent ?? 0, "aria-label": `Report ${r.id} progress` }) : "" },
    { title: "Rows", num: true, cell: (r) => r.snapshot ? r.snapshot.rows : "—" },
    // exact per currency, never added (the report's converted sum names no currency)
    { title: "Revenue", num: true, cell: (r) => r.snapshot ? amounts(Object.entries(r.snapshot.revenue_by_currency || {})
      .map(([currency, revenue]) => ({ currency: currency === "unknown" ? null : currency, revenue }))) : "—" },
    { title: "Match rate", num: true, cell: (r) => r.snapshot && r.snapshot.match_rate != null ? `${(r.snapshot.match_rate * 100).toFixed(1)}%` : "—" },
    { title: "Result", cell: (r) => r.status === "DONE" ? h("span", { class: "actions" }, h("button", { type: "button", class: "secondary", "aria-label": `Download report ${r.id}`, onclick: () => download(r.id) }, "Download"),
      ...statements(r), noteOf(r))
      : r.status === "FAILED" ? h("span", { class: "error" }, [r.status_cause, r.error_message].filter(Boolean).join(": ")) : "" },
  ];
  const tbody = h("tbody", { id: "reports-body" });
  root.append(h("h1", {}, "Reports"), form, h("section", { class: "card" }, h("h2", {}, "Reports"),
    h("div", { class: "table-wrap" }, h("table", { class: "responsive", "aria-label": "Reports" },
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col", class: c.num ? "num" : null }, c.title)))), tbody))));

  function draw() {
    const list = [...reports.values()].sort((a, b) => b.id - a.id);
    fill(tbody, ...list.map((r) => tableRow(columns, r, { id: `report-${r.id}` })));
  }
  async function load() {
    try {
      const page = await sales("GET", "/api/reports/?page_size=100");
      const known = new Map(page.results.map((r) => [r.id, r]));
      // a report just requested may not be listed yet: keep it rather than let its row vanish
      for (const [id, r] of reports) if (!known.has(id) && !TERMINAL.includes(r.status)) known.set(id, r);
      reports.clear(); for (const [id, r] of known) reports.set(id, r); draw();
    }
    catch (err) { msg.textContent = errorText(err); msg.classList.add("error"); }
  }
  async function download(id) {
    try {
      const r = await sales("GET", `/api/reports/${id}`);
      if (!r.download_url) return toast("No download link yet");
      // `download` keeps the gzip file a file (same-origin links; S3 answers with its own type)
      const a = h("a", { href: r.download_url, download: `report-${id}-${r.type}-${r.period}.csv.gz`, hidden: true });
      document.body.append(a); a.click(); a.remove();
    }
    catch (err) { toast(errorText(err)); }
  }
  function onEvent({ payload, ts }) {
    const r = { ...(reports.get(payload.report_id) || { id: payload.report_id }) };
    Object.assign(r, payload.fields || {});
    r.status = payload.status; r.progress = payload.status === "RUNNING" ? payload.progress : null;
    r.status_cause = payload.status_cause; r.error_message = payload.error_message; r.updated_at = ts;
    reports.set(r.id, r); draw();
  }
  // events missed while the stream reconnects must not leave a row RUNNING for ever: reports
  // still at work are also asked for now and then
  async function refresh() {
    for (const r of [...reports.values()].filter((x) => !TERMINAL.includes(x.status))) {
      try { const now = await sales("GET", `/api/reports/${r.id}`); reports.set(r.id, { ...r, ...now }); draw(); }
      catch { /* offline or not stored yet: the next round asks again */ }
    }
  }
  const timer = setInterval(refresh, 3000);
  const stop = liveStream("reports", ["ReportStatusChanged"], onEvent, load);
  return () => { clearInterval(timer); stop(); };
}

/** The period's statement per artist and per release (Analytics API, format=csv or xlsx). */
function statements(r) {
  if (r.type !== "monthly" || !r.period) return [];
  return ["artist", "release"].flatMap((g) => ["csv", "xlsx"].map((f) => csvButton(PATH,
    new URLSearchParams({ group_by: g, period: r.period, date: "period", top: "1000" }),
    `statement ${r.period} per ${g}`, `Per ${g} (${f.toUpperCase()})`, f)));
}
