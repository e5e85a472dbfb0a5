"""The embedded broker's topics are sized to the stack's workers (docs/scaling.md), and every
process of the stack, and a command run beside it, agrees on the count."""
from __future__ import annotations

from aiokafka.admin import AIOKafkaAdminClient

from infra.config import load_settings
from topics.registry import all_topics, topic


async def test_the_default_stack_has_two_partitions_a_topic_and_says_so(stack):
    assert stack.partitions == 2                     # one worker: at least two
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.state["kafka_url"])
    await admin.start()
    try:
        described = await admin.describe_topics([t.name for t in all_topics()])
    finally:
        await admin.close()
    assert {d["topic"]: len(d["partitions"]) for d in described} == \
        {t.name: 2 for t in all_topics()}
    try:   # a command with the stack's --data-dir takes the count from stack.json
        assert load_settings(stack.data_dir, env={}).partitions == 2
        assert topic("sales.files.commands").partitions == 2
    finally:
        load_settings(stack.data_dir, env={"TRIBUTARY_KAFKA_URL": stack.state["kafka_url"]})
    assert topic("sales.files.commands").partitions == 12   # this process's own default again
