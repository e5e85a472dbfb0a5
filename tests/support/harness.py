"""Agents without a broker: the real handlers, MongoDB and an object store, in memory between them.

`harness(mongo_url)` registers the agent modules (`agents.app.AGENT_MODULES`) on a small stand-in
for the Faust app that only records what they declare (agents by topic, timers, tables, pages),
and gives them a real `Deps` whose producer captures messages instead of sending them (after
`topics.registry.check_outgoing`, as the real producer does). Each harness has a database of its
own on the given MongoDB and a `LocalStore` in a temporary directory.

    async with harness(docstore) as h:
        org = await h.org("Label")
        await h.send("sales.cleaning.commands", 7, "CleanSalesFile", {"file_id": 7, "attempt": 1})
        assert h.last("SalesFileStatusChanged")["status"] == "CLEANED"

`send` delivers one message, encoded like a real one, to every agent consuming its topic (through
`agents.deps.dispatch`: decoding, dead letters, duplicate commands); `send_raw` delivers bytes.
What the handlers emit is captured, not delivered, unless `settle()` is awaited: it delivers the
captured messages to their consumers until nothing new is emitted. A handler that raises (which
`dispatch` logs and swallows in a worker) fails the `send` with `HandlerFailed`. `call(handler,
type, payload)` runs one module-level handler directly; `tick("module.timer")` runs a timer.
"""
from __future__ import annotations

import contextlib
import itertools
import logging
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable

from agents.deps import Deps
from infra.config import load_settings
from infra.kafka import key_bytes
from topics.envelope import Message
from topics.registry import check_outgoing


@dataclass
class Sent:
    """One message a handler produced."""
    topic: str
    key: str
    message: Message
    delivered: bool = False

    @property
    def type(self) -> str:
        return self.message.type

    @property
    def payload(self) -> dict:
        return self.message.payload


class HandlerFailed(AssertionError):
    """A handler raised; in a worker `dispatch` would log it and go on."""


class FakeTable(dict):
    """A Faust table's reads and writes (`get`, `[]`, `del`) as a dict with a name."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


class FakeApp:
    """Records what `register(app, deps)` declares; runs nothing by itself."""

    def __init__(self) -> None:
        self.agents: list[tuple[str, str, Callable]] = []   # (topic, name, fn)
        self.timers: dict[str, Callable] = {}               # "module.function" → fn
        self.tasks: dict[str, Callable] = {}                # run once as the worker starts
        self.pages: dict[str, Callable] = {}
        self.tables: Any = SimpleNamespace(recovery=SimpleNamespace(in_recovery=False))
        self.consumer = None
        self.rebalancing = False
        self.module = ""

    def agent(self, channel, name: str = "", **_: Any):
        def declare(fn):
            self.agents.append((channel.name, name or fn.__name__, fn))
            return fn
        return declare

    def timer(self, interval: float, **_: Any):
        def declare(fn):
            self.timers[f"{self.module}.{fn.__name__}"] = fn
            return fn
        return declare

    def task(self, fn: Callable) -> Callable:
        self.tasks[f"{self.module}.{fn.__name__}"] = fn
        return fn

    def Table(self, name: str, **_: Any) -> FakeTable:  # noqa: N802 - Faust's name
        return FakeTable(name)

    def page(self, path: str):
        def declare(fn):
            self.pages[path] = fn
            return fn
        return declare

    def table_route(self, **_: Any):
        return lambda fn: fn


class _Channel:
    def __init__(self, name: str) -> None:
        self.name = name


class CapturingDeps(Deps):
    """The real Deps (MongoDB, object store, `emit`), with a producer that captures."""

    def __init__(self, app: FakeApp, settings, sink: Callable[[Sent], None]) -> None:
        super().__init__(app, settings)  # type: ignore[arg-type]
        self._sink = sink

    def topic(self, name: str) -> _Channel:  # type: ignore[override]
        return _Channel(name)

    async def send(self, topic_name: str, key: Any, message: Message) -> None:
        check_outgoing(topic_name, message)
        self._sink(Sent(topic_name, key_bytes(key).decode(), message))


class _Stream:
    def __init__(self, events: list) -> None:
        self._events = events

    async def events(self):
        for event in self._events:
            yield event


class _Failures(logging.Handler):
    """Handler crashes `dispatch` logs (it keeps a worker going; a test must see them)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and "failed for message" in record.getMessage():
            self.records.append(record)


class Harness:
    def __init__(self, deps: CapturingDeps, app: FakeApp, root: Path) -> None:
        self.deps, self.app, self.root = deps, app, root
        self.sent: list[Sent] = []
        self._offsets = itertools.count()
        self._failures = _Failures()

    # -- delivering ----------------------------------------------------------------------------
    def message(self, type_: str, payload: dict, **fields: Any) -> Message:
        return Message(type=type_, payload=payload, **fields)

    async def send(self, topic: str, key: Any, type_: str, payload: dict, *,
                   check: bool = True, expect_failure: bool = False, **fields: Any) -> list[Sent]:
        """Deliver one message (checked like a producer's unless `check=False`) to the topic's
        agents; the messages they produced meanwhile."""
        message = self.message(type_, payload, **fields)
        if check:
            check_outgoing(topic, message)
        return await self.send_raw(topic, key, message.encode(), expect_failure=expect_failure)

    async def send_raw(self, topic: str, key: Any, raw: bytes, *,
                       expect_failure: bool = False) -> list[Sent]:
        agents = [fn for name, _, fn in self.app.agents if name == topic]
        if not agents:
            raise LookupError(f"no agent consumes {topic}")
        before, failed = len(self.sent), len(self._failures.records)
        event = SimpleNamespace(key=key_bytes(key), value=raw, message=SimpleNamespace(
            topic=topic, partition=0, offset=next(self._offsets)))
        for fn in agents:
            await fn(_Stream([event]))
        crashes = self._failures.records[failed:]
        if crashes and not expect_failure:
            raise HandlerFailed("\n".join(self._failures.format(r) for r in crashes))
        return self.sent[before:]

    async def call(self, handler: Callable, type_: str, payload: dict) -> list[Sent]:
        """Run one module-level handler (`handler(deps, message)`) on a message directly,
        without `dispatch`; the messages it produced."""
        before = len(self.sent)
        await handler(self.deps, self.message(type_, payload))
        return self.sent[before:]

    async def settle(self, limit: int = 200) -> int:
        """Deliver what the handlers produced to the agents consuming it, until nothing is
        left (at most `limit` messages); how many were delivered."""
        count = 0
        while pending := [s for s in self.sent if not s.delivered]:
            for item in pending:
                item.delivered = True
                if any(name == item.topic for name, _, _ in self.app.agents):
                    count += 1
                    if count > limit:
                        raise RuntimeError(f"more than {limit} messages: a loop?")
                    await self.send_raw(item.topic, item.key, item.message.encode())
        return count

    async def tick(self, timer: str) -> None:
        """Run a timer once, e.g. `housekeeping.reconcile`."""
        await self.app.timers[timer]()

    # -- what happened -------------------------------------------------------------------------
    def events_of(self, type_: str, topic: str | None = None) -> list[dict]:
        return [s.payload for s in self.sent
                if s.type == type_ and (topic is None or s.topic == topic)]

    def last(self, type_: str) -> dict:
        found = self.events_of(type_)
        assert found, f"no {type_} among {[s.type for s in self.sent]}"
        return found[-1]

    def statuses(self, key_field: str = "file_id", key: Any = None,
                 type_: str = "SalesFileStatusChanged") -> list[str]:
        return [p["status"] for p in self.events_of(type_)
                if key is None or p.get(key_field) == key]

    @property
    def dead_letters(self) -> list[dict]:
        return self.events_of("MessageDeadLettered", "tributary.deadletter")

    def clear(self) -> None:
        self.sent.clear()

    # -- the world the handlers see ------------------------------------------------------------
    @property
    def db(self):
        return self.deps.db

    async def store(self):
        return await self.deps.store()

    async def org(self, name: str = "Harness Records", **settings: Any) -> str:
        from infra.repos import orgs

        return (await orgs.create(self.db, name, **settings))["id"]

    async def put(self, key: str, data: bytes | Path) -> None:
        store = await self.store()
        if isinstance(data, Path):
            await store.put_file(key, str(data))
        else:
            await store.put(key, data)

    def table(self, name: str) -> FakeTable:
        return self.deps.tables[name]


@contextlib.asynccontextmanager
async def harness(mongo_url: str, modules: list[str] | None = None, env: dict | None = None):
    """A harness on `mongo_url` with a fresh database (dropped afterwards) and a fresh object
    store; `modules`: the agent modules to register (default: all of `AGENT_MODULES`)."""
    from agents.app import AGENT_MODULES, _agent_modules

    root = Path(tempfile.mkdtemp(prefix="harness-"))
    settings = load_settings(root, use_state=False, env={
        **os.environ,  # like a worker's (TRIBUTARY_FETCH_ALLOW…), but its own stores
        "TRIBUTARY_MONGO_URL": mongo_url, "TRIBUTARY_MONGO_DB": f"h{secrets.token_hex(6)}",
        "TRIBUTARY_STORAGE_URL": f"file://{root / 'objects'}",
        "TRIBUTARY_PUBLIC_URL": "http://127.0.0.1:9", "TRIBUTARY_SECRET": "harness-secret",
        "TRIBUTARY_WORKER_ID": "harness", "TRIBUTARY_WORKER_HOST": "127.0.0.1", **(env or {})})
    app = FakeApp()
    h: Harness
    deps = CapturingDeps(app, settings, lambda sent: h.sent.append(sent))
    h = Harness(deps, app, root)
    wanted = set(AGENT_MODULES if modules is None else modules)
    for module in _agent_modules():
        name = module.__name__.removeprefix("agents.")
        if name in wanted:
            app.module = name
            module.register(app, deps)
    logger = logging.getLogger("tributary.agents")  # agents.deps.dispatch
    logger.addHandler(h._failures)
    try:
        yield h
    finally:
        logger.removeHandler(h._failures)
        if deps._client is not None:
            await deps._client.drop_database(settings.mongo_db)
            await deps._client.close()
        if deps._store is not None:
            await deps._store.close()
        shutil.rmtree(root, ignore_errors=True)
