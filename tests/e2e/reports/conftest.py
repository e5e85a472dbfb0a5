"""Fixtures for catalog and report tests: an organisation of their own (so other tests' sales
never land in these periods) and helpers driving catalog imports and reports over HTTP."""
from __future__ import annotations

import csv
import gzip
import io

import aiohttp

from tests.support.http import Api, put_bytes
from tests.support.orgs import api_fixture, org_fixture

label = org_fixture("Report Label", scope="module")
lapi = api_fixture("label")


async def import_catalog(api: Api, filename: str, data: bytes) -> dict:
    status, body, _ = await api.post("/api/catalog/imports/",
                                     json={"filename": filename, "filesize": len(data)})
    assert status == 201, body
    assert await put_bytes(body["presigned_url"], data) in (200, 201, 204)
    status, accepted, _ = await api.post(f"/api/catalog/imports/{body['id']}/process/")
    assert status == 202, accepted
    return await api.wait_for(f"/api/catalog/imports/{body['id']}",
                              lambda b: b["status"] in ("DONE", "FAILED"), timeout=60)


async def make_report(api: Api, kind: str, period: str) -> dict:
    status, body, _ = await api.post("/api/reports/", json={"type": kind, "period": period})
    assert status == 202, body
    assert body["status"] in ("PENDING", "RUNNING", "DONE")
    return await api.wait_for(f"/api/reports/{body['id']}",
                              lambda b: b["status"] in ("DONE", "FAILED"), timeout=60)


async def download_csv(url: str) -> list[dict]:
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as resp:
            assert resp.status == 200
            raw = await resp.read()
    text = gzip.decompress(raw).decode("utf-8")
    assert text.endswith("\r\n")  # RFC 4180 line ends
    return list(csv.DictReader(io.StringIO(text, newline="")))
