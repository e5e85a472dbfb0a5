"""GTIN participants, uploads and import commands for the agent tests."""
from __future__ import annotations

import secrets

from stdnum import ean

from infra.fetch import upload_prefix
from infra.repos import parties

COMMANDS = "gtin.import.commands"
URN = "urn:test:harness:brand"
PREFIX = "4012345"  # GS1 Germany


def gtin(number: int) -> str:
    body = PREFIX + str(number).zfill(12 - len(PREFIX))
    return body + ean.calc_check_digit(body)


def wrong(code: str) -> str:
    return code[:-1] + str((int(code[-1]) + 1) % 10)


async def brand(h) -> str:
    await parties.create_participant(h.db, URN, [PREFIX], "brand")
    return URN


async def upload(h, data: str | bytes, participant: str = URN) -> str:
    """An own upload link (POST /description-service/uploads) holding `data`."""
    upload_id = secrets.token_hex(12)
    await h.put(f"{upload_prefix(participant)}/{upload_id}",
                data.encode() if isinstance(data, str) else data)
    return f"{h.deps.settings.public_url}/description-service/uploads/{upload_id}"


def start(task_id: str, link: str, participant: str = URN, **spec) -> dict:
    return {"task_id": task_id, "participant": participant, "kind": "task",
            "spec": {"link": link, "gtin_field": "gtin", "name": ["name"],
                     "fields": [{"field": "notes", "title": "Notes"}],
                     "conditions": {"language": ["en"]}, **spec}}
