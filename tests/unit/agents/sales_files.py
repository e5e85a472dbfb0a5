"""Sales files for the agent tests: registered and uploaded through the real handlers."""
from __future__ import annotations

from pathlib import Path

from models.files import object_key
from tests.support.harness import Harness

FILES = "sales.files.commands"
SALES = Path(__file__).resolve().parents[2] / "fixtures" / "sales"


def create_payload(org: str, file_id: int, path: Path, **extra) -> dict:
    return {"id": file_id, "organisation": org, "filename": path.name,
            "filetype": path.suffix.lstrip(".").upper(), "filesize": path.stat().st_size,
            "mongo_db_id": "harness", **extra}


async def registered(h: Harness, org: str, file_id: int, path: Path, **extra) -> dict:
    """The record a CreateSalesFile stored."""
    await h.send(FILES, file_id, "CreateSalesFile", create_payload(org, file_id, path, **extra))
    return h.last("SalesFileRegistered")["record"]


async def uploaded(h: Harness, org: str, file_id: int, path: Path, **extra) -> dict:
    """Registered, its bytes at the object key, then ProcessSalesFile: UPLOADED (the
    CleanSalesFile it asked for is captured, not run)."""
    record = await registered(h, org, file_id, path, **extra)
    await h.put(object_key(record), path)
    await h.send(FILES, file_id, "ProcessSalesFile", {"file_id": file_id})
    return record
