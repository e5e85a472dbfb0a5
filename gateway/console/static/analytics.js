// The Analytics API as the dashboard reads it: query strings, the figure of a row in the chosen
// currency (exact decimal text kept for hover), and "CSV" buttons for any view (format=csv).
import { download } from "./api.js";
import { h, amount, money, errorText, toast } from "./ui.js";

export const PATH = "/api/sales/analytics/";
export const ROWS_PATH = "/api/sales/analytics/rows/";

/** group_by → the filter parameter that selects one of its keys (drill-down). */
export const FILTER_OF = { month: "month", period: "period", dsp: "dsp", territory: "territory",
  artist: "artist", track: "isrc", release: "upc" };

/** The dashboard's range and currency ({from, to, date, currency}) plus extra filters → query. */
export function query(state, extra = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ from: state.from, to: state.to, date: state.date, currency: state.currency, ...extra }))
    if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  return q;
}

/**
 * The figure to chart for a row: the amount in the chosen currency when one is chosen (and the
 * answer is not already converted to it), else the amount converted to the base currency.
 * → {value (exact text or null), currency, complete}
 */
export function figureOf(row, answer, currency) {
  if (currency && answer.base_currency !== currency) {
    const hit = (row.revenue || []).find((r) => r.currency === currency);
    return { value: hit ? hit.amount : "0", currency, complete: true };
  }
  return { value: row.revenue_converted ?? null, currency: answer.base_currency, complete: row.converted_complete !== false };
}

/** Chart entries of an analytics answer: exact amounts on hover, quantity beside them. */
export function entries(answer, currency) {
  return (answer.rows || []).map((row) => {
    const f = figureOf(row, answer, currency);
    const originals = (row.revenue || []).map((r) => `${r.amount} ${r.currency || "(no currency)"}`).join(" + ");
    const note = f.complete ? "" : " (incomplete: a rate is missing)";
    return {
      key: row.key, label: row.label ?? String(row.key ?? "(none)"), value: Number(f.value ?? 0),
      display: h("span", { class: "figure" }, amount(f.value, f.currency), h("span", { class: "muted small" }, ` · qty ${row.quantity ?? "—"}${note}`)),
      tip: `${money(f.value, f.currency)} (exact ${f.value ?? "—"} ${f.currency || ""}) · qty ${row.quantity ?? "—"}${originals ? ` · from ${originals}` : ""}${note}`,
    };
  });
}

/** A small "CSV" (or, with format "xlsx", "XLSX") button downloading `path?query&format=…` as `name.csv`. */
export function csvButton(path, q, name, label = "CSV", format = "csv") {
  const kind = format.toUpperCase();
  return h("button", { type: "button", class: `secondary small ${format}`, [`data-${format}`]: `${path}?${q}`, "aria-label": `Download ${name} as ${kind}`,
    onclick: async (e) => {
      const b = e.currentTarget; b.disabled = true;
      const csv = new URLSearchParams(q); csv.set("format", format);
      try { await download(`${path}?${csv}`, `${name.replace(/[^A-Za-z0-9_-]+/g, "-")}.${format}`); }
      catch (err) { toast(errorText(err)); }
      finally { b.disabled = false; }
    } }, label);
}
