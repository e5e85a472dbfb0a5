"""The two status GETs of issue 21 through the real gateway app (stores stubbed): a sales file's
status with a Bearer token, a GTIN import task's status with a session ticket. Their answers
(status, headers, body bytes, problem shapes) and when a cached credential stops working: a
credential revoked in the store is refused once its cache entry expires (or once a refresh
ahead found it revoked), never later, and an unknown one is never kept."""
from __future__ import annotations

import asyncio
import copy
import hashlib
import json

import pytest
from aiohttp.test_utils import TestClient, TestServer

from gateway import keys
from gateway.app import create_app
from gateway.credentials import CredentialCache, digest
from gateway.schemas.gtin_import import task_status
from gateway.views import Views
from infra.config import load_settings
from models import files as file_model
from models import gtin_tasks
from topics.envelope import Message

TS = "2025-06-01T10:00:00.000+00:00"
TOKEN, OTHER_TOKEN, TICKET = "tok-123", "tok-other", "tick-456"
ORG, OTHER_ORG, PART = "org-1", "org-2", "urn:p1"
FILE = "/api/files/salesfiles/{}/"
TASK = "/description-service/import/tasks/{}"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Collection:
    """`find_one({"_id": ...})` over documents by id, counting lookups."""

    def __init__(self) -> None:
        self.docs: dict[str, dict] = {}
        self.lookups = 0

    async def find_one(self, query: dict):
        self.lookups += 1
        await asyncio.sleep(0)
        doc = self.docs.get(query["_id"])
        return copy.deepcopy(doc) if doc is not None else None


class Store:
    def __init__(self) -> None:
        self.tokens, self.sessions, self.participants = Collection(), Collection(), Collection()
        self.tokens.docs[_hash(TOKEN)] = {"_id": _hash(TOKEN), "organisation": ORG}
        self.tokens.docs[_hash(OTHER_TOKEN)] = {"_id": _hash(OTHER_TOKEN), "organisation": OTHER_ORG}
        self.sessions.docs[_hash(TICKET)] = {"_id": _hash(TICKET), "current_participant": PART}
        self.participants.docs[PART] = {"_id": PART, "participant_type": "contributor",
                                        "company_prefix": ["400"]}


class Tables:
    """The worker tables: file 2 is there (org-1), the rest is nowhere."""

    async def file(self, file_id):
        if file_id == 2:
            return _record(2), "table"
        return None, "store"

    async def view(self, path, store):
        return None, "store"


def _record(file_id: int) -> dict:
    return file_model.new_record({"filename": f"f{file_id}.tsv", "filetype": "TSV",
                                  "filesize": 10, "mongo_db_id": "x"},
                                 file_id=file_id, uuid="abcd1234", organisation=ORG, ts=TS)


def _task(task_id: str, participant: str = PART) -> dict:
    return gtin_tasks.new_task(task_id, participant, "task", True, gtin_tasks.limits(10, 10), TS)


@pytest.fixture
async def gateway(tmp_path):
    app = create_app(load_settings(str(tmp_path), env={}, use_state=False))
    app.on_startup.clear()
    app.on_cleanup.clear()
    store, clock = Store(), Clock()
    app[keys.DB] = store
    app[keys.TOKENS] = CredentialCache(3.0, clock=clock)
    app[keys.TICKETS] = CredentialCache(3.0, clock=clock)
    views = Views(tables=Tables())
    views.reset(live=True)
    views.apply("sales.files.events", Message("SalesFileRegistered",
                                              {"file_id": 1, "record": _record(1)}))
    for task_id, participant in (("t1", PART), ("t2", "urn:someone-else")):
        views.apply("gtin.import.events", Message("GtinImportTaskChanged", {
            "task_id": task_id, "task": _task(task_id, participant)}))
    app[keys.VIEWS] = views
    async with TestClient(TestServer(app)) as client:
        client.store, client.clock = store, clock
        yield client


def _bearer(token: str = TOKEN) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _ticket(ticket: str = TICKET) -> dict:
    return {"authenticateit_identity_ticket": ticket}


def _answer_headers(resp) -> list[tuple[str, str]]:
    return [(k, v) for k, v in resp.headers.items() if k not in ("Date", "Server")]


async def _problem(resp, status: int, code: str) -> dict:
    assert resp.status == status
    assert resp.content_type == "application/problem+json"
    body = json.loads(await resp.read())
    assert (body["status"], body["code"]) == (status, code)
    assert body["instance"] == resp.url.path and isinstance(body["errors"], list)
    return body


async def test_a_file_status_answers_from_the_view_exactly(gateway):
    resp = await gateway.get(FILE.format(1), headers=_bearer())
    assert resp.status == 200
    body = json.dumps(file_model.public_view(_record(1))).encode()
    assert await resp.read() == body
    assert _answer_headers(resp) == [("X-Tributary-Source", "view"),
                                     ("Content-Type", "application/json; charset=utf-8"),
                                     ("Content-Length", str(len(body)))]
    resp = await gateway.get(FILE.format(2), headers=_bearer())  # a miss read from a table
    assert resp.status == 200 and resp.headers["X-Tributary-Source"] == "table"
    assert await resp.read() == json.dumps(file_model.public_view(_record(2))).encode()


async def test_a_task_status_answers_from_the_view_exactly(gateway):
    resp = await gateway.get(TASK.format("t1"), headers=_ticket())
    assert resp.status == 200
    body = json.dumps(task_status(_task("t1"))).encode()
    assert await resp.read() == body
    assert _answer_headers(resp) == [("X-Tributary-Source", "view"),
                                     ("Content-Type", "application/json; charset=utf-8"),
                                     ("Content-Length", str(len(body)))]


async def test_file_status_errors_keep_the_problem_shape(gateway):
    await _problem(await gateway.get(FILE.format(1)), 401, "unauthorized")
    await _problem(await gateway.get(FILE.format(1), headers={"Authorization": "Basic x"}),
                   401, "unauthorized")
    body = await _problem(await gateway.get(FILE.format(1), headers=_bearer("nope")), 401,
                          "unauthorized")
    assert body["detail"] == "unknown or revoked token"
    body = await _problem(await gateway.get(FILE.format(1), headers=_bearer(OTHER_TOKEN)), 404,
                          "not_found")
    assert body["detail"] == "no file 1"
    await _problem(await gateway.get(FILE.format(3), headers=_bearer()), 404, "not_found")
    body = await _problem(await gateway.get(FILE.format("x1"), headers=_bearer()), 404,
                          "not_found")
    assert body["detail"] == "no file x1"


async def test_task_status_errors_keep_the_problem_shape(gateway):
    await _problem(await gateway.get(TASK.format("t1")), 401, "unauthorized")
    body = await _problem(await gateway.get(TASK.format("t1"), headers=_ticket("nope")), 401,
                          "unauthorized")
    assert body["detail"] == "unknown or expired ticket"
    gateway.store.sessions.docs[_hash("lost")] = {"_id": _hash("lost"), "current_participant": None}
    await _problem(await gateway.get(TASK.format("t1"), headers=_ticket("lost")), 403, "forbidden")
    body = await _problem(await gateway.get(TASK.format("t2"), headers=_ticket()), 404,
                          "not_found")
    assert body["detail"] == "no task t2"
    await _problem(await gateway.get(TASK.format("t-1"), headers=_ticket()), 404, "not_found")


@pytest.mark.parametrize("route,credential,collection,secret", [
    (FILE.format(1), _bearer, "tokens", TOKEN),
    (TASK.format("t1"), _ticket, "sessions", TICKET),
])
async def test_a_revoked_credential_is_refused_when_its_entry_expires(gateway, route, credential,
                                                                      collection, secret):
    store = getattr(gateway.store, collection)
    assert (await gateway.get(route, headers=credential())).status == 200
    assert store.lookups == 1
    revoked = store.docs.pop(_hash(secret))
    gateway.clock.now += 1.9  # within the first two thirds of its 3 s: kept, no lookup
    assert (await gateway.get(route, headers=credential())).status == 200
    assert store.lookups == 1
    gateway.clock.now += 1.1  # 3.0 s after its lookup began: expired, looked up, refused
    await _problem(await gateway.get(route, headers=credential()), 401, "unauthorized")
    assert store.lookups == 2
    await _problem(await gateway.get(route, headers=credential()), 401, "unauthorized")
    assert store.lookups == 3  # a refused credential is never kept
    store.docs[_hash(secret)] = revoked  # issued again: works at once
    assert (await gateway.get(route, headers=credential())).status == 200
    assert store.lookups == 4


@pytest.mark.parametrize("route,credential,collection,secret", [
    (FILE.format(1), _bearer, "tokens", TOKEN),
    (TASK.format("t1"), _ticket, "sessions", TICKET),
])
async def test_a_refresh_ahead_that_finds_it_revoked_refuses_it_at_once(gateway, route,
                                                                         credential, collection,
                                                                         secret):
    store = getattr(gateway.store, collection)
    assert (await gateway.get(route, headers=credential())).status == 200
    store.docs.pop(_hash(secret))
    gateway.clock.now += 2.5  # last third: answered from the entry, refreshed in the background
    assert (await gateway.get(route, headers=credential())).status == 200
    for _ in range(10):
        await asyncio.sleep(0)
    assert store.lookups == 2
    await _problem(await gateway.get(route, headers=credential()), 401, "unauthorized")


async def test_a_credential_resolves_for_its_own_database_only(gateway):
    assert (await gateway.get(FILE.format(1), headers=_bearer())).status == 200
    other = Store()
    other.tokens.docs.clear()
    gateway.server.app[keys.DB] = other  # e.g. another deployment's store: nothing is reused
    await _problem(await gateway.get(FILE.format(1), headers=_bearer()), 401, "unauthorized")


async def test_the_gateway_keeps_digests_of_credentials_never_the_secrets(gateway):
    """A kept token or ticket is keyed by its SHA-256: a memory dump of the gateway shows no
    credential a client sent."""
    assert (await gateway.get(FILE.format(1), headers=_bearer())).status == 200
    assert (await gateway.get(TASK.format("t1"), headers=_ticket())).status == 200
    for cache, secret in ((keys.TOKENS, TOKEN), (keys.TICKETS, TICKET)):
        kept = list(gateway.app[cache]._entries)
        assert kept and all(secret not in map(str, key) for key in kept)
        assert any(digest(secret) in key for key in kept)
