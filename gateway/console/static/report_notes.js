// Why a finished report holds no line: no catalog to match against, or no imported file for
// its period — read from the catalog and the Analytics API, each with the link that fixes it.
import { sales } from "./api.js";
import { h, fill } from "./ui.js";

/** An element explaining an empty DONE report (filled once the answers arrive), or null. */
export function emptyNote(r) {
  if (r.status !== "DONE" || !r.snapshot || Number(r.snapshot.rows) !== 0) return null;
  const note = h("span", { class: "small warning empty-report", "data-report": r.id }, "No lines…");
  explain(r, note);
  return note;
}

async function explain(r, note) {
  try {
    const [catalog, files] = await Promise.all([
      sales("GET", "/api/catalog/?page_size=1"),
      sales("GET", `/api/sales/analytics/?${new URLSearchParams({ group_by: "file", period: r.period, top: "1" })}`)]);
    const why = [];
    if (!files.files) why.push(["No file imported for this statement period.", "#/files", "Upload one"]);
    if (catalog.version == null && r.type === "monthly") why.push(["No catalog yet, so no line can be matched.", "#/catalog", "Upload a catalog"]);
    if (!why.length) why.push([r.type === "unmatched" ? "Every line matched the catalog." : "No line of the period matched the catalog.",
      r.type === "unmatched" ? null : "#/catalog", "Check the catalog"]);
    fill(note, "No lines: ", why.flatMap(([text, href, label]) => [text, " ", href ? h("a", { href }, label) : null, " "]));
  } catch { fill(note, "No lines in this report."); }
}
