"""Per-file rollups: each counted file's rows summed by DuckDB into small Parquet files. Every
kind keeps the statement period, the currency and whether the line was converted at import;
`few` adds sale month, DSP and territory (~10 000 groups a 1 M-row file), `artist`, `track`
and `release` their key (ISRC or UPC, else artist and title), and the `…_month` kinds the key
and the sale month (for a range of sale months).

They are built at import, once the file is FINALIZED (agents/rollups.py,
infra/analytics/build.py), into the object store beside the file's Parquet under a key named by
the attempt, and the record names them (`rollups: {kind: key}`); for a file imported before,
one whose build failed or is not done yet, or a reimport not yet rolled up (the record still
names the previous attempt's), the gateway builds the kind it needs here, once, in a cache
folder under the stack's data directory (`ensure`).

A view whose grouping and filters are columns a kind keeps reads the smallest such kind
instead of the rows (`usable`). Sums of DECIMAL(38,18) are exact in DuckDB (128-bit), so the
rollups' sums of sums are the rows' sums. A cached rollup is named by its kind, the store, the
object key, the file's import attempt and checksum and, in a local store, the Parquet's size
and modification time; a new import or a void changes the counted set, never a rollup in place.
A cached rollup not read for a week (its file was replaced or voided) is removed when another
is built. A kind whose definition changes must take a new name (stored rollups keep theirs)."""
from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from models.analytics.filters import View
from models.analytics.query import literal

KEEP_S = 7 * 24 * 3600
_SUMS = """CAST(sum(quantity) AS BIGINT) AS quantity,
         CAST(sum(revenue) AS DECIMAL(38,18)) AS revenue,
         CAST(sum(revenue_converted) AS DECIMAL(38,18)) AS revenue_converted,
         CAST(count(*) AS BIGINT) AS n"""


def _named(key: str, title: str) -> tuple[str, str]:
    """Columns and grouping of a track or release rollup: the ISRC or UPC, else the artist
    and title folded as models.analytics.query.KEYS folds them (one name of each kept)."""
    fold = f"CASE WHEN {key} IS NULL THEN lower(artist) END, CASE WHEN {key} IS NULL THEN lower({title}) END"
    return f"{key}, min(artist) AS artist, min({title}) AS {title}", f"{key}, {fold}"


def _monthly(columns: str, grouping: str) -> tuple[str, str]:
    return f"{columns}, sale_period", f"{grouping}, sale_period"


# kind → (columns kept, grouping); each also keeps the statement period, the currency and
# whether the line was converted at import, which the conversion needs. Smallest first: a view
# reads the first kind that keeps what it needs (sizes for a 1 M-row bench file, uniform keys:
# few 9 600 lines, artist 6 000, release 10 000, artist_month 60 000, track 99 000,
# release_month 99 000, track_month 564 000)
KINDS = {
    "few": ("sale_period, dsp, territory", "sale_period, dsp, territory"),
    "artist": ("artist", "artist"),
    "release": _named("upc", "release_title"),
    "artist_month": _monthly("artist", "artist"),
    "track": _named("isrc", "track_title"),
    "release_month": _monthly(*_named("upc", "release_title")),
    "track_month": _monthly(*_named("isrc", "track_title")),
}
# what each kind can answer besides statement period, currency and file: groupings and filters
# (`month`: sale months, as a grouping, one month or a range)
_KEPT = {"few": {"month", "dsp", "territory"}, "artist": {"artist"}, "track": {"track", "isrc"},
         "release": {"release", "upc"}}
_KEPT.update({f"{k}_month": _KEPT[k] | {"month"} for k in ("artist", "track", "release")})
# a kind summed from another kind's rollup instead of the rows at import (its sums of sums are
# the same: exact), the rows being scanned once per remaining kind
DERIVED = {"artist": "artist_month", "track": "track_month", "release": "release_month"}
_RESUMS = """CAST(sum(quantity) AS BIGINT) AS quantity,
         CAST(sum(revenue) AS DECIMAL(38,18)) AS revenue,
         CAST(sum(revenue_converted) AS DECIMAL(38,18)) AS revenue_converted,
         CAST(sum(n) AS BIGINT) AS n"""
# what every rollup groups by after its kind's grouping (build._parts estimates the groups of both)
GROUP_TAIL = "statement_period, currency, revenue_converted IS NULL"
BUILD = """COPY (
  SELECT {columns}, statement_period, currency, {sums}
  FROM read_parquet({source}, union_by_name = true, hive_partitioning = false){where}
  GROUP BY {grouping}, """ + GROUP_TAIL + """
) TO {target} (FORMAT parquet, COMPRESSION zstd)"""


def folder(data_dir: Path | str) -> Path:
    """Where the gateway keeps the rollups it builds itself: under the stack's data directory."""
    path = Path(data_dir) / "rollups"
    path.mkdir(parents=True, exist_ok=True)
    return path


def needs(view: View) -> set[str]:
    """The grouping and filters of a view that not every kind keeps."""
    f, out = view.filters, set()
    if view.group_by not in ("period", "file"):
        out.add(view.group_by)
    out.update(name for name in ("dsp", "territory", "artist", "isrc", "upc") if getattr(f, name))
    if f.month or (f.date != "period" and (f.start or f.end)):
        out.add("month")
    return out


def usable(view: View) -> str | None:
    """The smallest rollup kind that answers the view (its grouping and filters are columns the
    rollup keeps), or None: the rows are read."""
    wanted = needs(view)
    return next((kind for kind in KINDS if wanted <= _KEPT[kind]), None)


def name(store_url: str, key: str, attempt, path: str, kind: str = "few",
         checksum: str | None = None) -> str:
    # the original's checksum too: an emptied bucket refilled under the same keys and attempts
    # (a test stack, a restored backup) must never meet a rollup of other rows
    parts = [store_url, key, str(attempt), kind, str(checksum)]
    if not path.startswith("s3://"):
        st = os.stat(path)
        parts += [str(st.st_size), str(st.st_mtime_ns)]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32] + ".parquet"


def stored_key(parquet_key: str, attempt, kind: str) -> str:
    """Where the import stores a rollup: `sales/…/file=7.parquet`, attempt 2, `few` →
    `sales/…/file=7.rollup-2-few.parquet`."""
    return f"{parquet_key.removesuffix('.parquet')}.rollup-{attempt}-{kind}.parquet"


def build(cursor, source: str, target: str, kind: str, rolled: bool = False,
          part: tuple[int, int] | None = None) -> None:
    """Write the `kind` rollup of the rows at `source` (`rolled`: of a finer rollup of them,
    DERIVED) to `target` (local paths or URLs). `part` (i, n): only the groups whose grouping
    hashes to i modulo n, a disjoint n-th of them (infra/analytics/build.py)."""
    columns, grouping = KINDS[kind]
    where = f"\n  WHERE hash({grouping}) % {int(part[1])} = {int(part[0])}" if part else ""
    cursor.execute(BUILD.format(columns=columns, grouping=grouping, sums=_RESUMS if rolled else _SUMS,
                                source=literal(source), target=literal(target), where=where))


def ensure(cursor, location, files: dict[str, dict], kind: str, data_dir: Path | str) -> dict[str, str]:
    """Row path → rollup path of that kind for each file (`files`: row path → record): the one
    stored at import when the record names it, else one built here on `cursor` (a DuckDB
    connection of this thread) into the cache folder under `data_dir`, once."""
    out, where, built = {}, None, False
    for path, record in files.items():
        stored = (record.get("rollups") or {}).get(kind)
        if stored and stored == stored_key(record["parquet_key"], record.get("attempt"), kind):
            out[path] = location.path(stored)   # (another attempt's: a reimport not yet rolled up)
            continue
        where = where or folder(data_dir)
        store_url = location.url
        target = where / name(store_url, record["parquet_key"], record.get("attempt"), path, kind,
                               record.get("checksum"))
        try:
            os.utime(target)  # read now: kept a week longer
        except FileNotFoundError:
            tmp = target.with_suffix(f".{os.getpid()}.{os.urandom(4).hex()}.tmp")
            build(cursor, path, str(tmp), kind)
            os.replace(tmp, target)
            built = True
        out[path] = str(target)
    if built:
        prune(where)
    return out


def prune(where: Path, now: float | None = None) -> int:
    """Remove cached rollups not read for a week (their file was replaced or voided)."""
    now, gone = now or time.time(), 0
    for path in where.glob("*.parquet"):
        try:
            if now - path.stat().st_mtime > KEEP_S:
                path.unlink()
                gone += 1
        except FileNotFoundError:
            continue
    return gone
