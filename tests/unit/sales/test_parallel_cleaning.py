"""Cleaning a large file on two cores gives exactly what one core gives: rows, line numbers,
bad rows and totals."""
from __future__ import annotations

import pyarrow as pa

from models.sales import tabular
from models.sales.clean import CleanOptions, clean_file

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
    return result, pa.Table.from_batches(batches)


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
