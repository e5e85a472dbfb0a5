"""Kafka plumbing shared by the gateway, workers and CLI: topic creation and a producer."""
from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from topics.envelope import Message
from topics.registry import all_topics


async def ensure_topics(bootstrap: str, replication: int = 1, attempts: int = 30) -> list[str]:
    """Create every contract topic with its final partition count (idempotent)."""
    last: Exception | None = None
    for _ in range(attempts):
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
        try:
            await admin.start()
            existing = set(await admin.list_topics())
            wanted = [NewTopic(t.name, t.partitions, replication)
                      for t in all_topics() if t.name not in existing]
            if wanted:
                try:
                    await admin.create_topics(wanted)
                except TopicAlreadyExistsError:
                    pass
            return [t.name for t in wanted]
        except Exception as exc:  # noqa: BLE001 - broker not up yet
            last = exc
            await asyncio.sleep(0.5)
        finally:
            await admin.close()
    raise RuntimeError(f"could not create topics on {bootstrap}: {last}")


def producer(bootstrap: str) -> AIOKafkaProducer:
    # idempotence stays off: Tansu rejects InitProducerId (see docs/architecture.md)
    return AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False, acks="all",
                            linger_ms=2, request_timeout_ms=15000)


def key_bytes(value: object) -> bytes:
    return str(value).encode()


async def publish(prod: AIOKafkaProducer, topic: str, key: object, message: Message) -> None:
    await prod.send_and_wait(topic, message.encode(), key=key_bytes(key))
