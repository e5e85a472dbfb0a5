"""Hostile request bodies (issue 19, failure 5): JSON nested 100,000 deep, a 50 MB body, a
25-million-element array and a 500,000-element one, on typed and untyped routes. Each is
answered 4xx in the one error shape within 1 s, and the gateway's memory stays bounded."""
from __future__ import annotations

import time
from pathlib import Path

import aiohttp
import pytest

from tests.e2e.gtin_import.conftest import new_participant
from tests.reliability.conftest import record
from tests.support.http import Api
from tests.support.participants import BASE

DEEP = b"[" * 100_000 + b"]" * 100_000
WIDE = b"[" + b"0," * 499_999 + b"0]"                    # 1 MB, 500,000 values
HUGE = b'{"filename": "' + b"x" * (50 * 1024 * 1024) + b'"}'  # 50 MB
MANY = b"[" + b"0," * (25_000_000 - 1) + b"0]"          # 25 million values, 50 MB


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def _send(url: str, body: bytes, headers: dict) -> tuple[int | None, dict | None, float]:
    start = time.monotonic()
    async with aiohttp.ClientSession() as session:
        try:
            async with session.request("PUT" if "/gtins/" in url else "POST", url, data=body,
                                       headers={**headers, "Content-Type": "application/json"}
                                       ) as resp:
                payload = await resp.json(content_type=None)
                return resp.status, payload, time.monotonic() - start
        except (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError):
            # the gateway answered and closed before the client finished sending
            return None, None, time.monotonic() - start


@pytest.mark.parametrize("name,body,statuses", [
    ("nested 100,000 deep", DEEP, (400,)), ("500,000-value array", WIDE, (400,)),
    ("50 MB body", HUGE, (413,)), ("25-million-value array", MANY, (413,))])
async def test_hostile_body_is_refused_fast_in_the_error_shape(stack, org, name, body, statuses):
    who = new_participant(stack)
    gtin_headers = who.api.headers
    sales = {"Authorization": f"Bearer {org['token']}"}
    routes = [(f"{stack.url}/api/files/salesfiles/", sales), (f"{stack.url}/api/reports/", sales),
              (f"{stack.url}{BASE}/gtins", gtin_headers),
              (f"{stack.url}{BASE}/gtins/04012345678901", gtin_headers),
              (f"{stack.url}{BASE}/import/tasks", gtin_headers)]
    pid = stack.state["children"]["gateway"]
    before = _rss_kb(pid)
    slowest = 0.0
    for url, headers in routes:
        status, payload, took = await _send(url, body, headers)
        slowest = max(slowest, took)
        assert took < 1.0, (name, url, took)
        if status is None:  # refused before the body was read (it was declared too large)
            assert 413 in statuses
            continue
        assert status in statuses, (name, url, status, payload)
        assert payload["status"] == status and payload["code"] and payload["errors"], payload
    grown = (_rss_kb(pid) - before) / 1024
    assert grown < 64, f"gateway RSS grew {grown:.0f} MB"
    _, health, _ = await Api(stack.url).get("/healthz")
    assert health["status"] in ("ok", "degraded")
    record("hostile_bodies", name, {"slowest_s": round(slowest, 3), "rss_growth_mb": round(grown, 1)})
