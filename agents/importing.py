"""Import agent: canonical rows → Parquet sales store, per-file snapshot, org summary.

Keys are deterministic (organisation, period, file id), so a redelivered or reimported file
replaces its Parquet and snapshot instead of adding to them.
"""
from __future__ import annotations

import asyncio
import logging
import os
import tempfile

import faust

from agents.deps import Deps, dispatch
from agents.sales_status import fail, set_status
from infra.repos import files as file_repo
from infra.repos import snapshots as snapshot_repo
from topics.envelope import Message, now_iso
from topics.registry import topic

log = logging.getLogger("tributary.importing")


def sales_key(record: dict) -> str:
    period = record.get("reporting_period") or "unknown"
    return f"sales/org={record['organisation']}/period={period}/file={record['id']}.parquet"


def _summarise(path: str) -> tuple[dict, dict]:
    import pyarrow.parquet as pq

    from models.sales.snapshot import build_snapshot

    parquet = pq.ParquetFile(path)
    snapshot = build_snapshot(parquet.iter_batches(batch_size=100_000))
    # distinct keys for the organisation summary (tracks by ISRC, releases by UPC)
    keys = {"artists": sorted({e["name"] for e in snapshot["byArtist"] if e["name"]}),
            "tracks": sorted({e["isrc"] for e in snapshot["byTrack"] if e.get("isrc")}),
            "releases": sorted({e["upc"] for e in snapshot["byRelease"] if e.get("upc")})}
    return snapshot, keys


async def import_file(deps: Deps, msg: Message) -> None:
    record = await file_repo.get(deps.db, int(msg.payload["file_id"]))
    attempt = int(msg.payload["attempt"])
    if not record or record.get("attempt") != attempt or \
            record["status"] not in ("CLEANED", "PROCESSING", "PROCESSED"):
        log.info("import skipped for %s (stale or done)", msg.payload)
        return
    if record["status"] != "PROCESSED":
        record = await set_status(deps, record, "PROCESSING")
        store = await deps.store()
        try:
            with tempfile.TemporaryDirectory(dir=deps.work_dir()) as tmp:
                path = os.path.join(tmp, "clean.parquet")
                await store.download(record["staging_key"], path)
                snapshot, keys = await asyncio.to_thread(_summarise, path)
                key = sales_key(record)
                old = record.get("parquet_key")
                await store.put_file(key, path)
                if old and old != key:
                    await store.delete(old)
            await store.delete(record["staging_key"])
        except Exception as exc:  # noqa: BLE001 - never leave a file stuck in PROCESSING
            log.exception("import failed for %s", record["id"])
            await fail(deps, record, "IMPORT_FAILED", f"import failed: {exc}")
            return
        totals = snapshot["totals"]
        await snapshot_repo.save(deps.db, record, snapshot, keys, attempt)
        record = await set_status(
            deps, record, "PROCESSED", parquet_key=key, total_rows=totals["rows"],
            total_artists=totals["artists"], total_local=totals["revenue"],
            total_converted=totals["revenue_converted"], processed_at=now_iso())
    await snapshot_repo.refresh_summary(deps.db, record["organisation"])
    await set_status(deps, record, "FINALIZED")


def register(app: faust.App, deps: Deps) -> None:
    spec = topic("sales.import.commands")
    handlers = {"ImportSalesFile": lambda msg: import_file(deps, msg)}

    @app.agent(deps.topic(spec.name), name="importing")
    async def importing(stream):
        async for event in stream.events():
            await dispatch(deps, spec, event, handlers)
