"""What agents need from the outside world, created lazily inside the worker's event loop."""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

import faust

from infra.config import Settings
from infra.kafka import key_bytes
from infra.mongo import connect, database
from topics.envelope import Message, UndecodableMessage, decode
from topics.registry import TopicSpec, topic

log = logging.getLogger("tributary.agents")


class Deps:
    def __init__(self, app: faust.App, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self._client = None
        self._store = None
        self._topics: dict[str, faust.TopicT] = {}
        self.tables: dict[str, Any] = {}

    @property
    def db(self):
        if self._client is None:
            self._client = connect(self.settings)
        return database(self._client, self.settings)

    async def store(self):
        if self._store is None:
            from infra.storage import open_store
            store = open_store(self.settings.storage_url, public_base_url=self.settings.public_url,
                               secret=self.settings.secret)
            await store.start()
            self._store = store
        return self._store

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
        fut = await self.topic(topic_name).send(key=key_bytes(key), value=message.encode())
        await fut

    async def emit(self, topic_name: str, key: Any, type_: str, payload: dict) -> Message:
        message = Message(type=type_, payload=payload)
        await self.send(topic_name, key, message)
        return message


Handler = Callable[[Message], Awaitable[None]]


async def dispatch(deps: Deps, spec: TopicSpec, event: Any, handlers: dict[str, Handler]) -> None:
    """Decode one raw event and run its handler; unreadable messages go to the dead-letter topic."""
    import base64

    raw = event.value if isinstance(event.value, bytes) else bytes(str(event.value), "utf-8")
    try:
        message = decode(raw, spec.types)
        handler = handlers.get(message.type)
        if handler is None:
            raise UndecodableMessage(f"{message.type} is not handled on {spec.name}")
    except UndecodableMessage as exc:
        meta = event.message
        await deps.emit("tributary.deadletter", spec.name, "MessageDeadLettered", {
            "topic": spec.name, "partition": meta.partition, "offset": meta.offset,
            "reason": str(exc), "original_b64": base64.b64encode(raw).decode()})
        log.warning("dead-lettered message from %s@%s: %s", spec.name, meta.offset, exc)
        return
    if spec.kind == "commands":
        # commands are idempotent by message id: a redelivered command does its work once
        if await deps.db.handled.find_one({"_id": message.message_id}):
            log.info("skipping already handled %s %s", message.type, message.message_id)
            return
    try:
        await handler(message)
    except Exception:  # noqa: BLE001 - one bad message must not stop the agent
        log.exception("handler %s failed for message %s", message.type, message.message_id)
        return
    if spec.kind == "commands":
        await deps.db.handled.update_one({"_id": message.message_id},
                                         {"$set": {"type": message.type, "ts": message.ts}},
                                         upsert=True)
