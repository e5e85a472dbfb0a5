"""Status view of a GTIN import task, folded from its events (the same fold feeds the worker's
table and the MongoDB document), and the per-batch bookkeeping of a running import."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from models.lifecycle import NEW, EntityKind

STATUSES = ("started", "in_progress", "done", "failed")
TERMINAL = ("done", "failed")
ERROR_LISTS = ("bad_lines", "bad_gtins", "bad_prefixes")
WRITTEN = ("created", "updated", "unchanged")  # imported = their sum (a line per GTIN line)
PUBLIC = ("id", "participant", "status", "message", "ts", "total_lines", "processed_lines", "has_header",
          *ERROR_LISTS, "limits", "counts", "kind", "created_at", "finished_at", "errors_csv")
View = dict[str, Any]
BATCH_LINES = 1000  # records validated and written per batch (and per checkpoint)
MAX_LISTED = 1000  # entries kept per error list (the counts go on)
MAX_IMAGE_BYTES = 20 * 1024 * 1024


def limits(max_file_bytes: int, max_line_bytes: int) -> dict[str, int]:
    """The `limits` a task reports."""
    return {"max_file_bytes": max_file_bytes, "max_line_bytes": max_line_bytes,
            "max_listed_errors": MAX_LISTED, "batch_lines": BATCH_LINES,
            "max_image_bytes": MAX_IMAGE_BYTES}


def new_task(task_id: str, participant: str, kind: str, has_header: bool, limits: dict,
             ts: str) -> View:
    return {"id": task_id, "participant": participant, "kind": kind, "status": "started",
            "message": "task started", "ts": ts, "created_at": ts, "finished_at": None,
            "total_lines": None, "processed_lines": 0, "has_header": has_header,
            "bad_lines": [], "bad_gtins": [], "bad_prefixes": [],
            "counts": {"imported": 0, **{name: 0 for name in WRITTEN}, "bad_lines": 0,
                       "bad_gtins": 0, "bad_prefixes": 0},
            "limits": dict(limits), "errors_csv": errors_csv(task_id)}


def errors_csv(task_id: str) -> str:
    """Where every error entry of the task is served as CSV (the view lists the first
    MAX_LISTED of each list; `counts` are exact)."""
    return f"/description-service/import/tasks/{task_id}/errors.csv"


def public_view(view: View) -> View:
    return {k: view.get(k) for k in PUBLIC}


def _append(current: list[dict], new: Iterable[dict], cap: int) -> list[dict]:
    """Entries with a line past the last one listed (lines only grow), up to `cap` entries."""
    last = current[-1]["line"] if current else 0
    out = list(current)
    for entry in new:
        if len(out) >= cap:
            break
        if entry["line"] > last:
            out.append(dict(entry))
            last = entry["line"]
    return out


def apply_event(view: View | None, event_type: str, payload: dict[str, Any], ts: str
                ) -> View | None:
    """The view after one event; None when the event changes nothing (or is not ours)."""
    if event_type == "GtinImportTaskChanged":
        task = dict(payload["task"])
        if view and view.get("status") in TERMINAL and task.get("status") not in TERMINAL:
            return None  # a late or repeated event never reopens a finished task
        return task
    if event_type == "GtinImportProgressed":
        if view is None or view.get("status") in TERMINAL:
            return None
        out = dict(view)
        cap = int((view.get("limits") or {}).get("max_listed_errors") or 1000)
        out["status"] = "in_progress"
        out["processed_lines"] = max(int(payload["processed_lines"]),
                                     int(view.get("processed_lines") or 0))
        if payload.get("total_lines") is not None:
            out["total_lines"] = payload["total_lines"]
        counts = dict(view.get("counts") or {})
        for name, value in (payload.get("counts") or {}).items():
            counts[name] = max(int(value), int(counts.get(name) or 0))
        out["counts"] = counts
        for name in ERROR_LISTS:
            out[name] = _append(view.get(name) or [], payload.get(name) or [], cap)
        out["message"] = payload.get("message") or view.get("message")
        out["ts"] = ts
        return out
    return None


def progress_message(view: View) -> str:
    total = view.get("total_lines")
    of = f" of {total}" if total is not None else ""
    return f"processed {view.get('processed_lines') or 0}{of} lines"


def done_message(view: View) -> str:
    c = view.get("counts") or {}
    return (f"imported {c.get('imported', 0)} of {view.get('processed_lines') or 0} lines "
            f"({c.get('created', 0)} created, {c.get('updated', 0)} updated, "
            f"{c.get('unchanged', 0)} unchanged); "
            f"bad lines {c.get('bad_lines', 0)}, bad GTINs {c.get('bad_gtins', 0)}, "
            f"prefixes not owned {c.get('bad_prefixes', 0)}")


def batch_progress(view: View, outcomes: Iterable[Any], written: dict[str, int], ts: str
                   ) -> dict[str, Any]:
    """The GtinImportProgressed payload for one processed batch of line outcomes
    (models.gtin.mapping: Ok, BadLine, BadGtin, BadPrefix) whose good lines `written` counts
    as created, updated or unchanged (infra.repos.gtin_bulk.prepare_batch)."""
    from models.gtin import BadGtin, BadLine, BadPrefix

    lists: dict[str, list[dict]] = {name: [] for name in ERROR_LISTS}
    n = 0
    for outcome in outcomes:
        n += 1
        if isinstance(outcome, BadLine):
            lists["bad_lines"].append({"line": outcome.line, "reason": outcome.reason})
        elif isinstance(outcome, BadGtin):
            lists["bad_gtins"].append({"line": outcome.line, "gtin": outcome.gtin,
                                       "reason": outcome.reason})
        elif isinstance(outcome, BadPrefix):
            entry = {"line": outcome.line, "gtin": outcome.gtin, "prefix": outcome.prefix}
            if outcome.range:
                entry["range"] = outcome.range
            lists["bad_prefixes"].append(entry)
    counts = dict(view.get("counts") or {})
    counts["imported"] = int(counts.get("imported") or 0) + sum(written.values())
    for name in WRITTEN:
        counts[name] = int(counts.get(name) or 0) + int(written.get(name) or 0)
    for name in ERROR_LISTS:
        counts[name] = int(counts.get(name) or 0) + len(lists[name])
    processed = int(view.get("processed_lines") or 0) + n
    payload = {"task_id": view["id"], "processed_lines": processed,
               "total_lines": view.get("total_lines"), "counts": counts, **lists}
    payload["message"] = progress_message({**view, "processed_lines": processed})
    return payload


_START = ("gtin.import.commands", "StartGtinImport")
KIND = EntityKind(
    name="GTIN import task", collection="gtin_import_tasks", events="gtin.import.events",
    key_field="task_id", status_event="GtinImportTaskChanged", statuses=STATUSES,
    terminal=TERMINAL,
    transitions={NEW: ("started",), "started": ("in_progress", "done", "failed"),
                 "in_progress": ("done", "failed")},
    fold=apply_event, status_of=lambda payload: payload["task"]["status"],
    creates=("GtinImportTaskChanged",), deletes=("GtinImportTaskPurged",),
    table="gtin_import_tasks", page="/gtin-import/tasks/{task_id}/", numeric=False,
    public=PUBLIC, reissue={"started": _START, "in_progress": _START},
    command=lambda doc: {"task_id": doc["_id"], "participant": doc["participant"],
                         "kind": doc.get("kind", "task"), "spec": doc["spec"]})
