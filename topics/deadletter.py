"""Dead-letter topic: messages an agent could not read, with the reason and original bytes."""
from pydantic import Field

from topics.envelope import MessageType
from topics.payload import Payload
from topics.registry import TopicSpec, register


class DeadLetterPayload(Payload):
    topic: str
    partition: int | None = None
    offset: int | None = None
    reason: str
    original_b64: str = Field(description="the message's bytes as received, base64")
    errors: list[dict[str, str]] | None = Field(
        None, description="[{field, problem}] when the payload broke its model")

DEAD_LETTERED = MessageType(
    "MessageDeadLettered", "event", 1, required=("topic", "reason", "original_b64"),
    doc="A message an agent could not decode; original_b64 holds the bytes as received.",
    example={"topic": "sales.files.commands", "partition": 0, "offset": 12,
             "reason": "not JSON: Expecting value", "original_b64": "bm90IGpzb24="},
    model=DeadLetterPayload,
)

DEADLETTER = register(TopicSpec(
    "tributary.deadletter", "events", key="topic", consumer="(operators)",
    doc="Undecodable messages from every command topic.", follow=False), DEAD_LETTERED)
