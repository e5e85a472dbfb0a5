"""What agents need from the outside world, created lazily inside the worker's event loop."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any, Awaitable, Callable

import faust

from infra import logs
from infra import metrics as m
from infra.config import Settings
from infra.kafka import key_bytes
from infra.mongo import connect, database
from topics.envelope import InvalidPayload, Message, UndecodableMessage, decode
from topics.registry import TopicSpec, check_outgoing, topic

log = logging.getLogger("tributary.agents")
def _faults(spec: str) -> dict[str, int]:
    """Tests only: settings.faults.worker_publishes, "Type:N,…" — the first N publishes of each
    message type by this process raise, as a broker refusing them would."""
    kinds = (part.strip().partition(":") for part in spec.split(",") if part.strip())
    return {kind: int(count or 1) for kind, _, count in kinds}


class Deps:
    def __init__(self, app: faust.App, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self._client = None
        self._store = None
        self._topics: dict[str, faust.TopicT] = {}
        self.tables: dict[str, Any] = {}
        self.generation: str | None = None  # the broker log's stamp at start (agents/app.py)
        self.progress = 0  # messages handled by this process (sent with each heartbeat)
        self.generation_since = ""  # when this broker generation was first seen (agents/generation.py)
        self._faults = _faults(settings.faults.worker_publishes)

    @property
    def db(self):
        if self._client is None:
            self._client = connect(self.settings)
        return database(self._client, self.settings)

    async def store(self):
        if self._store is None:
            from infra.storage import open_store
            store = open_store(self.settings.storage_url, public_base_url=self.settings.public_url,
                               secret=self.settings.secret,
                               faults=self.settings.faults.objects)
            await store.start()
            self._store = store
        return self._store

    def stale_cutoff(self, seconds: float) -> str:
        """Work not updated since this time is re-issued: `seconds` ago, or since the broker
        generation began (its commands and events were in the lost log), whichever is later."""
        ago = (datetime.now(timezone.utc) - timedelta(seconds=seconds)).isoformat(
            timespec="milliseconds")
        return max(ago, self.generation_since)

    def work_dir(self) -> str:
        path = self.settings.data_dir / "work" / self.settings.worker_id
        path.mkdir(parents=True, exist_ok=True)
        return str(path)

    async def org_layouts(self, organisation: str) -> list[dict]:
        """Layouts an organisation taught us (see agents/layouts and the layouts route)."""
        return [doc async for doc in self.db.layouts.find({"organisation": organisation})]

    def topic(self, name: str) -> faust.TopicT:
        if name not in self._topics:
            spec = topic(name)
            self._topics[name] = self.app.topic(
                name, key_type=bytes, value_type=bytes, key_serializer="raw",
                value_serializer="raw", partitions=spec.partitions, internal=False)
        return self._topics[name]

    async def send(self, topic_name: str, key: Any, message: Message) -> None:
        check_outgoing(topic_name, message)
        faults = getattr(self, "_faults", None)  # None: a test double built without __init__
        if faults and faults.get(message.type, 0) > 0:
            faults[message.type] -= 1
            raise ConnectionError(f"TRIBUTARY_WORKER_PUBLISH_FAULTS: injected publish failure of "
                                  f"{message.type}")
        fut = await self.topic(topic_name).send(key=key_bytes(key), value=message.encode())
        await fut
        m.MESSAGES_PRODUCED.labels(topic=topic_name, type=message.type).inc()

    async def emit(self, topic_name: str, key: Any, type_: str, payload: dict) -> Message:
        message = Message(type=type_, payload=payload)
        await self.send(topic_name, key, message)
        return message


Handler = Callable[[Message], Awaitable[None]]


async def dispatch(deps: Deps, spec: TopicSpec, event: Any, handlers: dict[str, Handler],
                   invalid: Callable[[dict, InvalidPayload], Awaitable[None]] | None = None) -> None:
    """Decode one raw event and run its handler; unreadable messages go to the dead-letter topic
    (and a readable envelope whose payload breaks its model to `invalid` too, to refuse it).
    Log lines of the handler carry the message id and the entity ids of its payload."""
    raw = event.value if isinstance(event.value, bytes) else bytes(str(event.value), "utf-8")
    try:
        message = decode(raw, spec.types)
        handler = handlers.get(message.type)
        if handler is None:
            raise UndecodableMessage(f"{message.type} is not handled on {spec.name}")
    except UndecodableMessage as exc:
        m.MESSAGES_CONSUMED.labels(topic=spec.name, type="(undecodable)").inc()
        await _dead_letter(deps, spec, event, raw, exc)
        if invalid is not None and isinstance(exc, InvalidPayload):
            import json

            try:
                await invalid(json.loads(raw), exc)
            except Exception:  # noqa: BLE001 - the dead letter keeps it
                log.exception("refusing an invalid %s message failed", spec.name)
        return
    m.MESSAGES_CONSUMED.labels(topic=spec.name, type=message.type).inc()
    deps.progress += 1
    token = logs.bind(message_id=message.message_id, message_type=message.type,
                      **logs.from_payload(message.payload))
    try:
        await _handle(deps, spec, message, handler)
    finally:
        logs.reset(token)


def command_agent(app: faust.App, deps: Deps, topic_name: str, name: str,
                  handlers: dict[str, Handler], *, concurrency: int = 1,
                  invalid: Callable[[dict, InvalidPayload], Awaitable[None]] | None = None) -> None:
    """Declare the agent `name` that reads the command topic `topic_name` and runs each
    message's handler through `dispatch` (dead letters, duplicates, log context)."""
    spec = topic(topic_name)

    async def consume(stream):
        async for event in stream.events():
            await dispatch(deps, spec, event, handlers, invalid=invalid)

    consume.__name__ = name
    app.agent(deps.topic(spec.name), name=name, concurrency=concurrency)(consume)


async def _dead_letter(deps: Deps, spec: TopicSpec, event: Any, raw: bytes,
                       exc: UndecodableMessage) -> None:
    import base64

    meta = event.message
    letter = {"topic": spec.name, "partition": meta.partition, "offset": meta.offset,
              "reason": str(exc), "original_b64": base64.b64encode(raw).decode()}
    if isinstance(exc, InvalidPayload):
        letter["errors"] = exc.errors  # [{field, problem}] from the payload's model
    await deps.emit("tributary.deadletter", spec.name, "MessageDeadLettered", letter)
    m.DEAD_LETTERED.labels(topic=spec.name).inc()
    log.warning("dead-lettered message from %s@%s: %s", spec.name, meta.offset, exc)


async def _handle(deps: Deps, spec: TopicSpec, message: Message, handler: Handler) -> None:
    if spec.kind == "commands":
        # commands are idempotent by message id: a redelivered command does its work once
        if await deps.db.handled.find_one({"_id": message.message_id}):
            m.DUPLICATES.labels(topic=spec.name).inc()
            log.info("skipping already handled %s %s", message.type, message.message_id)
            return
    try:
        with m.HANDLER_SECONDS.labels(topic=spec.name, type=message.type).time():
            await handler(message)
    except Exception:  # noqa: BLE001 - one bad message must not stop the agent
        m.HANDLER_ERRORS.labels(topic=spec.name, type=message.type).inc()
        log.exception("handler %s failed for message %s", message.type, message.message_id)
        return
    if spec.kind == "commands":
        await deps.db.handled.update_one({"_id": message.message_id},
                                         {"$set": {"type": message.type, "ts": message.ts}},
                                         upsert=True)
