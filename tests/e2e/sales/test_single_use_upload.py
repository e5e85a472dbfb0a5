"""The presigned upload URL takes one PUT, only while the file is UPLOADING (409 JSON after),
and a reimport refuses an original whose bytes changed since they were processed."""
from __future__ import annotations

import aiohttp

from tests.support.sales import process, register, wait_terminal

DATA = ("sale_period\tdsp\tterritory\tisrc\tartist\ttrack_title\tquantity\tcurrency\trevenue\n"
        "2025-02\tTidal\tNL\tNLABC2500001\tEenmalig\tEen\t10\tEUR\t0.75\n").encode()


async def _put(url: str, data: bytes) -> tuple[int, dict | bytes]:
    async with aiohttp.ClientSession() as session:
        async with session.put(url, data=data) as resp:
            try:
                return resp.status, await resp.json(content_type=None)
            except ValueError:
                return resp.status, await resp.read()


async def test_upload_url_accepts_one_put_and_none_after_uploading(api):
    record = await register(api, "once.tsv", DATA)
    status, body, _ = await api.post(f"/api/files/salesfiles/{record['id']}/process/",
                                     json={"action": "upload"})
    assert status == 200, body
    url = body["presigned_url"]
    assert (await _put(url, DATA))[0] == 200
    status, refused = await _put(url, DATA)
    assert status == 409 and refused["code"] == "conflict", refused
    assert "already used" in refused["detail"]
    await process(api, record["id"])
    final = await wait_terminal(api, record["id"])
    assert final["status"] == "FINALIZED", final
    status, refused = await _put(url, b"x" * len(DATA))
    assert status == 409 and refused["current_status"] == "FINALIZED", refused
    # the stored original is still the imported one: reimport goes through
    status, body, _ = await api.post(f"/api/files/salesfiles/{record['id']}/process/",
                                     json={"action": "reimport"})
    assert status == 202, body


async def test_reimport_refuses_a_replaced_original(api, stack):
    data = DATA.replace(b"Eenmalig", b"Vervangen")
    record = await register(api, "replaced.tsv", data)
    status, body, _ = await api.post(f"/api/files/salesfiles/{record['id']}/process/",
                                     json={"action": "upload"})
    assert (await _put(body["presigned_url"], data))[0] == 200
    await process(api, record["id"])
    final = await wait_terminal(api, record["id"])
    assert final["status"] == "FINALIZED", final
    _, summary, _ = await api.get("/api/sales/summary/")
    # the object is replaced behind the API's back (an S3 bucket cannot refuse a second PUT)
    path = stack.data_dir / "objects" / final["object_key"]
    replacement = path.with_name("replacement")
    replacement.write_bytes(data.replace(b"0.75", b"9.75"))
    replacement.replace(path)
    status, body, _ = await api.post(f"/api/files/salesfiles/{record['id']}/process/",
                                     json={"action": "reimport"})
    assert status == 409 and body["cause"] == "OBJECT_CHANGED", body
    assert "changed since it was processed" in body["detail"]
    _, view, _ = await api.get(f"/api/files/salesfiles/{record['id']}/")
    assert view["status"] == "FINALIZED" and view["attempt"] == final["attempt"]
    _, again, _ = await api.get("/api/sales/summary/")
    assert again["total_gross"] == summary["total_gross"]
