"""Per-file rollups: each counted file's rows summed by (sale month, statement period, DSP,
territory, currency, converted at import or not), written by DuckDB from the file's Parquet
the first time a view needs it, and kept as a small Parquet file in a local cache folder.

The views over few keys (month, period, DSP, territory, file) whose filters name only those
columns read the rollups instead of the rows: ~10 000 groups a 1 M-row file, so an answer
over 10 M rows reads ~100 000 lines. Sums of DECIMAL(38,18) are exact in DuckDB (128-bit), so
the rollups' sums of sums are the rows' sums. A rollup is named by the store, the object key,
the file's import attempt (a reimport writes the same key again) and, in a local store, the
Parquet's size and modification time; a new import or a void changes the counted set, never a
rollup in place. A rollup not read for a week (its file was replaced or voided) is removed when another is
built."""
from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path

from models.analytics.filters import View
from models.analytics.query import FEW, literal

_UNROLLED = ("artist", "isrc", "upc")  # filters on columns a rollup does not keep
KEEP_S = 7 * 24 * 3600

BUILD = """COPY (
  SELECT sale_period, statement_period, dsp, territory, currency,
         CAST(sum(quantity) AS BIGINT) AS quantity,
         CAST(sum(revenue) AS DECIMAL(38,18)) AS revenue,
         CAST(sum(revenue_converted) AS DECIMAL(38,18)) AS revenue_converted,
         CAST(count(*) AS BIGINT) AS n
  FROM read_parquet({source}, union_by_name = true, hive_partitioning = false)
  GROUP BY sale_period, statement_period, dsp, territory, currency, revenue_converted IS NULL
) TO {target} (FORMAT parquet, COMPRESSION zstd)"""


def folder() -> Path:
    path = Path(tempfile.gettempdir()) / f"tributary-rollups-{os.getuid()}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def usable(view: View) -> bool:
    """The view can be answered from the rollups: few keys, filters on rolled-up columns."""
    return view.group_by in FEW and all(getattr(view.filters, f) is None for f in _UNROLLED)


def name(store_url: str, key: str, attempt, path: str) -> str:
    parts = [store_url, key, str(attempt)]
    if not path.startswith("s3://"):
        st = os.stat(path)
        parts += [str(st.st_size), str(st.st_mtime_ns)]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32] + ".parquet"


def ensure(cursor, store_url: str, files: dict[str, dict]) -> dict[str, str]:
    """Row path → rollup path for each file (`files`: row path → record), building the
    missing rollups on `cursor` (a DuckDB connection of this thread)."""
    out, where, built = {}, folder(), False
    for path, record in files.items():
        target = where / name(store_url, record["parquet_key"], record.get("attempt"), path)
        try:
            os.utime(target)  # read now: kept a week longer
        except FileNotFoundError:
            tmp = target.with_suffix(f".{os.getpid()}.{os.urandom(4).hex()}.tmp")
            cursor.execute(BUILD.format(source=literal(path), target=literal(str(tmp))))
            os.replace(tmp, target)
            built = True
        out[path] = str(target)
    if built:
        prune()
    return out


def prune(now: float | None = None) -> int:
    """Remove rollups not read for a week (their file was replaced or voided)."""
    now, gone = now or time.time(), 0
    for path in folder().glob("*.parquet"):
        try:
            if now - path.stat().st_mtime > KEEP_S:
                path.unlink()
                gone += 1
        except FileNotFoundError:
            continue
    return gone
