// World map of revenue by territory: a Chart.js choropleth (chartjs-chart-geo) over the vendored
// Natural Earth countries (world-atlas TopoJSON); territory keys (ISO alpha-2) reach the map's
// numeric ids through territories.json. All vendored by static/vendor/vendor.sh.
import "./vendor/chart.umd.min.js";
import "./vendor/chartjs-chart-geo.umd.min.js";   // UMD: globalThis.ChartGeo, on globalThis.Chart
import { h, fill } from "./ui.js";
import { track } from "./charts.js";

const Chart = globalThis.Chart, Geo = globalThis.ChartGeo;
Chart.register(Geo.ChoroplethController, Geo.GeoFeature, Geo.ColorScale, Geo.ProjectionScale);
let atlas = null;

/** The countries (without Antarctica) and alpha-2 → numeric, read once per page load. */
function world() {
  const get = (name) => fetch(new URL(`./vendor/${name}`, import.meta.url)).then((r) => {
    if (!r.ok) throw new Error(`${name}: ${r.status}`);
    return r.json();
  });
  atlas ??= Promise.all([get("countries-110m.json"), get("territories.json")]).then(([topo, numeric]) => ({
    countries: Geo.topojson.feature(topo, topo.objects.countries).features.filter((f) => f.id !== "010"), numeric }))
    .catch((err) => { atlas = null; throw err; });
  return atlas;
}

/**
 * entries: chart entries keyed by ISO alpha-2 ({key, label, value, tip}); onPick(entry) on a
 * country that has one. Entries with no country on the map (e.g. WW) are listed under it.
 */
export function worldMap(title, entries, { note, onPick, tools } = {}) {
  const id = "chart-world-map";
  const box = h("div", { class: "chart-box map-box" });
  const rest = h("p", { class: "muted small" });
  const fig = h("figure", { class: "chart", "data-chart": title },
    h("figcaption", {}, h("span", { id }, title), note ? h("span", { class: "muted small" }, ` — ${note}`) : null, tools || null), box, rest);
  world().then(({ countries, numeric }) => {
    const byId = new Map();
    for (const e of entries) if (numeric[e.key]) byId.set(numeric[e.key], e);
    const off = entries.filter((e) => !numeric[e.key]).map((e) => e.label);
    rest.textContent = off.length ? `Not on the map: ${off.join(", ")}` : "";
    const canvas = h("canvas", { role: "img", "aria-labelledby": id });
    fill(box, canvas);
    track(new Chart(canvas, { type: "choropleth",
      data: { labels: countries.map((f) => f.properties.name),
        datasets: [{ data: countries.map((f) => ({ feature: f, value: byId.has(f.id) ? byId.get(f.id).value : 0 })),
                     outline: countries, borderColor: "#c8ced6", borderWidth: 0.5 }] },
      options: { responsive: true, maintainAspectRatio: false, animation: false, showOutline: false,
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: (ctx) => {
          const e = byId.get(countries[ctx.dataIndex].id);
          return `${countries[ctx.dataIndex].properties.name}: ${e ? e.tip : "no sales"}`; } } } },
        onClick: onPick ? (_ev, els) => { const e = els.length && byId.get(countries[els[0].index].id); if (e) onPick(e); } : undefined,
        scales: { projection: { axis: "x", projection: "equalEarth" },
          color: { axis: "x", quantize: 5, interpolate: "blues", missing: "#f3f4f6", legend: { position: "bottom-left", align: "bottom" } } } } }));
  }).catch((err) => fill(box, h("p", { class: "error" }, `The map could not be drawn: ${err.message}`)));
  return fig;
}
