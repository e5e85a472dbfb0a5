"""Hostile files are refused cleanly within bounded memory and time: a 64 MiB line, invalid
UTF-8, XLSX with macros, external links, entity expansion (billion laughs) or an inflating part,
zip bombs, deeply nested zips and path-traversal names (models/archives.py).
Memory is measured with tracemalloc (Python allocations) around the call."""
from __future__ import annotations

import io
import os
import time
import tracemalloc
import zipfile

import pytest

from models.archives import ArchiveError, expand
from models.sales.clean import CleanOptions, clean_file
from models.sales.errors import SalesFileError
from tests.reliability.conftest import record
from tests.support.xlsx import write_xlsx

MB = 1 << 20
HEADER = ["statement_period", "sale_period", "dsp", "territory", "isrc", "artist", "track_title",
          "quantity", "currency", "revenue"]
ROW = ["2025-04", "2025-03", "DSP", "US", "USRC17600001", "Artist", "Track", 1, "USD", 1.5]
_TRIED: list[str] = []


def measured(fn, *args):
    """(outcome, seconds, peak traced MiB): outcome is the result or the exception raised."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        outcome = fn(*args)
    except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
        outcome = exc
    finally:
        seconds = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1] / MB
        tracemalloc.stop()
    return outcome, seconds, peak


def clean(path) -> object:
    return clean_file(str(path), os.path.basename(path), CleanOptions(), lambda batch: None)


def refused(path, cause: str, *, max_mb: float = 32, max_s: float = 10) -> SalesFileError:
    outcome, seconds, peak = measured(clean, path)
    assert isinstance(outcome, SalesFileError), f"not refused: {outcome!r}"
    assert outcome.cause == cause, outcome.message
    assert seconds < max_s and peak < max_mb, (seconds, peak)
    _TRIED.append(f"{os.path.basename(path)}: {cause} in {seconds:.2f}s, {peak:.1f} MiB traced")
    return outcome


@pytest.mark.parametrize("with_header", [False, True])
def test_a_64_mib_line_is_corrupted_with_bounded_memory(tmp_path, with_header):
    path = tmp_path / "long-line.csv"
    with open(path, "wb") as out:  # streamed from a generator: the test never holds the line
        if with_header:
            out.write((",".join(HEADER) + "\n").encode())
        for chunk in (b"a" * MB for _ in range(64)):
            out.write(chunk)
    error = refused(path, "CORRUPTED", max_mb=24)
    assert "longer than" in error.message


def test_invalid_utf8_with_a_utf8_bom_is_corrupted(tmp_path):
    path = tmp_path / "bad-utf8.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (",".join(HEADER) + "\n").encode() + b"2025-04,\xc3\x28\xff\n")
    refused(path, "CORRUPTED")


def test_undecodable_utf16_is_corrupted(tmp_path):
    path = tmp_path / "bad-utf16.csv"
    path.write_bytes(b"\xff\xfe" + ",".join(HEADER).encode("utf-16-le") + b"\x00\xd8\x41\x00")
    refused(path, "CORRUPTED")


def _xlsx(tmp_path, name: str, change) -> str:
    path = tmp_path / name
    write_xlsx(path, {"Sales": [HEADER, ROW]})
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    change(parts)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)
    return str(path)


def _laughs(levels: int = 10) -> str:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels))
    return f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]>'


def _bomb_sheet(parts):
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet = sheet.replace('<?xml version="1.0" encoding="UTF-8"?>', _laughs())
    parts["xl/worksheets/sheet1.xml"] = sheet.replace("<t>Artist</t>", "<t>&lol9;</t>").encode()


def _bomb_rels(parts):
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b'<?xml version="1.0"?>', _laughs().encode())


def _macros(parts):
    parts["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0" + bytes(512)


def _external_link(parts):
    parts["xl/externalLinks/externalLink1.xml"] = (
        b'<?xml version="1.0"?><externalLink xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><externalBook r:id="rId1" xmlns:r="http://schemas.'
        b'openxmlformats.org/officeDocument/2006/relationships"/></externalLink>')
    parts["xl/externalLinks/_rels/externalLink1.xml.rels"] = (
        b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/externalLinkPath" Target="http://169.254.169.254/x.xlsx"'
        b' TargetMode="External"/></Relationships>')


def _inflating_part(parts):
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b"<sheetData>", b"<sheetData>" +
                                                      b" " * (64 * MB))


@pytest.mark.parametrize("name,change,cause", [
    ("laughs-sheet.xlsx", _bomb_sheet, "CORRUPTED"),
    ("laughs-rels.xlsx", _bomb_rels, "CORRUPTED"),
    ("macros.xlsx", _macros, "UNSUPPORTED_TYPE"),
    ("external-link.xlsx", _external_link, "UNSUPPORTED_TYPE"),
    ("inflating.xlsx", _inflating_part, "CORRUPTED"),
])
def test_hostile_xlsx_is_refused(tmp_path, name, change, cause):
    refused(_xlsx(tmp_path, name, change), cause)


def test_a_plain_xlsx_still_cleans(tmp_path):
    result = clean(_xlsx(tmp_path, "plain.xlsx", lambda parts: None))
    assert result.rows == 1


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_zip_bomb_is_refused_before_inflating(tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        with z.open("sales.csv", "w", force_zip64=True) as member:
            for _ in range(256):  # 256 MiB of zeros, packed to well under 1 MiB
                member.write(bytes(MB))
    assert path.stat().st_size < MB
    out = tmp_path / "out"
    out.mkdir()
    outcome, seconds, peak = measured(expand, str(path), str(out))
    assert isinstance(outcome, ArchiveError) and "zip bomb" in outcome.message
    assert seconds < 5 and peak < 16 and not list(out.iterdir())
    _TRIED.append(f"zip bomb 256 MiB → ArchiveError in {seconds:.2f}s, {peak:.1f} MiB traced")


def test_deeply_nested_zips_are_not_expanded(tmp_path):
    inner = _zip({"sales.csv": b"a,b\n1,2\n"})
    for level in range(20):
        inner = _zip({f"level{level}.zip": inner})
    path = tmp_path / "nested.zip"
    path.write_bytes(inner)
    out = tmp_path / "out"
    out.mkdir()
    found, seconds, _ = measured(expand, str(path), str(out))
    assert not isinstance(found, Exception), found
    assert found.members == [] and "nested" in found.skipped[0]["reason"]
    assert seconds < 5
    _TRIED.append("20-level nested zip → nested member skipped, nothing expanded")


def test_path_traversal_names_never_leave_the_destination(tmp_path):
    names = ["../../escape.csv", "/etc/evil.csv", "C:\\evil.csv", "a/../../up.csv",
             "..\\..\\win.csv", "ok/sales.csv"]
    path = tmp_path / "traversal.zip"
    path.write_bytes(_zip({n: b"isrc,revenue\nX,1\n" for n in names}))
    out = tmp_path / "deep" / "out"
    out.mkdir(parents=True)
    found = expand(str(path), str(out))
    assert [m.path for m in found.members] == ["ok/sales.csv"]
    assert all(os.path.dirname(m.local_path) == str(out) for m in found.members)
    for written in tmp_path.rglob("*"):
        assert not written.is_file() or written == path or out in written.parents, written
    assert not (tmp_path / "escape.csv").exists() and not (tmp_path.parent / "escape.csv").exists()
    _TRIED.append(f"{len(names) - 1} path-traversal names skipped")


def test_record_files_tried():
    record("hostile_files", "refused", list(_TRIED))
    assert len(_TRIED) >= 10
