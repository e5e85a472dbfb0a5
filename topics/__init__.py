"""Topics and their versioned JSON message contracts."""
from topics.envelope import Message, MessageType, UndecodableMessage, decode
from topics.registry import TOPICS, TopicSpec, all_topics, topic

__all__ = ["Message", "MessageType", "UndecodableMessage", "decode", "TOPICS", "TopicSpec",
           "all_topics", "topic"]
