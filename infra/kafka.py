"""Kafka plumbing shared by the gateway, workers and CLI: topic creation and a producer."""
from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from infra.config import Broker
from topics.envelope import Message
from topics.registry import all_topics, check_outgoing

GENERATION_TOPIC = "tributary.generation"


async def ensure_topics(bootstrap: str, replication: int, attempts: int,
                        configs: dict[str, str]) -> list[str]:
    """Create every contract topic with its final partition count and `configs` (idempotent)."""
    last: Exception | None = None
    for _ in range(attempts):
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
        try:
            await admin.start()
            existing = set(await admin.list_topics())
            contract = all_topics()
            _check_counts(await admin.describe_topics(
                [t.name for t in contract if t.name in existing]))
            wanted = [NewTopic(t.name, t.partitions, replication, topic_configs=configs)
                      for t in contract if t.name not in existing]
            if GENERATION_TOPIC not in existing:  # see infra/generation.py
                wanted.append(NewTopic(GENERATION_TOPIC, 1, replication))
            if wanted:
                try:
                    await admin.create_topics(wanted)
                except TopicAlreadyExistsError:
                    pass
            return [t.name for t in wanted]
        except PartitionCountMismatch:
            raise
        except Exception as exc:  # noqa: BLE001 - broker not up yet
            last = exc
            await asyncio.sleep(0.5)
        finally:
            await admin.close()
    raise RuntimeError(f"could not create topics on {bootstrap}: {last}")


def retention_configs(broker: Broker) -> dict[str, str]:
    """Retention of the contract topics: commands and events are kept
    TRIBUTARY_TOPIC_RETENTION_MS (7 days) and, when TRIBUTARY_TOPIC_RETENTION_BYTES is set, at
    most that many bytes per partition. MongoDB holds the durable truth, so an old log is only
    replay. Kafka applies both; the embedded Tansu (memory) accepts and ignores them — see
    docs/operations.md, "Bounded storage"."""
    configs = {"cleanup.policy": "delete", "retention.ms": str(broker.retention_ms)}
    if broker.retention_bytes:
        configs["retention.bytes"] = str(broker.retention_bytes)
    return configs


class PartitionCountMismatch(RuntimeError):
    """A topic exists with another partition count than the settings give it."""


def _check_counts(described: list[dict]) -> None:
    """Every process must agree with the broker on partition counts: Faust tables are
    partitioned like their source topics, and the gateway reads every partition."""
    from topics.registry import topic

    wrong = [f"{d['topic']} has {len(d['partitions'])}, settings say {topic(d['topic']).partitions}"
             for d in described if d.get("partitions")
             and len(d["partitions"]) != topic(d["topic"]).partitions]
    if wrong:
        raise PartitionCountMismatch(
            "topic partition counts differ from TRIBUTARY_PARTITIONS[_<TOPIC>]: "
            + "; ".join(wrong) + " (set the settings to the broker's counts, or grow the "
            "topics as docs/scaling.md describes)")


def producer(bootstrap: str) -> AIOKafkaProducer:
    # idempotence stays off: Tansu rejects InitProducerId (see docs/architecture.md)
    return AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False, acks="all",
                            linger_ms=2, request_timeout_ms=15000)


def key_bytes(value: object) -> bytes:
    return str(value).encode()


async def publish(prod: AIOKafkaProducer, topic: str, key: object, message: Message) -> None:
    check_outgoing(topic, message)
    await prod.send_and_wait(topic, message.encode(), key=key_bytes(key))
