"""Safe zip expansion: supported members out, bombs and traversal refused."""
from __future__ import annotations

import io
import os
import zipfile

import pytest

from models.archives import ArchiveError, ArchiveLimits, expand

CSV = b"dsp,revenue\nSpotify,1.5\n"


def make_zip(path, members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> str:
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return str(path)


def test_supported_members_are_extracted_and_others_skipped(tmp_path):
    zpath = make_zip(tmp_path / "a.zip", {
        "reports/june.csv": CSV, "reports/july.TSV": CSV.replace(b",", b"\t"),
        "statement.pdf": b"%PDF-1.4", "inner.zip": b"PK\x03\x04", "__MACOSX/._june.csv": b"x",
        "empty.csv": b"", "folder/": b""})
    out = tmp_path / "out"
    out.mkdir()
    result = expand(zpath, str(out))
    assert [(m.path, m.filename, m.filetype, m.size) for m in result.members] == [
        ("reports/june.csv", "june.csv", "CSV", len(CSV)),
        ("reports/july.TSV", "july.TSV", "TSV", len(CSV))]
    for member in result.members:
        assert os.path.dirname(member.local_path) == str(out)
        assert open(member.local_path, "rb").read().startswith(b"dsp")
    reasons = {s["path"]: s["reason"] for s in result.skipped}
    assert set(reasons) == {"statement.pdf", "inner.zip", "empty.csv"}
    assert "nested zip" in reasons["inner.zip"] and "unsupported" in reasons["statement.pdf"]


def test_path_traversal_never_touches_the_filesystem(tmp_path):
    zpath = tmp_path / "evil.zip"
    with zipfile.ZipFile(zpath, "w") as archive:
        archive.writestr("../../escape.csv", CSV)
        archive.writestr("/abs/root.csv", CSV)
        archive.writestr("ok/../../up.csv", CSV)
        archive.writestr("fine.csv", CSV)
    out = tmp_path / "deep" / "out"
    out.mkdir(parents=True)
    result = expand(str(zpath), str(out))
    assert [m.path for m in result.members] == ["fine.csv"]
    assert sorted(s["path"] for s in result.skipped) == ["../../escape.csv", "/abs/root.csv",
                                                         "ok/../../up.csv"]
    assert all("unsafe path" in s["reason"] for s in result.skipped)
    assert sorted(os.listdir(tmp_path)) == ["deep", "evil.zip"]
    assert os.listdir(out) == ["member-0"]


def test_zip_bomb_is_refused_before_inflating(tmp_path):
    zpath = make_zip(tmp_path / "bomb.zip", {"bomb.csv": b"0" * (20 * 1024 * 1024),
                                             "real.csv": CSV})
    assert os.path.getsize(zpath) < 100_000
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ArchiveError, match="zip bomb") as info:
        expand(zpath, str(out))
    assert info.value.cause == "CORRUPTED"
    assert os.listdir(out) == []


def test_member_count_and_total_size_limits(tmp_path):
    zpath = make_zip(tmp_path / "many.zip", {f"f{i}.csv": CSV for i in range(12)})
    with pytest.raises(ArchiveError, match="holds 12 files"):
        expand(zpath, str(tmp_path), ArchiveLimits(max_members=10))
    with pytest.raises(ArchiveError, match="expands to"):
        expand(zpath, str(tmp_path), ArchiveLimits(max_total_bytes=100))


def test_lying_header_is_caught_while_inflating(tmp_path):
    """A member whose real content is bigger than its declared size is refused (never
    inflated past the declared size: zipfile stops there and the CRC check fails)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("big.csv", CSV * 100)
    raw = bytearray(buf.getvalue())
    declared = len(CSV * 100).to_bytes(4, "little")
    small = (10).to_bytes(4, "little")
    raw = bytes(raw).replace(declared, small)  # local and central headers both lie
    zpath = tmp_path / "liar.zip"
    zpath.write_bytes(raw)
    with pytest.raises(ArchiveError, match="CRC|declared"):
        expand(str(zpath), str(tmp_path))


def test_garbage_is_corrupted(tmp_path):
    zpath = tmp_path / "bad.zip"
    zpath.write_bytes(b"PK\x03\x04 definitely not a zip")
    with pytest.raises(ArchiveError, match="not a readable zip") as info:
        expand(str(zpath), str(tmp_path))
    assert info.value.cause == "CORRUPTED"


def test_select_hook_narrows_members(tmp_path):
    zpath = make_zip(tmp_path / "b.zip", {"lines.csv": CSV, "summary.csv": b"artist,total\n"})
    seen = []

    def only_lines(members):
        seen.extend(members)
        return ["lines.csv"], {"summary.csv": "a summary, not sales lines"}

    result = expand(zpath, str(tmp_path), select=only_lines)
    assert seen == [("lines.csv", CSV), ("summary.csv", b"artist,total\n")]
    assert [m.filename for m in result.members] == ["lines.csv"]
    assert result.skipped == [{"path": "summary.csv", "reason": "a summary, not sales lines"}]
    assert sorted(os.listdir(tmp_path)) == ["b.zip", "member-0"]


def test_fuga_like_bundle_keeps_only_sales_lines(tmp_path):
    bundles = pytest.importorskip("models.sales.bundles")
    lines = (b"statement_period,sale_period,dsp,territory,isrc,upc,artist,track_title,"
             b"release_title,usage_type,quantity,currency,revenue\n"
             b"2025-06,2025-05,Spotify,US,USRC17607839,0602537174937,A,B,C,stream,1,USD,1.0\n")
    zpath = make_zip(tmp_path / "fuga.zip", {"royalty_extended.csv": lines,
                                             "statement.xlsx": b"PK\x03\x04xlsx"})
    result = expand(zpath, str(tmp_path), select=bundles.select_sales_members)
    assert [m.filename for m in result.members] == ["royalty_extended.csv"]
    assert [s["path"] for s in result.skipped] == ["statement.xlsx"]
