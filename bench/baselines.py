"""What a user would write instead of Tributary: each baseline runs in its own interpreter
(`python -m bench.baselines NAME '{json args}'`) and prints one JSON line with its time (the work
only, imports excluded), the rows it handled and its own peak RSS.

Sales ingest = read the TSV, write it as Parquet, and the five group-bys of a snapshot (artist,
DSP, territory, track, release) summing quantity and revenue and counting rows. Amounts are
parsed as floats here (what these tools do by default); Tributary keeps exact decimals.
"""
from __future__ import annotations

import json
import sys
import time
from typing import Any, Callable

from bench.measure import vmhwm_mb

GROUPS = {"artist": ["artist"], "dsp": ["dsp"], "territory": ["territory"],
          "track": ["isrc", "track_title"], "release": ["upc", "release_title"]}


def pandas_ingest(src: str, out: str) -> int:
    import pandas as pd

    df = pd.read_csv(src, sep="\t", engine="pyarrow", dtype={"upc": "string", "isrc": "string"})
    for cols in GROUPS.values():
        df.groupby(cols, dropna=False).agg(quantity=("quantity", "sum"),
                                           revenue=("revenue", "sum"),
                                           rows=("revenue", "size"))
    df.to_parquet(out, compression="zstd")
    return len(df)


def duckdb_ingest(src: str, out: str) -> int:
    import duckdb

    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM read_csv('{src}', delim='\t', header=true, "
                f"types={{'upc': 'VARCHAR'}})) TO '{out}' (FORMAT parquet, COMPRESSION zstd)")
    for cols in GROUPS.values():
        keys = ", ".join(cols)
        con.sql(f"SELECT {keys}, sum(quantity), sum(revenue), count(*) FROM '{out}' "
                f"GROUP BY {keys}").to_arrow_table()
    return con.execute(f"SELECT count(*) FROM '{out}'").fetchone()[0]


def polars_ingest(src: str, out: str, sep: str = "\t", names: dict[str, str] | None = None,
                  decimal_comma: bool = False, by: list[str] | None = None) -> int:
    """`names`: canonical field → the file's header (organisation layouts); `decimal_comma`:
    amounts written `0,5` (polars' own option); `by`: keys added to every group-by (`currency`:
    the groups Tributary must keep apart, never adding two currencies)."""
    import polars as pl

    col = (names or {}).get
    pl.scan_csv(src, separator=sep, schema_overrides={col("upc", "upc"): pl.String},
                decimal_comma=decimal_comma).sink_parquet(out, compression="zstd")
    frame = pl.scan_parquet(out)
    pl.collect_all([frame.group_by([col(c, c) for c in [*cols, *(by or [])]]).agg(
        pl.col(col("quantity", "quantity")).sum(), pl.col(col("revenue", "revenue")).sum(),
        pl.len().alias("rows")) for cols in GROUPS.values()])
    return frame.select(pl.len()).collect().item()


def polars_dsr(src: str, out: str) -> int:
    """A DSR's sale lines by hand: the file read as ragged TSV, SU03 lines joined to their
    block's release (RE) and resource (AS) and to their summary record (SY: territory,
    currency), written as Parquet, and the five group-bys."""
    import polars as pl

    raw = pl.read_csv(src, separator="\t", has_header=False, quote_char=None, infer_schema=False,
                      truncate_ragged_lines=True, comment_prefix="#")
    c = [f"column_{i}" for i in range(15)]  # polars 2 numbers columns from 0
    kind = pl.col(c[0])
    su = raw.filter(kind == "SU03").select(
        block=c[1], summary=c[3], res=c[4], quantity=pl.col(c[5]).cast(pl.Int64),
        revenue=pl.col(c[6]).cast(pl.Float64))
    res = raw.filter(kind.str.starts_with("AS")).select(
        block=c[1], res=c[3], isrc=c[4], track_title=c[5], artist=c[7])
    rel = raw.filter(kind.str.starts_with("RE")).select(block=c[1], upc=c[6], release_title=c[9])
    summ = raw.filter(kind.str.starts_with("SY")).select(summary=c[1], territory=c[6],
                                                           currency=c[10])
    rows = su.join(res, on=["block", "res"], how="left").join(rel, on="block", how="left") \
        .join(summ, on="summary", how="left").with_columns(dsp=pl.lit("Bench Streams"))
    rows.write_parquet(out, compression="zstd")
    frame = pl.scan_parquet(out)
    pl.collect_all([frame.group_by(cols).agg(pl.col("quantity").sum(), pl.col("revenue").sum(),
                                             pl.len().alias("rows")) for cols in GROUPS.values()])
    return rows.height


def calamine_xlsx(src: str) -> int:
    """python-calamine reading the first sheet into an Arrow table (header row → names)."""
    import pyarrow as pa
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(src).get_sheet_by_index(0).to_python()
    header, data = rows[0], rows[1:]
    table = pa.table({str(h): pa.array([r[i] for r in data]) for i, h in enumerate(header)})
    return table.num_rows


def duckdb_report(sales: str, catalog: str, out: str) -> int:
    """The monthly report by hand: the period's sales Parquet joined to the catalog (ISRC, else
    UPC when the sale has no ISRC), matched rows with the catalog fields to a gzipped CSV."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"""CREATE TEMP TABLE cat AS SELECT upper(replace(ISRC, '-', '')) AS c_isrc,
        UPC AS c_upc, "Release Title" AS c_release, "Track Title" AS c_track, Artist AS c_artist,
        Label AS c_label FROM read_csv('{catalog}', header=true, types={{'UPC': 'VARCHAR'}})""")
    con.execute(f"""COPY (
        SELECT s.*, coalesce(a.c_release, b.c_release) AS catalog_release_title,
               coalesce(a.c_track, b.c_track) AS catalog_track_title,
               coalesce(a.c_artist, b.c_artist) AS catalog_artist,
               coalesce(a.c_label, b.c_label) AS catalog_label,
               CASE WHEN a.c_isrc IS NOT NULL THEN 'isrc' ELSE 'upc' END AS matched_on
        FROM read_parquet('{sales}', hive_partitioning=false) s
        LEFT JOIN cat a ON s.isrc = a.c_isrc
        LEFT JOIN (SELECT DISTINCT ON (c_upc) * FROM cat) b ON s.isrc IS NULL AND s.upc = b.c_upc
        WHERE a.c_isrc IS NOT NULL OR b.c_upc IS NOT NULL
    ) TO '{out}' (FORMAT csv, HEADER, COMPRESSION gzip)""")
    return con.execute(f"SELECT count(*) FROM read_parquet('{sales}')").fetchone()[0]


ANALYTICS = {  # what a DuckDB user writes for each view of bench/analytics.py
    "dsp": "SELECT dsp, currency, sum(quantity), sum(revenue), sum(revenue_converted) AS c FROM {src} "
           "GROUP BY dsp, currency ORDER BY c DESC",
    "month": "SELECT sale_period, currency, sum(quantity), sum(revenue), sum(revenue_converted) FROM {src} "
             "GROUP BY sale_period, currency ORDER BY sale_period",
    "track": "SELECT isrc, currency, any_value(track_title), sum(quantity), sum(revenue), "
             "sum(revenue_converted) AS c FROM {src} GROUP BY isrc, currency ORDER BY c DESC LIMIT 10",
    "territory_2025h1": "SELECT territory, currency, sum(quantity), sum(revenue), sum(revenue_converted) "
                        "AS c FROM {src} WHERE sale_period BETWEEN '2025-01' AND '2025-06' "
                        "GROUP BY territory, currency ORDER BY c DESC",
    "track_2025q2": "SELECT isrc, currency, any_value(track_title), sum(quantity), sum(revenue), "
                    "sum(revenue_converted) AS c FROM {src} WHERE sale_period BETWEEN '2025-04' AND '2025-06' "
                    "GROUP BY isrc, currency ORDER BY c DESC LIMIT 10",
    "track_on_spotify": "SELECT isrc, currency, any_value(track_title), sum(quantity), sum(revenue), "
                        "sum(revenue_converted) AS c FROM {src} WHERE dsp = 'Spotify' "
                        "GROUP BY isrc, currency ORDER BY c DESC LIMIT 10",
    "files_of_artist": "SELECT filename, currency, sum(quantity), sum(revenue), sum(revenue_converted) AS c "
                       "FROM {src} WHERE artist = 'Artist 7' GROUP BY filename, currency ORDER BY c DESC",
    "rows_of_artist": "SELECT (SELECT count(*) FROM {src} WHERE artist = 'Artist 7'), * FROM {src} "
                      "WHERE artist = 'Artist 7' ORDER BY filename, line LIMIT 25",
    "rows_page": "SELECT (SELECT count(*) FROM {src} WHERE dsp = 'Spotify'), * FROM {src} "
                 "WHERE dsp = 'Spotify' ORDER BY filename, line LIMIT 50 OFFSET 100",
}


def duckdb_analytics(paths: list[str], view: str) -> int:
    """One analytics view by hand, on the same Parquet files (a fresh connection)."""
    import duckdb

    listed = ", ".join("'" + p.replace("'", "''") + "'" for p in paths)
    src = f"read_parquet([{listed}], filename = true, hive_partitioning = false)"
    return len(duckdb.connect().execute(ANALYTICS[view].format(src=src)).fetchall())


def gtin_script(src: str, mongo_url: str, db: str, prefix: str, owner: str) -> int:
    """Validate each line (cell count, python-stdnum GTIN check, company prefix) and bulk-write
    the GTIN documents by `_id`, 1,000 per batch, to the same document store.

    Into collections of its own (`script_gtins`, `script_brands`), kept between runs as
    Tributary keeps its `gtins`: the embedded store ignores database names, so a drop of
    `gtins` in another database emptied Tributary's, and each run of either started on a
    different table size."""
    import csv
    import hashlib
    from datetime import datetime, timezone

    from pymongo import MongoClient, ReplaceOne, UpdateOne
    from stdnum import ean

    client = MongoClient(mongo_url)
    coll, brands = client[db].script_gtins, client[db].script_brands
    now = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
    source = {"id": owner, "type": "brand", "conditions": {"language": ["en"], "country": ["276"]}}
    ops: list[Any] = []
    seen_brands: dict[str, str] = {}
    lines = bad = 0

    def flush() -> None:
        if ops:
            coll.bulk_write(ops, ordered=False)
            ops.clear()
        fresh = [UpdateOne({"_id": bid}, {"$setOnInsert": {"name": n, "owner": owner}},
                           upsert=True) for n, bid in seen_brands.items() if bid.startswith("+")]
        if fresh:
            brands.bulk_write(fresh, ordered=False)
            for name in list(seen_brands):
                seen_brands[name] = seen_brands[name].lstrip("+")

    with open(src, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        for row in reader:
            lines += 1
            if len(row) != len(header):
                bad += 1
                continue
            rec = dict(zip(header, row))
            code = rec["gtin"].strip()
            if not (code.isdigit() and len(code) in (8, 12, 13, 14) and ean.is_valid(code)) \
                    or not code.zfill(14)[1:].startswith(prefix):
                bad += 1
                continue
            gtin14 = code.zfill(14)
            brand = rec["brand"].strip()
            if brand not in seen_brands:
                digest = hashlib.sha256(f"{owner}\n{brand.casefold()}".encode()).hexdigest()[:16]
                seen_brands[brand] = f"+brand-{digest}"
            doc = {"_id": gtin14, "id": gtin14, "type": "gtin", "name": rec["name"],
                   "brand_id": seen_brands[brand].lstrip("+"), "owner": owner,
                   "sources": [{**source, "data": [{"text": {"title": "Description",
                                                             "text": rec["description"]}}]}],
                   "version": 1, "created_at": now, "updated_at": now}
            ops.append(ReplaceOne({"_id": gtin14}, doc, upsert=True))
            if len(ops) >= 1000:
                flush()
    flush()
    client.close()
    return lines


BASELINES: dict[str, Callable[..., int]] = {
    "pandas_ingest": pandas_ingest, "duckdb_ingest": duckdb_ingest,
    "polars_ingest": polars_ingest, "duckdb_report": duckdb_report, "gtin_script": gtin_script,
    "duckdb_analytics": duckdb_analytics, "polars_dsr": polars_dsr, "calamine_xlsx": calamine_xlsx}
NEEDS = {"pandas_ingest": "pandas", "duckdb_ingest": "duckdb", "polars_ingest": "polars",
         "duckdb_report": "duckdb", "gtin_script": "pymongo", "duckdb_analytics": "duckdb",
         "polars_dsr": "polars", "calamine_xlsx": "python_calamine"}


def main(argv: list[str]) -> None:
    name, args = argv[0], json.loads(argv[1])
    try:
        __import__(NEEDS[name])
        if name in ("pandas_ingest", "calamine_xlsx"):
            __import__("pyarrow")
    except ImportError as exc:
        print(json.dumps({"skipped": f"{exc.name} is not installed (pip install tributary[bench])"}))
        return
    started = time.perf_counter()
    rows = BASELINES[name](**args)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": round(seconds, 4), "rows": rows, "rss_peak_mb": vmhwm_mb()}))


if __name__ == "__main__":
    main(sys.argv[1:])
