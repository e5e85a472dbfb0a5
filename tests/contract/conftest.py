"""Fixtures of the contract suite: participants with sessions on the session stack (a system
participant replays the GTIN examples: the specification's own GTIN 00000026013992 is a
restricted GTIN-8 under GS1 rules), the service's own upload links for the import examples'
files, and a client that sends an example's bytes exactly as the specification prints them."""
from __future__ import annotations

import secrets

import pytest

from tests.support.http import put_bytes
from tests.support.participants import BASE, Who, participant, prefix_for


def spec_participant(stack, kind: str, *flags: str, prefix: str | None = None) -> Who:
    """A participant and session named as in the specification's examples."""
    return participant(stack, kind, *flags, prefixes=(prefix,) if prefix else (),
                       urn=f"urn:authenticateit:participant:{secrets.randbelow(10**15)}", user="my@gmail.com")


@pytest.fixture(scope="session")
def system(stack) -> Who:
    """The system participant the examples are replayed as (holds every GTIN)."""
    return spec_participant(stack, "gs1", "--system")


@pytest.fixture(scope="session")
def contributor(stack) -> Who:
    """A participant with the product360 module (the add-source example has a link widget)."""
    return spec_participant(stack, "contributor", "--product360")


@pytest.fixture(scope="session")
def basic(stack) -> Who:
    """A brand without product360, owning a GS1 Company Prefix of its own."""
    return spec_participant(stack, "brand", prefix=prefix_for("8", range(7, 8)))


async def own_link(who: Who, data: bytes, *, scheme: bool = True) -> str:
    """A link the service issued holding `data` (POST /uploads, PUT): the default stack reads
    it from its own store, and tests touch loopback only. `scheme=False` writes it as the
    specification writes some links, without `http://`."""
    status, up, _ = await who.api.post(f"{BASE}/uploads")
    assert status == 201, up
    assert await put_bytes(up["upload_url"], data) == 200
    return up["link"] if scheme else up["link"].split("://", 1)[1]
