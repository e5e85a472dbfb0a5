// File detail extras: its money (per currency, converted, rates used and missing), the date
// reading and the data-quality counts with their sample lines.
import { h, amount, amounts, table } from "./ui.js";

const FIELDS = ["isrc", "upc", "territory", "sale_date", "quantity", "revenue", "currency"];

/** Facts rows ([label, node]) for the record's amounts: never two currencies added. */
export function moneyFacts(r) {
  const rows = [];
  if (r.total_local != null) rows.push(["Revenue", amount(r.total_local, r.currency)]);
  else if ((r.totals_by_currency || []).length) rows.push(["Revenue per currency", amounts(r.totals_by_currency)]);
  if (r.total_converted != null) {
    rows.push([`Converted to ${r.converted_currency || "base currency"}`,
      h("span", {}, amount(r.total_converted, r.converted_currency), r.converted_complete === false ? h("strong", { class: "error" }, " incomplete") : "")]);
  }
  const conv = r.conversion || {};
  if ((conv.rates || []).length) rows.push(["Rates used", conv.rates.map((x) => `${x.from}→${x.to} ${x.month ?? ""} ${x.rate} (${x.source})`).join("; ")]);
  if ((conv.missing || []).length) rows.push(["Missing rates", conv.missing.map((x) => `${x.from ?? "(no currency)"}→${x.to} ${x.month ?? ""} (${x.rows} lines)`).join("; ")]);
  if (r.date_order) rows.push(["Dates read", `${r.date_order.order === "DMY" ? "day-first" : "month-first"} (from ${r.date_order.source})`]);
  return rows;
}

/** The data-quality card: per field nulled / repaired counts and up to 5 samples with lines. */
export function qualityCard(r) {
  const dq = r.data_quality;
  if (!dq) return null;
  const rows = FIELDS.map((f) => ({ field: f, ...(dq[f] || { nulled: 0, repaired: 0, samples: [] }) }));
  return h("section", { class: "card", "aria-labelledby": "quality-h", id: "data-quality" },
    h("h2", { id: "quality-h" }, "Data quality"),
    table([{ title: "Field", cell: (q) => q.field },
      { title: "Nulled", num: true, cell: (q) => String(q.nulled) },
      { title: "Repaired", num: true, cell: (q) => String(q.repaired) },
      { title: "Samples (line: value → result)", cell: (q) => q.samples.map((s) => `${s.line}: ${JSON.stringify(s.value)} → ${s.result ?? "null"}`).join("; ") }],
    rows, { label: "Data quality" }));
}
