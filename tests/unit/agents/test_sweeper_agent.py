"""agents/sweeper.py: expired waiting files fail EXPIRED, rejected objects and partial uploads
go, on the harness's store and database."""
from __future__ import annotations

import os
import time
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from agents.sweeper import sweep
from infra.repos import files as file_repo
from models.files import object_key
from tests.unit.agents.sales_files import SALES, registered

GENERIC = SALES / "generic.tsv"
# the sweeper's settings (the TTLs it reads), shorter than the defaults
POLICY = SimpleNamespace(every=300.0, upload_ttl=3600.0, partial_ttl=3600.0,
                         rejected_ttl=7 * 86400.0)


async def test_a_file_never_processed_expires_and_its_object_goes(h):
    org = await h.org()
    record = await registered(h, org, 1201, GENERIC)
    await h.put(object_key(record), GENERIC)
    await registered(h, org, 1202, GENERIC)  # changed recently: stays
    later = datetime.now(timezone.utc) + timedelta(hours=2)
    await h.db.files.update_one({"_id": 1202}, {"$set": {"updated_at": later.isoformat()}})
    h.clear()
    counts = await sweep(h.deps, later, POLICY)
    assert counts == {"expired": 1, "objects": 1, "partials": 0}
    expired = h.last("SalesFileStatusChanged")
    assert (expired["file_id"], expired["status"], expired["status_cause"]) == (
        1201, "FAILED", "EXPIRED")
    assert "TRIBUTARY_UPLOAD_TTL=3600 s" in expired["error_message"]
    assert await (await h.store()).head(object_key(record)) is None
    assert (await file_repo.get(h.db, 1201))["object_swept_at"]
    assert (await file_repo.get(h.db, 1202))["status"] == "INITIALIZED"
    assert await sweep(h.deps, later, POLICY) == {"expired": 0, "objects": 0, "partials": 0}


async def test_a_rejected_file_keeps_its_object_until_the_rejected_ttl(h):
    org = await h.org()
    record = await registered(h, org, 1203, GENERIC)
    await h.put(object_key(record), GENERIC)
    await h.db.files.update_one({"_id": 1203}, {"$set": {
        "status": "FAILED", "status_cause": "DUPLICATE", "updated_at": datetime.now(
            timezone.utc).isoformat()}})
    now = datetime.now(timezone.utc)
    assert (await sweep(h.deps, now, POLICY))["objects"] == 0
    assert (await sweep(h.deps, now + timedelta(days=8), POLICY))["objects"] == 1
    assert await (await h.store()).head(object_key(record)) is None
    assert (await file_repo.get(h.db, 1203))["status_cause"] == "DUPLICATE"  # the record stays


async def test_partial_uploads_older_than_their_ttl_go(h):
    store = await h.store()
    partial = store.root / ".tmp" / "upload-abc"
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_bytes(b"half")
    old = time.time() - 2 * 3600
    os.utime(partial, (old, old))
    counts = await sweep(h.deps, datetime.now(timezone.utc), POLICY)
    assert counts["partials"] == 1 and not partial.exists()
