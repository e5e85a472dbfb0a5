"""The task-status fold shared by the worker table and the MongoDB document."""
from models.gtin import BadGtin, BadLine, BadPrefix, Ok
from models.gtin_tasks import apply_event, batch_progress, done_message, limits, new_task, public_view

TS = "2025-06-01T10:00:00.000+00:00"


def task():
    return new_task("t1", "urn:p", "task", True, limits(100, 10), TS)


def outcomes():
    ok = Ok(2, "04000000000017", None, None, {}, {})
    return [ok, BadLine(3, "syntax: x"), BadGtin(4, "12", "invalid length"),
            BadPrefix(5, "05000000000015", "5000000"), ok]


def test_progress_counts_and_lists():
    view = task()
    payload = batch_progress(view, outcomes(), {"created": 1, "updated": 1}, ts=TS)
    view = apply_event(view, "GtinImportProgressed", payload, TS)
    assert view["status"] == "in_progress" and view["processed_lines"] == 5
    assert view["counts"] == {"imported": 2, "created": 1, "updated": 1, "unchanged": 0,
                              "bad_lines": 1, "bad_gtins": 1, "bad_prefixes": 1}
    assert view["bad_lines"] == [{"line": 3, "reason": "syntax: x"}]
    assert view["bad_gtins"][0]["gtin"] == "12" and view["bad_prefixes"][0]["line"] == 5
    assert "imported 2 of 5 lines (1 created, 1 updated, 0 unchanged)" in done_message(view)
    assert set(public_view(view)) >= {"id", "status", "message", "ts", "total_lines",
                                      "processed_lines", "has_header", "bad_lines", "bad_gtins",
                                      "bad_prefixes", "limits"}


def test_repeated_progress_adds_nothing():
    view = task()
    payload = batch_progress(view, outcomes(), {"created": 1, "updated": 1}, ts=TS)
    once = apply_event(view, "GtinImportProgressed", payload, TS)
    twice = apply_event(once, "GtinImportProgressed", payload, TS)
    assert twice["bad_lines"] == once["bad_lines"] and twice["counts"] == once["counts"]
    older = apply_event(twice, "GtinImportProgressed", {**payload, "processed_lines": 1,
                                                        "counts": {"imported": 0}}, TS)
    assert older["processed_lines"] == 5 and older["counts"]["imported"] == 2


def test_lists_are_capped_but_counts_go_on():
    view = task()
    view["limits"]["max_listed_errors"] = 2
    bad = [BadLine(n, "x") for n in range(2, 7)]
    view = apply_event(view, "GtinImportProgressed", batch_progress(view, bad, {}, TS), TS)
    assert [b["line"] for b in view["bad_lines"]] == [2, 3] and view["counts"]["bad_lines"] == 5


def test_finished_tasks_are_never_reopened():
    done = {**task(), "status": "done"}
    assert apply_event(done, "GtinImportTaskChanged", {"task": task()}, TS) is None
    assert apply_event(done, "GtinImportProgressed", {"processed_lines": 9}, TS) is None
    failed = {**task(), "status": "failed", "message": "boom"}
    assert apply_event(task(), "GtinImportTaskChanged", {"task": failed}, TS) == failed
    assert apply_event(None, "GtinImportProgressed", {"processed_lines": 1}, TS) is None
    assert apply_event(task(), "Unknown", {}, TS) is None
