"""The topic contract as an AsyncAPI 3 document, generated from `topics.registry`.

Every registered topic becomes a channel (address, partitions, key, messages) with a `receive`
operation for the agent that consumes it and, for command topics, a `send` operation for outside
publishers. Payload schemas come from the message's pydantic model (`MessageType.model`, with
its enums, formats and limits), else `MessageType.schema`, else they are inferred from
`required` and the types of the `example` values. The output is deterministic, so
`docs/asyncapi.json` can be compared with a fresh generation (`tributary contract --check`).
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from topics.envelope import MessageType
from topics.registry import TopicSpec, all_topics

DOCUMENT = Path(__file__).resolve().parent.parent / "docs" / "asyncapi.json"
EXAMPLE_ID = "0f6a3c2e9b7d4e18a5c1f2b3d4e5f607"
EXAMPLE_TS = "2025-06-01T10:00:00.000+00:00"
KAFKA_BINDING = "0.5.0"


def schema_of(value: Any) -> dict[str, Any]:
    """A JSON Schema describing a value's type (recursively for objects and arrays)."""
    if value is None:
        return {"description": "null in the example; any JSON value"}
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    if isinstance(value, str):
        return {"type": "string"}
    if isinstance(value, (list, tuple)):
        return {"type": "array", "items": schema_of(value[0])} if value else {"type": "array"}
    if isinstance(value, dict):
        return {"type": "object", "properties": {str(k): schema_of(v) for k, v in value.items()}}
    return {"type": "string"}


def payload_schema(mtype: MessageType, defs: dict[str, Any] | None = None) -> dict[str, Any]:
    """The payload's JSON Schema: from its pydantic model (nested definitions go to `defs`,
    i.e. components.schemas), else the explicit schema, else inferred from the example."""
    if mtype.model is not None:
        schema = mtype.model.model_json_schema(ref_template="#/components/schemas/{model}")
        nested = schema.pop("$defs", {})
        if defs is not None:
            defs.update(nested)
        return schema
    if mtype.schema is not None:
        return dict(mtype.schema)
    schema = schema_of(mtype.example)
    properties = schema.setdefault("properties", {})
    for name in mtype.required:
        properties.setdefault(name, {"description": "required; not in the example"})
    if mtype.required:
        schema["required"] = list(mtype.required)
    schema["additionalProperties"] = True
    return schema


def envelope_schema(mtype: MessageType, payload_ref: str) -> dict[str, Any]:
    versions = sorted({mtype.version, *mtype.upgraders})
    return {
        "type": "object",
        "required": ["type", "version", "payload"],
        "properties": {
            "type": {"const": mtype.name},
            "version": {"type": "integer", "enum": versions,
                        "description": f"current {mtype.version}; older ones are upgraded"},
            "message_id": {"type": "string", "description": "unique id; commands are "
                           "idempotent by it (a redelivered command does its work once)"},
            "ts": {"type": "string", "format": "date-time"},
            "payload": {"$ref": payload_ref},
        },
    }


def channel_id(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_\-]", "_", name)


def _message(spec: TopicSpec, mtype: MessageType, msg_id: str) -> dict[str, Any]:
    key_value = mtype.example.get(spec.key, "")
    envelope = {"type": mtype.name, "version": mtype.version, "message_id": EXAMPLE_ID,
                "ts": EXAMPLE_TS, "payload": mtype.example}
    return {
        "name": mtype.name,
        "title": mtype.name,
        "summary": mtype.doc or mtype.name,
        "contentType": "application/json",
        "payload": {"$ref": f"#/components/schemas/{msg_id}"},
        "bindings": {"kafka": {
            "key": {"type": "string", "description": f"payload `{spec.key}` as UTF-8 text"},
            "bindingVersion": KAFKA_BINDING}},
        "examples": [{"name": f"{mtype.name}-v{mtype.version}", "headers": {},
                      "payload": envelope}] + (
            [] if key_value in ("", None) else [{"name": "key", "payload": str(key_value)}]),
        "x-kind": mtype.kind,
        "x-version": mtype.version,
        "x-accepted-versions": sorted({mtype.version, *mtype.upgraders}),
    }


def build(topics: list[TopicSpec] | None = None) -> dict[str, Any]:
    """The AsyncAPI 3.0 document of the given (default: every registered) topic."""
    specs = sorted(topics if topics is not None else all_topics(), key=lambda t: t.name)
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    owners: dict[str, MessageType] = {}
    for spec in specs:
        cid = channel_id(spec.name)
        refs: dict[str, Any] = {}
        for mtype in sorted(spec.types.values(), key=lambda m: m.name):
            msg_id = mtype.name
            if msg_id in owners and owners[msg_id] is not mtype:
                msg_id = f"{cid}.{mtype.name}"  # same name, other definition on another topic
            owners.setdefault(msg_id, mtype)
            schemas[f"{msg_id}.payload"] = payload_schema(mtype, schemas)
            schemas[msg_id] = envelope_schema(mtype, f"#/components/schemas/{msg_id}.payload")
            messages[msg_id] = _message(spec, mtype, msg_id)
            refs[mtype.name] = {"$ref": f"#/components/messages/{msg_id}"}
        channels[cid] = {
            "address": spec.name,
            "title": spec.name,
            "description": spec.doc,
            "messages": refs,
            "bindings": {"kafka": {"topic": spec.name, "partitions": spec.partitions,
                                   "bindingVersion": KAFKA_BINDING}},
            "x-kind": spec.kind,
            "x-key": spec.key,
            "x-partitions": spec.partitions,
            "x-consumer": spec.consumer,
        }
        msg_refs = [{"$ref": f"#/channels/{cid}/messages/{name}"} for name in refs]
        operations[f"{cid}.receive"] = {
            "action": "receive", "channel": {"$ref": f"#/channels/{cid}"},
            "summary": f"consumed by {spec.consumer}", "messages": msg_refs}
        if spec.kind == "commands":
            operations[f"{cid}.send"] = {
                "action": "send", "channel": {"$ref": f"#/channels/{cid}"},
                "summary": "published by the gateway and by outside systems "
                           f"(key: payload `{spec.key}`)", "messages": msg_refs}
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "Tributary topics", "version": "1.0.0", "description": (
            "Every Kafka topic of Tributary. Values are JSON envelopes "
            "{type, version, message_id, ts, payload}; keys are the entity id as UTF-8 text. "
            "Consumers accept the current and the previous version; unreadable messages go to "
            "`tributary.deadletter` with the reason and the original bytes.")},
        "defaultContentType": "application/json",
        "servers": {"kafka": {"host": "localhost:9092", "protocol": "kafka",
                              "description": "TRIBUTARY_KAFKA_URL"}},
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def render(doc: dict[str, Any] | None = None) -> str:
    return json.dumps(doc if doc is not None else build(), indent=2, ensure_ascii=False,
                      default=str) + "\n"


def write(path: Path = DOCUMENT) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(), encoding="utf-8")
    return path


def is_current(path: Path = DOCUMENT) -> bool:
    return path.exists() and path.read_text(encoding="utf-8") == render()
