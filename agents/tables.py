"""The kit's agents for an entity kind (models.lifecycle.EntityKind): the status table folded
from its event topic with the kind's fold, the worker page answering it (table, else store),
the leader timer that re-issues work left in flight (crash, broker restart) once its lease
expired, and the one that announces again a change whose event was never published."""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

import faust

from agents import lifecycle
from agents.deps import Deps
from infra.repos import lifecycle as repo
from models.lifecycle import EntityKind
from topics.envelope import UndecodableMessage, decode, now_iso
from topics.registry import topic

log = logging.getLogger("tributary.agents")


def register_kind(app: faust.App, deps: Deps, kind: EntityKind) -> Any:
    """The table, the worker page and the re-issuer of `kind`; the table."""
    table = status_table(app, deps, kind)
    worker_page(app, deps, kind, table)
    if kind.reissue:
        reissue_stale(app, deps, kind, deps.settings.work.stale_after)
    if kind.status_payload is not None:
        announce_unannounced(app, deps, kind)
    return table


def status_table(app: faust.App, deps: Deps, kind: EntityKind) -> Any:
    """Declare the kind's table and the agent that folds its events into it."""
    events = topic(kind.events)
    schema = faust.Schema(key_type=str, key_serializer="raw", value_serializer="json")
    table = app.Table(kind.table, default=None, schema=schema, partitions=events.partitions)
    deps.tables[kind.table] = table

    async def folder(stream):
        async for event in stream.events():
            try:
                message = decode(event.value, events.types)
            except UndecodableMessage:
                continue  # events are ours; a foreign one is ignored, not fatal
            raw = message.payload.get(kind.key_field)
            if raw is None or message.type.endswith("Rejected"):
                continue  # a refused command changed no entity
            key = str(raw)
            if message.type in kind.deletes:
                if table.get(key) is not None:
                    del table[key]
                continue
            view = kind.fold(table.get(key), message.type, message.payload, message.ts)
            if view is not None:
                table[key] = view

    app.agent(deps.topic(kind.events), name=f"{kind.table}_table")(folder)
    return table


def reissue_stale(app: faust.App, deps: Deps, kind: EntityKind, stale_after: float) -> None:
    """Every 5 s on the leader: work in a status the kind re-issues from, without a write or a
    lease renewal for `stale_after` s and whose lease expired, gets its command again, once per
    `stale_after` (`reissued_at`; `updated_at` is never refreshed, so the lease stays expired
    and the worker that gets the command takes it over). Handlers are idempotent."""
    from agents.housekeeping import survive_outages

    @survive_outages
    async def sweep():
        now = now_iso()
        for doc in await repo.stale(deps.db, kind, deps.stale_cutoff(stale_after), now):
            if lifecycle.working_on(kind, doc["_id"]):
                continue  # worked on by this process
            topic_name, command = kind.reissue[doc["status"]]
            log.warning("re-issuing %s for %s %s stuck in %s", command, kind.name, doc["_id"],
                        doc["status"])
            await repo.mark_reissued(deps.db, kind, doc["_id"], now)
            await deps.emit(topic_name, doc["_id"], command, kind.command(doc))

    sweep.__name__ = f"reissue_stale_{kind.collection}"
    app.timer(5.0, on_leader=True)(sweep)


def announce_unannounced(app: faust.App, deps: Deps, kind: EntityKind) -> None:
    """Every 5 s on the leader: a record whose latest change was recorded but whose event the
    broker refused (`agents.lifecycle.write` marks it) has its status announced again, as
    stored (restated; a view holding a newer change keeps it), then the mark is cleared."""
    from agents.housekeeping import survive_outages

    indexed = False   # until the first turn made the (sparse) index a turn reads by

    @survive_outages
    async def sweep():
        nonlocal indexed
        if not indexed:
            await repo.index_unannounced(deps.db, kind)
            indexed = True
        for doc in await repo.unannounced(deps.db, kind):
            record = repo.record_of(kind, doc)
            log.warning("%s %s: announcing its %s status again (its event was not published)",
                        kind.name, doc["_id"], record.get("status"))
            await lifecycle.announce(deps, kind, doc["_id"], record)
            await repo.announced(deps.db, kind, doc["_id"], doc["unannounced"])

    sweep.__name__ = f"announce_unannounced_{kind.collection}"
    app.timer(5.0, on_leader=True)(sweep)


def worker_page(app: faust.App, deps: Deps, kind: EntityKind, table: Any) -> None:
    """The kind's worker page: the table's view of one key, else the stored record."""
    async def stored(key: str) -> dict | None:
        return await repo.get(deps.db, kind, kind.key(key))

    match = kind.page.rsplit("{", 1)[1].split("}")[0]
    table_page(app, table, kind.page, match, kind.name,
               by_number(stored) if kind.numeric else stored)


def by_number(load: Callable[[Any], Awaitable[dict | None]]) -> Callable[[str], Awaitable[dict | None]]:
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
