"""Taking a counted file's rows back out of everything that counts them — the sales Parquet that
reports read, its snapshot, its keys in the organisation summary — for a void (agents.voiding)
or a multi-part report that fails its declared totals under strict_totals (agents.statements).
The uploaded original stays, so a reimport can bring the file back."""
from __future__ import annotations

from agents.deps import Deps
from agents.rollups import remove_rollups
from infra.repos.snapshots import pages_prefix as snapshot_pages_prefix
from infra.retry import retry


async def remove_rows(deps: Deps, record: dict) -> None:
    store = await deps.store()
    if record.get("parquet_key"):
        await retry(lambda: store.delete(record["parquet_key"]), "remove the sales Parquet")
    await remove_rollups(deps, store, record)
    await deps.db.snapshots.delete_one({"_id": record["id"]})
    await deps.db.snapshot_pages.delete_many({"file_id": record["id"]})
    await retry(lambda: store.delete_prefix(snapshot_pages_prefix(record)), "remove the snapshot pages")
    await deps.db.snapshot_keys.delete_one({"_id": record["id"]})
    await deps.db.file_summaries.delete_one({"_id": record["id"]})
