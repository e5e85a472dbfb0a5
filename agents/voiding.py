"""Voiding a sales file: its rows leave everything that counts them — the sales Parquet that
reports read, its snapshot, its keys in the organisation summary — while the record stays with
status VOIDED and its history. The uploaded original is kept, so a reimport (which runs the
duplicate check again) brings the file back."""
from __future__ import annotations

import logging

from agents import statements, withdraw
from agents.deps import Deps
from agents.sales_status import set_status
from infra.repos import snapshots as snapshot_repo
from infra.retry import retry
from topics.envelope import now_iso

log = logging.getLogger("tributary.voiding")


async def void(deps: Deps, record: dict) -> None:
    before = record["status"]
    await withdraw.remove_rows(deps, record)
    record = await set_status(deps, record, "VOIDED", parquet_key=None,
                              voided={"at": now_iso(), "status_before": before})
    await retry(lambda: snapshot_repo.refresh_summary(deps.db, record["organisation"]),
                "refresh the summary")
    if record.get("parts"):
        await statements.check_parts(deps, record)
