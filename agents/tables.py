"""Shared shapes of the agents: an entity-status table folded from an event topic, and a
leader timer that re-issues work left without progress (crash, broker restart)."""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

import faust

from agents.deps import Deps
from topics.envelope import UndecodableMessage, decode, now_iso
from topics.registry import topic

log = logging.getLogger("tributary.agents")
Fold = Callable[[dict | None, dict, str], dict | None]


def status_table(app: faust.App, deps: Deps, name: str, events_topic: str, key_field: str,
                 fold: Fold) -> Any:
    """Declare table `name` and the agent that folds `events_topic` into it by `key_field`."""
    events = topic(events_topic)
    schema = faust.Schema(key_type=str, key_serializer="raw", value_serializer="json")
    table = app.Table(name, default=None, schema=schema, partitions=events.partitions)
    deps.tables[name] = table

    async def folder(stream):
        async for event in stream.events():
            try:
                message = decode(event.value, events.types)
            except UndecodableMessage:
                continue  # events are ours; a foreign one is ignored, not fatal
            if message.type.endswith("Rejected"):
                continue  # a refused command changed no entity
            key = str(message.payload[key_field])
            view = fold(table.get(key), message.payload, message.ts)
            if view is not None:
                table[key] = view

    app.agent(deps.topic(events_topic), name=f"{name}_table")(folder)
    return table


def reissue_stale(app: faust.App, deps: Deps, *, collection: str, statuses: list[str],
                  stale_after: float, command_topic: str, command: str,
                  payload: Callable[[dict], dict], what: str) -> None:
    """Every 5 s on the leader: entities in `statuses` whose `updated_at` is older than
    `stale_after` seconds get their command again (handlers are idempotent)."""
    from agents.housekeeping import survive_outages

    @survive_outages
    async def sweep():
        cutoff = deps.stale_cutoff(stale_after)
        async for doc in deps.db[collection].find(
                {"status": {"$in": statuses}, "updated_at": {"$lt": cutoff}}):
            log.warning("re-issuing %s %s stuck in %s", what, doc["_id"], doc["status"])
            await deps.db[collection].update_one({"_id": doc["_id"]},
                                                 {"$set": {"updated_at": now_iso()}})
            await deps.emit(command_topic, doc["_id"], command, payload(doc))

    sweep.__name__ = f"reissue_stale_{collection}"
    app.timer(5.0, on_leader=True)(sweep)


def by_number(load: Callable[[int], Awaitable[dict | None]]) -> Callable[[str], Awaitable[dict | None]]:
    """A store loader for numeric ids: a key that is not ASCII digits ("²", "-1") names nothing
    (int() of it would raise, a 500, where the answer is a 404)."""
    async def stored(key: str) -> dict | None:
        return await load(int(key)) if key.isascii() and key.isdigit() else None
    return stored


def table_page(app: faust.App, table: Any, path: str, match: str, what: str,
               load: Callable[[str], Awaitable[dict | None]]) -> None:
    """A worker page answering one key of `table` (routed to the partition owner). The table is
    a view that refills from events, so a key it lacks is read from the store with `load`."""

    async def page(web, request, **params):
        key = params[match]
        view, source = table.get(key), "table"
        if view is None:
            view, source = await load(key), "store"
        if view is None:
            return web.json({"error": "not_found", "message": f"no {what} {key}"}, status=404)
        return web.json(view, headers={"X-Tributary-Source": source})

    page.__name__ = f"{table.name}_page"
    app.page(path)(app.table_route(table=table, match_info=match)(page))
