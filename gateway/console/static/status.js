// File and report statuses and failure causes in plain words, and the link that fixes each problem: the
// internal names stay in data-status / title for tools and tests, people read the words.
import { h } from "./ui.js";

export const WORDS = { INITIALIZED: "Registered", UPLOADING: "Uploading", UPLOADED: "Uploaded",
  CLEANING: "Checking", CLEANED: "Checked", PROCESSING: "Importing", PROCESSED: "Imported",
  FINALIZED: "Ready", FAILED: "Failed", REIMPORT: "Reimporting", VOIDED: "Voided",
  PENDING: "Queued", RUNNING: "Running", DONE: "Ready" };   // the last three: reports

const TONE = { FINALIZED: "ok", DONE: "ok", FAILED: "bad", VOIDED: "off" };

/** A status badge: the plain word, the internal name on hover. */
export function statusBadge(status) {
  return h("span", { class: `badge ${status || ""} ${TONE[status] || (status ? "busy" : "")}`, title: status || "" },
    WORDS[status] || status || "—");
}

/** Per cause: the one-line problem and where to fix it (id → hash link), if anywhere. */
const CAUSES = {
  UNKNOWN_LAYOUT: ["Columns not recognised", (r) => [`#/files/${r.id}`, "Map the columns"]],
  DUPLICATE: ["Same statement as another file", (r) => r.duplicate_of != null && [`#/files/${r.duplicate_of}`, `Open the original #${r.duplicate_of}`]],
  TOO_MANY_BAD_ROWS: ["Too many unreadable lines", (r) => [`#/files/${r.id}`, "See the bad lines"]],
  UNSUPPORTED_TYPE: ["Not a file type Tributary reads", null],
  CORRUPTED: ["The file could not be read", null],
  EMPTY: ["The file is empty", null],
  NOT_SALES: ["No sales lines in this file", null],
  NOT_UPLOADED: ["The upload did not arrive: upload it again", null],
  FETCH_FAILED: ["The automatic download failed", null],
  STORAGE_ERROR: ["Storage was unavailable: reimport to try again", null],
};

/** → {text, fix: [href, label] | null, details} for a record, or null when all is well. */
export function problemOf(r) {
  const missing = ((r.conversion || {}).missing || []);
  if (r.status === "FAILED" || r.status_cause) {
    const [text, fix] = CAUSES[r.status_cause] || [r.status_cause ? r.status_cause.toLowerCase().replace(/_/g, " ") : "Failed", null];
    return { text, fix: (fix && fix(r)) || null, details: r.error_message || "" };
  }
  if (missing.length) {
    return { text: `No exchange rate for ${missing.map((m) => `${m.from ?? "?"}→${m.to} ${m.month ?? ""}`.trim()).join(", ")}`,
      fix: [`#/files/${r.id}`, "Add the missing rate"],
      details: "Lines in a currency without a rate for their month are left out of converted totals. The file's page takes the rate and reimports the file." };
  }
  return null;
}

/** The problem as one line; the full message folds out on request. */
export function problemCell(r, extra = []) {
  const p = problemOf(r);
  const fix = p && p.fix ? h("a", { href: p.fix[0], class: "fix" }, p.fix[1]) : null;
  const rest = extra.filter(Boolean);
  if (!p) return rest.length ? h("span", { class: "problem" }, rest) : "";
  const line = h("span", { class: "problem-line" }, h("span", { class: r.status === "FAILED" ? "error" : "warning" }, p.text), fix ? [" · ", fix] : null);
  if (!p.details) return h("span", { class: "problem" }, line, rest);
  return h("details", { class: "problem" }, h("summary", {}, line), h("p", { class: "small muted details-text" }, p.details), rest);
}
