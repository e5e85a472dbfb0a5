"""Description-service fixtures: participants and sessions made with the CLI on the shared stack,
unique GTINs per test, ticket clients, and a reader of the `gtin.changes` topic."""
from __future__ import annotations

import random
import secrets
from dataclasses import dataclass

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from stdnum import ean

from tests.support.gs1 import company_prefix_for
from tests.support.http import Api
from tests.support.stack import cli
from topics.envelope import decode
from topics.registry import topic

HEADER = "authenticateit_identity_ticket"
BASE = "/description-service"
_rng = random.Random()


@dataclass
class Who:
    """A participant with a session: its document, ticket and an HTTP client sending the ticket."""

    urn: str
    prefix: str
    api: Api
    doc: dict


def _prefix() -> str:
    # 7xx-8xx GS1 prefixes: ordinary country ranges, never GTIN-8 / restricted ranges
    return company_prefix_for(_rng, str(_rng.randint(7, 8)))


_issued: set[str] = set()


def gtin_for(prefix: str, length: int = 13) -> str:
    """A fresh valid GTIN of `length` digits under `prefix`, never handed out twice in a
    session (a 9-digit prefix leaves only 1,000 item references, so random ones collide)."""
    while True:
        body = prefix + "".join(str(_rng.randint(0, 9)) for _ in range(length - 1 - len(prefix)))
        gtin = body + ean.calc_check_digit(body)
        if gtin not in _issued:
            _issued.add(gtin)
            return gtin


def _participant(stack, kind: str, *flags: str, prefixes: tuple[str, ...] | None = None) -> Who:
    urn = f"urn:test:participant:{kind}:{secrets.token_hex(4)}"
    prefixes = prefixes if prefixes is not None else (_prefix(),)
    args = ["participant", "create", "--id", urn, "--type", kind, *flags]
    for p in prefixes:
        args += ["--prefix", p]
    doc = cli(stack.data_dir, *args)
    session = cli(stack.data_dir, "session", "create", "--participant", urn, "--user", f"u-{kind}")
    return Who(urn, prefixes[0] if prefixes else "", Api(stack.url, headers={HEADER: session["ticket"]}),
               doc)


@pytest.fixture(scope="session")
def brand_a(stack) -> Who:
    return _participant(stack, "brand")


@pytest.fixture(scope="session")
def brand_b(stack) -> Who:
    """A brand with the product360 module and a GS1 US prefix (UPC company prefix + leading 0)."""
    return _participant(stack, "brand", "--product360", prefixes=(_prefix(), company_prefix_for(_rng, "0")))


@pytest.fixture(scope="session")
def retailer(stack) -> Who:
    return _participant(stack, "retailer", prefixes=())


@pytest.fixture(scope="session")
def system(stack) -> Who:
    return _participant(stack, "gs1", "--system", prefixes=())


@pytest.fixture(scope="session")
def no_participant(stack) -> Api:
    session = cli(stack.data_dir, "session", "create", "--user", "lost")
    return Api(stack.url, headers={HEADER: session["ticket"]})


@pytest.fixture(scope="session")
def ghost(stack) -> Api:
    session = cli(stack.data_dir, "session", "create", "--user", "ghost",
                  "--participant", "urn:test:participant:does-not-exist")
    return Api(stack.url, headers={HEADER: session["ticket"]})


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
        parts = [TopicPartition(spec.name, p) for p in range(spec.partitions)]
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
