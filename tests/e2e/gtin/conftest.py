"""Description-service fixtures: participants and sessions made with the CLI on the shared stack,
unique GTINs per test, ticket clients, and a reader of the `gtin.changes` topic."""
from __future__ import annotations

import random

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from tests.support.http import Api
from tests.support.participants import BASE, HEADER, Who, gtin_for, participant, prefix_for, session_ticket
from topics.envelope import decode
from topics.registry import topic


def _prefix() -> str:
    # 7xx-8xx GS1 prefixes: ordinary country ranges, never GTIN-8 / restricted ranges
    return prefix_for(str(random.randint(7, 8)))


def _participant(stack, kind: str, *flags: str, prefixes: tuple[str, ...] | None = None) -> Who:
    return participant(stack, kind, *flags, prefixes=(_prefix(),) if prefixes is None else prefixes,
                       user=f"u-{kind}")


@pytest.fixture(scope="session")
def brand_a(stack) -> Who:
    return _participant(stack, "brand")


@pytest.fixture(scope="session")
def brand_b(stack) -> Who:
    """A brand with the product360 module and a GS1 US prefix (UPC company prefix + leading 0)."""
    return _participant(stack, "brand", "--product360", prefixes=(_prefix(), prefix_for("0")))


@pytest.fixture(scope="session")
def retailer(stack) -> Who:
    return _participant(stack, "retailer", prefixes=())


@pytest.fixture(scope="session")
def system(stack) -> Who:
    return _participant(stack, "gs1", "--system", prefixes=())


@pytest.fixture(scope="session")
def no_participant(stack) -> Api:
    return Api(stack.url, headers={HEADER: session_ticket(stack, "--user", "lost")})


@pytest.fixture(scope="session")
def ghost(stack) -> Api:
    ticket = session_ticket(stack, "--user", "ghost", "--participant", "urn:test:participant:does-not-exist")
    return Api(stack.url, headers={HEADER: ticket})


@pytest.fixture
async def item(brand_a) -> dict:
    """A fresh GTIN created by brand_a (brick 10000188)."""
    gtin = gtin_for(brand_a.prefix)
    status, body, _ = await brand_a.api.post(f"{BASE}/gtins", json={
        "id": gtin, "name": "Test oats", "brand_id": "brand-1", "gpc_brick": "10000188"})
    assert status == 201, body
    return body


async def changes(stack, gtin14: str) -> list:
    """Every event on `gtin.changes` keyed by this GTIN, in order (read from the beginning)."""
    spec = topic("gtin.changes")
    consumer = AIOKafkaConsumer(bootstrap_servers=stack.state["kafka_url"], group_id=None,
                                enable_auto_commit=False)
    await consumer.start()
    try:
        parts = [TopicPartition(spec.name, p) for p in range(stack.partitions)]
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        ends = await consumer.end_offsets(parts)
        out = []
        pending = {tp for tp in parts if ends[tp] > 0}
        for _ in range(30):
            if not pending:
                break
            batches = await consumer.getmany(*pending, timeout_ms=1000)
            for tp, records in batches.items():
                for r in records:
                    if r.key and r.key.decode() == gtin14:
                        out.append(decode(r.value, spec.types))
                    if r.offset + 1 >= ends[tp]:
                        pending.discard(tp)
        assert not pending, "could not read gtin.changes to its end"
        return out
    finally:
        await consumer.stop()
