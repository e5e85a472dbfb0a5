"""Cleaning a large file on two cores gives exactly what one core gives: rows, line numbers,
bad rows and totals."""
from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.sales import tabular
from models.sales.clean import CleanOptions, clean_file
from models.sales.schema import CANONICAL_SCHEMA

HEADER = "sale_period\tdsp\tterritory\tisrc\tartist\ttrack_title\tquantity\tcurrency\trevenue\n"


def _file(tmp_path, rows: int) -> str:
    lines = [HEADER]
    for n in range(rows):
        amount = "bad" if n % 997 == 5 else f"{n % 101}.{n % 7}0001"
        lines.append(f"2025-0{1 + n % 9}\tDSP{n % 5}\tUS\tUSRC1760{n % 9999:04d}\tArtist {n % 50}\t"
                     f"Track {n % 300}\t{n % 4}\tUSD\t{amount}\n")
        if n % 1500 == 7:
            lines.append("2025-01\tshort row\n")
    path = tmp_path / "big.tsv"
    path.write_text("".join(lines))
    return str(path)


def _run(path: str):
    batches: list[pa.RecordBatch] = []
    result = clean_file(path, "big.tsv", CleanOptions(), batches.append)
    return result, pa.Table.from_batches([b.cast(CANONICAL_SCHEMA) for b in batches])


def test_two_cores_match_one(tmp_path, monkeypatch):
    path = _file(tmp_path, 30_000)
    monkeypatch.setattr(tabular, "WORKERS", 1)
    single, single_rows = _run(path)
    monkeypatch.setattr(tabular, "WORKERS", 2)
    monkeypatch.setattr(tabular, "CHUNK_BYTES", 64 * 1024)  # many ranges on a small file
    calls = []
    real = tabular.clean_parallel
    monkeypatch.setattr(tabular, "clean_parallel", lambda *a, **k: calls.append(1) or real(*a, **k))
    parallel, parallel_rows = _run(path)
    assert calls, "the two-core path was not taken"
    assert single.rows == parallel.rows and single.bad_rows == parallel.bad_rows > 0
    key = lambda s: (s["line"], s["reason"])  # noqa: E731
    assert sorted(single.bad_samples, key=key) == sorted(parallel.bad_samples, key=key)
    assert single.imported_totals == parallel.imported_totals
    assert single_rows.equals(parallel_rows)


def _with_line(tmp_path, rows: int, at: int, line: bytes) -> str:
    """A large UTF-8 file with one raw `line` put in after data row `at` (far past the head)."""
    path = tmp_path / "big.tsv"
    data = open(_file(tmp_path, rows), "rb").read().split(b"\n")
    data.insert(at, line)
    path.write_bytes(b"\n".join(data))
    return str(path)


def test_one_legacy_byte_deep_in_a_large_file_makes_it_cp1252(tmp_path):
    path = _with_line(tmp_path, 30_000, 25_000,
                      b"2025-01\tDSP1\tUS\tUSRC17600001\tCaf\xe9 Noir\tTrack\t1\tUSD\t1.5")
    result, rows = _run(path)
    assert result.encoding == "cp1252"
    assert "Café Noir" in rows.column("artist").to_pylist()


def test_a_nul_byte_deep_in_a_large_file_is_corrupted(tmp_path):
    import pytest

    from models.sales.errors import SalesFileError

    path = _with_line(tmp_path, 30_000, 25_000, b"2025-01\tDSP1\tUS\x00\tx")
    with pytest.raises(SalesFileError) as err:
        _run(path)
    assert err.value.cause == "CORRUPTED" and "NUL" in err.value.message


def test_a_giant_line_deep_in_a_large_file_is_corrupted(tmp_path):
    import pytest

    from models.sales.errors import SalesFileError
    from models.sales.sniff import MAX_LINE_BYTES

    path = _with_line(tmp_path, 30_000, 25_000, b"2025-01\tDSP1\t" + b"x" * (MAX_LINE_BYTES + 10))
    with pytest.raises(SalesFileError) as err:
        _run(path)
    assert err.value.cause == "CORRUPTED" and "longer than" in err.value.message


def test_lines_just_under_the_limit_pass_the_length_check(tmp_path):
    from models.sales.sniff import MAX_LINE_BYTES, check_line_lengths, detect_encoding

    path = tmp_path / "long.tsv"
    path.write_bytes((b"y" * (MAX_LINE_BYTES - 1) + b"\n") * 3)
    check_line_lengths(str(path), detect_encoding(str(path), "long.tsv"), "long.tsv")


def test_cancelled_cleaning_stops_at_the_next_batch(tmp_path):
    import threading

    import pytest

    from agents.cleaning import CleaningCancelled, _clean_to_parquet

    cancel = threading.Event()
    cancel.set()
    with pytest.raises(CleaningCancelled):
        _clean_to_parquet(_file(tmp_path, 30_000), str(tmp_path / "out.parquet"), "big.tsv",
                          CleanOptions(), None, cancel)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=1, max_size=30), st.integers(4, 30),
       st.lists(st.integers(0, 3), max_size=40))
def test_the_utf8_pass_never_lets_a_long_line_through_wherever_its_parts_are_cut(lengths, step, shifts):
    """`sniff._short` on every part of a file cut as `_utf8_cuts` cuts it (about every `step`
    bytes, at least a window, moved up to 3 bytes): a line longer than `limit` makes some part
    say False (the lines are then measured)."""
    from models.sales.sniff import _short

    limit = 12
    data = b"".join(b"x" * n + b"\n" for n in lengths)
    at = sorted({0, len(data), *(min(len(data), k * step + (shifts[k] if k < len(shifts) else 0))
                                 for k in range(1, len(data) // step + 1))})
    if max(lengths) > limit:            # what check_line_lengths refuses
        assert not all(_short(data, limit, a, b) for a, b in zip(at, at[1:]))


def test_a_utf8_file_with_short_lines_is_not_read_again_for_their_length(tmp_path, monkeypatch):
    from models.sales import sniff

    path = tmp_path / "short.tsv"
    path.write_bytes(b"a\tb\n" * 1000)
    info = sniff.detect_encoding(str(path), "short.tsv")
    assert info.encoding == "utf-8" and info.short_lines
    long = tmp_path / "long.tsv"
    long.write_bytes(b"y" * (sniff.MAX_LINE_BYTES + 5) + b"\n")
    assert not sniff.detect_encoding(str(long), "long.tsv").short_lines
    monkeypatch.setattr("builtins.open", None)          # any read would fail
    sniff.check_line_lengths(str(path), info, "short.tsv")


def test_larger_files_are_cut_in_fewer_larger_ranges_but_enough_for_both_cores():
    mb = 1 << 20
    assert tabular.range_bytes(20 * mb) == tabular.CHUNK_BYTES           # the smallest range
    assert tabular.range_bytes(139 * mb) == 139 * mb // tabular.SPREAD   # SPREAD ranges
    assert tabular.range_bytes(5 << 30) == tabular.RANGE_GROWTH * tabular.CHUNK_BYTES
    assert all(tabular.range_bytes(w) * tabular.SPREAD <= max(w, tabular.SPREAD * tabular.CHUNK_BYTES)
               for w in range(mb, 200 * mb, 7 * mb))


def test_the_utf8_pass_does_not_keep_the_file_in_the_resident_set(tmp_path):
    """The whole file is mapped and read; the checked parts leave the process's resident set as
    they are done (the bench's worker peak RSS held a 5 M-row file twice over before)."""
    import re
    from pathlib import Path

    from models.sales import sniff

    status = Path("/proc/self/status")
    if not status.exists() or not Path("/proc/self/clear_refs").exists():
        pytest.skip("needs Linux /proc to read the peak resident set")
    path = tmp_path / "big.tsv"
    line = "2025-06\tSpotify\tGB\tGBXYZ2400001\tSong\t0.001\n".encode()
    path.write_bytes(line * (96 * 2**20 // len(line)))            # 96 MiB: twelve parts

    def peak_mib() -> int:
        return int(re.search(r"VmHWM:\s+(\d+)", status.read_text())[1]) // 1024

    Path("/proc/self/clear_refs").write_text("5")                  # the peak starts again from now
    before = peak_mib()
    assert sniff.detect_encoding(str(path), "big.tsv").encoding == "utf-8"
    assert peak_mib() - before < 48                                 # not the file's 96 MiB
