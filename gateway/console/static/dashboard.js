// Dashboard, the console's home: revenue over time (by sale month or statement period) and the
// top 10 DSPs, territories, artists, tracks and releases from GET /api/sales/analytics/, for a
// date range and a currency kept in the URL; any bar opens the files and lines behind it.
// Read again when a file of the organisation finishes (the `files` event stream).
import { auth, sales, liveStream } from "./api.js";
import { h, field, fill, amount, money, errorText, needSignIn } from "./ui.js";
import { barChart, lineChart } from "./charts.js";
import { PATH, FILTER_OF, query, entries, figureOf, csvButton } from "./analytics.js";
import { drill } from "./drill.js";
import { worldMap } from "./map.js";

const TOPS = [["dsp", "Top DSPs"], ["territory", "Top territories"], ["artist", "Top artists"],
  ["track", "Top tracks"], ["release", "Top releases"]];
const MONTH = /^\d{4}-\d{2}$/;
const WORLD = 300;   // every territory (ISO 3166-1 has 249) for the map

export function render(root, _match, params) {
  if (!auth.token) return needSignIn(root, "an organisation token");
  const state = { from: pick(params, "from", MONTH), to: pick(params, "to", MONTH),
    date: params.get("date") === "period" ? "period" : "sale", currency: pick(params, "currency", /^[A-Z]{3}$/) };
  const fromIn = h("input", { type: "month", id: "dash-from", name: "from", value: state.from, placeholder: "YYYY-MM" });
  const toIn = h("input", { type: "month", id: "dash-to", name: "to", value: state.to, placeholder: "YYYY-MM" });
  const dateSel = h("select", { id: "dash-date", name: "date" },
    h("option", { value: "sale", selected: state.date === "sale" }, "Sale month"),
    h("option", { value: "period", selected: state.date === "period" }, "Statement period"));
  const curSel = h("select", { id: "dash-currency", name: "currency" }, h("option", { value: "" }, "All, converted"));
  const form = h("form", { class: "row controls", id: "dash-form", role: "search", "aria-label": "Range and currency" },
    field("From", fromIn), field("To", toIn), field("Dates by", dateSel), field("Currency", curSel),
    h("button", { type: "submit", class: "secondary" }, "Apply"));
  const status = h("p", { class: "muted small", role: "status", id: "dash-status" });
  const tiles = h("div", { class: "tiles", id: "dash-tiles" });
  const notes = h("div", { id: "dash-notes" });
  const over = h("div", { id: "dash-over-time" });
  const map = h("div", { class: "charts one", id: "dash-map" });
  const tops = h("div", { class: "charts", id: "dash-tops" });
  const panel = h("section", { class: "card drill", id: "drill", "aria-labelledby": "drill-h", hidden: true });
  root.append(h("h1", {}, "Dashboard"), form, status, tiles, notes, over, panel, tops, map);

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    Object.assign(state, { from: fromIn.value, to: toIn.value, date: dateSel.value, currency: curSel.value });
    history.replaceState(null, "", `#/dashboard?${query(state)}`);
    load();
  });
  for (const el of [dateSel, curSel]) el.addEventListener("change", () => form.requestSubmit());

  let timer = null;
  const open = (group) => (entry) => drill(panel, state, drillable(entry.key) ? { [FILTER_OF[group]]: entry.key } : null, entry.label);
  let seq = 0;

  async function load() {
    const mine = ++seq;
    const overGroup = state.date === "period" ? "period" : "month";
    status.textContent = "Loading…";
    try {
      const [time, world, ...answers] = await Promise.all([
        sales("GET", `${PATH}?${query(state, { group_by: overGroup })}`),
        sales("GET", `${PATH}?${query(state, { group_by: "territory", top: WORLD })}`),
        ...TOPS.map(([g]) => sales("GET", `${PATH}?${query(state, { group_by: g, top: 10 })}`))]);
      if (mine !== seq) return;
      currencies(curSel, [time, ...answers], state.currency);
      drawTiles(time);
      const points = entries(time, state.currency).sort((a, b) => String(a.key).localeCompare(String(b.key)));
      const unit = state.currency || time.base_currency || "converted";
      fill(over, h("div", { class: "charts one" }, lineChart(`Revenue by ${overGroup === "month" ? "sale month" : "statement period"}`, points, {
        note: unit, onPick: open(overGroup), tools: csvButton(PATH, query(state, { group_by: overGroup }), `revenue by ${overGroup}`) })));
      fill(tops, ...TOPS.map(([g, title], i) => barChart(title, entries(answers[i], state.currency), {
        note: others(answers[i], state.currency), onPick: open(g), tools: csvButton(PATH, query(state, { group_by: g, top: 10 }), title) })));
      fill(map, worldMap("Revenue by territory", entries(world, state.currency), { note: unit, onPick: open("territory"),
        tools: csvButton(PATH, query(state, { group_by: "territory", top: WORLD }), "revenue by territory") }));
      status.textContent = `${describe(state)} · ${state.currency ? `${state.currency} lines only, as sold` : `converted to ${time.base_currency}`}`;
    } catch (err) {
      if (mine !== seq) return;
      status.textContent = "";
      fill(tiles); fill(over); fill(tops); fill(map);
      fill(notes, h("p", { class: "error card" }, `The figures could not be read: ${errorText(err)}`));
    }
  }

  function drawTiles(answer) {
    const t = answer.totals || {};
    const f = figureOf(t, answer, state.currency);
    const files = Array.isArray(answer.files) ? answer.files.length : answer.files;
    fill(tiles, tile("Revenue", amount(f.value, f.currency), f.complete ? null : "incomplete: a rate is missing"),
      tile("Quantity", String(t.quantity ?? "—")), tile("Files", String(files ?? "—")));
    const missing = answer.missing_rates || [];
    fill(notes, missing.length ? h("p", { class: "warning small", id: "missing-rates" }, "No exchange rate for: ",
      missing.map((m) => `${m.from ?? "(no currency)"}→${m.to} ${m.month ?? ""}${m.rows != null ? ` (${m.rows} lines)` : ""}`).join(", "),
      ". Those lines are left out of the converted figures; choose their currency to see them.") : null);
  }

  const stop = liveStream("files", ["SalesFileStatusChanged"], (ev) => {
    if (["FINALIZED", "FAILED", "VOIDED", "REIMPORT"].includes(ev.payload.status)) { clearTimeout(timer); timer = setTimeout(load, 300); }
  }, load);
  return () => { clearTimeout(timer); stop(); };
}

/** A key the API can filter on: not "not stated" (null), nor a track or release without ISRC/UPC
 * (keyed by artist and title folded together, which no filter takes). */
function drillable(key) { return key !== null && key !== undefined && !String(key).includes("\u001f"); }

function pick(params, name, re) { const v = params.get(name) || ""; return re.test(v) ? v : ""; }

function tile(k, v, warn) {
  return h("div", { class: "tile", "data-figure": k }, h("div", { class: "v" }, v), h("div", { class: "k" }, k),
    warn ? h("div", { class: "small error" }, warn) : null);
}

/** The currency switch lists every currency the answers hold (kept when chosen). */
function currencies(sel, answers, chosen) {
  const seen = new Set(chosen ? [chosen] : []);
  for (const a of answers) for (const r of [...(a.rows || []), a.totals || {}]) for (const c of r.revenue || []) if (c.currency) seen.add(c.currency);
  const base = answers[0].base_currency;
  fill(sel, h("option", { value: "" }, base ? `All, converted to ${base}` : "All, converted"),
    [...seen].sort().map((c) => h("option", { value: c, selected: c === chosen }, `${c} only`)));
}

function others(answer, currency) {
  const o = answer.others;
  if (!o || (!o.quantity && !o.revenue_converted && !(o.revenue || []).length)) return undefined;
  const f = figureOf(o, answer, currency);
  return `others: ${money(f.value, f.currency)}`;
}

function describe(s) {
  const range = s.from || s.to ? `${s.from || "…"} to ${s.to || "…"}` : "all time";
  return `${range} by ${s.date === "period" ? "statement period" : "sale month"}`;
}
