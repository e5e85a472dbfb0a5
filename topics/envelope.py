"""Versioned plain-JSON envelope shared by every topic.

Outside systems publish to our topics directly, so the wire format is a contract:

    {"type": "CreateSalesFile", "version": 1, "message_id": "…", "ts": "…", "payload": {…}}

Consumers accept the current and the previous version of each message type; anything they
cannot read raises :class:`UndecodableMessage`, which agents route to the dead-letter topic.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

Upgrader = Callable[[dict[str, Any]], dict[str, Any]]


class UndecodableMessage(ValueError):
    """A message that is not valid JSON, not an envelope, or of an unknown type/version."""


class InvalidPayload(UndecodableMessage):
    """A readable envelope whose payload breaks its model; `errors` lists `{field, problem}`."""

    def __init__(self, message: str, errors: list[dict[str, str]]) -> None:
        super().__init__(message)
        self.errors = errors


@dataclass(frozen=True)
class MessageType:
    """A message type: its name, current version and how to lift older versions to it."""

    name: str
    kind: str  # "command" or "event"
    version: int = 1
    required: tuple[str, ...] = ()
    doc: str = ""
    example: dict[str, Any] = field(default_factory=dict)
    upgraders: dict[int, Upgrader] = field(default_factory=dict)  # from-version → payload upgrade
    # optional JSON Schema of the payload; without it the contract document infers one from
    # `required` and the types of the `example` values (topics/asyncapi.py)
    schema: dict[str, Any] | None = None
    # the payload's pydantic model (topics/payload.py): checked on decode and before sending;
    # the contract document's schema comes from it
    model: Any = None

    def accepts(self, version: int) -> bool:
        return version == self.version or version in self.upgraders


@dataclass(frozen=True)
class Message:
    type: str
    payload: dict[str, Any]
    version: int = 1
    message_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    ts: str = field(default_factory=lambda: now_iso())

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "version": self.version, "message_id": self.message_id,
                "ts": self.ts, "payload": self.payload}

    def encode(self) -> bytes:
        return json.dumps(self.to_json(), separators=(",", ":"), default=str).encode()


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def checked(mtype: MessageType, payload: dict[str, Any], what: str) -> dict[str, Any]:
    """The payload read through its model, or InvalidPayload naming each fault."""
    from pydantic import ValidationError

    from topics.payload import problems, validate

    try:
        return validate(mtype.model, payload)
    except ValidationError as exc:
        errors = problems(exc)
        listed = "; ".join(f"{e['field']}: {e['problem']}" for e in errors[:10])
        raise InvalidPayload(f"{what} payload is invalid: {listed}", errors) from None


def decode(raw: bytes | str | dict, types: dict[str, MessageType]) -> Message:
    """Parse and upgrade one message, or raise UndecodableMessage saying why."""
    if isinstance(raw, dict):
        doc = raw
    else:
        try:
            doc = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise UndecodableMessage(f"not JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise UndecodableMessage("envelope must be a JSON object")
    name, version, payload = doc.get("type"), doc.get("version"), doc.get("payload")
    if not isinstance(name, str) or name not in types:
        raise UndecodableMessage(f"unknown message type {name!r}; known: {sorted(types)}")
    if not isinstance(version, int) or isinstance(version, bool):
        raise UndecodableMessage("version must be an integer")
    mtype = types[name]
    if not mtype.accepts(version):
        raise UndecodableMessage(f"{name} version {version} not supported (current {mtype.version})")
    if not isinstance(payload, dict):
        raise UndecodableMessage("payload must be a JSON object")
    if version != mtype.version:
        payload = mtype.upgraders[version](dict(payload))
    missing = [f for f in mtype.required if payload.get(f) in (None, "")]
    if missing:
        raise InvalidPayload(f"{name} v{version} is missing {', '.join(missing)}",
                             [{"field": f, "problem": "missing (required)"} for f in missing])
    if mtype.model is not None:
        payload = checked(mtype, payload, f"{name} v{version}")
    message_id = doc.get("message_id") or uuid.uuid4().hex
    return Message(type=name, payload=payload, version=mtype.version,
                   message_id=str(message_id), ts=str(doc.get("ts") or now_iso()))
