"""`tributary reimport`: issue ReimportSalesFile for an organisation's files of one period and
follow them (in MongoDB, the durable truth) until each has finished again."""
from __future__ import annotations

import asyncio
import time
from typing import Any, Callable

from infra.kafka import producer
from models.files import REIMPORTABLE, TERMINAL
from topics.envelope import Message

COMMANDS = "sales.files.commands"


class ReimportError(ValueError):
    pass


async def select(db, organisation: str, period: str, status: str | None) -> list[dict[str, Any]]:
    from infra.repos import orgs
    from models.periods import parse_period_strict

    if parse_period_strict(period) is None:
        raise ReimportError("--period must be YYYY-MM")
    org = await orgs.find(db, organisation)
    if org is None:
        raise ReimportError(f"no organisation {organisation!r}")
    statuses = [status.upper()] if status else list(REIMPORTABLE)
    bad = [s for s in statuses if s not in REIMPORTABLE]
    if bad:
        raise ReimportError(f"files can be reimported from {', '.join(REIMPORTABLE)}, not {bad[0]}")
    query = {"organisation": org["_id"], "reporting_period": period, "status": {"$in": statuses}}
    return [doc async for doc in db.files.find(query).sort("_id", 1)]


def finished(doc: dict[str, Any] | None, attempt_before: int) -> bool:
    return bool(doc) and int(doc.get("attempt") or 0) > attempt_before and \
        doc.get("status") in TERMINAL


async def reimport(db, bootstrap: str, organisation: str, period: str, status: str | None,
                   wait: bool = True, timeout: float = 600.0,
                   out: Callable[[str], None] = print) -> dict[str, Any]:
    files = await select(db, organisation, period, status)
    before = {doc["_id"]: int(doc.get("attempt") or 0) for doc in files}
    out(f"reimporting {len(files)} file(s) of {organisation} for {period}: "
        f"{', '.join(str(i) for i in before) or '-'}")
    prod = producer(bootstrap)
    await prod.start()
    try:
        for file_id in before:
            message = Message("ReimportSalesFile", {"file_id": file_id, "reason": "cli reimport"})
            await prod.send_and_wait(COMMANDS, message.encode(), key=str(file_id).encode())
    finally:
        await prod.stop()
    result: dict[str, Any] = {"organisation": organisation, "period": period,
                              "issued": list(before), "finished": {}, "pending": []}
    if not wait or not before:
        result["pending"] = list(before)
        return result
    deadline = time.monotonic() + timeout
    last = ""
    done: dict[int, str] = {}
    while time.monotonic() < deadline:
        docs = {d["_id"]: d async for d in db.files.find({"_id": {"$in": list(before)}})}
        done = {fid: docs[fid]["status"] for fid in before if finished(docs.get(fid), before[fid])}
        line = f"{len(done)}/{len(before)} finished " + " ".join(
            f"{fid}:{(docs.get(fid) or {}).get('status')}" for fid in before)
        if line != last:
            out(line)
            last = line
        if len(done) == len(before):
            break
        await asyncio.sleep(0.5)
    result["finished"] = done
    result["pending"] = [fid for fid in before if fid not in done]
    return result
