"""agents/generation.py: the worker adopts the broker's first stamp and leaves on a new one."""
from __future__ import annotations

from agents.generation import observe


async def test_the_first_stamp_is_adopted_once_and_a_new_one_means_leave(h):
    state = {"reader": None, "stamp": None, "adopted": False}
    assert await observe(h.deps, state, None) is False and h.deps.generation_since == ""
    assert await observe(h.deps, state, "gen-a") is False
    doc = await h.db.broker.find_one({"_id": "generation"})
    assert doc["stamp"] == "gen-a" and h.deps.generation_since == doc["since"]
    assert await observe(h.deps, state, "gen-a") is False
    assert (await h.db.broker.find_one({"_id": "generation"}))["since"] == doc["since"]
    assert await observe(h.deps, state, "gen-b") is True
    assert (await h.db.broker.find_one({"_id": "generation"}))["stamp"] == "gen-a"


async def test_a_worker_started_on_a_known_stamp_keeps_when_it_was_first_seen(h):
    await h.db.broker.insert_one({"_id": "generation", "stamp": "gen-a", "since": "2026-01-01"})
    state = {"reader": None, "stamp": "gen-a", "adopted": False}
    assert await observe(h.deps, state, "gen-a") is False
    assert h.deps.generation_since == "2026-01-01"
