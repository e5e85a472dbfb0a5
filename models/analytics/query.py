"""The DuckDB SQL of an analytics view, built from checked filters; values travel as named
parameters (file paths, the service's own object keys, are quoted literals: a table function
takes no parameters).

One scan of `read_parquet` over the organisation's counted files, grouped twice: by (key,
currency, late, month) for the view and by (file, currency, statement month, late) for the
totals, files and rates — for groupings with few keys as one hash table over both, rolled up
(one hash probe a row, as a plain GROUP BY), for the others as GROUPING SETS (a table of every
key by file would be ten times larger). Rows whose import-time conversion stands
(models.analytics.convert) are summed as converted; the others are summed in their currency and
converted once per group, with the `rates(currency, month, rate)` relation the executor
registers. Only these groups, never rows, are joined, ranked and returned."""
from __future__ import annotations

from models.analytics.convert import exact_product, late_sql, stored_sum
from models.analytics.filters import TIME_GROUPS, Filters, View

# group → (key, label): a track is its ISRC, else artist and title folded (as the summary counts
# tracks: models.sales.snapshot.summary_keys); a release its UPC, else artist and release title;
# a file its path (the executor names it by id and filename)
KEYS = {  # key, label (an aggregate; None: the key itself)
    "month": ("s.sale_period", None),
    "period": ("s.statement_period", None),
    "dsp": ("s.dsp", None),
    "territory": ("s.territory", None),
    "artist": ("s.artist", None),
    "track": ("coalesce(s.isrc, lower(s.artist) || chr(31) || lower(s.track_title))",
              "concat_ws(' — ', min(s.track_title), min(s.artist))"),
    "release": ("coalesce(s.upc, lower(s.artist) || chr(31) || lower(s.release_title))",
                "min(s.release_title)"),
    "file": ("s.filename", None),
}
FEW = ("month", "period", "dsp", "territory", "file")  # groupings with at most a few hundred keys
ROW_COLUMNS = ("file_id", "line", "sale_month", "period", "dsp", "territory", "artist",
               "track_title", "isrc", "release_title", "upc", "quantity", "revenue", "currency")
_EQUAL = {"currency": "s.currency", "dsp": "s.dsp", "territory": "s.territory",
          "artist": "s.artist", "isrc": "s.isrc", "upc": "s.upc", "month": "s.sale_period",
          "period": "s.statement_period"}


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def source(paths: list[str]) -> str:
    listed = ", ".join(literal(p) for p in paths)
    return f"read_parquet([{listed}], filename = true, union_by_name = true, hive_partitioning = false) s"


def where(filters: Filters, files: dict[int, str]) -> tuple[str, dict]:
    """The WHERE clause and its parameters (`files`: id → path, for the `file` filter)."""
    clauses, params = [], {}
    column = "s.sale_period" if filters.date == "sale" else "s.statement_period"
    if filters.start:
        clauses.append(f"{column} >= $start")
        params["start"] = filters.start
    if filters.end:
        clauses.append(f"{column} <= $end")
        params["end"] = filters.end
    for name, col in _EQUAL.items():
        value = getattr(filters, name)
        if value is not None:
            clauses.append(f"{col} = ${name}")
            params[name] = value
    if filters.file is not None:
        clauses.append("s.filename = $file")
        params["file"] = files.get(filters.file, "")
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def grouped(view: View, files: dict[int, str], unstored: list[str], base: str,
            top: int | None, rolled: bool = False) -> tuple[str, dict]:
    """`files`: id → path of the files counted; `unstored`: paths whose import-time conversion is
    into another currency than today's base; `rolled`: the paths are the files' rollups
    (infra/analytics/rollup.py: rows summed, counted in `n`). The answer's lines
    (shape.COLUMNS): kind 'row' (slot 1..top, or top+1 for the others), 'file' (per file,
    currency, month, late)."""
    key, label = KEYS[view.group_by]
    label = label or key
    cond, params = where(view.filters, files)
    params["top"] = top if top is not None else 2 ** 62
    if unstored:
        params["base"] = base  # DuckDB refuses a parameter the statement does not use
    late = late_sql(unstored)
    order = ("k ASC NULLS LAST" if view.group_by in TIME_GROUPS
             else "coalesce(conv, 0) DESC, q DESC, k ASC NULLS LAST")
    sums = (f"sum(s.quantity) AS q, sum(s.revenue) AS rev, sum({stored_sum(unstored)}) AS stored, "
            f"{'sum(s.n)' if rolled else 'count(*)'} AS n")
    scan = f"FROM {source(list(files.values()))}\n  {cond}"
    if view.group_by in FEW:  # few keys: one hash table over (key, file, month), rolled up twice
        g = f"""g0 AS MATERIALIZED (
  SELECT {key} AS k, {label} AS l, s.currency AS currency, {late} AS late,
         s.filename AS file, s.statement_period AS cmonth, {sums}
  {scan}
  GROUP BY k, currency, late, file, cmonth
), g AS (
  SELECT k, min(l) AS l, currency, late, CASE WHEN late THEN cmonth END AS lmonth,
         NULL::VARCHAR AS file, NULL::VARCHAR AS cmonth, 1 AS by_key,
         sum(q) AS q, sum(rev) AS rev, sum(stored) AS stored, sum(n) AS n
  FROM g0 GROUP BY k, currency, late, CASE WHEN late THEN cmonth END
  UNION ALL
  SELECT NULL, NULL, currency, late, NULL, file, cmonth, 0, sum(q), sum(rev), sum(stored), sum(n)
  FROM g0 GROUP BY file, currency, cmonth, late"""
    else:                     # many keys: two hash tables in the one scan
        g = f"""g AS MATERIALIZED (
  SELECT {key} AS k, {label} AS l, s.currency AS currency, {late} AS late,
         CASE WHEN {late} THEN s.statement_period END AS lmonth,
         s.filename AS file, s.statement_period AS cmonth, grouping(s.filename) AS by_key, {sums}
  {scan}
  GROUP BY GROUPING SETS ((k, currency, late, lmonth), (file, currency, cmonth, late))"""
    sql = f"""
WITH {g}), c AS (
  SELECT g.*, CASE WHEN g.late THEN {exact_product('g.rev', 'r.rate')} ELSE g.stored END AS conv,
         CASE WHEN g.late AND r.rate IS NULL THEN g.n ELSE 0 END AS miss
  FROM g LEFT JOIN rates r
    ON g.late AND r.currency = g.currency AND r.month = coalesce(g.lmonth, g.cmonth)
), ranked AS (
  SELECT k, least(row_number() OVER (ORDER BY {order}), $top + 1) AS slot
  FROM (SELECT k, sum(q) AS q, sum(conv) AS conv FROM c WHERE by_key = 1 GROUP BY k)
)
SELECT 'row' AS kind, slot,
       CASE WHEN slot <= $top THEN min(c.k) END AS key,
       CASE WHEN slot <= $top THEN min(c.l) END AS label,
       c.currency, NULL::VARCHAR AS cmonth, NULL::BOOLEAN AS late,
       sum(c.q) AS q, sum(c.rev) AS rev, sum(c.conv) AS conv, sum(c.n) AS n, sum(c.miss) AS miss
FROM c JOIN ranked ON c.k IS NOT DISTINCT FROM ranked.k
WHERE c.by_key = 1
GROUP BY slot, c.currency
UNION ALL
SELECT 'file', 0, file, NULL, currency, cmonth, late, q, rev, conv, n, miss FROM c WHERE by_key = 0
"""
    return sql, params


def rows(filters: Filters, files: dict[int, str], page: int, page_size: int) -> tuple[str, str, dict]:
    """(count SQL, page SQL, parameters) of the rows behind a view, in file and line order."""
    cond, params = where(filters, files)
    src = source(list(files.values()))
    page_sql = f"""
SELECT s.filename, s.line, s.sale_period AS sale_month, s.statement_period AS period, s.dsp,
       s.territory, s.artist, s.track_title, s.isrc, s.release_title, s.upc, s.quantity,
       s.revenue, s.currency
FROM {src} {cond}
ORDER BY s.filename, s.line
LIMIT {int(page_size)} OFFSET {int((page - 1) * page_size)}"""
    return f"SELECT count(*) FROM {src} {cond}", page_sql, params
