"""The entity declarations (models.lifecycle): every kind's transitions, and `step` refusing
exactly the changes its kind does not allow."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models import auto_upload_jobs, catalog, files, gtin_tasks, reports
from models.lifecycle import NEW, EntityKind, IllegalTransition, step

KINDS = [files.KIND, reports.KIND, catalog.IMPORT_KIND, gtin_tasks.KIND, auto_upload_jobs.KIND]


def _status_change(kind: EntityKind, key, status: str) -> dict:
    if kind is gtin_tasks.KIND:
        return {"task_id": key, "task": {"id": key, "status": status}}
    if kind is auto_upload_jobs.KIND:
        return {"job_id": key, "job": {"status": status}}
    return {kind.key_field: key, "organisation": "org-1", "status": status, "fields": {}}


@pytest.mark.parametrize("kind, old, new, ok", [
    (files.KIND, NEW, "INITIALIZED", True),
    (files.KIND, "UPLOADED", "CLEANING", True),
    (files.KIND, "CLEANING", "CLEANING", True),          # a status may always stay
    (files.KIND, "REIMPORT", "CLEANED", False),          # an old attempt's late write
    (files.KIND, "FINALIZED", "PROCESSING", False),
    (files.KIND, "CLEANING", "REIMPORT", False),         # only files at rest are reimported
    (files.KIND, "VOIDED", "REIMPORT", True),
    (files.KIND, "PROCESSING", "FAILED", True),
    (reports.KIND, NEW, "PENDING", True),
    (reports.KIND, "DONE", "RUNNING", False),
    (reports.KIND, "RUNNING", "PENDING", False),
    (catalog.IMPORT_KIND, "PROCESSING", "UPLOADED", True),  # a re-issued run starts again
    (catalog.IMPORT_KIND, "DONE", "PROCESSING", False),
    (gtin_tasks.KIND, "done", "in_progress", False),
    (gtin_tasks.KIND, "started", "in_progress", True),
    (auto_upload_jobs.KIND, "RESOLVED", "REJECTED", False),
    (files.KIND, "CLEANING", "NO_SUCH_STATUS", False),
])
def test_transition_table(kind, old, new, ok):
    assert kind.allowed(old, new) is ok


@pytest.mark.parametrize("kind", [reports.KIND, gtin_tasks.KIND, auto_upload_jobs.KIND],
                         ids=lambda k: k.name)
def test_terminal_statuses_of_reports_tasks_and_jobs_have_no_way_out(kind):
    # (files at rest may be reimported or voided; a catalog import that found no upload retried)
    for status in kind.terminal:
        assert all(not kind.allowed(status, new) for new in kind.statuses if new != status)


@given(st.data())
def test_step_refuses_exactly_the_illegal_changes(data):
    kind = data.draw(st.sampled_from(KINDS))
    old = data.draw(st.sampled_from(kind.statuses))
    new = data.draw(st.sampled_from(kind.statuses))
    key = "t1" if not kind.numeric else 7
    record = {"id": key, "status": old, "organisation": "org-1", "history": []}
    if kind is gtin_tasks.KIND:
        record = {**record, "processed_lines": 0}
    payload = _status_change(kind, key, new)
    if kind.allowed(old, new):
        after = step(kind, record, kind.status_event, payload, "2026-12-03T10:00:00.000+00:00")
        assert after is None or after["status"] == new  # None: the fold saw it as obsolete
        assert record["status"] == old, "the fold is pure"
    else:
        with pytest.raises(IllegalTransition):
            step(kind, record, kind.status_event, payload, "2026-12-03T10:00:00.000+00:00")


def test_a_declaration_naming_an_unknown_status_is_refused():
    with pytest.raises(ValueError):
        EntityKind(name="x", collection="x", events="x", key_field="id", status_event="X",
                   statuses=("A",), terminal=(), transitions={"A": ("B",)},
                   fold=lambda v, t, p, ts: v)
