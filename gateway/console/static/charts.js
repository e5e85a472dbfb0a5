// Inline SVG horizontal bar charts (label above each bar, so they stay legible at phone width),
// each with a "show as table" fallback for screen readers and exact figures.
import { h, money } from "./ui.js";

const W = 360, ROW = 36, BAR_MAX = 250;
let seq = 0;

/**
 * entries: [{label, value (number), display (text)}]; shows the first `top`.
 */
export function barChart(title, entries, { top = 10, note } = {}) {
  const id = `chart-${++seq}`;
  const shown = entries.slice(0, top);
  const fig = h("figure", { class: "chart", "data-chart": title },
    h("figcaption", { id }, title, note ? h("span", { class: "muted small" }, ` — ${note}`) : null));
  if (!shown.length) { fig.append(h("p", { class: "muted" }, "No data")); return fig; }
  const max = Math.max(...shown.map((e) => Math.abs(e.value)), 1e-12);
  const svg = h("svg:svg", { viewBox: `0 0 ${W} ${shown.length * ROW + 4}`, role: "img", "aria-labelledby": id });
  shown.forEach((e, i) => {
    const y = i * ROW;
    const width = Math.max(1, Math.round((Math.abs(e.value) / max) * BAR_MAX));
    svg.append(h("svg:g", { class: "entry" },
      h("svg:title", {}, `${e.label}: ${e.display}`),
      h("svg:text", { class: "label", x: 0, y: y + 13 }, truncate(e.label, 44)),
      h("svg:rect", { class: "bar", x: 0, y: y + 18, width, height: 12, rx: 2 }),
      h("svg:text", { class: "value", x: width + 6, y: y + 29 }, e.display)));
  });
  fig.append(svg);
  fig.append(h("details", {}, h("summary", { class: "small" }, "Show as table"),
    h("table", {}, h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Name"), h("th", { scope: "col", class: "num" }, "Value"))),
      h("tbody", {}, entries.slice(0, 100).map((e) => h("tr", {}, h("td", {}, e.label), h("td", { class: "num" }, e.display)))))));
  return fig;
}

function truncate(text, n) { text = String(text); return text.length > n ? text.slice(0, n - 1) + "…" : text; }

/** Snapshot entries ({name, isrc?, upc?, revenue_converted, quantity}) → chart entries. */
export function revenueEntries(list, keyName) {
  return (list || []).map((e) => {
    const code = keyName && e[keyName] ? ` (${e[keyName]})` : "";
    const cur = e.currency ? ` [${e.currency}]` : "";
    return { label: `${e.name ?? "(none)"}${code}${cur}`, value: Number(e.revenue_converted ?? e.revenue ?? 0),
             display: `${money(e.revenue, e.currency)}${e.revenue_converted != null && e.revenue_converted !== e.revenue ? ` (${money(e.revenue_converted)} converted)` : ""} · qty ${e.quantity ?? "—"}` };
  });
}
