"""The DuckDB SQL of an analytics view, built from checked filters; values travel as named
parameters, never inside the text (file paths, which are the service's own object keys, are
quoted literals because a table function takes no parameters).

The rows come from `read_parquet` over the organisation's counted files, joined with two
relations the executor registers: `files(path, file_id, stored_ok)` (the files to count, and
whether their import-time conversion is into today's base currency) and `rates(currency, month,
rate)` (the organisation's rates into the base currency, models.analytics.convert)."""
from __future__ import annotations

from models.analytics.convert import converted_sql, late_sql
from models.analytics.filters import TIME_GROUPS, Filters, View

# group → (key, label): a track is its ISRC, else artist and title folded (as the summary counts
# tracks: models.sales.snapshot.summary_keys); a release its UPC, else artist and release title
KEYS = {
    "month": ("s.sale_period", "s.sale_period"),
    "period": ("s.statement_period", "s.statement_period"),
    "dsp": ("s.dsp", "s.dsp"),
    "territory": ("s.territory", "s.territory"),
    "artist": ("s.artist", "s.artist"),
    "track": ("coalesce(s.isrc, lower(s.artist) || chr(31) || lower(s.track_title))",
              "concat_ws(' — ', s.track_title, s.artist)"),
    "release": ("coalesce(s.upc, lower(s.artist) || chr(31) || lower(s.release_title))",
                "s.release_title"),
    "file": ("CAST(f.file_id AS VARCHAR)", "CAST(f.file_id AS VARCHAR)"),
}
ROW_COLUMNS = ("file_id", "line", "sale_month", "period", "dsp", "territory", "artist",
               "track_title", "isrc", "release_title", "upc", "quantity", "revenue", "currency")
_EQUAL = {"currency": "s.currency", "dsp": "s.dsp", "territory": "s.territory",
          "artist": "s.artist", "isrc": "s.isrc", "upc": "s.upc", "month": "s.sale_period",
          "period": "s.statement_period", "file": "f.file_id"}


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def source(paths: list[str]) -> str:
    listed = ", ".join(literal(p) for p in paths)
    return (f"read_parquet([{listed}], filename = true, union_by_name = true, hive_partitioning = false) s "
            "JOIN files f ON s.filename = f.path")


def where(filters: Filters) -> tuple[str, dict]:
    """The WHERE clause and its parameters."""
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
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def grouped(view: View, paths: list[str], base: str, top: int | None) -> tuple[str, dict]:
    """One scan, two groupings: per (key, currency) for the view, and per (file, currency,
    statement month, late) for the files, rates used and rates missing. The answer's lines:
    kind 'row' (slot 1..top, or top+1 for the others), 'total', 'file'."""
    key, label = KEYS[view.group_by]
    cond, params = where(view.filters)
    params["base"] = base
    params["top"] = top if top is not None else 2 ** 62
    order = ("k ASC NULLS LAST" if view.group_by in TIME_GROUPS
             else "coalesce(conv, 0) DESC, q DESC, k ASC NULLS LAST")
    sql = f"""
WITH g AS MATERIALIZED (
  SELECT {key} AS k, any_value({label}) AS l, s.currency AS currency,
         s.statement_period AS cmonth, f.file_id AS file_id, {late_sql()} AS late,
         sum(s.quantity) AS q, sum(s.revenue) AS rev, sum({converted_sql()}) AS conv,
         count(*) AS n, count(*) - count({converted_sql()}) AS miss,
         grouping(f.file_id) AS by_key
  FROM {source(paths)}
  LEFT JOIN rates r ON r.currency = s.currency AND r.month = s.statement_period
  {cond}
  GROUP BY GROUPING SETS (({key}, s.currency), (f.file_id, s.currency, s.statement_period, late))
), keyed AS (
  SELECT k, sum(q) AS q, sum(conv) AS conv FROM g WHERE by_key = 1 GROUP BY k
), ranked AS (
  SELECT k, least(row_number() OVER (ORDER BY {order}), $top + 1) AS slot FROM keyed
)
SELECT 'row' AS kind, slot,
       CASE WHEN slot <= $top THEN any_value(g.k) END AS key,
       CASE WHEN slot <= $top THEN any_value(g.l) END AS label,
       g.currency, NULL::VARCHAR AS cmonth, NULL::BOOLEAN AS late,
       sum(g.q) AS q, sum(g.rev) AS rev, sum(g.conv) AS conv, sum(g.n) AS n, sum(g.miss) AS miss
FROM g JOIN ranked ON g.k IS NOT DISTINCT FROM ranked.k
WHERE g.by_key = 1
GROUP BY slot, g.currency
UNION ALL
SELECT 'total', 0, NULL, NULL, currency, NULL, NULL, sum(q), sum(rev), sum(conv), sum(n), sum(miss)
FROM g WHERE by_key = 1 GROUP BY currency
UNION ALL
SELECT 'file', file_id, NULL, NULL, currency, cmonth, late, q, rev, conv, n, miss
FROM g WHERE by_key = 0
"""
    return sql, params


def rows(filters: Filters, paths: list[str], page: int, page_size: int) -> tuple[str, str, dict]:
    """(count SQL, page SQL, parameters) of the rows behind a view, in file and line order."""
    cond, params = where(filters)
    count = f"SELECT count(*) FROM {source(paths)} {cond}"
    page_sql = f"""
SELECT f.file_id, s.line, s.sale_period AS sale_month, s.statement_period AS period, s.dsp,
       s.territory, s.artist, s.track_title, s.isrc, s.release_title, s.upc, s.quantity,
       s.revenue, s.currency
FROM {source(paths)} {cond}
ORDER BY f.file_id, s.line
LIMIT {int(page_size)} OFFSET {int((page - 1) * page_size)}"""
    return count, page_sql, params
