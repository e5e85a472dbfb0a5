"""Rollups built at import: every kind of infra/analytics/rollup.py summed by DuckDB from the
file's Parquet just written, stored beside it under a key named by the import attempt (a
reimport writes new keys, so a rollup never changes under a reader), and named on the file's
record (`rollups: {kind: key}`) with its `parquet_key`."""
from __future__ import annotations

from pathlib import Path

from infra.analytics.rollup import DERIVED, GROUP_TAIL, KINDS, build
from infra.analytics.rollup import stored_key as key
from models.analytics.query import literal

__all__ = ["key", "targets", "write"]
IMPORT_THREADS = 1   # DuckDB threads of a build beside the pipeline (the worker keeps a core)
# Groups summed in one pass at most for the kinds keyed by track or release, whose groups grow
# with the catalogue x months x currencies: a kind with more is summed in disjoint parts (by a
# hash of the grouping), each written on its own, then copied into the one rollup. DuckDB's
# hash table holds every group of a pass: the track_month rollup of a 5 M-row file of 45
# currencies (1.96 M groups) grew the process by ~650 MB in one pass (the worker's peak, issue
# 21). Parts by source rows instead (one per 1 M) cost a scan each: 5 M-row main file's rollups
# 4.5 -> 10 s though its groups are few; the groups are counted (HyperLogLog) first instead.
PART_GROUPS = 1_000_000
WIDE = ("track", "track_month", "release", "release_month")


def write(source: str, targets: dict[str, str], threads: int | None = None) -> int:
    """Write each kind's rollup of the rows at `source` to `targets[kind]` (local paths; a
    DERIVED kind from its finer kind's rollup when that is written too); the rows summed."""
    import duckdb

    con = duckdb.connect(":memory:")
    try:
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        for kind in sorted(targets, key=lambda k: k in DERIVED):   # the finer kinds first
            finer = DERIVED.get(kind)
            if finer in targets:
                _build(con, targets[finer], targets[kind], kind, rolled=True)
            else:
                _build(con, source, targets[kind], kind)
        [(rows,)] = con.execute(f"SELECT sum(n) FROM read_parquet({literal(targets[next(iter(targets))])})"
                                ).fetchall()
        return int(rows or 0)
    finally:
        con.close()


def _build(con, source: str, target: str, kind: str, rolled: bool = False) -> None:
    """One kind's rollup, in parts when it is WIDE and has more than PART_GROUPS groups: the
    same groups (a group's rows share its grouping's hash: it is summed whole in one part)."""
    parts = _parts(con, source, kind, rolled) if kind in WIDE else 1
    if parts <= 1:
        build(con, source, target, kind, rolled)
        return
    names = [f"{target}.part{i}" for i in range(parts)]
    try:
        for i, name in enumerate(names):
            build(con, source, name, kind, rolled, part=(i, parts))
        con.execute(f"COPY (SELECT * FROM read_parquet([{', '.join(map(literal, names))}])) "
                    f"TO {literal(target)} (FORMAT parquet, COMPRESSION zstd)")
    finally:
        for name in names:
            Path(name).unlink(missing_ok=True)


def _parts(con, source: str, kind: str, rolled: bool) -> int:
    """How many parts keep a pass under PART_GROUPS groups. The rows bound the groups (from the
    Parquet footer; a finer rollup's rows are its groups); only a source of more rows than that
    is scanned, for an estimate (approx_count_distinct: ~2 % off) of its distinct group keys."""
    src = literal(source)
    [(rows,)] = con.execute(f"SELECT count(*) FROM read_parquet({src})").fetchall()
    groups = int(rows)
    if groups > PART_GROUPS and not rolled:
        key = f"hash({KINDS[kind][1]}, {GROUP_TAIL})"
        [(groups,)] = con.execute(f"SELECT approx_count_distinct({key}) FROM read_parquet({src})"
                                  ).fetchall()
    return -(-int(groups) // PART_GROUPS)
def targets(parquet_key: str, attempt, folder: str) -> dict[str, tuple[str, str]]:
    """kind → (object key, local path in `folder`) of every kind."""
    return {kind: (key(parquet_key, attempt, kind), f"{folder}/{kind}.parquet") for kind in KINDS}
