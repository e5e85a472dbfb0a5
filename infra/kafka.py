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
                        configs: dict[str, str], fresh: bool = False) -> list[str]:
    """Create every contract topic with its final partition count and `configs` (idempotent).
    `fresh`: the broker was just started empty (the supervisor restarted it), so a topic with
    another count was auto-created by a client racing the supervisor (Tansu gives 4) and holds
    nothing: it is deleted and created again, instead of refusing the broker forever."""
    last: Exception | None = None
    for _ in range(attempts):
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
        try:
            await admin.start()
            existing = set(await admin.list_topics())
            contract = all_topics()
            wrong = _wrong_counts(await admin.describe_topics(
                [t.name for t in contract if t.name in existing]))
            if wrong and not fresh:
                raise PartitionCountMismatch(_mismatch(wrong))
            if wrong:
                await admin.delete_topics(list(wrong))
                existing -= set(wrong)
            wanted = [NewTopic(t.name, t.partitions, replication, topic_configs=configs)
                      for t in contract if t.name not in existing]
            if GENERATION_TOPIC not in existing:  # see infra/generation.py
                wanted.append(NewTopic(GENERATION_TOPIC, 1, replication))
            if wanted:
                try:
                    await admin.create_topics(wanted)
                except TopicAlreadyExistsError:
                    pass
            if fresh:  # a client may have won the race again between delete and create
                again = _wrong_counts(await admin.describe_topics([t.name for t in contract]))
                if again:
                    raise RuntimeError(_mismatch(again))
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


def _wrong_counts(described: list[dict]) -> dict[str, str]:
    """Topic → what is wrong, for topics the broker holds with another partition count than
    the settings give them."""
    from topics.registry import topic

    return {d["topic"]: f"{d['topic']} has {len(d['partitions'])}, settings say "
                        f"{topic(d['topic']).partitions}"
            for d in described if d.get("partitions")
            and len(d["partitions"]) != topic(d["topic"]).partitions}


def _mismatch(wrong: dict[str, str]) -> str:
    return ("topic partition counts differ from TRIBUTARY_PARTITIONS[_<TOPIC>]: "
            + "; ".join(wrong.values()) + " (set the settings to the broker's counts, or grow "
            "the topics as docs/scaling.md describes)")


def _check_counts(described: list[dict]) -> None:
    """Every process must agree with the broker on partition counts: Faust tables are
    partitioned like their source topics, and the gateway reads every partition."""
    wrong = _wrong_counts(described)
    if wrong:
        raise PartitionCountMismatch(_mismatch(wrong))


def producer(bootstrap: str) -> AIOKafkaProducer:
    # idempotence stays off: Tansu rejects InitProducerId (see docs/architecture.md)
    return AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False, acks="all",
                            linger_ms=2, request_timeout_ms=15000)


def key_bytes(value: object) -> bytes:
    return str(value).encode()


async def publish(prod: AIOKafkaProducer, topic: str, key: object, message: Message) -> None:
    check_outgoing(topic, message)
    await prod.send_and_wait(topic, message.encode(), key=key_bytes(key))
