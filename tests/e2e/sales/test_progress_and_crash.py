"""Long work reports progress; a worker killed mid-work is restarted and the file still ends
FINALIZED with exact totals (no sale counted twice)."""
from __future__ import annotations

import asyncio
import secrets
from decimal import Decimal

from aiokafka import AIOKafkaConsumer, TopicPartition

from bench.scale import sales_text
from tests.support.sales import process, register, upload, wait_terminal


def big_file(rows: int) -> tuple[bytes, Decimal, int]:
    """A generic-layout TSV of `rows` lines unique to this call, with its exact revenue and
    quantity totals (bench/scale.py writes them)."""
    return sales_text(rows, secrets.token_hex(4), "2025-04", "2025-03")


async def _progress_events(stack, file_id: int) -> list[dict]:
    consumer = AIOKafkaConsumer(bootstrap_servers=stack.state["kafka_url"], group_id=None,
                                enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer.topics()  # metadata: the topic's partition count comes from the settings
        count = len(consumer.partitions_for_topic("sales.files.events") or ()) or 4
        parts = [TopicPartition("sales.files.events", p) for p in range(count)]
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        import json

        found = []
        ends = await consumer.end_offsets(parts)
        # read to the end of every partition (one getmany may stop short on a busy topic)
        for _ in range(200):
            if all([await consumer.position(p) >= ends[p] for p in parts]):
                break
            batches = await consumer.getmany(timeout_ms=500, max_records=100000)
            for records in batches.values():
                for record in records:
                    doc = json.loads(record.value)
                    if doc["type"] == "SalesFileProgressed" and doc["payload"]["file_id"] == file_id:
                        found.append(doc["payload"])
        return found
    finally:
        await consumer.stop()


async def test_progress_is_reported_while_cleaning(api, stack):
    data, total, _ = big_file(60_000)
    record = await register(api, "progress.tsv", data)
    await upload(api, record["id"], data)
    await process(api, record["id"])
    final = await wait_terminal(api, record["id"])
    assert final["status"] == "FINALIZED", final
    events = await _progress_events(stack, record["id"])
    assert events, "no progress event"
    assert events[-1]["rows"] == 60_000 and events[-1]["percent"] == 100.0
    assert all(e["stage"] == "CLEANING" for e in events)
    assert Decimal(final["total_local"]) == total


async def test_worker_killed_mid_cleaning_restarts_and_finishes_exactly(api, stack):
    data, total, quantity = big_file(700_000)
    record = await register(api, "crash.tsv", data)
    await upload(api, record["id"], data)
    await process(api, record["id"])
    killed = False
    for _ in range(400):
        _, view, _ = await api.get(f"/api/files/salesfiles/{record['id']}/")
        if view["status"] in ("CLEANING", "PROCESSING"):
            stack.kill_child("worker-1")
            killed = True
            break
        await asyncio.sleep(0.02)
    assert killed, f"never saw the file at work: {view['status']}"
    final = await wait_terminal(api, record["id"], timeout=180)
    assert final["status"] == "FINALIZED", final
    status, snap, _ = await api.get(f"/api/files/salesfiles/{record['id']}/snapshot/")
    assert snap["totals"]["rows"] == 700_000
    assert Decimal(snap["totals"]["revenue"]) == total
    assert int(snap["totals"]["quantity"]) == quantity
    for _ in range(300):
        if stack.healthy():
            break
        await asyncio.sleep(0.1)
    assert stack.healthy()
