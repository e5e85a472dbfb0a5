"""Restrictions of the seed: unsupported, empty, corrupted and unrecognised files are FAILED
with a cause and a message; discarded uploads are removed from object storage."""
from __future__ import annotations

import pytest

from tests.support.sales import ingest

GOOD_HEADER = b"sale_period\tdsp\tterritory\tisrc\tartist\ttrack_title\tquantity\tcurrency\trevenue\n"


def _stored(stack, record) -> bool:
    folder = stack.data_dir / "objects" / "uploads" / f"org-{record['organisation']}" / str(record["id"])
    return folder.exists() and any(folder.iterdir())


@pytest.mark.parametrize("filename, data, cause", [
    ("scan.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "UNSUPPORTED_TYPE"),
    ("report.tsv", b"", "EMPTY"),
    ("report.csv", b"\xef\xbb\xbf\r\n  \r\n", "EMPTY"),
    ("report.tsv", GOOD_HEADER + b"2025-06\tSpotify\tUS\x00\x00\x00\x01\x02binary", "CORRUPTED"),
    ("book.xlsx", b"PK\x03\x04 this is not really a workbook", "CORRUPTED"),
])
async def test_discarded_files_fail_with_cause_and_object_removed(api, stack, filename, data,
                                                                  cause):
    final = await ingest(api, filename, data)
    assert final["status"] == "FAILED", final
    assert final["status_cause"] == cause
    assert final["error_message"]
    assert not _stored(stack, final)


async def test_unknown_layout_names_the_header_found(api, stack):
    data = b"colour;shape;size\nred;round;3\nblue;square;4\n"
    final = await ingest(api, "shapes.csv", data)
    assert final["status"] == "FAILED" and final["status_cause"] == "UNKNOWN_LAYOUT"
    assert "colour" in final["error_message"] and "shape" in final["error_message"]
    assert _stored(stack, final), "an unrecognised file is kept so a mapping can import it later"


async def test_bad_rows_are_counted_and_sampled_with_line_and_reason(api):
    rows = [b"2025-06\tSpotify\tUS\tUSRC17607839\tAda\tSong\t3\tUSD\t1.50"] * 8
    rows.insert(3, b"2025-06\tSpotify\tUS\tUSRC17607839\tAda\tSong\t3\tUSD\tnot-a-number")
    data = GOOD_HEADER + b"\n".join(rows) + b"\n"
    final = await ingest(api, "some-bad.tsv", data)
    assert final["status"] == "FINALIZED", final
    assert final["bad_rows"] == 1 and final["total_rows"] == 8
    sample = final["bad_samples"][0]
    assert sample["line"] == 5 and sample["reason"]


async def test_too_many_bad_rows_fail_the_file(api):
    rows = [b"2025-06\tSpotify\tUS\tUSRC17607839\tAda\tSong\t3\tUSD\tbad"] * 6
    rows.append(b"2025-06\tSpotify\tUS\tUSRC17607839\tAda\tSong\t3\tUSD\t1.00")
    final = await ingest(api, "mostly-bad.tsv", GOOD_HEADER + b"\n".join(rows) + b"\n")
    assert final["status"] == "FAILED" and final["status_cause"] == "TOO_MANY_BAD_ROWS"
