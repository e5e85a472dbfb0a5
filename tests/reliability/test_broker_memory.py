"""The embedded broker's memory stays bounded (issue 19, failure 6): its memory engine keeps every
message whatever the topics' retention, so `tributary up` restarts it past
TRIBUTARY_BROKER_MAX_RSS_MB (set low here, the only test that sets it) and the work comes back
from MongoDB. Messages pile up in the broker until it passes the bound; it is recycled, its
memory falls back, and a file uploaded before the recycle and one registered after it both
finish with exact totals."""
from __future__ import annotations

import asyncio
import time
from decimal import Decimal

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from tests.e2e.sales.test_pipeline import GENERIC
from tests.support.http import Api
from tests.support.sales import ingest, process, register, upload, wait_terminal
from tests.support.stack import RunningStack, cli

BOUND_MB = 96


@pytest.fixture(scope="module")
def mstack(tmp_path_factory):
    stack = RunningStack(tmp_path_factory.mktemp("broker_memory"),
                         env={"TRIBUTARY_BROKER_MAX_RSS_MB": str(BOUND_MB)}).start()
    yield stack
    stack.discard()


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as handle:
        return next(int(line.split()[1]) / 1024 for line in handle if line.startswith("VmRSS:"))


async def _fill(kafka_url: str, megabytes: int) -> int:
    """Messages nobody consumes (the operators' dead-letter topic), 512 KiB each, until
    `megabytes` are sent or the broker goes away under the producer (recycled); the count sent."""
    producer = AIOKafkaProducer(bootstrap_servers=kafka_url, acks="all",
                                max_request_size=1024 * 1024, request_timeout_ms=5000)
    await producer.start()
    sent = 0
    try:
        for n in range(megabytes * 2):
            await producer.send_and_wait("tributary.deadletter", bytes([n % 251]) * 512 * 1024,
                                         key=b"memory-test")
            sent += 1
    except KafkaError:
        pass  # the broker was recycled mid-way: what the test waits for
    finally:
        await producer.stop()
    return sent


async def test_broker_past_its_memory_bound_is_recycled_and_nothing_is_lost(mstack):
    org = cli(mstack.data_dir, "org", "create", "Broker Memory")
    api = Api(mstack.url, org["token"])
    before = GENERIC.replace(b"Aurora", b"MemBefore")
    waiting = (await register(api, "mem-before.tsv", before))["id"]
    await upload(api, waiting, before)
    broker = mstack.state["children"]["broker"]
    assert _rss_mb(broker) < BOUND_MB

    assert await _fill(mstack.state["kafka_url"], BOUND_MB) > 0
    deadline = time.monotonic() + 60
    while mstack.state["children"]["broker"] == broker:
        assert time.monotonic() < deadline, f"broker never recycled\n{mstack.log()}"
        await asyncio.sleep(0.5)
    recycled = mstack.state["restarts"]["broker"]
    assert recycled["recycled"] >= 1 and recycled["hung"] == 0, recycled
    assert any("past the bound of 96 MiB" in r for r in recycled["reasons"]), recycled
    assert _rss_mb(mstack.state["children"]["broker"]) < BOUND_MB

    # accepted before the recycle, processed after it; and a new file end to end
    await process(api, waiting)
    first = await wait_terminal(api, waiting, timeout=120)
    after = await ingest(api, "mem-after.tsv", GENERIC.replace(b"Aurora", b"MemAfter"))
    assert first["status"] == after["status"] == "FINALIZED", (first, after)
    assert Decimal(first["total_local"]) == Decimal(after["total_local"]) > 0
    assert first["total_rows"] == after["total_rows"] > 0
