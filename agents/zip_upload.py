"""A `.zip` uploaded by hand (presigned URL): expanded under the same safety limits as the zips
behind automatic-upload links (`models/archives.py`), each supported member registered and
imported as a sales file of its own, and the unsupported ones listed with their reasons.

Members are recorded like the members of a linked zip (`agents/auto_upload_jobs.create_file`:
deduplicated per archive and member, so reprocessing the zip creates nothing twice, and resumed
by the automatic-upload sweeper if a worker dies midway). The zip's own record ends FINALIZED
with `archive` = {"files": [...], "skipped": [{"path", "reason"}]} and no rows of its own."""
from __future__ import annotations

import asyncio
import os

from agents.auto_upload_jobs import Settings, create_file, process_after_store
from agents.deps import Deps
from agents.sales_status import fail, set_status
from models.archives import ArchiveError, expand


def is_zip_upload(record: dict) -> bool:
    return (record.get("filetype") or "").upper() == "ZIP" or \
        str(record.get("filename") or "").lower().endswith(".zip")


async def expand_upload(deps: Deps, record: dict, src: str, tmp: str) -> None:
    settings = Settings.of(deps.settings)
    members = os.path.join(tmp, "members")
    os.makedirs(members, exist_ok=True)
    try:
        found = await asyncio.to_thread(expand, src, members, settings.archive_limits,
                                        settings.select_members)
    except ArchiveError as exc:
        await fail(deps, record, exc.cause, f"{record['filename']}: {exc.message}")
        return
    files = []
    for member in found.members:
        source = {"kind": "zip_upload", "archive_file_id": record["id"], "member": member.path}
        entry, new = await create_file(
            deps, str(record.get("mongo_db_id") or record["id"]), record["organisation"],
            f"upload|{record['id']}|{member.path}", member.filename, member.filetype, member.size,
            source, path=f"{record['filename']}/{member.path}")
        if new:
            await process_after_store(deps, entry, record["organisation"], member.local_path)
        files.append(entry)
    skipped = [{"path": f"{record['filename']}/{s['path']}", "reason": s["reason"]} for s in found.skipped]
    if not files:
        why = "; ".join(f"{s['path']}: {s['reason']}" for s in skipped) or "the archive holds no files"
        await fail(deps, record, "UNSUPPORTED_TYPE", f"{record['filename']}: no sales file inside ({why})",
                   archive={"files": [], "skipped": skipped})
        return
    await set_status(deps, record, "FINALIZED", layout="zip", total_rows=0, bad_rows=0,
                     archive={"files": files, "skipped": skipped})
