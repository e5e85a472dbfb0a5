"""Shared helpers of the reliability suite: sales files with known totals, peak memory of the
stack's children, and the figures file the suite writes (docs/reliability.md is filled from it).

Figures go to $TRIBUTARY_RELIABILITY_OUT, else `<pytest base temp>/reliability-figures.json`;
the path is printed at the end of the session (run with `-s` to see it). The suite runs on two
test processes (pytest-xdist): each writes `<name>.gw0.json`, `<name>.gw1.json` beside the
path asked for, and `bench.reliability_doc` merges the files it is given.
"""
from __future__ import annotations

import asyncio
import json
import os
import secrets
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from bench.scale import sales_text
from tests.support.http import Api
from tests.support.sales import process, register, upload, wait_terminal

_FIGURES: dict = {}
_PATH: list[Path] = []


def sales_file(rows: int, tag: str | None = None,
               period: str = "2025-04") -> tuple[bytes, Decimal, int]:
    """A generic-layout TSV of `rows` lines, unique to `tag` (the pipeline refuses the same
    content twice), with its exact revenue and quantity totals (bench/scale.py writes them)."""
    return sales_text(rows, tag or secrets.token_hex(4), period, "2025-03")


async def start_file(api: Api, name: str, data: bytes) -> int:
    record = await register(api, name, data)
    await upload(api, record["id"], data)
    await process(api, record["id"])
    return record["id"]


async def ingest(api: Api, name: str, data: bytes, timeout: float = 120) -> dict:
    file_id = await start_file(api, name, data)
    return await wait_terminal(api, file_id, timeout=timeout)


async def wait_status(api: Api, path: str, wanted: tuple[str, ...], timeout: float = 60,
                      interval: float = 0.02) -> dict:
    """Poll a GET until its status is one of `wanted` (tight loop: catches short stages)."""
    deadline = asyncio.get_running_loop().time() + timeout
    body = None
    while asyncio.get_running_loop().time() < deadline:
        status, body, _ = await api.get(path)
        if status == 200 and body.get("status") in wanted:
            return body
        await asyncio.sleep(interval)
    raise AssertionError(f"{path} never reached {wanted}; last: {body}")


async def healthy(stack, timeout: float = 90.0) -> bool:
    for _ in range(int(timeout / 0.1)):
        if stack.healthy():
            return True
        await asyncio.sleep(0.1)
    return False


def peak_memory_kb(stack) -> dict[str, int]:
    """VmHWM (peak resident set, kB) of each child process of a running stack."""
    out = {}
    for name, pid in stack.state["children"].items():
        try:
            text = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith("VmHWM:"):
                out[name] = int(line.split()[1])
    return out


def record(section: str, name: str, value) -> None:
    """Add one figure to the figures file (rewritten each time, so a crash keeps the rest)."""
    _FIGURES.setdefault(section, {})[name] = value
    if _PATH:
        _PATH[0].write_text(json.dumps(_FIGURES, indent=2, sort_keys=True, default=str))


def pytest_runtest_logreport(report) -> None:
    """Each test's outcome and duration go to the figures too (section `tests`), so the
    document shows what ran, what failed and what was skipped, not only what passed."""
    if report.when == "call" or (report.when == "setup" and not report.passed):
        name = report.nodeid.split("tests/reliability/", 1)[-1]
        record("tests", name, {"outcome": report.outcome, "seconds": round(report.duration, 1)})


@pytest.fixture(scope="session", autouse=True)
def figures_file(tmp_path_factory):
    path = Path(os.environ.get("TRIBUTARY_RELIABILITY_OUT") or
                tmp_path_factory.getbasetemp() / "reliability-figures.json")
    worker = os.environ.get("PYTEST_XDIST_WORKER")   # each test process writes a file of its own
    if worker and os.environ.get("TRIBUTARY_RELIABILITY_OUT"):
        path = path.with_name(f"{path.stem}.{worker}{path.suffix}")
    _PATH[:] = [path]
    record("run", "started", datetime.now(timezone.utc).isoformat(timespec="seconds"))
    record("run", "cpus", os.cpu_count())
    record("run", "load_average_at_start", round(os.getloadavg()[0], 1))
    yield path
    record("run", "load_average_at_end", round(os.getloadavg()[0], 1))
    if _FIGURES:
        print(f"\nreliability figures: {path}\n{json.dumps(_FIGURES, indent=2, default=str)}")
