"""Both sides validate: each invalid command of the table, published straight to its topic by
an outside producer, ends in a dead letter carrying the validation errors (wrong enum, wrong
type, bad format, missing field) or in a `…Rejected` event giving the reason (unknown entity,
unknown organisation) — never in silence. Producers refuse to send an invalid payload."""
from __future__ import annotations

import asyncio
import base64
import json
import random
import secrets

import pytest

from tests.e2e.contract.conftest import envelope, read_topic

M = secrets.token_hex(5)  # in every payload below, to find this run's dead letters
N = random.randint(10**12, 2 * 10**12)  # ids nobody allocated

DEAD = [  # (topic, type, payload, field named in the errors)
    ("reports.commands", "CreateReport",
     {"report_id": N, "organisation": "org-1", "type": "weekly", "period": "2025-06"}, "type"),
    ("reports.commands", "CreateReport",
     {"report_id": "three", "organisation": "org-1", "type": "monthly", "period": "2025-06"},
     "report_id"),
    ("reports.commands", "CreateReport",
     {"report_id": N, "organisation": "org-1", "type": "monthly", "period": "2025-13"}, "period"),
    ("sales.files.commands", "ProcessSalesFile", {"file_id": "three"}, "file_id"),
    ("sales.files.commands", "CreateSalesFile",
     {"organisation": "org-1", "filename": "a.pdf", "filetype": "PDF", "filesize": 3,
      "mongo_db_id": "x"}, "filetype"),
    ("sales.files.commands", "CreateSalesFile",
     {"organisation": "org-1", "filename": "a.csv", "filetype": "CSV", "filesize": -1,
      "mongo_db_id": "x"}, "filesize"),
    ("catalog.commands", "ProcessCatalogImport", {"import_id": "x"}, "import_id"),
    ("auto_upload.commands", "ResolveAutoUpload", {"job_id": "au-x", "organisation": "org-1"},
     "url"),
    ("gtin.import.commands", "StartGtinImport",
     {"task_id": "t-x", "participant": "urn:x", "spec": "not an object"}, "spec"),
]


async def _letters(stack, count: int) -> list[dict]:
    for _ in range(100):
        found = [json.loads(r.value)["payload"]
                 for r in await read_topic(stack, "tributary.deadletter")]
        found = [d for d in found if M.encode() in base64.b64decode(d["original_b64"])]
        if len(found) >= count:
            return found
        await asyncio.sleep(0.3)
    return found


async def _events(stack, name: str, predicate, timeout: float = 30) -> list[dict]:
    for _ in range(int(timeout / 0.3)):
        found = [json.loads(r.value) for r in await read_topic(stack, name)]
        found = [e for e in found if predicate(e)]
        if found:
            return found
        await asyncio.sleep(0.3)
    return []


async def test_invalid_payloads_are_dead_lettered_with_their_errors(stack, producer):
    for topic, kind, payload, _ in DEAD:
        await producer.send_and_wait(topic, envelope(kind, {**payload, "note": M}),
                                     key=str(payload.get("report_id", "k")).encode())
    letters = await _letters(stack, len(DEAD))
    assert len(letters) == len(DEAD), letters
    by_original = {}
    for letter in letters:
        by_original[json.loads(base64.b64decode(letter["original_b64"]))["type"],
                    json.dumps(json.loads(base64.b64decode(letter["original_b64"]))["payload"],
                               sort_keys=True)] = letter
    for topic, kind, payload, field in DEAD:
        letter = by_original[kind, json.dumps({**payload, "note": M}, sort_keys=True)]
        assert letter["topic"] == topic
        assert field in {e["field"] for e in letter["errors"]}, letter
        assert field in letter["reason"], letter


REJECTIONS = [
    ("sales.files.commands", "ProcessSalesFile", {"file_id": N}, "sales.files.events",
     "SalesFileCommandRejected", f"no sales file {N}"),
    ("sales.files.commands", "ReimportSalesFile", {"file_id": N + 1}, "sales.files.events",
     "SalesFileCommandRejected", f"no sales file {N + 1}"),
    ("sales.files.commands", "CreateSalesFile",
     {"organisation": f"org-{M}", "id": N + 2, "filename": "a.csv", "filetype": "CSV",
      "filesize": 3, "mongo_db_id": "x"}, "sales.files.events", "SalesFileRejected",
     f"unknown organisation 'org-{M}'"),
    ("reports.commands", "CreateReport",
     {"report_id": N + 3, "organisation": f"org-{M}", "type": "monthly", "period": "2025-06"},
     "reports.events", "ReportRejected", f"unknown organisation 'org-{M}'"),
    ("catalog.commands", "ProcessCatalogImport", {"import_id": N + 4}, "catalog.events",
     "CatalogImportRejected", f"no catalog import {N + 4}"),
    ("catalog.commands", "CreateCatalogImport",
     {"import_id": N + 5, "organisation": f"org-{M}", "filename": "c.csv"}, "catalog.events",
     "CatalogImportRejected", f"unknown organisation 'org-{M}'"),
    ("auto_upload.commands", "ResolveAutoUpload",
     {"job_id": f"au-{M}", "organisation": f"org-{M}", "url": "https://example.com/a.csv"},
     "auto_upload.events", "AutoUploadRejected", f"unknown organisation 'org-{M}'"),
]


# named by the command (the payloads hold random ids: every collecting process must see the same names)
@pytest.mark.parametrize("topic, kind, payload, events, answer, reason", REJECTIONS,
                         ids=[r[1] for r in REJECTIONS])
async def test_unknown_entities_and_organisations_are_rejected_with_the_reason(
        stack, producer, topic, kind, payload, events, answer, reason):
    key = next(str(v) for k, v in payload.items() if k.endswith("_id") or k == "id")
    await producer.send_and_wait(topic, envelope(kind, payload), key=key.encode())

    def matches(event: dict) -> bool:
        p = event["payload"]
        return event["type"] == answer and str(p.get("file_id", p.get("report_id", p.get(
            "import_id", p.get("job_id"))))) == key

    found = await _events(stack, events, matches)
    assert found, f"no {answer} for {kind} {payload}"
    text = json.dumps(found[0]["payload"])
    assert reason in text, found[0]


def test_producers_refuse_invalid_payloads():
    from topics.envelope import InvalidPayload, Message
    from topics.registry import check_outgoing

    with pytest.raises(InvalidPayload) as caught:
        check_outgoing("reports.commands", Message("CreateReport", {
            "report_id": 1, "organisation": "o", "type": "weekly", "period": "2025-06"}))
    assert caught.value.errors[0]["field"] == "type"
    with pytest.raises(InvalidPayload):
        check_outgoing("reports.commands", Message("ProcessSalesFile", {"file_id": 1}))
    check_outgoing("reports.commands", Message("CreateReport", {
        "report_id": 1, "organisation": "o", "type": "monthly", "period": "2025-06"}))
