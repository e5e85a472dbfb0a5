"""A terminal status event carries the whole record (models.lifecycle.settled): a view that
missed an earlier event (a worker killed before its table's changelog write) is whole again."""
from __future__ import annotations

from models import files
from models.lifecycle import settled

TS = "2026-12-03T15:00:00+00:00"


def status(state: str, **fields) -> dict:
    return {"file_id": 7, "organisation": "org-1", "status": state, "status_cause": None,
            "error_message": None, "attempt": 1, "fields": fields}


def test_a_terminal_event_carries_every_field_of_the_record():
    stored = {"id": 7, "organisation": "org-1", "status": "FINALIZED", "attempt": 1,
              "parquet_key": "sales/f7.parquet", "total_rows": 3, "converted_complete": False,
              "history": [], "updated_at": TS, "progress": None, "_version": 9, "lease": None}
    out = settled(files.KIND, "SalesFileStatusChanged", status("FINALIZED"), stored)
    assert out["fields"] == {"parquet_key": "sales/f7.parquet", "total_rows": 3,
                             "converted_complete": False}
    assert out["status"] == "FINALIZED" and out["file_id"] == 7


def test_other_events_go_out_as_written():
    payload = status("PROCESSED", parquet_key="k")
    assert settled(files.KIND, "SalesFileStatusChanged", payload, {"id": 7, "x": 1}) is payload
    progress = {"file_id": 7, "stage": "CLEANING", "rows": 5, "percent": 50.0}
    assert settled(files.KIND, "SalesFileProgressed", progress, {"id": 7}) is progress


def test_a_view_that_missed_processed_is_whole_at_finalized():
    view = {"id": 7, "organisation": "org-1", "status": "PROCESSING",
            "history": [{"status": "PROCESSING", "ts": TS}]}
    stored = {**view, "status": "FINALIZED", "parquet_key": "sales/f7.parquet", "total_rows": 3}
    event = settled(files.KIND, "SalesFileStatusChanged", status("FINALIZED"), stored)
    healed = files.apply_event(view, "SalesFileStatusChanged", event, TS)
    assert healed["status"] == "FINALIZED"
    assert (healed["parquet_key"], healed["total_rows"]) == ("sales/f7.parquet", 3)


def test_a_status_announced_again_keeps_the_recorded_history_and_time():
    """A redelivered command announces a FAILED file again (agents.lifecycle.announce_settled):
    the event states the history and time, which views take instead of adding an entry, so
    twice is once."""
    history = [{"status": "UPLOADED", "ts": TS},
               {"status": "FAILED", "ts": TS, "status_cause": "INVALID_FILE"}]
    view = {"id": 7, "organisation": "org-1", "status": "FAILED", "history": history}
    again = {**status("FAILED", history=history, updated_at=TS), "status_cause": "INVALID_FILE"}
    later = "2026-12-03T16:00:00+00:00"
    folded = files.apply_event(files.apply_event(view, "SalesFileStatusChanged", again, later),
                               "SalesFileStatusChanged", again, later)
    assert folded["history"] == history and folded["updated_at"] == TS
    fresh = files.apply_event(view, "SalesFileStatusChanged",
                              {**status("FAILED"), "status_cause": "INVALID_FILE"}, later)
    assert len(fresh["history"]) == 3   # a failure that happened again is a new entry
