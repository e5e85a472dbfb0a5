"""The gateway's side of Kafka: publish commands, and follow event topics so a request can
wait for the event its command causes (read-your-writes), the gateway's status views
(`gateway/views.py`) stay current, and pages can stream status live.

Broker generations (`infra/generation.py`): every second the bus reads the log's stamp. A new
stamp means the broker lost its log: topics are recreated (a missing stamp), the follower reads
every event topic from the new log's beginning (its old positions point past the new end), the
views forget what they folded (reads go to the workers' tables and MongoDB until events refill
them) and the commands of requests still waiting are published again (handlers are idempotent
by message id), so no request waits out its timeout for an event the old log swallowed."""
from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from typing import Any, Callable

from aiokafka import AIOKafkaConsumer, TopicPartition

from infra import generation, liveness
from infra.config import Settings
from infra.kafka import key_bytes, producer
from topics.envelope import Message, UndecodableMessage, decode, now_iso
from topics.registry import check_outgoing, topic

log = logging.getLogger("tributary.gateway.bus")
Predicate = Callable[[Message], bool]
WATCH_EVERY = 1.0  # seconds between reads of the broker's generation stamp


class Bus:
    def __init__(self, settings: Settings, event_topics: list[str], views=None,
                 barrier=None) -> None:
        self.settings = settings
        self.bootstrap = bootstrap = settings.kafka_url
        self.event_topics = event_topics
        self.views = views  # gateway.views.Views: folded before waiters are resolved
        self.barrier = barrier  # gateway.freshness.ReadBarrier: told how far the views are
        self.replication = settings.replication
        self.producer = producer(bootstrap)
        self._waiters: dict[tuple[str, str], list[tuple[Predicate, asyncio.Future]]] = defaultdict(list)
        self._inflight: dict[asyncio.Future, tuple[str, Any, Message]] = {}
        self._subscribers: list[tuple[str, asyncio.Queue]] = []
        self._tasks: list[asyncio.Task] = []
        self._consumer: AIOKafkaConsumer | None = None
        self._rewind = False
        self.connected = False
        self.generation: str | None = None
        self.generation_changes = 0
        self.generation_since: str | None = None
        self.lag = 0  # events on the followed topics not read yet
        self.beat = time.monotonic()  # the follower's last turn (liveness)
        self.events_read = 0  # progress, in the heartbeat file (infra/liveness.py)
        # tests only: the first N publishes of this process raise, as a broker outage would
        self._faults = settings.faults.publishes

    async def start(self) -> None:
        await self.producer.start()
        self._reader = generation.Reader(self.bootstrap)
        self.generation = await self._reader.read()
        self.generation_since = now_iso()
        self._tasks = [asyncio.create_task(self._follow()), asyncio.create_task(self._watch()),
                       asyncio.create_task(self._heartbeat())]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._reader.stop()
        await self.producer.stop()

    async def publish(self, topic_name: str, key: Any, message: Message) -> None:
        check_outgoing(topic_name, message)
        if self._faults > 0:
            self._faults -= 1
            raise ConnectionError("TRIBUTARY_PUBLISH_FAULTS: injected publish failure")
        await self.producer.send_and_wait(topic_name, message.encode(), key=key_bytes(key))

    async def request(self, topic_name: str, key: Any, message: Message, event_topic: str,
                      until: Predicate, timeout: float = 10.0,
                      durable: bool = False) -> Message | None:
        """Publish a command, then wait for the first event on `key` matching `until`.

        `durable`: the command is in the outbox (infra/outbox.py), so a failed publish answers
        None at once (the relay delivers it) instead of raising."""
        fut: asyncio.Future = asyncio.get_running_loop().create_future()
        slot = (event_topic, str(key))
        self._waiters[slot].append((until, fut))
        self._inflight[fut] = (topic_name, key, message)
        try:
            await asyncio.wait_for(self._publish_then_wait(topic_name, key, message, fut,
                                                           durable), timeout)
            return fut.result()
        except asyncio.TimeoutError:
            return None
        finally:
            self._inflight.pop(fut, None)
            self._waiters[slot] = [w for w in self._waiters[slot] if w[1] is not fut]
            if not self._waiters[slot]:
                del self._waiters[slot]

    async def _publish_then_wait(self, topic_name: str, key: Any, message: Message,
                                 fut: asyncio.Future, durable: bool = False) -> None:
        try:
            await self.publish(topic_name, key, message)
        except Exception as exc:  # noqa: BLE001 - stored in the outbox: the relay retries
            if not durable:
                raise
            log.warning("publish of %s %s failed (the outbox relay retries): %s",
                        message.type, message.message_id, exc)
            if not fut.done():
                fut.set_result(None)
            return
        await asyncio.shield(fut)

    def subscribe(self, event_topic: str) -> asyncio.Queue:
        queue: asyncio.Queue = asyncio.Queue(maxsize=1000)
        self._subscribers.append((event_topic, queue))
        return queue

    def unsubscribe(self, queue: asyncio.Queue) -> None:
        self._subscribers = [s for s in self._subscribers if s[1] is not queue]

    async def _heartbeat(self) -> None:
        """The supervisor restarts the gateway when this stops (a blocked loop) or when the
        follower, connected, has not turned for longer than its recovery bound."""
        stalled = liveness.Stuck()
        while True:
            quiet = time.monotonic() - self.beat
            stuck = stalled.seen(self.connected and quiet > self.settings.liveness.deadline)
            try:
                liveness.beat(self.settings.liveness.heartbeat_file, self.events_read,
                              "event reader" if stuck else None, stuck,
                              lag=self.lag, connected=self.connected)
            except OSError as exc:  # a missed beat; the supervisor judges
                log.warning("heartbeat not written: %s", exc)
            await asyncio.sleep(self.settings.liveness.heartbeat_interval)

    # -- broker generations ----------------------------------------------------------------
    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(WATCH_EVERY)
            stamp = await self._reader.read()
            if stamp is None and self.connected is False:
                continue  # broker away: nothing to compare yet
            if stamp is None:  # a broker without our topics: a new, empty log
                try:
                    stamp = await generation.ensure(self.settings, attempts=1)
                except Exception as exc:  # noqa: BLE001 - next turn tries again
                    log.warning("could not recreate topics: %s", exc)
                    continue
            if stamp and stamp != self.generation:
                self._new_generation(stamp)
            await self._measure_lag()

    def _new_generation(self, stamp: str) -> None:
        log.warning("broker generation changed (%s -> %s): rewinding, views rebuilt from the "
                    "store, %d waiting commands published again", self.generation, stamp,
                    len(self._inflight))
        self.generation, self.generation_since = stamp, now_iso()
        self.generation_changes += 1
        self._rewind = True
        if self.views is not None:
            self.views.reset(live=True)
        for topic_name, key, message in list(self._inflight.values()):
            task = asyncio.create_task(self.publish(topic_name, key, message))
            task.add_done_callback(lambda t: t.cancelled() or t.exception())

    async def _measure_lag(self) -> None:
        consumer = self._consumer
        if consumer is None or not self.connected:
            return
        lag = 0
        for tp in consumer.assignment():
            high = consumer.highwater(tp)
            if high is not None:
                lag += max(high - await consumer.position(tp), 0)
        self.lag = lag

    # -- following events ------------------------------------------------------------------
    async def _follow(self) -> None:
        while True:
            consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, group_id=None,
                                        enable_auto_commit=False, auto_offset_reset="earliest",
                                        fetch_max_wait_ms=self.settings.broker.fetch_wait_ms)
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
                self._consumer, self.connected, self._rewind = consumer, True, False
                while True:
                    if self._rewind:
                        self._rewind = False
                        await consumer.seek_to_beginning(*parts)
                        if self.barrier is not None:
                            await self.barrier.attach(consumer, parts)
                    batches = await consumer.getmany(timeout_ms=500)
                    self.beat = time.monotonic()
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
                self._consumer = None
                await consumer.stop()

    def _deliver(self, topic_name: str, key: bytes | None, value: bytes) -> None:
        self.events_read += 1
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
