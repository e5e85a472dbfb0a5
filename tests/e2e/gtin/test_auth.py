"""Tickets and participants: 401 without a known ticket, 403 without a (real) participant."""
from __future__ import annotations

import pytest

from tests.support.http import Api
from tests.support.participants import BASE, HEADER

ROUTES = [
    ("POST", f"{BASE}/gtins", {"id": "09506000134352"}),
    ("PUT", f"{BASE}/gtins/09506000134352", {"name": "x"}),
    ("PUT", "/gtins/09506000134352", {"name": "x"}),
    ("DELETE", f"{BASE}/gtins/09506000134352", None),
    ("POST", f"{BASE}/gtins/09506000134352/attachments/add", {"attachments": []}),
    ("POST", f"{BASE}/gtins/09506000134352/attachments/remove", {"attachments": []}),
    ("POST", f"{BASE}/description", {"id": "09506000134352", "sources": []}),
    ("POST", f"{BASE}/description/delete", {"id": "09506000134352", "conditions": {}}),
    ("GET", f"{BASE}/description?id=09506000134352", None),
]


@pytest.mark.parametrize("method, path, body", ROUTES)
async def test_every_route_needs_a_known_ticket(stack, method, path, body):
    status, err, _ = await Api(stack.url).call(method, path, json=body)
    assert status == 401 and err["code"] == "unauthorized" and HEADER in err["detail"]
    status, err, _ = await Api(stack.url, headers={HEADER: "not-a-ticket"}).call(method, path, json=body)
    assert status == 401 and err["code"] == "unauthorized" and "ticket" in err["detail"]


@pytest.mark.parametrize("method, path, body", ROUTES)
async def test_every_route_needs_an_existing_participant(no_participant, ghost, method, path, body):
    status, err, _ = await no_participant.call(method, path, json=body)
    assert status == 403 and err["code"] == "forbidden" and "no current participant" in err["detail"]
    status, err, _ = await ghost.call(method, path, json=body)
    assert status == 403 and "does-not-exist" in err["detail"]
