"""Three changes to Faust, applied once per worker.

Fetch wait: Faust's aiokafka driver hard-codes `fetch_max_wait_ms=1500`. Tansu reads a fetch's
partitions again at half its wait, then at half of what is left, and answers at the first read
that finds a message (or when the wait is over), so every hop between agents cost ~0.5–1.5 s.
The worker swaps in a consumer class with a short wait (TRIBUTARY_FETCH_WAIT_MS, default 50 ms),
longer while the worker reads a sales file (agents/busy_fetches.py).

Changelog consistency: a table remembers the changelog offset it had read. When the changelog
ends before that offset (a broker that lost or truncated its log, a partition that came back to
a worker whose in-memory store had dropped it), Faust either raises ConsistencyError (the worker
crash-looped on it, issue 19) or, with the check off, resumes past the end and keeps a table
missing what it dropped. Instead the partition is rebuilt: its keys are dropped and recovery
reads its changelog from the start; meanwhile a key the table lacks is read from MongoDB
(agents/tables.table_page).

Table start: Faust's table manager sleeps one second before it registers the tables' changelogs,
in case an app adds a table after it started. Ours declares every table in `build_app`, before
the worker starts, so the wait only delayed each worker's join by a second (every stack start
and every restarted worker)."""
from __future__ import annotations

import logging
import types
import weakref

import aiokafka
import faust.transport.drivers.aiokafka as driver
from faust.tables.manager import TableManager
from faust.tables.recovery import Recovery

log = logging.getLogger("tributary.recovery")

class _ShortWaitConsumer(aiokafka.AIOKafkaConsumer):
    fetch_wait_ms = 50  # settings.broker.fetch_wait_ms, set by apply()
    busy_wait_ms = 50   # settings.broker.busy_fetch_wait_ms
    live: "weakref.WeakSet[_ShortWaitConsumer]" = weakref.WeakSet()  # this worker's (busy_fetches)

    def __init__(self, *args, **kwargs) -> None:
        kwargs["fetch_max_wait_ms"] = self.fetch_wait_ms
        super().__init__(*args, **kwargs)
        _ShortWaitConsumer.live.add(self)


def set_fetch_wait(ms: int) -> None:
    """The wait of the next fetches of this worker's consumers (aiokafka reads it each time it
    builds a fetch request; one in flight keeps the wait it was sent with)."""
    for consumer in list(_ShortWaitConsumer.live):
        fetcher = getattr(consumer, "_fetcher", None)
        if fetcher is not None:
            fetcher._fetch_max_wait_ms = ms


def rebuild_behind(recovery, offsets, tps) -> list:
    """Changelog partitions among `tps` whose remembered offset is past the changelog's end:
    forget the offset (read from the start) and the keys the table holds for that partition."""
    rebuilt = []
    for tp in tps:
        high = recovery.active_highwaters.get(tp)
        if offsets.get(tp) is None or high is None or offsets[tp] <= high:
            continue
        log.warning("changelog %s ends at %s, before the table's offset %s: rebuilding that "
                    "partition from the changelog start (reads fall back to MongoDB)",
                    tp, high, offsets[tp])
        offsets[tp] = -1
        table = recovery.tp_to_table.get(tp)
        store = getattr(table, "data", None)
        owned = getattr(store, "_key_partition", None)
        if owned is not None:
            for key in [k for k, p in owned.items() if p == tp.partition]:
                store.data.pop(key, None)
                owned.pop(key, None)
        rebuilt.append(tp)
    return rebuilt


def _patch_recovery() -> None:
    original = Recovery._build_offsets

    async def build_offsets(self, consumer, tps, destination, title):
        await original(self, consumer, tps, destination, title)
        if destination is self.active_offsets:
            rebuild_behind(self, destination, tps)

    build_offsets._tributary = True
    Recovery._build_offsets = build_offsets


async def _start_tables(self) -> None:
    """`TableManager.on_start` without its one-second sleep (see the module's docstring)."""
    if not self.should_stop:
        await self._update_channels()
        await self.recovery.start()


def fetch_wait_ms() -> int:
    return _ShortWaitConsumer.fetch_wait_ms


def busy_wait_ms() -> int:
    return _ShortWaitConsumer.busy_wait_ms


def apply(fetch_wait_ms: int, busy_wait_ms: int | None = None) -> None:
    """`busy_wait_ms`: the wait while the worker reads a sales file (agents/busy_fetches.py)."""
    _ShortWaitConsumer.fetch_wait_ms = fetch_wait_ms
    _ShortWaitConsumer.busy_wait_ms = fetch_wait_ms if busy_wait_ms is None else busy_wait_ms
    if not getattr(Recovery._build_offsets, "_tributary", False):
        _patch_recovery()
    TableManager.on_start = _start_tables
    if getattr(driver.aiokafka, "_tributary_patched", False):
        return
    proxy = types.ModuleType("aiokafka")
    proxy.__dict__.update(aiokafka.__dict__)
    proxy.AIOKafkaConsumer = _ShortWaitConsumer
    proxy._tributary_patched = True
    driver.aiokafka = proxy
