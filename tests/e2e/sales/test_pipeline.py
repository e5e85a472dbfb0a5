"""The sales pipeline end to end: upload → CLEANING → … → FINALIZED, snapshot, summary."""
from __future__ import annotations

from decimal import Decimal

from tests.support.http import put_bytes
from tests.support.sales import ingest, process, register, upload, wait_terminal

GENERIC = (
    "statement_period\tsale_period\tdsp\tterritory\tisrc\tupc\tartist\ttrack_title\t"
    "release_title\tusage_type\tquantity\tcurrency\trevenue\n"
    "2025-06\t2025-05\tSpotify\tUS\tUSRC17607839\t0602537174937\tAurora Vale\tNorth Light\t"
    "Lanterns\tstream\t1200\tEUR\t3.6000001\n"
    "2025-06\t2025-05\tSpotify\tGB\tUSRC17607839\t0602537174937\tAurora Vale\tNorth Light\t"
    "Lanterns\tstream\t300\tEUR\t0.9000002\n"
    "2025-06\t2025-05\tDeezer\tFR\tGBAYE0601498\t0602537174937\tAurora Vale\tSouth Wind\t"
    "Lanterns\tstream\t50\tEUR\t0.0000003\n"
    "2025-06\t2025-05\tApple Music\tDE\tFRZ039800212\t5099902894225\tJosé Ñúñez\tCanción\t"
    "Río\tdownload\t2\tEUR\t1.98\n"
).encode()


async def test_generic_file_reaches_finalized_with_exact_snapshot(api):
    record = await register(api, "june.tsv", GENERIC, exchange_rate="0.5")
    status, body, _ = await api.get(f"/api/files/salesfiles/{record['id']}/")
    await upload(api, record["id"], GENERIC)
    _, view, _ = await api.get(f"/api/files/salesfiles/{record['id']}/")
    assert view["status"] == "UPLOADING"
    accepted = await process(api, record["id"])
    assert accepted["status"] in ("UPLOADED", "CLEANING", "CLEANED", "PROCESSING")
    final = await wait_terminal(api, record["id"])
    assert final["status"] == "FINALIZED", final
    seen = [h["status"] for h in final["history"]]
    assert seen == ["INITIALIZED", "UPLOADING", "UPLOADED", "CLEANING", "CLEANED", "PROCESSING",
                    "PROCESSED", "FINALIZED"]
    assert final["total_rows"] == 4 and final["total_artists"] == 2
    assert Decimal(final["total_local"]) == Decimal("6.4800006")
    assert final["reporting_period"] == "2025-06"
    status, snap, _ = await api.get(f"/api/files/salesfiles/{record['id']}/snapshot/")
    assert status == 200
    for name in ("byArtist", "byDSP", "byTerritory", "byTrack", "byRelease"):
        assert snap[name], name
    by_artist = {e["artist"] if "artist" in e else e["name"]: e for e in snap["byArtist"]}
    aurora = by_artist["Aurora Vale"]
    assert Decimal(aurora["revenue"]) == Decimal("4.5000006")
    assert Decimal(aurora["revenue_converted"]) == Decimal("2.2500003")
    revenues = [Decimal(e["revenue"]) for e in snap["byDSP"]]
    assert revenues == sorted(revenues, reverse=True)


async def test_process_before_upload_is_409_and_status_unchanged(api):
    record = await register(api, "early.tsv", GENERIC)
    status, body, _ = await api.post(f"/api/files/salesfiles/{record['id']}/process/",
                                     json={"action": "process"})
    assert status == 409 and body["code"] == "conflict"
    _, view, _ = await api.get(f"/api/files/salesfiles/{record['id']}/")
    assert view["status"] == "INITIALIZED"


async def test_size_mismatch_is_409(api):
    record = await register(api, "short.tsv", GENERIC)
    status, body, _ = await api.post(f"/api/files/salesfiles/{record['id']}/process/",
                                     json={"action": "upload"})
    await put_bytes(body["presigned_url"], GENERIC[:-10])
    status, body, _ = await api.post(f"/api/files/salesfiles/{record['id']}/process/",
                                     json={"action": "process"})
    assert status == 409 and "bytes" in body["detail"]


async def test_unknown_action_lists_valid_ones(api):
    record = await register(api, "x.tsv", GENERIC)
    status, body, _ = await api.post(f"/api/files/salesfiles/{record['id']}/process/",
                                     json={"action": "explode"})
    assert status == 400 and body["code"] == "validation_error"
    assert body["errors"][0]["field"] == "action"
    assert all(name in body["errors"][0]["problem"] for name in ("upload", "process", "reimport"))


async def test_reimport_twice_does_not_double_the_summary(api):
    final = await ingest(api, "reimport.tsv", GENERIC.replace(b"Aurora", b"Borealis"))
    assert final["status"] == "FINALIZED", final
    _, before, _ = await api.get("/api/sales/summary/")
    for _ in range(2):
        status, body, _ = await api.post(f"/api/files/salesfiles/{final['id']}/process/",
                                         json={"action": "reimport"})
        assert status == 202 and body["status"] == "REIMPORT"
        again = await wait_terminal(api, final["id"])
        assert again["status"] == "FINALIZED"
    _, after, _ = await api.get("/api/sales/summary/")
    assert after["files"] == before["files"]
    assert after["total_gross"] == before["total_gross"]
    assert after["artists"] == before["artists"]


async def test_reimport_from_initialized_is_409(api):
    record = await register(api, "new.tsv", GENERIC)
    status, body, _ = await api.post(f"/api/files/salesfiles/{record['id']}/process/",
                                     json={"action": "reimport"})
    assert status == 409


async def test_duplicate_content_is_refused_with_a_pointer(api):
    data = GENERIC.replace(b"Aurora", b"Duplicata")
    first = await ingest(api, "dup-a.tsv", data)
    assert first["status"] == "FINALIZED"
    second = await ingest(api, "dup-b.tsv", data)
    assert second["status"] == "FAILED" and second["status_cause"] == "DUPLICATE"
    assert str(first["id"]) in second["error_message"]
    third = await register(api, "dup-c.tsv", data)
    await upload(api, third["id"], data)
    await process(api, third["id"], allow_duplicate_of=first["id"])
    assert (await wait_terminal(api, third["id"]))["status"] == "FINALIZED"
