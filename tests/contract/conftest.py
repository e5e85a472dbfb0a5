"""Fixtures of the contract suite: participants with sessions on the session stack (a system
participant replays the GTIN examples: the specification's own GTIN 00000026013992 is a
restricted GTIN-8 under GS1 rules), the service's own upload links for the import examples'
files, and a client that sends an example's bytes exactly as the specification prints them."""
from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from tests.support.gs1 import company_prefix_for
from tests.support.http import Api, put_bytes
from tests.support.stack import cli

HEADER = "authenticateit_identity_ticket"
BASE = "/description-service"
_rng = random.Random()


@dataclass
class Who:
    urn: str
    api: Api
    ticket: str
    prefix: str | None = None

    async def send(self, method: str, path: str, body: bytes) -> tuple[int, Any]:
        """POST/PUT raw bytes as `application/json` (the example byte for byte)."""
        async with aiohttp.ClientSession() as session:
            async with session.request(method, self.api.base + path, data=body, headers={
                    HEADER: self.ticket, "Content-Type": "application/json"}) as resp:
                return resp.status, await resp.json(content_type=None)


def participant(stack, kind: str, *flags: str, prefix: str | None = None) -> Who:
    urn = f"urn:authenticateit:participant:{secrets.randbelow(10**15)}"
    args = ["participant", "create", "--id", urn, "--type", kind, *flags]
    if prefix:
        args += ["--prefix", prefix]
    cli(stack.data_dir, *args)
    session = cli(stack.data_dir, "session", "create", "--participant", urn, "--user",
                  "my@gmail.com")
    return Who(urn, Api(stack.url, headers={HEADER: session["ticket"]}), session["ticket"], prefix)


@pytest.fixture(scope="session")
def system(stack) -> Who:
    """The system participant the examples are replayed as (holds every GTIN)."""
    return participant(stack, "gs1", "--system")


@pytest.fixture(scope="session")
def contributor(stack) -> Who:
    """A participant with the product360 module (the add-source example has a link widget)."""
    return participant(stack, "contributor", "--product360")


@pytest.fixture(scope="session")
def basic(stack) -> Who:
    """A brand without product360, owning a GS1 Company Prefix of its own."""
    return participant(stack, "brand", prefix=company_prefix_for(_rng, "8", range(7, 8)))


async def own_link(who: Who, data: bytes, *, scheme: bool = True) -> str:
    """A link the service issued holding `data` (POST /uploads, PUT): the default stack reads
    it from its own store, and tests touch loopback only. `scheme=False` writes it as the
    specification writes some links, without `http://`."""
    status, up, _ = await who.api.post(f"{BASE}/uploads")
    assert status == 201, up
    assert await put_bytes(up["upload_url"], data) == 200
    return up["link"] if scheme else up["link"].split("://", 1)[1]
