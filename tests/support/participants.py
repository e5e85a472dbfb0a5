"""Description-service participants for tests, made with the CLI on a stack: the participant, a
session for one user, and a client sending the session's ticket; and fresh GTINs under their
GS1 Company Prefixes."""
from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from typing import Any

import aiohttp
from stdnum import ean

from tests.support.gs1 import company_prefix_for
from tests.support.http import Api
from tests.support.stack import cli

HEADER = "authenticateit_identity_ticket"
BASE = "/description-service"
_rng = random.Random()
_issued: set[str] = set()


@dataclass
class Who:
    """A participant with a session: its first prefix ('' if none), the ticket, a client sending
    the ticket, and the participant document the CLI stored."""

    urn: str
    prefix: str
    api: Api
    ticket: str
    doc: dict

    async def send(self, method: str, path: str, body: bytes) -> tuple[int, Any]:
        """POST/PUT raw bytes as `application/json` (e.g. a specification's example byte for byte)."""
        async with aiohttp.ClientSession() as session:
            async with session.request(method, self.api.base + path, data=body, headers={
                    HEADER: self.ticket, "Content-Type": "application/json"}) as resp:
                return resp.status, await resp.json(content_type=None)


def participant(stack, kind: str, *flags: str, prefixes: tuple[str, ...] = (), urn: str | None = None,
                user: str = "importer") -> Who:
    """Create a participant of `kind` (with CLI `flags` and `prefixes`) and a session for `user`."""
    urn = urn or f"urn:test:participant:{kind}:{secrets.token_hex(4)}"
    args = ["participant", "create", "--id", urn, "--type", kind, *flags]
    for p in prefixes:
        args += ["--prefix", p]
    doc = cli(stack.data_dir, *args)
    ticket = session_ticket(stack, "--participant", urn, "--user", user)
    return Who(urn, prefixes[0] if prefixes else "", Api(stack.url, headers={HEADER: ticket}), ticket, doc)


def session_ticket(stack, *session_args: str) -> str:
    """The ticket of a session made with `session create *session_args`."""
    return cli(stack.data_dir, "session", "create", *session_args)["ticket"]


def prefix_for(lead: str, lengths: range = range(7, 10)) -> str:
    """A random GS1 Company Prefix under `lead` (see tests.support.gs1)."""
    return company_prefix_for(_rng, lead, lengths)


def gtin_for(prefix: str, length: int = 13, number: int | None = None) -> str:
    """A valid GTIN of `length` digits under `prefix`: item reference `number`, or a random one
    never handed out before in this session (a 9-digit prefix leaves only 1,000 references)."""
    width = length - 1 - len(prefix)
    assert number is None or len(str(number)) <= width, "prefix too long for this many items"
    if number is not None:
        body = prefix + str(number).zfill(width)
        return body + ean.calc_check_digit(body)
    while True:
        body = prefix + "".join(str(_rng.randint(0, 9)) for _ in range(width))
        gtin = body + ean.calc_check_digit(body)
        if gtin not in _issued:
            _issued.add(gtin)
            return gtin
