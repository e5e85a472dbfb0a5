// Fold a sales-file event into a record view, as models/files.py apply_event does on the server.
export const FILE_EVENTS = ["SalesFileRegistered", "SalesFileStatusChanged", "SalesFileProgressed"];
export const STATUSES = ["INITIALIZED", "UPLOADING", "UPLOADED", "CLEANING", "CLEANED", "PROCESSING",
  "PROCESSED", "FINALIZED", "FAILED", "REIMPORT", "VOIDED"];
export const REIMPORTABLE = ["FAILED", "PROCESSED", "FINALIZED", "VOIDED"];

export function applyFileEvent(record, { type, ts, payload }) {
  if (type === "SalesFileRegistered") return { ...payload.record };
  if (!record) return null;
  const view = { ...record };
  if (type === "SalesFileStatusChanged") {
    Object.assign(view, payload.fields || {});
    view.status = payload.status;
    view.status_cause = payload.status_cause ?? null;
    view.error_message = payload.error_message ?? null;
    if (payload.attempt !== undefined && payload.attempt !== null) view.attempt = payload.attempt;
    view.updated_at = ts;
    const last = (view.history || []).at(-1) || {};
    if (payload.status !== last.status || payload.status_cause)
      view.history = [...(view.history || []), { status: payload.status, ts, ...(payload.status_cause ? { status_cause: payload.status_cause } : {}) }];
    if (["CLEANED", "PROCESSED", "FINALIZED", "FAILED", "VOIDED"].includes(payload.status)) view.progress = null;
  } else if (type === "SalesFileProgressed") {
    view.progress = { stage: payload.stage, rows: payload.rows, percent: payload.percent };
    view.updated_at = ts;
  }
  return view;
}
