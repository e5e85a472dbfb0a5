"""Access control, table-driven over EVERY route of the gateway (listed by introspecting
`gateway.app.create_app(settings)`, not started): no credential, a wrong credential, and the
credential of another organisation / participant. Party A's data carries a unique marker; no
answer to B ever contains it. Tokens and session tickets are stored hashed; presigned URLs
cannot be widened by editing them (LocalStore unit checks: tests/storage/test_local.py; here
through the gateway's /_objects route).

Expected answers (as documented in docs/reliability.md):
- public routes (/healthz, /api/openapi.json, /api/docs, /metrics, /console…, the CDN of copied
  images, /_objects/ which checks its own signature): never A's marker;
- every other route, no or wrong credential: 401;
- another party addressing A's entity by id: 403 or 404 (GTIN trade items are a shared catalogue
  by design: another participant may read them, never change them: 403);
- another party on list/create routes: its own (empty) data or a 4xx, never A's marker.
"""
from __future__ import annotations

import asyncio
import secrets
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import aiohttp
import pytest
from pymongo import MongoClient

from gateway.app import create_app
from infra.config import load_settings
from tests.e2e.gtin_import.conftest import new_participant
from tests.e2e.gtin_import.conftest import upload as upload_link
from tests.reliability.conftest import ingest, record, sales_file
from tests.support.http import Api, put_bytes
from tests.support.participants import BASE, gtin_for
from tests.support.stack import cli

TICKET = "authenticateit_identity_ticket"
PUBLIC_PREFIXES = ("/healthz", "/api/openapi.json", "/api/docs", "/metrics", "/console",
                   f"{BASE}/cdn/", "/_objects/")
GDTI = "urn:epc:id:gdti:0614141.12345.400"
ID_PARAMS = ("file_id", "report_id", "import_id", "layout_id", "job_id", "task_id", "upload_id")


def gateway_routes(stack) -> list[tuple[str, str]]:
    app = create_app(load_settings(stack.data_dir))
    seen = set()
    for route in app.router.routes():
        if route.method in ("HEAD", "OPTIONS", "*"):
            continue
        seen.add((route.method, route.resource.canonical))
    return sorted(seen, key=lambda r: (r[1], r[0]))


@pytest.fixture(scope="module")
def world(stack):
    """Party A (an organisation and a participant) with data carrying MARKER; party B."""
    marker = "MRK" + secrets.token_hex(6)
    org_a = cli(stack.data_dir, "org", "create", f"Acme {marker}")
    org_b = cli(stack.data_dir, "org", "create", "Bystander Records")
    who_a = new_participant(stack)
    who_b = new_participant(stack)
    api_a = Api(stack.url, org_a["token"])

    async def make() -> dict:
        data, _, _ = sales_file(30, tag=marker, period="2025-02")
        final = await ingest(api_a, f"{marker}.tsv", data)
        assert final["status"] == "FINALIZED", final
        status, rep, _ = await api_a.post("/api/reports/", json={"type": "unmatched",
                                                                  "period": "2025-02"})
        assert status == 202, rep
        await api_a.wait_for(f"/api/reports/{rep['id']}", lambda b: b["status"] == "DONE")
        status, cat, _ = await api_a.post("/api/catalog/imports/", json={
            "filename": f"{marker}.csv", "filesize": 10})
        assert status == 201, cat
        gtin = gtin_for(who_a.prefix, number=1)
        status, item, _ = await who_a.api.post(f"{BASE}/gtins", json={"id": gtin, "name": "Item"})
        assert status == 201, item
        # GTIN documents are readable by every participant: the import renames the item (a
        # re-import updates names), so the name carries no marker
        link = await upload_link(who_a, f"gtin,name\n{gtin},Item again\n")
        status, task, _ = await who_a.api.post(f"{BASE}/import/tasks", json={
            "link": link, "gtin_field": "gtin", "name": "name",
            "fields": [{"field": "name", "title": "Name"}], "conditions": {"language": ["en"]}})
        assert status == 200, task
        status, upload, _ = await who_a.api.post(f"{BASE}/uploads")
        assert status == 201, upload
        assert await put_bytes(upload["upload_url"], f"gtin\n{gtin}\n{marker}\n".encode()) < 300
        return {"file_id": final["id"], "report_id": rep["id"], "import_id": cat["id"],
                "gtin": item["id"], "task_id": task["id"], "upload_id": upload["id"]}

    ids = asyncio.run(make())
    return {"marker": marker, "ids": ids, "org_a": org_a, "org_b": org_b, "who_a": who_a,
            "who_b": who_b}


def _path(template: str, ids: dict) -> str:
    values = {**{p: "1" for p in ID_PARAMS}, **{k: str(v) for k, v in ids.items()},
              "action": "add", "name": "x.png", "key": "staging/x", "stream": "files"}
    out = template
    for name, value in values.items():
        out = out.replace("{" + name + "}", value)
    return out


def _credentials(world, path: str) -> dict[str, dict]:
    if path.startswith(BASE) or path.startswith("/gtins"):
        b_ticket = world["who_b"].api.headers[TICKET]
        return {"none": {}, "wrong": {TICKET: "not-a-ticket-" + secrets.token_hex(8)},
                "other": {TICKET: b_ticket},
                "sales-token": {"Authorization": f"Bearer {world['org_b']['token']}"}}
    return {"none": {}, "wrong": {"Authorization": "Bearer trb_" + secrets.token_hex(16)},
            "other": {"Authorization": f"Bearer {world['org_b']['token']}"},
            "ticket": {TICKET: world["who_b"].api.headers[TICKET]}}


def _expected(method: str, template: str, cred: str, status: int) -> bool:
    if template.startswith(PUBLIC_PREFIXES):
        return True  # only the marker check applies
    if cred in ("none", "wrong", "ticket", "sales-token"):
        return status == 401
    addressed = any("{" + p + "}" in template for p in (*ID_PARAMS, "gtin"))
    if not addressed:
        return status < 500
    if "{upload_id}" in template:
        return 400 <= status < 500  # upload ids resolve inside the caller's own space
    if "{gtin}" in template and method == "GET":
        return status in (200, 403, 404)  # shared catalogue: readable, never writable
    return status in (403, 404)


async def test_every_route_with_every_wrong_credential(stack, world):
    routes = gateway_routes(stack)
    assert len(routes) >= 40, routes
    failures, checked = [], 0
    marker = world["marker"]
    async with aiohttp.ClientSession() as session:
        for method, template in routes:
            path = _path(template, world["ids"])
            body = {"action": "reimport"} if template.endswith("/process/") else \
                {"attachments": [GDTI]} if template.endswith("{action}") else {}
            for cred, headers in _credentials(world, template).items():
                async with session.request(method, stack.url + path, json=body,
                                           headers=headers, allow_redirects=False) as resp:
                    if resp.content_type == "text/event-stream":  # endless: its first bytes
                        try:
                            raw = await asyncio.wait_for(resp.content.read(1 << 16), 2)
                        except asyncio.TimeoutError:
                            raw = b""
                    else:
                        raw = await resp.read()
                    checked += 1
                    if marker.encode() in raw or marker.lower().encode() in raw:
                        failures.append((method, template, cred, resp.status, "MARKER LEAKED"))
                    elif not _expected(method, template, cred, resp.status):
                        failures.append((method, template, cred, resp.status, raw[:160]))
                    elif resp.status >= 400 and not template.startswith("/_objects/"):
                        assert resp.content_type == "application/problem+json", (method, template)
    assert not failures, "\n".join(map(str, failures))
    record("access", "routes", len(routes))
    record("access", "requests_routes_x_credentials", checked)
    record("access", "marker_leaks", 0)


async def test_a_sees_its_own_marker(stack, world):
    """The marker check can fail: A itself does get its data back."""
    api_a = Api(stack.url, world["org_a"]["token"])
    status, body, _ = await api_a.get(f"/api/files/salesfiles/{world['ids']['file_id']}/")
    assert status == 200 and world["marker"] in str(body)


def test_tokens_and_tickets_are_stored_hashed(stack, world):
    client = MongoClient(stack.state["mongo_url"], directConnection=True)
    try:
        db = client[stack.state["mongo_db"]]
        raw = [world["org_a"]["token"], world["org_b"]["token"],
               world["who_a"].api.headers[TICKET], world["who_b"].api.headers[TICKET]]
        for name in ("tokens", "sessions", "organisations", "participants"):
            dump = str(list(db[name].find()))
            assert not [r for r in raw if r in dump], f"a raw credential is stored in {name}"
        assert db.tokens.count_documents({}) >= 2 and db.sessions.count_documents({}) >= 2
    finally:
        client.close()
    record("access", "credentials_stored_hashed", "tokens, sessions: no raw value in MongoDB")


def _edit(url: str, **changes) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    path = changes.pop("path", parts.path)
    query.update(changes)
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(query), ""))


async def test_presigned_urls_cannot_be_widened_through_the_gateway(stack, world):
    api_a = Api(stack.url, world["org_a"]["token"])
    data = b"isrc,revenue\nX,1\n"
    status, rec, _ = await api_a.post("/api/files/salesfiles/", json={
        "filename": "presign.csv", "filetype": "CSV", "filesize": len(data), "mongo_db_id": "t"})
    assert status == 201
    status, body, _ = await api_a.post(f"/api/files/salesfiles/{rec['id']}/process/",
                                       json={"action": "upload"})
    url = body["presigned_url"]
    assert "/_objects/" in url
    expires = int(dict(parse_qsl(urlsplit(url).query))["expires"])
    other_key = urlsplit(url).path.replace(f"/{rec['id']}", f"/{rec['id'] + 1000}")
    tampered = {
        "other key": _edit(url, path=other_key),
        "longer expiry": _edit(url, expires=str(expires + 86400)),
        "no signature": _edit(url, signature=""),
    }
    async with aiohttp.ClientSession() as session:
        for what, bad in tampered.items():
            async with session.put(bad, data=data) as resp:
                assert resp.status == 403, (what, resp.status)
                assert (await resp.json())["code"] == "signature_invalid"
        async with session.get(url) as resp:  # signed for PUT: GET with it is refused
            assert resp.status == 403
    assert await put_bytes(url, data) == 200  # the URL as issued works
    record("access", "presigned_url_tampering", "other key, longer expiry, no signature, "
           "other method: 403 through /_objects")
