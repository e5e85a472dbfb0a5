"""The gateway's status views: bounded in-process replicas of the workers' `file_status` and
`gtin_import_tasks` tables, built from the same entity declarations (`models.files.KIND`,
`models.gtin_tasks.KIND`: event topic, key, fold, creating and deleting events), so a status
GET is answered without a hop to a worker.

`gateway.bus.Bus` folds every event it follows into `Views.apply` before it resolves the
requests waiting for that event, so a request that waited for an event reads a view that
already has it (read-your-writes).

An entity the gateway has seen no creating event for (created before the gateway started, or
evicted from the LRU) is a miss: it is read as before (worker table page, else MongoDB) and the
answer is kept only if no event for that key arrived while it was read, nor shortly before
(`SETTLE`: the worker table may not have folded yet an event the gateway already saw). Events
for a key the view does not hold are ignored, except the creating ones (`SalesFileRegistered`,
`GtinImportTaskChanged`), which carry the whole record/task. While the event follower is not
connected the views serve nothing (events may be missed); they are emptied on every (re)connect.

Answers are shallow copies: callers may set keys on them, never change nested values. The JSON
body of an entry is rendered once (`body`) and kept until the entry changes.
"""
from __future__ import annotations

import json
import logging
import time
from collections import OrderedDict
from typing import Any, Awaitable, Callable

from aiohttp import web
from multidict import CIMultiDict

from gateway.schemas.gtin_import import task_status
from models import files as file_model
from models import gtin_tasks
from models.lifecycle import EntityKind
from topics.envelope import Message

log = logging.getLogger("tributary.gateway.views")
Fold = Callable[[dict | None, str, dict, str], dict | None]
Render = Callable[[dict], Any]
Load = Callable[[], Awaitable[tuple[dict[str, Any] | None, str]]]
MAX_ENTRIES = 50_000  # per view (kind of entity); the least recently used are dropped
SETTLE = 2.0  # seconds after an event during which a fetched copy of its entity is not kept
MISS = object()  # `held`: the view cannot answer at once (await `answer`)


class _Entry:
    __slots__ = ("view", "body")

    def __init__(self, view: dict[str, Any]) -> None:
        self.view, self.body = view, None


class EntityView:
    """One bounded (LRU) view of entity → status dict, folded from one event topic;
    `render(view)` is what the HTTP answer shows of a view (rendered once per change)."""

    def __init__(self, key_field: str, fold: Fold, creates: tuple[str, ...],
                 deletes: tuple[str, ...] = (), render: Render = lambda view: view,
                 max_entries: int = MAX_ENTRIES, settle: float = SETTLE,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.key_field, self.fold, self.render = key_field, fold, render
        self.creates, self.deletes = creates, deletes
        self.max_entries, self.settle, self.clock = max_entries, settle, clock
        self.live = False  # the event follower is connected: events are being folded
        # awaited before a view answers: False sends the read to `load` (gateway/freshness.py)
        self.fresh: Callable[[], Awaitable[bool]] | None = None
        self._data: OrderedDict[str, _Entry] = OrderedDict()
        # key → (event number, clock time) of its last event, folded or not (bounded too)
        self._seen: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self._events = 0
        self._epoch = 0  # bumped on reset: reads started before it keep nothing

    @classmethod
    def of(cls, kind: EntityKind, **options: Any) -> "EntityView":
        """The view of an entity kind as it is declared (models.lifecycle)."""
        return cls(kind.key_field, kind.fold, kind.creates, kind.deletes, **options)

    def __len__(self) -> int:
        return len(self._data)

    def reset(self, live: bool) -> None:
        self._data.clear()
        self._seen.clear()
        self._epoch += 1
        self.live = live

    def apply(self, message: Message) -> None:
        raw = message.payload.get(self.key_field)
        if raw is None:
            return
        key = str(raw)
        self._events += 1
        self._seen[key] = (self._events, self.clock())
        self._seen.move_to_end(key)
        if len(self._seen) > self.max_entries:
            self._seen.popitem(last=False)
        if message.type in self.deletes:
            self._data.pop(key, None)
            return
        entry = self._data.get(key)
        if entry is None and message.type not in self.creates:
            return
        current = entry.view if entry is not None else None
        try:
            view = self.fold(current, message.type, message.payload, message.ts)
        except (KeyError, TypeError, ValueError):  # a malformed event: read the key afresh
            log.warning("cannot fold %s for %s; dropped from the view", message.type, key)
            self._data.pop(key, None)
            return
        if view is not None:
            self._put(key, view)

    def get(self, key: str) -> dict[str, Any] | None:
        """A copy of the view of `key`, or None when the view does not hold it."""
        entry = self._data.get(key)
        if entry is None:
            return None
        self._data.move_to_end(key)
        return dict(entry.view)

    def body(self, key: str) -> bytes | None:
        """The JSON answer (`render`ed) of the view of `key`, or None when not held."""
        entry = self._data.get(key)
        if entry is None:
            return None
        if entry.body is None:
            entry.body = json.dumps(self.render(entry.view)).encode()
        return entry.body

    async def read(self, key: str, load: Load) -> tuple[dict[str, Any] | None, str]:
        """(view, source): from this view ("view"), else `load()` ("table" or "store"), whose
        answer is kept when no event for `key` came in while (or just before) it was read."""
        if self.fresh is not None and self.live and key in self._data and not await self.fresh():
            return await load()  # cannot prove this view current: the store answers
        view = self.get(key) if self.live else None
        if view is not None:
            return view, "view"
        epoch, mark = self._epoch, self._seen.get(key)
        view, source = await load()
        if view is not None and self._may_keep(key, epoch, mark):
            self._put(key, dict(view))
        return view, source

    def held(self, key: str, owner_field: str, owner: Any) -> web.Response | None | object:
        """What `answer` answers when a live view holds `key` and has no barrier to await, said
        without a coroutine: the JSON answer from its entry as it is (no copy, the body rendered
        once; issue 21), None when it is another's; else `MISS` (then await `answer`)."""
        if not self.live or self.fresh is not None:
            return MISS
        entry = self._data.get(key)
        if entry is None:
            return MISS
        self._data.move_to_end(key)
        if entry.view.get(owner_field) != owner:
            return None
        body = entry.body
        if body is None:
            body = entry.body = json.dumps(self.render(entry.view)).encode()
        return _response(body, "view")

    async def answer(self, key: str, load: Load, owner_field: str, owner: Any
                     ) -> web.Response | None:
        """The JSON answer of `key` when its view's `owner_field` is `owner`, else None (unknown,
        or another's: the caller's 404); `held`'s answer when it has one."""
        found = self.held(key, owner_field, owner)
        if found is not MISS:
            return found  # type: ignore[return-value]
        view, source = await self.read(key, load)
        if view is None or view.get(owner_field) != owner:
            return None
        return answer(self, key, view, source)

    def _may_keep(self, key: str, epoch: int, mark: tuple[int, float] | None) -> bool:
        if not self.live or epoch != self._epoch or key in self._data:
            return False
        if self._seen.get(key) != mark:
            return False  # an event came in while the copy was read: it may be older
        return mark is None or self.clock() - mark[1] >= self.settle

    def _put(self, key: str, view: dict[str, Any]) -> None:
        self._data[key] = _Entry(view)
        self._data.move_to_end(key)
        if len(self._data) > self.max_entries:
            self._data.popitem(last=False)


def answer(entities: EntityView, key: str, view: dict[str, Any], source: str) -> web.Response:
    """The JSON answer of `view` (as `entities` renders it) with `X-Tributary-Source: source`;
    a view answer reuses the entry's rendered body."""
    body = entities.body(key) if source == "view" else None
    if body is None:
        body = json.dumps(entities.render(view)).encode()
    return _response(body, source)


def _headers(source: str) -> CIMultiDict[str]:
    return CIMultiDict({"X-Tributary-Source": source,
                        "Content-Type": "application/json; charset=utf-8"})


# built once; web.Response copies the headers it is given, and a CIMultiDict copies fastest
_HEADERS = {source: _headers(source) for source in ("view", "table", "store")}


def _response(body: bytes, source: str) -> web.Response:
    headers = _HEADERS.get(source)
    return web.Response(body=body, headers=headers if headers is not None else _headers(source))


class Views:
    """The gateway's views by event topic, and the reads the routes use."""

    def __init__(self, tables, max_entries: int = MAX_ENTRIES, barrier=None) -> None:
        self.tables = tables
        self.files = EntityView.of(file_model.KIND, render=file_model.public_view,
                                   max_entries=max_entries)
        self.tasks = EntityView.of(gtin_tasks.KIND, render=task_status, max_entries=max_entries)
        self.by_topic = {file_model.KIND.events: self.files, gtin_tasks.KIND.events: self.tasks}
        if barrier is not None:  # several gateways: consistent reads (gateway/freshness.py)
            for name, view in self.by_topic.items():
                view.fresh = lambda name=name: barrier.caught_up(name)

    def apply(self, topic_name: str, message: Message) -> None:
        view = self.by_topic.get(topic_name)
        if view is not None:
            view.apply(message)

    def reset(self, live: bool) -> None:
        """Forget everything: the follower (re)connected (`live`) or lost the broker."""
        for view in self.by_topic.values():
            view.reset(live)

    async def file(self, file_id: int) -> tuple[dict[str, Any] | None, str]:
        """(record view, source) of a sales file: "view", "table" or "store"."""
        return await self.files.read(str(file_id), self._file_load(file_id))

    async def file_answer(self, file_id: int, org: str) -> web.Response | None:
        """The status GET's answer of `org`'s sales file; None: unknown or another's."""
        return await self.files.answer(str(file_id), self._file_load(file_id), "organisation",
                                       org)

    def file_held(self, file_id: int, org: str) -> web.Response | None | object:
        """`file_answer` when the live view answers at once, else `MISS` (EntityView.held)."""
        return self.files.held(str(file_id), "organisation", org)

    def task_held(self, task_id: str, participant: str) -> web.Response | None | object:
        """`task_answer` when the live view answers at once, else `MISS` (EntityView.held)."""
        return self.tasks.held(task_id, "participant", participant)

    async def task(self, task_id: str, store: Callable[[], Awaitable[dict | None]]
                   ) -> tuple[dict[str, Any] | None, str]:
        """(status view, source) of a GTIN import task: "view", "table" or "store"."""
        return await self.tasks.read(task_id, self._task_load(task_id, store))

    async def task_answer(self, task_id: str, participant: str,
                          store: Callable[[], Awaitable[dict | None]]) -> web.Response | None:
        """The status GET's answer of `participant`'s import task; None: unknown or another's."""
        return await self.tasks.answer(task_id, self._task_load(task_id, store), "participant",
                                       participant)

    def _file_load(self, file_id: int) -> Load:
        return lambda: self.tables.file(file_id)

    def _task_load(self, task_id: str, store: Callable[[], Awaitable[dict | None]]) -> Load:
        return lambda: self.tables.view(f"/gtin-import/tasks/{task_id}/", store)
