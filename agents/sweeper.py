"""The sweeper: storage and records stay bounded. On the leader worker, every
TRIBUTARY_SWEEP_EVERY seconds it

- fails sales files left INITIALIZED or UPLOADING, and catalog imports left UPLOADING, past
  TRIBUTARY_UPLOAD_TTL (FAILED, status_cause EXPIRED, through the normal status event, so tables
  and views fold it) and deletes whatever object they left;
- deletes the objects of rejected files: at once for EXPIRED ones, after
  TRIBUTARY_REJECTED_TTL for other FAILED ones (until then they can still be processed with
  an override or reimported); the record stays, marked `object_swept_at`;
- removes partial uploads begun before TRIBUTARY_PARTIAL_UPLOAD_TTL (LocalStore's `.tmp/`,
  S3's incomplete multipart uploads).

Counts go to `tributary_swept_total{kind}` and the log. `sweep(deps, now)` takes the clock as
an argument, so a test can run one pass at any time.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import faust

from agents.deps import Deps
from agents.housekeeping import survive_outages
from agents.sales_status import fail
from infra.config import Sweeper
from infra.metrics import SWEPT
from infra.repos import files as file_repo
from models.files import object_key
from topics.envelope import now_iso

log = logging.getLogger("tributary.sweeper")
WAITING = ("INITIALIZED", "UPLOADING")


def _before(now: datetime, seconds: float) -> str:
    return (now - timedelta(seconds=seconds)).isoformat(timespec="milliseconds")


async def sweep(deps: Deps, now: datetime, policy: Sweeper) -> dict[str, int]:
    """One pass; returns what it swept by kind."""
    counts = {"expired": 0, "objects": 0, "partials": 0}
    store = await deps.store()
    for stale in await file_repo.in_flight(deps.db, WAITING, _before(now, policy.upload_ttl)):
        record = await file_repo.get(deps.db, stale["id"])
        if record is None or record["status"] not in WAITING or \
                record["updated_at"] >= _before(now, policy.upload_ttl):
            continue  # moved on meanwhile
        hours = policy.upload_ttl / 3600
        await fail(deps, record, "EXPIRED", f"not uploaded and processed within {hours:g} h of "
                   f"its last change (TRIBUTARY_UPLOAD_TTL={policy.upload_ttl:g} s); register "
                   "the file again to send it")
        counts["expired"] += 1
    counts["expired"] += await _expire_catalog_imports(deps, store, now, policy)
    rejected = {"status": "FAILED", "object_swept_at": None, "$or": [
        {"status_cause": "EXPIRED"}, {"updated_at": {"$lt": _before(now, policy.rejected_ttl)}}]}
    async for doc in deps.db.files.find(rejected):
        await store.delete(object_key(doc))
        await deps.db.files.update_one({"_id": doc["_id"], "status": "FAILED"},
                                       {"$set": {"object_swept_at": now_iso()}})
        counts["objects"] += 1
    counts["partials"] = await store.sweep_partials(now - timedelta(seconds=policy.partial_ttl))
    for kind, count in counts.items():
        SWEPT.labels(kind=kind).inc(count)
    if any(counts.values()):
        log.info("swept: %d expired records, %d rejected objects, %d partial uploads",
                 counts["expired"], counts["objects"], counts["partials"])
    return counts


async def _expire_catalog_imports(deps: Deps, store, now: datetime, policy: Sweeper) -> int:
    """Catalog imports left UPLOADING past the TTL: FAILED EXPIRED, their upload deleted."""
    from agents import catalog
    from infra.repos import catalog as catalog_repo

    cutoff, expired = _before(now, policy.upload_ttl), 0
    stale = [doc["_id"] async for doc in deps.db.catalog_imports.find(
        {"status": "UPLOADING", "updated_at": {"$lt": cutoff}}, {"_id": 1})]
    for import_id in stale:
        doc = await catalog_repo.get_import(deps.db, import_id)
        if doc is None or doc["status"] != "UPLOADING" or doc["updated_at"] >= cutoff:
            continue  # moved on meanwhile
        await catalog.set_status(deps, doc, "FAILED", cause="EXPIRED", error=(
            f"not uploaded and processed within {policy.upload_ttl / 3600:g} h of its last "
            f"change (TRIBUTARY_UPLOAD_TTL={policy.upload_ttl:g} s); start a new import"))
        if doc.get("object_key"):
            await store.delete(doc["object_key"])
        expired += 1
    return expired


def register(app: faust.App, deps: Deps) -> None:
    policy = deps.settings.sweeper

    @app.timer(policy.every, on_leader=True)
    @survive_outages
    async def sweeper():
        await sweep(deps, datetime.now(timezone.utc), policy)
