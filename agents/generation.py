"""The worker's side of broker generations (`infra/generation.py`).

Each second the worker reads the broker's stamp. The first stamp it sees is adopted: recorded
in MongoDB (`broker` collection) with the time it was first seen (`since`); the reconcilers
re-issue every entity in flight not updated since then (`Deps.stale_cutoff`), since its command
and events were in a log that is gone. A stamp that changes while the worker runs means the
broker lost its log under it: Faust's positions, committed offsets and changelog tables point
into the old log (recovery then stalls or fails its consistency check), so the worker leaves at
once (exit 75, nothing committed into the new log) and the supervisor starts it fresh; its
tables refill from the new log and answer from MongoDB meanwhile.
"""
from __future__ import annotations

import logging
import os

import faust

from agents.deps import Deps
from agents.housekeeping import survive_outages
from infra import generation
from topics.envelope import now_iso

log = logging.getLogger("tributary.generation")
EXIT_NEW_GENERATION = 75


async def adopt(deps: Deps, stamp: str) -> str:
    """Record `stamp` as the current generation (first seen now, unless known); its `since`."""
    doc = await deps.db.broker.find_one({"_id": "generation"})
    if doc is None or doc.get("stamp") != stamp:
        log.warning("broker generation %s adopted; work in flight is re-issued", stamp)
        await deps.db.broker.update_one({"_id": "generation"},
                                        {"$set": {"stamp": stamp, "since": now_iso()}},
                                        upsert=True)
        doc = await deps.db.broker.find_one({"_id": "generation"})
    return doc["since"]


async def observe(deps: Deps, state: dict, stamp: str | None) -> bool:
    """One reading of the broker's stamp: the first is adopted (`deps.generation_since`); True
    when it differs from the adopted one (the worker must leave)."""
    if stamp is None:
        return False
    state["seen"] = stamp
    if state["stamp"] is None:
        state["stamp"] = deps.generation = stamp
    if stamp == state["stamp"] and not state["adopted"]:
        deps.generation_since = await adopt(deps, stamp)
        state["adopted"] = True
    return stamp != state["stamp"]


def register(app: faust.App, deps: Deps) -> None:
    state: dict = {"reader": None, "stamp": deps.generation, "adopted": False}

    @app.timer(1.0)
    @survive_outages
    async def broker_generation():
        if state["reader"] is None:
            state["reader"] = generation.Reader(deps.settings.kafka_url)
        if await observe(deps, state, await state["reader"].read()):
            log.error("the broker lost its log (generation %s -> %s): leaving, to be started "
                      "fresh on the new log", state["stamp"], state["seen"])
            logging.shutdown()
            os._exit(EXIT_NEW_GENERATION)
