"""Fixtures for the contract tests: a plain aiokafka producer on the stack's broker (what an
outside system would use), topic readers, worker metrics, and the `tributary` CLI."""
from __future__ import annotations

import json
import random
import re
import secrets
import subprocess
import sys
import urllib.request

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from tests.support.gs1 import company_prefix_for
from tests.support.stack import cli
from topics.envelope import now_iso

HEADER = "authenticateit_identity_ticket"


@pytest.fixture
async def producer(stack):
    prod = AIOKafkaProducer(bootstrap_servers=stack.state["kafka_url"], enable_idempotence=False,
                            acks="all")
    await prod.start()
    yield prod
    await prod.stop()


def envelope(type_: str, payload: dict, version: int = 1, message_id: str | None = None) -> bytes:
    return json.dumps({"type": type_, "version": version,
                       "message_id": message_id or secrets.token_hex(16),
                       "ts": now_iso(), "payload": payload}).encode()


async def read_topic(stack, name: str, partitions: int | None = None) -> list:
    """Every record of a topic from the beginning (records, not decoded)."""
    partitions = partitions or stack.partitions
    consumer = AIOKafkaConsumer(bootstrap_servers=stack.state["kafka_url"], group_id=None,
                                enable_auto_commit=False, fetch_max_wait_ms=50)
    await consumer.start()
    try:
        parts = [TopicPartition(name, p) for p in range(partitions)]
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        ends = await consumer.end_offsets(parts)
        pending = {tp for tp in parts if ends[tp] > 0}
        out = []
        for _ in range(100):
            if not pending:
                break
            batches = await consumer.getmany(*pending, timeout_ms=300)
            for tp, records in batches.items():
                out.extend(records)
                if records and records[-1].offset + 1 >= ends[tp]:
                    pending.discard(tp)
        assert not pending, f"could not read {name} to its end"
        return out
    finally:
        await consumer.stop()


def run_cli(stack, *args: str, check: bool = True, timeout: float = 180) -> tuple[int, list[str]]:
    """Run `tributary ARGS` on the stack; (exit code, stdout lines + stderr lines)."""
    out = subprocess.run([sys.executable, "-m", "tributary", "--data-dir", str(stack.data_dir),
                          *args], capture_output=True, text=True, timeout=timeout)
    if check and out.returncode != 0:
        raise AssertionError(f"tributary {' '.join(args)} exited {out.returncode}: "
                             f"{out.stdout}\n{out.stderr}")
    return out.returncode, out.stdout.splitlines() + out.stderr.splitlines()


def scrape(url: str) -> dict[str, float]:
    """Prometheus text → {'name{labels}': value} (labels as written)."""
    with urllib.request.urlopen(url, timeout=5) as resp:
        text = resp.read().decode()
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            out[name] = float(value)
    return out


def metric(samples: dict[str, float], name: str, **labels: str) -> float:
    """Sum of the samples of `name` whose labels include `labels`."""
    total = 0.0
    for key, value in samples.items():
        base, _, rest = key.partition("{")
        if base != name:
            continue
        found = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', rest))
        if all(found.get(k) == v for k, v in labels.items()):
            total += value
    return total


@pytest.fixture
def worker_url(stack) -> str:
    port = next(iter(stack.state["worker_ports"].values()))
    return f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def contract_org(stack):
    """An organisation of its own, so period-wide operations touch only this module's files."""
    return cli(stack.data_dir, "org", "create", f"Contract Records {secrets.token_hex(3)}")


@pytest.fixture(scope="session")
def gtin_brand(stack) -> dict:
    urn = f"urn:test:participant:brand:{secrets.token_hex(4)}"
    cli(stack.data_dir, "participant", "create", "--id", urn, "--type", "brand",
        "--prefix", company_prefix_for(random.Random(), "7"))
    session = cli(stack.data_dir, "session", "create", "--participant", urn, "--user", "u-contract")
    return {"urn": urn, "ticket": session["ticket"]}
