// Charts drawn by Chart.js (vendored, pinned: static/vendor/vendor.sh), each with a "Show as
// table" view holding the exact figures, so screen readers and copy-paste get them too.
import "./vendor/chart.umd.min.js";   // UMD build: defines globalThis.Chart
import { h, money } from "./ui.js";

const Chart = globalThis.Chart;
const ACCENT = "#1f6feb", MUTED = "#5b6573", GRID = "#e6e9ee";
const live = new Set();   // charts drawn; destroyed once their canvas left the page
let sweeping = null;

/** After the current task (new charts are in the page by then), free the charts that left it. */
function sweep() {
  clearTimeout(sweeping);
  sweeping = setTimeout(() => { for (const c of live) if (!c.canvas.isConnected) { c.destroy(); live.delete(c); } }, 0);
}

/** Keep a chart drawn elsewhere (map.js) in the same clean-up. */
export function track(chart) { sweep(); live.add(chart); }

function short(text, n) { text = String(text); return text.length > n ? text.slice(0, n - 1) + "…" : text; }

/** The figure around a chart: caption, canvas box, and the table of exact figures. */
function figure(title, note, entries, { pickLabel, onPick, tools }) {
  const id = `chart-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  const fig = h("figure", { class: "chart", "data-chart": title },
    h("figcaption", {}, h("span", { id }, title), note ? h("span", { class: "muted small" }, ` — ${note}`) : null, tools || null));
  const rows = entries.map((e, i) => h("tr", { "data-key": e.key ?? e.label },
    h("td", {}, onPick ? h("button", { type: "button", class: "link", "aria-label": `${pickLabel} ${e.label}`, onclick: () => onPick(e, i) }, e.label) : e.label),
    h("td", { class: "num" }, e.display instanceof Node ? e.display : String(e.display))));
  const tableView = h("details", { class: "chart-table" }, h("summary", { class: "small" }, "Show as table"),
    h("table", { "aria-label": title }, h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Name"), h("th", { scope: "col", class: "num" }, "Value"))),
      h("tbody", {}, rows)));
  return { fig, id, tableView };
}

function base(onPick, entries) {
  return {
    responsive: true, maintainAspectRatio: false, animation: false,
    plugins: { legend: { display: false },
      tooltip: { callbacks: { label: (ctx) => { const e = entries[ctx.dataIndex]; return e.tip || (typeof e.display === "string" ? e.display : String(e.value)); } } } },
    onClick: onPick ? (_ev, els) => { if (els.length) onPick(entries[els[0].index], els[0].index); } : undefined,
    onHover: onPick ? (ev, els) => { ev.native.target.style.cursor = els.length ? "pointer" : "default"; } : undefined,
  };
}

function canvasBox(id, height, onPick) {
  sweep();
  const canvas = h("canvas", { role: "img", "aria-labelledby": id });
  if (onPick) canvas.setAttribute("aria-description", "select a bar to see the rows behind it; the table below has the same links");
  const box = h("div", { class: "chart-box" }, canvas);
  box.style.height = `${height}px`;
  return { canvas, box };
}

/**
 * Horizontal bars, largest first. entries: [{key, label, value (number), display (text|Node), tip?}].
 * onPick(entry) runs when a bar (or its row in the table) is chosen.
 */
export function barChart(title, entries, { top = 10, note, onPick, pickLabel = "Show rows of", tools } = {}) {
  const shown = entries.slice(0, top);
  const { fig, id, tableView } = figure(title, note, shown, { pickLabel, onPick, tools });
  if (!shown.length) { fig.append(h("p", { class: "muted" }, "No data")); return fig; }
  const { canvas, box } = canvasBox(id, shown.length * 30 + 24, onPick);
  const narrow = window.matchMedia("(max-width: 640px)").matches;
  const chart = new Chart(canvas, { type: "bar",
    data: { labels: shown.map((e) => short(e.label, narrow ? 15 : 24)),
      datasets: [{ data: shown.map((e) => e.value), backgroundColor: ACCENT, borderRadius: 2, maxBarThickness: 18 }] },
    options: { ...base(onPick, shown), indexAxis: "y",
      scales: { x: { grid: { color: GRID }, ticks: { color: MUTED, maxTicksLimit: narrow ? 4 : 8, callback: (v) => compact(v) } },
                y: { grid: { display: false }, ticks: { color: "#1d2430", autoSkip: false } } } } });
  live.add(chart);
  fig.append(box, tableView);
  return fig;
}

/** A line over time (x: the points' labels in order); onPick(point) on a point. */
export function lineChart(title, points, { note, onPick, pickLabel = "Show rows of", tools } = {}) {
  const { fig, id, tableView } = figure(title, note, points, { pickLabel, onPick, tools });
  if (!points.length) { fig.append(h("p", { class: "muted" }, "No data")); return fig; }
  const { canvas, box } = canvasBox(id, 260, onPick);
  const chart = new Chart(canvas, { type: points.length > 1 ? "line" : "bar",
    data: { labels: points.map((p) => p.label),
      datasets: [{ data: points.map((p) => p.value), borderColor: ACCENT, backgroundColor: ACCENT, pointRadius: 4,
                   pointHoverRadius: 6, tension: 0, maxBarThickness: 40 }] },
    options: { ...base(onPick, points), interaction: { mode: "index", intersect: false },
      scales: { x: { grid: { display: false }, ticks: { color: MUTED, autoSkip: true, maxRotation: 0 } },
                y: { beginAtZero: true, grid: { color: GRID }, ticks: { color: MUTED, maxTicksLimit: 6, callback: (v) => compact(v) } } } } });
  live.add(chart);
  fig.append(box, tableView);
  return fig;
}

/** Axis numbers: short (1.2K, 3.4M); exact figures live in tooltips and the table. */
function compact(v) { return new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 }).format(v); }

/** Snapshot entries ({name, isrc?, upc?, revenue_converted, quantity}) → chart entries. */
export function revenueEntries(list, keyName) {
  return (list || []).map((e) => {
    const code = keyName && e[keyName] ? ` (${e[keyName]})` : "";
    const cur = e.currency ? ` [${e.currency}]` : "";
    const display = `${money(e.revenue, e.currency)}${e.revenue_converted != null && e.revenue_converted !== e.revenue ? ` (${money(e.revenue_converted)} converted)` : ""} · qty ${e.quantity ?? "—"}`;
    return { label: `${e.name ?? "(none)"}${code}${cur}`, value: Number(e.revenue_converted ?? e.revenue ?? 0), display, tip: display };
  });
}
