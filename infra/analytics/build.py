"""Rollups built at import: every kind of infra/analytics/rollup.py summed by DuckDB from the
file's Parquet just written, stored beside it under a key named by the import attempt (a
reimport writes new keys, so a rollup never changes under a reader), and named on the file's
record (`rollups: {kind: key}`) with its `parquet_key`."""
from __future__ import annotations

from infra.analytics.rollup import DERIVED, KINDS, build
from infra.analytics.rollup import stored_key as key
from models.analytics.query import literal

__all__ = ["key", "targets", "write"]
IMPORT_THREADS = 1   # DuckDB threads of a build beside the pipeline (the worker keeps a core)


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
                build(con, targets[finer], targets[kind], kind, rolled=True)
            else:
                build(con, source, targets[kind], kind)
        [(rows,)] = con.execute(f"SELECT sum(n) FROM read_parquet({literal(targets[next(iter(targets))])})"
                                ).fetchall()
        return int(rows or 0)
    finally:
        con.close()


def targets(parquet_key: str, attempt, folder: str) -> dict[str, tuple[str, str]]:
    """kind → (object key, local path in `folder`) of every kind."""
    return {kind: (key(parquet_key, attempt, kind), f"{folder}/{kind}.parquet") for kind in KINDS}
