// Statements counted once, on the console: the DUPLICATE link to the original (and importing
// it anyway, naming that original), Void with a confirmation, and declared-totals verdicts.
import { sales } from "./api.js";
import { h, errorText, toast } from "./ui.js";

export const VOIDABLE = ["INITIALIZED", "UPLOADING", "FAILED", "FINALIZED"];
export const TOTALS_CHECKS = ["MATCH", "MISMATCH", "PENDING_PARTS", "NONE"];

/** "duplicate of #N" linking to the original, or null. */
export function duplicateLink(r) {
  if (r.duplicate_of == null) return null;
  const overridden = r.duplicate_override && r.duplicate_override.of === r.duplicate_of;
  return h("span", { class: "duplicate-of" }, overridden ? "imported anyway as a duplicate of " : "duplicate of ",
    h("a", { href: `#/files/${r.duplicate_of}`, "data-duplicate-of": r.duplicate_of }, `#${r.duplicate_of}`));
}

function figures(t) {
  return (t.revenue || []).filter((e) => !e.match)
    .map((e) => `${e.currency || "?"} declared ${e.declared}, imported ${e.imported}`)
    .concat((t.counts || []).filter((c) => !c.match).map((c) => `${c.name} declared ${c.declared}, found ${c.found}`));
}

/** A prominent note for a totals MISMATCH (both figures), a quiet one for pending parts. */
export function totalsNote(r) {
  const t = r.totals || {};
  if (r.totals_check === "MISMATCH") {
    const from = [(t.declared_in || []).join(", "), (t.imported_from || []).join(", ")].filter(Boolean).join(" vs ");
    return h("strong", { class: "error totals-mismatch", role: "note" },
      `Declared totals MISMATCH: ${figures(t).join("; ") || t.message}${from ? ` (${from})` : ""}`);
  }
  if (r.totals_check === "PENDING_PARTS") return h("span", { class: "muted small" }, t.message || "waiting for the other parts");
  return null;
}

export async function voidFile(r, button) {
  if (!window.confirm(`Void ${r.filename} (#${r.id})? Its rows leave the summary, snapshots and reports. ` +
    "The record stays, and a reimport brings it back.")) return;
  if (button) button.disabled = true;
  try { await sales("DELETE", `/api/files/salesfiles/${r.id}/`); toast(`Voided ${r.filename}`); }
  catch (err) { toast(errorText(err)); if (button) button.disabled = false; }
}

export function voidButton(r) {
  if (!VOIDABLE.includes(r.status)) return null;
  return h("button", { type: "button", class: "secondary danger", "aria-label": `Void ${r.filename}`,
    onclick: (e) => voidFile(r, e.target) }, "Void");
}

/** For a DUPLICATE: import it anyway, naming the original (asks first). */
export function importAnywayButton(r) {
  if (r.status !== "FAILED" || r.status_cause !== "DUPLICATE" || r.duplicate_of == null) return null;
  return h("button", { type: "button", class: "secondary", "aria-label": `Import ${r.filename} anyway`, onclick: async (e) => {
    if (!window.confirm(`File #${r.id} holds the same statement as #${r.duplicate_of}. Import it anyway and count it twice?`)) return;
    e.target.disabled = true;
    try { await sales("POST", `/api/files/salesfiles/${r.id}/process/`, { action: "process", allow_duplicate_of: r.duplicate_of }); toast(`Importing ${r.filename} as a duplicate`); }
    catch (err) { toast(errorText(err)); e.target.disabled = false; }
  } }, "Import anyway");
}
