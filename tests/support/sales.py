"""Drive a sales file through the real path: register → presigned PUT → process → wait."""
from __future__ import annotations

import io
import zipfile

from tests.support.http import Api, put_bytes

TERMINAL = ("FINALIZED", "FAILED")


def zip_bytes(members: dict[str, bytes]) -> bytes:
    """A deflated ZIP archive holding `members` (name → bytes), as an upload's content."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


async def register(api: Api, filename: str, data: bytes, filetype: str | None = None,
                   **extra) -> dict:
    filetype = filetype or filename.rsplit(".", 1)[-1].upper()
    status, body, _ = await api.post("/api/files/salesfiles/", json={
        "filename": filename, "filetype": filetype, "filesize": len(data),
        "mongo_db_id": "test", **extra})
    assert status == 201, body
    return body


async def upload(api: Api, file_id: int, data: bytes) -> None:
    status, body, _ = await api.post(f"/api/files/salesfiles/{file_id}/process/",
                                     json={"action": "upload"})
    assert status == 200, body
    assert await put_bytes(body["presigned_url"], data) in (200, 201, 204)


async def process(api: Api, file_id: int, **extra) -> dict:
    status, body, _ = await api.post(f"/api/files/salesfiles/{file_id}/process/",
                                     json={"action": "process", **extra})
    assert status == 202, body
    return body


async def wait_terminal(api: Api, file_id: int, timeout: float = 90.0) -> dict:
    return await api.wait_for(f"/api/files/salesfiles/{file_id}/",
                              lambda b: b["status"] in TERMINAL, timeout=timeout)


async def ingest(api: Api, filename: str, data: bytes, filetype: str | None = None,
                 **extra) -> dict:
    """Register, upload and process a file; returns its terminal record."""
    record = await register(api, filename, data, filetype, **extra)
    await upload(api, record["id"], data)
    await process(api, record["id"])
    return await wait_terminal(api, record["id"])
