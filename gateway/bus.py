"""The gateway's side of Kafka: publish commands, and follow event topics so a request can
wait for the event its command causes (read-your-writes), the gateway's status views
(`gateway/views.py`) stay current, and pages can stream status live."""
from __future__ import annotations

import asyncio
import logging
import os
from collections import defaultdict
from typing import Any, Callable

from aiokafka import AIOKafkaConsumer, TopicPartition

from infra.kafka import key_bytes, producer
from topics.envelope import Message, UndecodableMessage, decode
from topics.registry import topic

log = logging.getLogger("tributary.gateway.bus")
Predicate = Callable[[Message], bool]
# a short fetch wait: the embedded broker answers a fetch only when the wait is over
FETCH_WAIT_MS = int(os.environ.get("TRIBUTARY_FETCH_WAIT_MS", "50"))


class Bus:
    def __init__(self, bootstrap: str, event_topics: list[str], views=None,
                 barrier=None) -> None:
        self.bootstrap = bootstrap
        self.event_topics = event_topics
        self.views = views  # gateway.views.Views: folded before waiters are resolved
        self.barrier = barrier  # gateway.freshness.ReadBarrier: told how far the views are
        self.producer = producer(bootstrap)
        self._waiters: dict[tuple[str, str], list[tuple[Predicate, asyncio.Future]]] = defaultdict(list)
        self._subscribers: list[tuple[str, asyncio.Queue]] = []
        self._task: asyncio.Task | None = None
        self.connected = False

    async def start(self) -> None:
        await self.producer.start()
        self._task = asyncio.create_task(self._follow())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.producer.stop()

    async def publish(self, topic_name: str, key: Any, message: Message) -> None:
        await self.producer.send_and_wait(topic_name, message.encode(), key=key_bytes(key))

    async def request(self, topic_name: str, key: Any, message: Message, event_topic: str,
                      until: Predicate, timeout: float = 10.0) -> Message | None:
        """Publish a command, then wait for the first event on `key` matching `until`."""
        fut: asyncio.Future = asyncio.get_running_loop().create_future()
        slot = (event_topic, str(key))
        self._waiters[slot].append((until, fut))
        try:
            await self.publish(topic_name, key, message)
            return await asyncio.wait_for(fut, timeout)
        except asyncio.TimeoutError:
            return None
        finally:
            self._waiters[slot] = [w for w in self._waiters[slot] if w[1] is not fut]
            if not self._waiters[slot]:
                del self._waiters[slot]

    def subscribe(self, event_topic: str) -> asyncio.Queue:
        queue: asyncio.Queue = asyncio.Queue(maxsize=1000)
        self._subscribers.append((event_topic, queue))
        return queue

    def unsubscribe(self, queue: asyncio.Queue) -> None:
        self._subscribers = [s for s in self._subscribers if s[1] is not queue]

    async def _follow(self) -> None:
        while True:
            consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, group_id=None,
                                        enable_auto_commit=False, auto_offset_reset="earliest",
                                        fetch_max_wait_ms=FETCH_WAIT_MS)
            try:
                await consumer.start()
                parts = [TopicPartition(t, p) for t in self.event_topics
                         for p in range(topic(t).partitions)]
                consumer.assign(parts)
                await consumer.seek_to_end(*parts)
                if self.views is not None:
                    self.views.reset(live=True)  # from here on every event is folded
                if self.barrier is not None:
                    await self.barrier.attach(consumer, parts)
                self.connected = True
                while True:
                    batches = await consumer.getmany(timeout_ms=500)
                    for tp, records in batches.items():
                        for record in records:
                            self._deliver(tp.topic, record.key, record.value)
                        if self.barrier is not None and records:
                            self.barrier.advanced(tp, records[-1].offset + 1)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - broker gone: reconnect
                self.connected = False
                if self.barrier is not None:
                    self.barrier.detach()
                if self.views is not None:
                    self.views.reset(live=False)  # events are being missed
                log.warning("event follower lost the broker (%s); reconnecting", exc)
                await asyncio.sleep(1.0)
            finally:
                await consumer.stop()

    def _deliver(self, topic_name: str, key: bytes | None, value: bytes) -> None:
        try:
            message = decode(value, topic(topic_name).types)
        except UndecodableMessage:
            return
        if self.views is not None:
            self.views.apply(topic_name, message)  # before the waiters: read-your-writes
        slot = (topic_name, key.decode() if key else "")
        for until, fut in list(self._waiters.get(slot, [])):
            if not fut.done() and until(message):
                fut.set_result(message)
        for wanted, queue in self._subscribers:
            if wanted == topic_name and not queue.full():
                queue.put_nowait(message)
