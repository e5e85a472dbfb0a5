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


def test_a_restated_status_older_than_the_view_leaves_it_as_it_is():
    """A status announced late (its event had failed) must not take a view back past newer
    events; one newer than the view is taken whole. Every kind's fold keeps the newer view
    (`EntityKind` guards the fold it is declared with)."""
    from models import auto_upload_jobs, catalog, gtin_tasks, reports

    later = "2026-12-03T15:00:05+00:00"
    view = {"id": 7, "organisation": "org-1", "status": "FINALIZED", "updated_at": later,
            "history": [{"status": "PROCESSED", "ts": TS}, {"status": "FINALIZED", "ts": later}]}
    old = status("PROCESSED", history=[{"status": "PROCESSED", "ts": TS}], updated_at=TS)
    assert files.KIND.fold(view, "SalesFileStatusChanged", old, later) == view
    new = status("VOIDED", history=[*view["history"], {"status": "VOIDED", "ts": "2026-12-03T15:01:00+00:00"}],
                 updated_at="2026-12-03T15:01:00+00:00")
    taken = files.KIND.fold(view, "SalesFileStatusChanged", new, later)
    assert taken["status"] == "VOIDED" and taken["history"] == new["fields"]["history"]
    for kind in (reports.KIND, catalog.IMPORT_KIND, gtin_tasks.KIND, auto_upload_jobs.KIND):
        done = {"id": "r1", "organisation": "org-1", "status": "DONE", "updated_at": later, "history": []}
        stale = {kind.key_field: "r1", "organisation": "org-1", "status": "RUNNING", "status_cause": None,
                 "error_message": None, "fields": {"history": [], "updated_at": TS}}
        assert kind.fold(done, kind.status_event, stale, later) == done, kind.name
