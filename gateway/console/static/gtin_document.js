// GTIN document: look up a GTIN and see its sources by language and country.
import { auth, gtin } from "./api.js";
import { h, field, clear, fill, errorText, needSignIn, table } from "./ui.js";

export function render(root, _params, query) {
  if (!auth.ticket) return needSignIn(root, "a session ticket");
  const input = h("input", { type: "text", id: "gtin-id", name: "id", inputmode: "numeric", autocomplete: "off", required: true, value: query.get("id") || "" });
  const out = h("div", { id: "gtin-doc", "aria-live": "polite" });
  const form = h("form", { class: "card row", role: "search", id: "gtin-lookup" }, field("GTIN (8, 12, 13 or 14 digits)", input), h("button", { type: "submit" }, "Look up"));
  form.addEventListener("submit", (e) => { e.preventDefault(); history.replaceState(null, "", `#/gtin/document?id=${encodeURIComponent(input.value.trim())}`); lookup(); });
  root.append(h("h1", {}, "GTIN document"), form, out);
  if (input.value) lookup();

  async function lookup() {
    fill(out, h("p", { class: "muted" }, "Loading…"));
    try { draw(await gtin("GET", `/description-service/description?id=${encodeURIComponent(input.value.trim())}`)); }
    catch (err) { fill(out, h("p", { class: "error" }, errorText(err))); }
  }

  function draw(doc) {
    const facts = [["GTIN", doc.id], ["Name", doc.name], ["Owner", doc.owner], ["Brand", doc.brand_id], ["GPC brick", doc.gpc_brick],
      ["GPC class", doc.gpc_class], ["GPC family", doc.gpc_family], ["GPC segment", doc.gpc_segment], ["Attachments", (doc.attachments || []).join(", ")]];
    // one row per (language, country) a source applies to; an empty condition list means "any"
    const cells = [];
    for (const s of doc.sources || []) {
      const c = s.conditions || {};
      const langs = asList(c.language), countries = asList(c.country);
      for (const language of langs.length ? langs : ["any"]) for (const country of countries.length ? countries : ["any"])
        cells.push({ language, country, source: s });
    }
    cells.sort((a, b) => a.language.localeCompare(b.language) || a.country.localeCompare(b.country));
    fill(out, 
      h("section", { class: "card" }, h("h2", {}, doc.name || doc.id), h("dl", { class: "facts" },
        facts.filter(([, v]) => v).flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, String(v))]))),
      h("section", { class: "card", id: "sources-by-condition" }, h("h2", {}, `Sources by language and country (${(doc.sources || []).length} source(s))`),
        cells.length ? table([
          { title: "Language", cell: (x) => x.language }, { title: "Country", cell: (x) => x.country },
          { title: "Contributor", cell: (x) => `${x.source.id} (${x.source.type})` },
          { title: "Widgets", cell: (x) => h("ul", { class: "small" }, (x.source.data || []).map(widget)) }], cells, { label: "Sources by language and country" })
          : h("p", { class: "muted" }, "No sources yet.")));
  }
}

function asList(v) { return v === undefined || v === null ? [] : Array.isArray(v) ? v.map(String) : [String(v)]; }

// A widget in the specification's form: {kind: body}, e.g. {"text": {title, text}}, {"image": [{url}]}.
function widget(w) {
  const kind = Object.keys(w)[0] || "?";
  const body = w[kind];
  if (kind === "image" && Array.isArray(body)) {
    return h("li", {}, `${kind}: `, ...body.map((img) => {
      const url = String(img.url || "");
      const sameOrigin = url.startsWith("/") || url.startsWith(location.origin + "/");
      // images from other hosts are shown as links: the console makes no calls outside the gateway
      return sameOrigin ? h("img", { class: "widget-img", src: url, alt: "product image" }) : h("a", { href: url, rel: "noreferrer noopener" }, url);
    }));
  }
  const title = body && typeof body === "object" && typeof body.title === "string" ? body.title : "";
  const value = body && typeof body === "object" ? (body.text ?? body.url ?? null) : body;
  const label = `${kind}${title ? ` · ${title}` : ""}: `;
  return h("li", {}, label, typeof value === "string" ? value : JSON.stringify(body));
}
