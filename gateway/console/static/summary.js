// Summary: the organisation's all-time figures and revenue by period; refreshed when a file
// of the organisation finishes (from the `files` event stream).
import { auth, sales, liveStream } from "./api.js";
import { h, clear, fill, money, amount, amounts, errorText, needSignIn, table, when } from "./ui.js";
import { barChart } from "./charts.js";

export function render(root) {
  if (!auth.token) return needSignIn(root, "an organisation token");
  const body = h("div", { id: "summary" });
  root.append(h("h1", {}, "Summary"), body);
  let timer = null;

  async function load() {
    try {
      const s = await sales("GET", "/api/sales/summary/");
      const periods = [...(s.by_period || [])].sort((a, b) => String(a.period).localeCompare(String(b.period)));
      fill(body, 
        h("div", { class: "tiles" }, [["Files", s.files], ["Artists", s.artists], ["Releases", s.releases], ["Tracks", s.tracks], ["Total gross", money(s.total_gross, s.currency) + (s.total_gross_complete === false ? " (incomplete)" : "")]]
          .map(([k, v]) => h("div", { class: "tile", "data-figure": k }, h("div", { class: "v" }, String(v ?? "—")), h("div", { class: "k" }, k)))),
        h("p", { class: "muted small" }, `Exact total: ${s.total_gross} ${s.currency || ""} · updated ${when(s.updated_at)}`),
        (s.by_currency || []).length ? h("p", { class: "small", "data-figure": "By currency" }, "Per currency (exact, not added): ", amounts(s.by_currency)) : null,
        (s.missing_rates || []).length ? h("p", { class: "warning small" }, "No exchange rate for: ",
          s.missing_rates.map((m) => `${m.from ?? "(no currency)"}→${m.to} ${m.month ?? ""} (${m.rows} lines)`).join(", ")) : null,
        h("div", { class: "charts" }, barChart("Revenue by period", periods.map((p) => ({ label: p.period, value: Number(p.revenue), display: money(p.revenue, p.currency || s.currency) })), { top: 60 })),
        h("h2", {}, "By period"),
        table([{ title: "Period", cell: (p) => p.period }, { title: `Revenue (${s.currency || "converted"})`, num: true, cell: (p) => h("span", {}, amount(p.revenue, p.currency || s.currency), p.complete === false ? " (incomplete)" : "") },
          { title: "Per currency", cell: (p) => amounts(p.by_currency) }], periods, { label: "Revenue by period" }));
    } catch (err) { fill(body, h("p", { class: "error" }, errorText(err))); }
  }

  const stop = liveStream("files", ["SalesFileStatusChanged"], (ev) => {
    if (["FINALIZED", "FAILED", "REIMPORT"].includes(ev.payload.status)) { clearTimeout(timer); timer = setTimeout(load, 300); }
  }, load);
  return () => { clearTimeout(timer); stop(); };
}
