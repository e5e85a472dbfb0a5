"""Broker generations: which life of the broker's log a process is reading.

The embedded broker keeps nothing across a restart; a real one can lose its log too. A process
that kept its positions would then wait for offsets the new log reaches minutes later (or
never). So the first offset of the one-partition topic `tributary.generation` holds a random
stamp, written by whoever creates the topics (`ensure`). A process reads the stamp at start and
every second after; a different stamp means a new log: recreate topics, read the event topics
from their beginning, re-issue work in flight (MongoDB holds the truth) and rebuild views.
Two processes stamping an empty log at once both write; the record at offset 0 wins for all.
"""
from __future__ import annotations

import asyncio
import logging
import uuid

from aiokafka import AIOKafkaConsumer, TopicPartition

from infra.config import Settings
from infra.kafka import GENERATION_TOPIC as TOPIC
from infra.kafka import ensure_topics, producer, retention_configs
from topics.envelope import now_iso

log = logging.getLogger("tributary.generation")
_TP = TopicPartition(TOPIC, 0)


class Reader:
    """Reads the stamp at offset 0 (one consumer, reconnecting by itself)."""

    def __init__(self, bootstrap: str) -> None:
        self.consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                                         enable_auto_commit=False, fetch_max_wait_ms=50,
                                         request_timeout_ms=5000)
        self.started = False

    async def read(self, timeout: float = 1.0) -> str | None:
        try:
            if not self.started:
                await asyncio.wait_for(self.consumer.start(), timeout * 3)
                self.consumer.assign([_TP])
                self.started = True
            self.consumer.seek(_TP, 0)
            batch = await self.consumer.getmany(_TP, timeout_ms=int(timeout * 1000), max_records=1)
        except Exception as exc:  # noqa: BLE001 - broker away: no stamp to read
            log.debug("generation not readable: %s", exc)
            return None
        for record in batch.get(_TP, []):
            if record.offset == 0:
                return record.value.decode()
        return None

    async def stop(self) -> None:
        await self.consumer.stop()


async def stamp(bootstrap: str) -> str | None:
    """The log's stamp, written first if the topic is empty."""
    reader = Reader(bootstrap)
    try:
        current = await reader.read()
        if current is None:
            prod = producer(bootstrap)
            await prod.start()
            try:
                await prod.send_and_wait(TOPIC, f"{uuid.uuid4().hex}@{now_iso()}".encode(),
                                         partition=0)
            finally:
                await prod.stop()
            current = await reader.read(timeout=3.0)
        return current
    finally:
        await reader.stop()


async def ensure(settings: Settings, attempts: int = 30, fresh: bool = False) -> str | None:
    """Create every topic (the contract's and the stamp's) and stamp a new log (`fresh`: a
    broker just restarted empty, see infra.kafka.ensure_topics)."""
    await ensure_topics(settings.kafka_url, settings.replication, attempts,
                        retention_configs(settings.broker), fresh=fresh)
    return await stamp(settings.kafka_url)
