"""`tributary replay`: re-publish commands from a topic so agents redo the work.

Selection is by offset (per partition); `--from-time/--to-time` filter on the envelope `ts`
while scanning, because the embedded broker (Tansu) cannot look offsets up by timestamp.
Replayed commands get NEW message ids (commands are idempotent by message id, so the original
id would be skipped); the original id travels in the payload as `replay_of`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from aiokafka import AIOKafkaConsumer, TopicPartition

from infra.kafka import producer
from topics.envelope import Message, UndecodableMessage, decode
from topics.registry import TopicSpec, topic


class ReplayError(ValueError):
    """The replay request cannot be served (unknown topic, event topic, bad filter)."""


@dataclass
class Found:
    partition: int
    offset: int
    key: bytes | None
    message: Message


@dataclass
class Selection:
    from_offset: int | None = None
    to_offset: int | None = None  # inclusive
    from_time: datetime | None = None
    to_time: datetime | None = None  # inclusive
    where: list[tuple[str, str]] = field(default_factory=list)


def parse_time(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ReplayError(f"not an ISO date-time: {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def parse_where(items: list[str]) -> list[tuple[str, str]]:
    out = []
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ReplayError(f"--where takes FIELD=VALUE, got {item!r}")
        out.append((name.strip(), value))
    return out


def field_value(message: Message, name: str) -> Any:
    """`type`/`message_id`/`version`/`ts` of the envelope, else a (dotted) payload field."""
    if name in ("type", "message_id", "version", "ts"):
        return getattr(message, name)
    value: Any = message.payload
    for part in name.removeprefix("payload.").split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def matches(message: Message, sel: Selection) -> bool:
    if sel.from_time or sel.to_time:
        ts = parse_time(message.ts)
        if (sel.from_time and ts < sel.from_time) or (sel.to_time and ts > sel.to_time):
            return False
    return all(str(field_value(message, k)) == v for k, v in sel.where)


def command_topic(name: str) -> TopicSpec:
    try:
        spec = topic(name)
    except KeyError:
        raise ReplayError(f"unknown topic {name!r}") from None
    if spec.kind != "commands":
        raise ReplayError(f"{name} is an event topic; only command topics can be replayed "
                          "(events record what happened, replaying them would lie)")
    return spec


async def scan(bootstrap: str, spec: TopicSpec, sel: Selection) -> tuple[list[Found], int]:
    """Matching commands in offset order per partition, and how many were unreadable."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                                enable_auto_commit=False, fetch_max_wait_ms=50)
    await consumer.start()
    try:
        parts = [TopicPartition(spec.name, p) for p in range(spec.partitions)]
        consumer.assign(parts)
        starts = await consumer.beginning_offsets(parts)
        ends = await consumer.end_offsets(parts)
        stop: dict[TopicPartition, int] = {}
        for tp in parts:
            first = max(starts[tp], sel.from_offset or 0)
            last = ends[tp] if sel.to_offset is None else min(ends[tp], sel.to_offset + 1)
            if first < last:
                consumer.seek(tp, first)
                stop[tp] = last
        found: list[Found] = []
        unreadable = 0
        idle = 0
        while stop and idle < 50:
            batches = await consumer.getmany(*stop, timeout_ms=200)
            idle = 0 if batches else idle + 1
            for tp, records in batches.items():
                for rec in records:
                    if tp not in stop or rec.offset >= stop[tp]:
                        continue
                    try:
                        message = decode(rec.value, spec.types)
                    except UndecodableMessage:
                        unreadable += 1
                        continue
                    if matches(message, sel):
                        found.append(Found(tp.partition, rec.offset, rec.key, message))
                if tp in stop and records and records[-1].offset + 1 >= stop[tp]:
                    del stop[tp]
        if stop:
            raise ReplayError(f"could not read {spec.name} to the requested offsets")
        return found, unreadable
    finally:
        await consumer.stop()


def replayed(found: Found) -> Message:
    original = found.message
    return Message(type=original.type, version=original.version,
                   payload={**original.payload, "replay_of": original.message_id})


async def replay(bootstrap: str, topic_name: str, sel: Selection, dry_run: bool,
                 out: Callable[[str], None] = print) -> dict[str, Any]:
    spec = command_topic(topic_name)
    found, unreadable = await scan(bootstrap, spec, sel)
    verb = "would send" if dry_run else "sending"
    for item in found:
        key = item.key.decode(errors="replace") if item.key else ""
        out(f"{verb} {spec.name}[{item.partition}]@{item.offset} {item.message.type} "
            f"key={key} ts={item.message.ts} id={item.message.message_id} "
            f"payload={json.dumps(item.message.payload, default=str)}")
    sent: list[str] = []
    if not dry_run and found:
        prod = producer(bootstrap)
        await prod.start()
        try:
            for item in found:
                message = replayed(item)
                await prod.send_and_wait(spec.name, message.encode(), key=item.key)
                sent.append(message.message_id)
        finally:
            await prod.stop()
    return {"topic": spec.name, "matched": len(found), "sent": len(sent),
            "unreadable_skipped": unreadable, "dry_run": dry_run, "message_ids": sent}
