"""The kit's writers for every entity kind (models.lifecycle): record a change in MongoDB
(compare-and-set, infra/repos/lifecycle.py), then emit it as an event; the status writer, the
failure writer and throttled progress; and leases on in-flight work.

A handler that holds an entity's lease (`hold`, or the `leased` decorator) fences every write
of that entity made in its task (a context variable), so an owner that paused past its lease
and woke after a takeover gets `LeaseLost` at its next write and stops.
"""
from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import logging
import time
from typing import Any, AsyncIterator, Awaitable, Callable

from agents.deps import Deps
from infra.metrics import FAILURES
from infra.repos import leases
from infra.repos import lifecycle as repo
from infra.repos.leases import LeaseLost
from models.lifecycle import EntityKind, settled
from topics.envelope import now_iso

log = logging.getLogger("tributary.lifecycle")
EXTRAS = ("attempt", "progress")  # status_payload arguments beside the record's fields
# (kind name, key) → the fence of the lease this task holds on that entity
_FENCES: contextvars.ContextVar[dict[tuple[str, Any], dict]] = contextvars.ContextVar(
    "lifecycle_fences", default={})
_HELD: set[tuple[str, Any]] = set()  # entities this process is working on under a lease


async def write(deps: Deps, kind: EntityKind, key: Any, event_type: str, payload: dict, *,
                emit: bool = True, also: dict | None = None,
                fence: dict | None = None) -> repo.Written:
    """Record the event (CAS; fenced by a lease this task holds on the entity, which a terminal
    status releases in the same update), then emit it; a dropped event (illegal or obsolete)
    is not emitted."""
    key = kind.key(key)
    held = _FENCES.get().get((kind.name, key))
    fence = fence if fence is not None else held
    # the write that ends the work gives the held lease back with it (one update)
    done = held is not None and fence is held and event_type == kind.status_event and \
        kind.status_of(payload) in kind.terminal
    if done:
        also = {**(also or {}), "lease": None}
    written = await repo.write(deps.db, kind, key, event_type, payload, now_iso(), fence=fence,
                               also=also)
    if done and written.changed:  # later writes of this task are no longer fenced
        _let_go(kind, key)
    if written.changed and emit:
        try:
            await deps.emit(kind.events, key, event_type, settled(kind, event_type, payload, written.record))
        except Exception:
            await _unannounced(deps, kind, key)
            raise
    return written


async def _unannounced(deps: Deps, kind: EntityKind, key: Any) -> None:
    """The change is recorded but its event was not published (the broker refused it): a
    retry of the write changes nothing and so emits nothing, and without a mark the views would
    stay one change behind for good. The leader announces marked records again
    (`agents.tables.announce_unannounced`)."""
    if kind.status_payload is None:
        return
    try:
        await repo.mark_unannounced(deps.db, kind, key, now_iso())
    except Exception:  # noqa: BLE001 - the store is down too: the caller's error stands
        log.exception("%s %s: could not mark its unpublished event", kind.name, key)


async def set_status(kind: EntityKind, deps: Deps, record: dict, status: str, *,
                     cause: str | None = None, error: str | None = None, **fields: Any) -> dict:
    """Change the status of `record` (its kind's status event); the record now."""
    extra = {name: fields.pop(name) for name in EXTRAS if name in fields}
    payload = kind.status_payload(record, status, cause, error, fields, **extra)
    written = await write(deps, kind, record["id"], kind.status_event, payload)
    return written.record or record


async def fail(kind: EntityKind, deps: Deps, record: dict, cause: str, message: str,
               **fields: Any) -> dict:
    FAILURES.labels(stage=str(record.get("status") or "unknown").lower(), cause=cause).inc()
    return await set_status(kind, deps, record, "FAILED", cause=cause, error=message, **fields)


class Progress:
    """Throttled progress events (at most one a second) for long work. Reports scheduled from a
    worker thread can arrive late: one that would go backwards (fewer rows than already shown,
    or after the forced final report) is dropped, so the last event is always the final figure."""

    def __init__(self, deps: Deps, record: dict, stage: str, every: float = 1.0, *,
                 kind: EntityKind):
        self.deps, self.kind, self.record, self.stage, self.every = deps, kind, record, stage, every
        self._last, self._rows, self._final = 0.0, -1, False
        self._lock = asyncio.Lock()  # one report written and emitted at a time, in order

    async def report(self, rows: int, percent: float, force: bool = False) -> None:
        async with self._lock:
            now = time.monotonic()
            if not force and (self._final or rows <= self._rows or now - self._last < self.every):
                return
            self._last, self._rows, self._final = now, max(rows, self._rows), self._final or force
            self.deps.progress += 1  # long work shows in the heartbeat, not only messages
            payload = {self.kind.key_field: self.record["id"], "stage": self.stage, "rows": rows,
                       "percent": round(min(max(percent, 0.0), 100.0), 1)}
            await write(self.deps, self.kind, self.record["id"], self.kind.progress_event,
                        payload)


@contextlib.asynccontextmanager
async def hold(deps: Deps, kind: EntityKind, key: Any,
               ttl: float | None = None) -> AsyncIterator[dict | None]:
    """Work on `key` under its lease: the document as taken (None: finished or held by a live
    owner elsewhere, or already running here). The lease is renewed every ttl/3 while inside,
    fences the entity's writes, and is released on the way out; `LeaseLost` (taken over)
    ends the work quietly."""
    key = kind.key(key)
    ttl = ttl or deps.settings.work.stale_after  # TRIBUTARY_STALE_AFTER
    name = (kind.name, key)
    coll = deps.db[kind.collection]
    doc = None if name in _HELD else await leases.take(coll, key, deps.settings.worker_id, ttl)
    if doc is not None and doc.get("status") in kind.terminal:
        # checked here, not in the take's filter: nx-27017's findAndModify matches a filter
        # with $in/$nin but then leaves the document unchanged (no lease taken, no error)
        await leases.release(coll, key, leases.fence(doc))
        await announce_settled(deps, kind, key, repo.record_of(kind, doc))
        doc = None
    if doc is None:
        log.info("%s %s is finished or worked on elsewhere", kind.name, key)
        yield None
        return
    fence = leases.fence(doc)
    _HELD.add(name)
    token = _FENCES.set({**_FENCES.get(), name: fence})

    async def renew() -> None:
        while await leases.renew(coll, key, fence, ttl):
            await asyncio.sleep(max(ttl / 3, 0.5))
        log.warning("%s %s: lease lost to another worker", kind.name, key)

    beat = asyncio.create_task(renew())
    try:
        yield doc
        await leases.release(coll, key, fence)
    except LeaseLost:
        log.warning("%s %s was taken over; this run stops", kind.name, key)
    finally:
        beat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beat
        _FENCES.reset(token)
        _HELD.discard(name)


async def announce_settled(deps: Deps, kind: EntityKind, key: Any, record: dict) -> None:
    """Emit again the terminal status of `record` (as stored), with its every field
    (`settled`), when its command comes again after the work ended: a worker killed between
    recording the end and emitting it left every view one status behind for good (the command
    is redelivered, but the work is done and nothing else would emit). Views fold the same
    status twice as once (`models.lifecycle.restated`)."""
    if kind.status_payload is None or record.get("status") not in kind.terminal:
        return
    log.info("%s %s is %s already: its status announced again", kind.name, key, record["status"])
    await announce(deps, kind, key, record)


async def announce(deps: Deps, kind: EntityKind, key: Any, record: dict) -> None:
    """Emit the status `record` holds as stored, restated: with its history and time as
    recorded, which the views take instead of adding an entry (and ignore when they hold a
    newer change: `models.lifecycle.outdated`)."""
    payload = kind.status_payload(record, record["status"], record.get("status_cause"),
                                  record.get("error_message"),
                                  {k: record[k] for k in ("history", "updated_at") if k in record})
    await deps.emit(kind.events, key, kind.status_event, settled(kind, kind.status_event, payload, record))


def working_on(kind: EntityKind, key: Any) -> bool:
    """Is this process working on `key` under its lease?"""
    return (kind.name, key) in _HELD


async def hand_on(deps: Deps, kind: EntityKind, key: Any) -> None:
    """Release the lease held on `key` before commanding the next step (its worker takes the
    lease at once); this task's later writes of `key` are no longer fenced."""
    key = kind.key(key)
    fence = _FENCES.get().get((kind.name, key))
    if fence is not None:
        await leases.release(deps.db[kind.collection], key, fence)
    _let_go(kind, key)


def _let_go(kind: EntityKind, key: Any) -> None:
    _FENCES.set({k: v for k, v in _FENCES.get().items() if k != (kind.name, key)})
    _HELD.discard((kind.name, key))


def leased(kind: EntityKind, key_of: Callable[..., Any]):
    """Run a handler under the lease of the entity `key_of(*args)` names (see `hold`)."""
    def wrap(handler: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        @functools.wraps(handler)
        async def run(deps: Deps, *args: Any) -> None:
            async with hold(deps, kind, key_of(*args)) as doc:
                if doc is not None:
                    await handler(deps, *args)
        return run
    return wrap
