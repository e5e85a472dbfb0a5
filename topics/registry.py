"""Every topic of Tributary in one place: name, partitions, key, message types, consumer.

Topics are created at start-up with these partition counts (Tansu cannot add partitions later).
Keys are the entity id as UTF-8 text, so one entity's messages stay ordered on one partition.
A topic's count comes from the settings (TRIBUTARY_PARTITIONS, TRIBUTARY_PARTITIONS_<TOPIC>;
`configure_partitions`, called when settings are loaded): it caps how many workers share
the topic's work. Growing it on a live cluster re-keys entities: docs/scaling.md.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from topics.envelope import InvalidPayload, MessageType, checked

DEFAULT_PARTITIONS = 12
_COUNTS: dict[str, int] = {}  # "SALES_FILES_COMMANDS" → count; "*" → every other topic


def configure_partitions(default: int, per_topic: dict[str, int] | None = None) -> None:
    """Partition counts of this process's topics (the same in every process of a deployment)."""
    _COUNTS.clear()
    _COUNTS.update({name.upper().replace(".", "_"): n for name, n in (per_topic or {}).items()})
    _COUNTS["*"] = default


@dataclass(frozen=True)
class TopicSpec:
    name: str
    kind: str  # "commands" or "events"
    key: str  # which payload field is the partition key
    consumer: str  # agent (module) that consumes it
    doc: str
    types: dict[str, MessageType] = field(default_factory=dict)
    follow: bool = True  # the gateway follows this event topic (waiters, live pages)

    @property
    def partitions(self) -> int:
        return _COUNTS.get(self.name.upper().replace(".", "_"),
                           _COUNTS.get("*", DEFAULT_PARTITIONS))


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


def check_outgoing(topic_name: str, message: Any) -> None:
    """Producers call this before sending: the type must belong to the topic and the payload
    must satisfy its model (InvalidPayload names each fault), so nothing invalid goes out."""
    spec = topic(topic_name)
    mtype = spec.types.get(message.type)
    if mtype is None:
        raise InvalidPayload(f"{message.type} is not a message of {topic_name}",
                             [{"field": "type", "problem": f"one of {sorted(spec.types)}"}])
    if mtype.model is not None:
        checked(mtype, message.payload, f"outgoing {message.type}")
