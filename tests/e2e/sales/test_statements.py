"""Each statement counted once (HTTP → Kafka → agents → store): the same statement as TSV and
XLSX, re-encoded, or with other whitespace and an extra newline is a DUPLICATE naming the
original; reimport never bypasses that; only an override naming the original imports it, and
the record shows it. A superset or a correction of a statement imports with a warning."""
from __future__ import annotations

from decimal import Decimal

from tests.support.sales import ingest, process, register, upload, wait_terminal
from tests.support.xlsx import write_xlsx

HEADER = ["sale_period", "statement_period", "dsp", "territory", "isrc", "artist", "track_title",
          "release_title", "usage_type", "quantity", "currency", "revenue"]


def rows(artist: str) -> list[list[object]]:
    return [["2025-03", "2025-04", "Spotify", "SE", "SEABC2500001", artist, "Första", "Skog",
             "stream", 1200, "SEK", 31.25],
            ["2025-03", "2025-04", "Spotify", "NO", "SEABC2500002", artist, "Andra", "Skog",
             "stream", 300, "SEK", 7.5],
            ["2025-03", "2025-04", "Spotify", "DK", "SEABC2500003", artist, "Tredje", "Skog",
             "stream", 45, "SEK", 1.125]]


def tsv(table: list[list[object]], sep: str = "\t", newline: str = "\n") -> str:
    return newline.join(sep.join(str(v) for v in row) for row in [HEADER, *table]) + newline


def xlsx(tmp_path, table: list[list[object]]) -> bytes:
    path = tmp_path / "statement.xlsx"
    write_xlsx(path, {"Sales": [HEADER, *table]})
    return path.read_bytes()


async def _summary(api) -> Decimal:
    _, body, _ = await api.get("/api/sales/summary/")
    return body


def _sek(summary: dict) -> Decimal:
    """The summary's exact SEK revenue (the session organisation converts to USD and has no
    SEK rate, so these statements stay out of the converted total_gross)."""
    return sum((Decimal(c["revenue"]) for c in summary["by_currency"] if c["currency"] == "SEK"), Decimal(0))


async def test_same_statement_as_tsv_and_xlsx_is_a_duplicate_until_overridden(api, tmp_path):
    table = rows("Dubbel Ekot")
    first = await ingest(api, "april.tsv", tsv(table).encode())
    assert first["status"] == "FINALIZED", first
    assert first["statement"]["rows"] == 3 and first.get("duplicate_of") is None
    before = await _summary(api)

    second = await ingest(api, "april.xlsx", xlsx(tmp_path, table))
    assert second["status"] == "FAILED" and second["status_cause"] == "DUPLICATE", second
    assert second["duplicate_of"] == first["id"]
    assert f"file {first['id']}" in second["error_message"] and "april.tsv" in second["error_message"]

    # reimport runs the check again: still a duplicate, the summary does not move
    status, body, _ = await api.post(f"/api/files/salesfiles/{second['id']}/process/",
                                     json={"action": "reimport"})
    assert status == 202, body
    again = await api.wait_for(f"/api/files/salesfiles/{second['id']}/",
                               lambda b: b["attempt"] > second["attempt"]
                               and b["status"] in ("FINALIZED", "FAILED"))
    assert again["status"] == "FAILED" and again["status_cause"] == "DUPLICATE", again
    assert _sek(await _summary(api)) == _sek(before)

    # a bare boolean is not an override; the override must name the original
    status, body, _ = await api.post(f"/api/files/salesfiles/{second['id']}/process/",
                                     json={"action": "process", "allow_duplicate": True})
    assert status == 400 and body["code"] == "bad_request", body
    status, body, _ = await api.post(f"/api/files/salesfiles/{second['id']}/process/",
                                     json={"action": "process",
                                           "allow_duplicate_of": first["id"] + 1000})
    assert status == 409 and str(first["id"]) in body["detail"], body
    await process(api, second["id"], allow_duplicate_of=first["id"])
    done = await wait_terminal(api, second["id"])
    assert done["status"] == "FINALIZED", done
    assert done["duplicate_override"]["of"] == first["id"] and done["duplicate_override"]["at"]
    assert done["statement"]["key"] == first["statement"]["key"]
    after = await _summary(api)
    assert _sek(after) == _sek(before) + Decimal("39.875")


async def test_re_encoded_and_reformatted_statement_is_recognised(api):
    table = rows("Åsa Ömsesidig")
    first = await ingest(api, "may.tsv", tsv(table).encode())
    assert first["status"] == "FINALIZED", first
    # UTF-16 with BOM, semicolons, CRLF, cells padded with spaces, rows in another order, and
    # an extra newline at the end: other bytes, the same statement
    padded = [[f"  {v} " if isinstance(v, str) else v for v in row] for row in table[::-1]]
    text = tsv(padded, sep=";", newline="\r\n") + "\r\n"
    second = await ingest(api, "may-export.csv", text.encode("utf-16"), filetype="CSV")
    assert second["status"] == "FAILED" and second["status_cause"] == "DUPLICATE", second
    assert second["duplicate_of"] == first["id"]


async def test_superset_and_correction_import_with_a_warning_naming_the_other(api):
    table = rows("Rättelse Bandet")
    first = await ingest(api, "june.tsv", tsv(table).encode())
    assert first["status"] == "FINALIZED", first
    more = table + [["2025-03", "2025-04", "Spotify", "FI", "SEABC2500004", "Rättelse Bandet",
                     "Fjärde", "Skog", "stream", 9, "SEK", 0.5]]
    superset = await ingest(api, "june-full.tsv", tsv(more).encode())
    assert superset["status"] == "FINALIZED", superset
    [related] = superset["related_files"]
    assert related == {"relation": "superset", "file_id": first["id"], "filename": "june.tsv"}
    assert any(w.get("related_file") == first["id"] and "june.tsv" in w["warning"]
               for w in superset["warnings"])
    changed = [row[:] for row in table]
    changed[1][-1] = 7.75
    correction = await ingest(api, "june-fixed.tsv", tsv(changed).encode())
    assert correction["status"] == "FINALIZED", correction
    kinds = {(r["relation"], r["file_id"]) for r in correction["related_files"]}
    assert ("correction", first["id"]) in kinds, correction["related_files"]
    text = " ".join(w["warning"] for w in correction["warnings"])
    assert f"file {first['id']}" in text and "correction" in text


async def test_registering_with_allow_duplicate_no_longer_skips_the_check(api):
    data = tsv(rows("Ingen Genväg")).encode()
    first = await ingest(api, "july.tsv", data)
    record = await register(api, "july-again.tsv", data, allow_duplicate=True)
    await upload(api, record["id"], data)
    await process(api, record["id"])
    final = await wait_terminal(api, record["id"])
    assert final["status_cause"] == "DUPLICATE" and final["duplicate_of"] == first["id"]
