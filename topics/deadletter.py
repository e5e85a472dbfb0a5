"""Dead-letter topic: messages an agent could not read, with the reason and original bytes."""
from topics.envelope import MessageType
from topics.registry import TopicSpec, register

DEAD_LETTERED = MessageType(
    "MessageDeadLettered", "event", 1, required=("topic", "reason", "original_b64"),
    doc="A message an agent could not decode; original_b64 holds the bytes as received.",
    example={"topic": "sales.files.commands", "partition": 0, "offset": 12,
             "reason": "not JSON: Expecting value", "original_b64": "bm90IGpzb24="},
)

DEADLETTER = register(TopicSpec(
    "tributary.deadletter", "events", key="topic", consumer="(operators)",
    doc="Undecodable messages from every command topic.", follow=False), DEAD_LETTERED)
