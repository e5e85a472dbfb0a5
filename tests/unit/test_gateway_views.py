"""The gateway's status views (gateway/views.py), without a broker: the same folds as the
worker tables, the LRU bound, and the rule for keeping what a miss read."""
from __future__ import annotations

import asyncio
import json

from gateway.views import EntityView, Views, answer
from models import files as file_model
from models import gtin_tasks
from topics.envelope import Message

TS = "2025-06-01T10:00:00.000+00:00"


def record(file_id: int, org: str = "org-1") -> dict:
    return file_model.new_record({"filename": f"f{file_id}.tsv", "filetype": "TSV",
                                  "filesize": 10, "mongo_db_id": "x"},
                                 file_id=file_id, uuid="abcd1234", organisation=org, ts=TS)


def registered(file_id: int, **fields) -> Message:
    return Message("SalesFileRegistered", {"file_id": file_id,
                                           "record": {**record(file_id), **fields}})


def changed(file_id: int, status: str) -> Message:
    return Message("SalesFileStatusChanged", {"file_id": file_id, "status": status})


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def live_views(**kw) -> Views:
    views = Views(tables=None, **kw)
    views.reset(live=True)
    return views


def test_folds_like_the_worker_tables():
    views = live_views()
    events = [registered(1), changed(1, "UPLOADING"), changed(1, "UPLOADED"),
              Message("SalesFileProgressed", {"file_id": 1, "stage": "CLEANING", "rows": 5}),
              changed(1, "FINALIZED")]
    table = None
    for event in events:
        views.apply("sales.files.events", event)
        table = file_model.apply_event(table, event.type, event.payload, event.ts)
    assert views.files.get("1") == table
    assert [h["status"] for h in table["history"]] == ["INITIALIZED", "UPLOADING", "UPLOADED",
                                                       "FINALIZED"]
    task = gtin_tasks.new_task("t1", "urn:p", "task", True, gtin_tasks.limits(10, 10), TS)
    views.apply("gtin.import.events", Message("GtinImportTaskChanged",
                                              {"task_id": "t1", "task": task}))
    views.apply("gtin.import.events", Message("GtinImportProgressed",
                                              {"task_id": "t1", "processed_lines": 7}))
    assert views.tasks.get("t1")["status"] == "in_progress"
    assert views.tasks.get("t1")["processed_lines"] == 7
    views.apply("gtin.import.events", Message("GtinImportTaskPurged", {"task_id": "t1"}))
    assert views.tasks.get("t1") is None


def test_events_for_unknown_keys_are_ignored_except_creating_ones():
    views = live_views()
    views.apply("sales.files.events", changed(5, "CLEANING"))
    views.apply("gtin.import.events", Message("GtinImportProgressed",
                                              {"task_id": "t9", "processed_lines": 3}))
    assert len(views.files) == len(views.tasks) == 0
    views.apply("sales.files.events", registered(5))
    assert views.files.get("5")["status"] == "INITIALIZED"
    views.apply("other.topic", registered(6))  # not a viewed topic
    assert views.files.get("6") is None


def test_lru_bound_evicts_the_least_recently_used():
    views = live_views(max_entries=3)
    for n in (1, 2, 3):
        views.apply("sales.files.events", registered(n))
    assert views.files.get("1") is not None  # a read makes 1 the most recent
    views.apply("sales.files.events", registered(4))
    assert len(views.files) == 3
    assert views.files.get("2") is None
    assert {k for k in ("1", "3", "4") if views.files.get(k)} == {"1", "3", "4"}
    views.apply("sales.files.events", changed(2, "UPLOADING"))  # evicted: ignored
    assert views.files.get("2") is None


def test_answers_are_copies_and_bodies_follow_changes():
    views = live_views()
    views.apply("sales.files.events", registered(1, _internal="hidden"))
    got = views.files.get("1")
    got["status"] = "MUTATED"
    got["_source"] = "view"
    assert views.files.get("1")["status"] == "INITIALIZED"
    body = views.files.body("1")
    assert views.files.body("1") is body  # rendered once
    assert json.loads(body) == file_model.public_view(views.files.get("1"))
    assert "_internal" not in json.loads(body)
    views.apply("sales.files.events", changed(1, "UPLOADING"))
    assert json.loads(views.files.body("1"))["status"] == "UPLOADING"
    response = answer(views.files, "1", views.files.get("1"), "view")
    assert response.headers["X-Tributary-Source"] == "view"
    assert response.body == views.files.body("1")
    assert response.content_type == "application/json" and response.charset == "utf-8"


def loader(result: dict | None, source: str = "table", during=None):
    calls = []

    async def load():
        calls.append(1)
        await asyncio.sleep(0)
        if during is not None:
            during()
        return (dict(result) if result else None), source

    return load, calls


async def test_a_miss_is_read_through_and_kept_when_no_event_came():
    clock = Clock()
    view = EntityView("file_id", file_model.apply_event, ("SalesFileRegistered",), clock=clock)
    view.reset(live=True)
    load, calls = loader(record(7))
    got, source = await view.read("7", load)
    assert source == "table" and got["id"] == 7
    got, source = await view.read("7", load)
    assert source == "view" and len(calls) == 1
    view.apply(changed(7, "UPLOADING"))  # now held: later events fold into it
    assert (await view.read("7", load))[0]["status"] == "UPLOADING"


async def test_a_miss_is_not_kept_when_an_event_came_while_it_was_read():
    clock = Clock()
    view = EntityView("file_id", file_model.apply_event, ("SalesFileRegistered",), clock=clock)
    view.reset(live=True)
    stale = record(8)  # the copy read before the event below
    load, calls = loader(stale, during=lambda: view.apply(changed(8, "UPLOADING")))
    got, source = await view.read("8", load)
    assert source == "table" and got["status"] == "INITIALIZED"  # answered, not kept
    assert view.get("8") is None
    clock.now += 10
    load, _ = loader({**stale, "status": "UPLOADING"})
    assert (await view.read("8", load))[1] == "table"
    assert (await view.read("8", load))[1] == "view"


async def test_a_miss_is_not_kept_just_after_an_ignored_event():
    clock = Clock()
    view = EntityView("file_id", file_model.apply_event, ("SalesFileRegistered",), clock=clock,
                      settle=2.0)
    view.reset(live=True)
    view.apply(changed(9, "CLEANING"))  # ignored (not held), but the table may lag behind it
    load, calls = loader(record(9))
    await view.read("9", load)
    assert view.get("9") is None
    clock.now += 2.5
    await view.read("9", load)
    assert view.get("9") is not None and len(calls) == 2


async def test_a_miss_started_before_a_creating_event_keeps_the_folded_view():
    view = EntityView("file_id", file_model.apply_event, ("SalesFileRegistered",))
    view.reset(live=True)
    load, _ = loader({**record(3), "status": "OLD"},
                     during=lambda: view.apply(registered(3)))
    got, _ = await view.read("3", load)
    assert got["status"] == "OLD"
    assert view.get("3")["status"] == "INITIALIZED"


async def test_nothing_is_served_or_kept_while_the_follower_is_not_live():
    view = EntityView("file_id", file_model.apply_event, ("SalesFileRegistered",))
    view.reset(live=True)
    view.apply(registered(1))
    view.reset(live=False)  # lost the broker
    load, calls = loader(record(1))
    assert (await view.read("1", load))[1] == "table"
    assert view.get("1") is None and len(calls) == 1
    # a read that began before a (re)connect keeps nothing either
    view.reset(live=True)
    load, _ = loader(record(2), during=lambda: view.reset(live=True))
    await view.read("2", load)
    assert view.get("2") is None


async def test_not_found_is_never_kept():
    view = EntityView("file_id", file_model.apply_event, ("SalesFileRegistered",))
    view.reset(live=True)
    load, calls = loader(None, source="store")
    assert await view.read("4", load) == (None, "store")
    assert await view.read("4", load) == (None, "store")
    assert len(calls) == 2


def test_a_malformed_event_drops_the_key():
    views = live_views()
    views.apply("sales.files.events", registered(1))
    views.apply("sales.files.events", Message("SalesFileStatusChanged", {"file_id": 1}))
    assert views.files.get("1") is None
