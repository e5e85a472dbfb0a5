"""Per-file rollups: each counted file's rows summed by DuckDB from the file's Parquet the
first time a view needs them, kept as small Parquet files in a local cache folder. Every kind
keeps the statement period, the currency and whether the line was converted at import; the
`few` kind adds sale month, DSP and territory (~10 000 groups a 1 M-row file), the `artist`,
`track` and `release` kinds their key (ISRC or UPC, else artist and title).

A view whose grouping and filters are columns of a kind reads those rollups instead of the
rows (month, period, DSP, territory and file views: `few`; artist, track and release views
without a DSP, territory, sale-month or name filter: their kind). Sums of DECIMAL(38,18) are
exact in DuckDB (128-bit), so the rollups' sums of sums are the rows' sums. A rollup is named
by its kind, the store, the object key, the file's import attempt (a reimport writes the same
key again) and, in a local store, the Parquet's size and modification time; a new import or a
void changes the counted set, never a rollup in place. A rollup not read for a week (its file
was replaced or voided) is removed when another is built."""
from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path

from models.analytics.filters import View
from models.analytics.query import FEW, literal

KEEP_S = 7 * 24 * 3600
_SUMS = """CAST(sum(quantity) AS BIGINT) AS quantity,
         CAST(sum(revenue) AS DECIMAL(38,18)) AS revenue,
         CAST(sum(revenue_converted) AS DECIMAL(38,18)) AS revenue_converted,
         CAST(count(*) AS BIGINT) AS n"""


def _named(key: str, title: str) -> tuple[str, str]:
    """Columns and grouping of a track or release rollup: the ISRC or UPC, else the artist
    and title folded as models.analytics.query.KEYS folds them (one name of each kept)."""
    fold = f"CASE WHEN {key} IS NULL THEN lower(artist) END, CASE WHEN {key} IS NULL THEN lower({title}) END"
    return f"{key}, any_value(artist) AS artist, any_value({title}) AS {title}", f"{key}, {fold}"


# kind → (columns kept, grouping); each also keeps the statement period, the currency and
# whether the line was converted at import, which the conversion needs
KINDS = {
    "few": ("sale_period, dsp, territory", "sale_period, dsp, territory"),
    "artist": ("artist", "artist"),
    "track": _named("isrc", "track_title"),
    "release": _named("upc", "release_title"),
}
BUILD = """COPY (
  SELECT {columns}, statement_period, currency, {sums}
  FROM read_parquet({source}, union_by_name = true, hive_partitioning = false)
  GROUP BY {grouping}, statement_period, currency, revenue_converted IS NULL
) TO {target} (FORMAT parquet, COMPRESSION zstd)"""
_NOT_KEPT = {"few": ("artist", "isrc", "upc"),  # filters on columns a rollup does not keep
             "keyed": ("dsp", "territory", "month", "artist", "isrc", "upc")}


def folder() -> Path:
    path = Path(tempfile.gettempdir()) / f"tributary-rollups-{os.getuid()}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def usable(view: View) -> str | None:
    """The rollup kind that answers the view (its grouping and filters are columns the rollup
    keeps), or None: the rows are read."""
    f = view.filters
    if view.group_by in FEW:
        kind, unkept = "few", _NOT_KEPT["few"]
    elif view.group_by in ("artist", "track", "release"):
        kind, unkept = view.group_by, _NOT_KEPT["keyed"]
        if f.date != "period" and (f.start or f.end):  # a range of sale months
            return None
    else:
        return None
    return kind if all(getattr(f, name) is None for name in unkept) else None


def name(store_url: str, key: str, attempt, path: str, kind: str = "few",
         checksum: str | None = None) -> str:
    # the original's checksum too: an emptied bucket refilled under the same keys and attempts
    # (a test stack, a restored backup) must never meet a rollup of other rows
    parts = [store_url, key, str(attempt), kind, str(checksum)]
    if not path.startswith("s3://"):
        st = os.stat(path)
        parts += [str(st.st_size), str(st.st_mtime_ns)]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32] + ".parquet"


def ensure(cursor, store_url: str, files: dict[str, dict], kind: str = "few") -> dict[str, str]:
    """Row path → rollup path of that kind for each file (`files`: row path → record),
    building the missing rollups on `cursor` (a DuckDB connection of this thread)."""
    out, where, built = {}, folder(), False
    for path, record in files.items():
        target = where / name(store_url, record["parquet_key"], record.get("attempt"), path, kind,
                               record.get("checksum"))
        try:
            os.utime(target)  # read now: kept a week longer
        except FileNotFoundError:
            tmp = target.with_suffix(f".{os.getpid()}.{os.urandom(4).hex()}.tmp")
            columns, grouping = KINDS[kind]
            cursor.execute(BUILD.format(columns=columns, grouping=grouping, sums=_SUMS,
                                        source=literal(path), target=literal(str(tmp))))
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
