"""Every topic of Tributary in one place: name, partitions, key, message types, consumer.

Topics are created at start-up with these partition counts (Tansu cannot add partitions later).
Keys are the entity id as UTF-8 text, so one entity's messages stay ordered on one partition.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from topics.envelope import MessageType

PARTITIONS = 4


@dataclass(frozen=True)
class TopicSpec:
    name: str
    kind: str  # "commands" or "events"
    key: str  # which payload field is the partition key
    consumer: str  # agent (module) that consumes it
    doc: str
    types: dict[str, MessageType] = field(default_factory=dict)
    partitions: int = PARTITIONS
    follow: bool = True  # the gateway follows this event topic (waiters, live pages)


TOPICS: dict[str, TopicSpec] = {}


def register(spec: TopicSpec, *types: MessageType) -> TopicSpec:
    spec.types.update({t.name: t for t in types})
    TOPICS[spec.name] = spec
    return spec


def all_topics() -> list[TopicSpec]:
    # importing the contract modules fills TOPICS
    import importlib

    for name in CONTRACT_MODULES:
        try:
            importlib.import_module(f"topics.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"topics.{name}":
                raise
    return list(TOPICS.values())


# one module per product area under topics/
CONTRACT_MODULES = ["sales", "deadletter", "gtin", "gtin_import", "catalog", "reports", "auto_upload"]


def topic(name: str) -> TopicSpec:
    all_topics()
    return TOPICS[name]
