// Mapping wizard (issue 20): for a file no layout claimed (UNKNOWN_LAYOUT) or one whose layout was
// inferred, show its first rows with one dropdown of canonical fields per column — preset from the
// proposal with its confidence — a live preview of totals by currency, and Save & import
// (POST /api/files/salesfiles/{id}/layout/: saved as the organisation's layout, the file reimported).
import { sales } from "./api.js";
import { h, fill, field, errorText, toast } from "./ui.js";

export const FIELDS = ["statement_period", "sale_period", "dsp", "territory", "isrc", "upc", "artist", "track_title",
  "release_title", "usage_type", "quantity", "currency", "revenue"];
const SHOWN = 5;         // sample rows shown per column
const SCALE = 18;        // decimals kept in the preview sums (the canonical amount scale)

/** Exact decimal text → BigInt scaled by 10^SCALE (null when it is not a number). */
export function toScaled(text, decimalSep) {
  let s = String(text || "").trim().replace(/[\s\u00a0'’$€£¥]/g, "").replace(/^[A-Z]{3}|[A-Z]{3}$/g, "");
  if (/^\(.*\)$/.test(s)) s = "-" + s.slice(1, -1);
  const thousands = decimalSep === "," ? "." : ",";
  s = s.split(thousands).join("");
  if (decimalSep === ",") s = s.replace(",", ".");
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || (m[2] === "" && !m[3])) return null;
  const frac = (m[3] || "").slice(0, SCALE).padEnd(SCALE, "0");
  const value = BigInt((m[2] || "0") + frac);
  return m[1] === "-" ? -value : value;
}

export function formatScaled(value) {
  const neg = value < 0n, digits = (neg ? -value : value).toString().padStart(SCALE + 1, "0");
  const whole = digits.slice(0, -SCALE), frac = digits.slice(-SCALE).replace(/0+$/, "");
  return `${neg ? "-" : ""}${whole}${frac ? "." + frac : ""}`;
}

/** {currency: exact total} of the sample rows under a mapping. */
export function previewTotals(rows, headers, columns, decimalSep, defaultCurrency) {
  const rev = headers.findIndex((x) => columns[x] === "revenue");
  const cur = headers.findIndex((x) => columns[x] === "currency");
  const out = {}, bad = [];
  if (rev < 0) return { totals: out, bad };
  rows.forEach((r, i) => {
    const amount = toScaled(r[rev], decimalSep);
    if (amount === null) { if (String(r[rev] || "").trim()) bad.push(i + 1); return; }
    const code = ((cur >= 0 && String(r[cur] || "").trim().toUpperCase()) || defaultCurrency || "no currency");
    out[code] = (out[code] || 0n) + amount;
  });
  return { totals: out, bad };
}

/** The wizard for `record`, using its layout_proposal (or inference) — returns a section element. */
export function wizard(record, proposal, { open = true } = {}) {
  const mapping = proposal.mapping || {};
  const info = Object.fromEntries((proposal.columns || []).map((c) => [c.header, c]));
  const headers = (proposal.columns || []).map((c) => c.header);
  const rows = proposal.sample_rows || [];
  const chosen = { ...(mapping.columns || {}) };
  const preview = h("div", { id: "map-preview", role: "status", "aria-live": "polite" });
  const problems = h("p", { class: "error", id: "map-problems" });
  const name = h("input", { type: "text", id: "map-name", value: mapping.name || `layout-${record.id}`, maxlength: 100 });
  const currency = h("input", { type: "text", id: "map-currency", value: mapping.default_currency || "", maxlength: 3,
    size: 4, autocapitalize: "characters", oninput: update });
  const decimal = h("select", { id: "map-decimal", onchange: update },
    [".", ","].map((d) => h("option", { value: d, selected: (mapping.decimal_separator || ".") === d }, d === "." ? "1234.56" : "1234,56")));
  const save = h("button", { type: "button", id: "map-save", onclick: submit }, "Save & import");

  function pct(c) { return c === undefined || c === null ? "" : `${Math.round(c * 100)} %`; }

  function select(header, i) {
    const conf = info[header] || {};
    return h("select", { id: `map-col-${i}`, "data-header": header, "aria-label": `Field for column ${header}`,
      onchange: (ev) => { if (ev.target.value) chosen[header] = ev.target.value; else delete chosen[header]; update(); } },
    h("option", { value: "" }, "— not imported —"),
    FIELDS.map((f) => h("option", { value: f, selected: chosen[header] === f },
      f + (conf.field === f || (conf.candidates || []).some((c) => c.field === f)
        ? ` (${pct((conf.candidates || []).find((c) => c.field === f)?.confidence ?? conf.confidence)})` : ""))));
  }

  const grid = h("div", { class: "table-wrap" }, h("table", { class: "responsive map-grid", "aria-label": "Columns and their fields" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Column"), h("th", { scope: "col" }, "Field"),
      h("th", { scope: "col" }, "Confidence"), rows.slice(0, SHOWN).map((_, j) => h("th", { scope: "col" }, `Row ${j + 1}`)))),
    h("tbody", {}, headers.map((header, i) => h("tr", { "data-header": header },
      h("td", { "data-label": "Column" }, h("strong", {}, header)),
      h("td", { "data-label": "Field" }, select(header, i)),
      h("td", { "data-label": "Confidence", class: "num" }, pct((info[header] || {}).confidence)),
      rows.slice(0, SHOWN).map((r, j) => h("td", { "data-label": `Row ${j + 1}` }, String(r[i] ?? ""))))))));

  function update() {
    const { totals, bad } = previewTotals(rows, headers, chosen, decimal.value, currency.value.trim().toUpperCase());
    const scope = proposal.sample_is_whole_file ? "the whole file" : `the first ${rows.length} rows`;
    const entries = Object.entries(totals);
    fill(preview, h("h3", {}, `Totals of ${scope}`),
      entries.length ? h("ul", { class: "totals" }, entries.map(([code, v]) => h("li", { "data-currency": code }, h("strong", {}, formatScaled(v)), ` ${code}`)))
        : h("p", { class: "muted" }, "Choose the revenue column to see totals."),
      bad.length ? h("p", { class: "error small" }, `Revenue is not a number on sample row(s) ${bad.slice(0, 10).join(", ")}`) : null);
    const fields = Object.values(chosen);
    const dup = FIELDS.filter((f) => f !== "release_title" && fields.filter((x) => x === f).length > 1);
    const why = [!fields.includes("revenue") && "one column must be revenue",
      !fields.some((f) => f.endsWith("period")) && "one column must be a period",
      dup.length && `one column each for ${dup.join(", ")}`].filter(Boolean);
    problems.textContent = why.join("; ");
    save.disabled = why.length > 0;
  }

  async function submit() {
    const columns = Object.fromEntries(headers.filter((x) => chosen[x]).map((x) => [x, chosen[x]]));
    const body = { mapping: { name: name.value.trim(), columns, required_headers: Object.keys(columns),
      decimal_separator: decimal.value, ...(currency.value.trim() ? { default_currency: currency.value.trim().toUpperCase() } : {}) } };
    save.disabled = true;
    try {
      const res = await sales("POST", `/api/files/salesfiles/${record.id}/layout/`, body);
      toast(`Layout ${res.layout.name} saved; the file is reimporting`);
      problems.textContent = "";
    } catch (err) { problems.textContent = errorText(err); save.disabled = false; }
  }

  update();
  const intro = record.status_cause === "UNKNOWN_LAYOUT"
    ? `Tributary did not recognise this layout. It proposes the fields below (${(proposal.missing || []).length
      ? "not sure of: " + proposal.missing.join(", ") : "unsure"}${(proposal.ambiguous || []).length ? "; " + proposal.ambiguous.join("; ") : ""}). Correct what is wrong, then Save & import: later files in this layout import by themselves.`
    : "This file's layout was inferred from its header names and values. If a column is wrong, correct it and Save & import.";
  const body = [h("p", {}, intro), (proposal.notes || []).length ? h("ul", { class: "small" }, proposal.notes.map((n) => h("li", {}, n))) : null,
    h("div", { class: "row" }, field("Layout name", name), field("Default currency", currency), field("Decimal separator", decimal)),
    grid, preview, problems, h("p", {}, save)];
  if (open) return h("section", { class: "card wizard", id: "mapping-wizard", "aria-labelledby": "wizard-h" },
    h("h2", { id: "wizard-h" }, "Map the columns"), body);
  return h("details", { class: "card wizard", id: "mapping-wizard" }, h("summary", {}, "Correct the inferred layout"), body);
}
