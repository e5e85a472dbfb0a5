"""The analytics answer from the grouped query's lines (models.analytics.query.grouped): rows
with exact per-currency revenue (never added across currencies), the base-currency figure and
whether it is complete, the rest beyond `top` as `others`, totals, the rates used and missing."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from models.analytics.convert import rate_entry
from models.sales.result import _fmt

COLUMNS = ("kind", "slot", "key", "label", "currency", "cmonth", "late", "q", "rev", "conv", "n", "miss")
# a 'file' line has its path as key
UNSTATED = "(not stated)"


def _figures(lines: list[dict]) -> dict:
    """Quantity, revenue per currency, converted revenue and its completeness of some lines."""
    per_cur: dict = defaultdict(Decimal)
    for line in lines:
        per_cur[line["currency"]] += line["rev"] or Decimal(0)
    conv = sum((line["conv"] or Decimal(0) for line in lines), Decimal(0))
    return {"quantity": int(sum(int(line["q"] or 0) for line in lines)),
            "revenue": [{"currency": c, "amount": _fmt(v)}
                        for c, v in sorted(per_cur.items(), key=lambda x: x[0] or "")],
            "revenue_converted": _fmt(conv),
            "converted_complete": all(not line["miss"] for line in lines)}


def _named(group_by: str, key: str | None, label: str | None, files: dict) -> tuple[str | None, str]:
    """(key, label) as answered: a file by its id and filename, a territory by its name."""
    if key is None:
        return None, UNSTATED
    if group_by == "file":
        record = files.get(key) or {}
        return str(record.get("id", key)), record.get("filename") or key
    if group_by == "territory":
        from models.analytics.names import territory_name

        return key, territory_name(key)
    return key, label or key


def _rates(file_lines: list[dict], files: dict, base: str, late: dict) -> tuple[list, list, int]:
    """(rates used, rates missing, number of files) from the per-file lines."""
    used: dict = {}
    missing: dict = defaultdict(int)
    for line in file_lines:
        cur, month = line["currency"], line["cmonth"]
        if cur is not None and cur == base:
            continue
        if line["late"]:
            if line["miss"]:
                missing[(cur, month)] += int(line["miss"])
            if line["n"] > line["miss"] and (cur, month) in late:
                found = late[(cur, month)]
                entry = rate_entry(cur, base, month, found["rate"], found["source"])
                used[tuple(entry.values())] = entry
            continue
        for r in ((files.get(line["key"]) or {}).get("conversion") or {}).get("rates") or []:
            if r.get("from") == cur and (r.get("month") or None) == month:
                entry = rate_entry(cur, base, month, r["rate"], r.get("source") or "file")
                used[tuple(entry.values())] = entry
    rates = sorted(used.values(), key=lambda e: (e["from"] or "", e["month"] or "", e["source"]))
    gaps = [{"from": c, "to": base, "month": m, "rows": n}
            for (c, m), n in sorted(missing.items(), key=lambda x: (x[0][0] or "", x[0][1] or ""))]
    return rates, gaps, len({line["key"] for line in file_lines})


def answer(group_by: str, start: str | None, end: str | None, base: str, top: int | None,
           lines: list[tuple], files: dict, late: dict) -> dict:
    """`files`: {path: {id, filename, conversion}}; `late`: {(currency, month): late rate}.
    The totals add the per-file lines (as the summary adds files), whatever the grouping."""
    parsed = [dict(zip(COLUMNS, line)) for line in lines]
    slots: dict = defaultdict(list)
    for line in parsed:
        if line["kind"] == "row":
            slots[line["slot"]].append(line)
    rows, others = [], None
    for slot in sorted(slots):
        group = slots[slot]
        if top is not None and slot > top:
            others = _figures(group)
            continue
        key, label = _named(group_by, group[0]["key"], group[0]["label"], files)
        rows.append({"key": key, "label": label, **_figures(group)})
    per_file = [line for line in parsed if line["kind"] == "file"]
    totals = _figures(per_file)
    rates, gaps, count = _rates(per_file, files, base, late)
    return {"group_by": group_by, "from": start, "to": end, "base_currency": base, "rows": rows,
            "others": others, "totals": totals, "rates": rates, "missing_rates": gaps, "files": count}


def row_record(values: tuple, ids: dict[str, int]) -> dict:
    """One line of the rows view (its file named by id: `ids` path → id), amounts exact strings."""
    from models.analytics.query import ROW_COLUMNS

    out = dict(zip(ROW_COLUMNS, values))
    out["file_id"] = ids[out["file_id"]]
    if out["revenue"] is not None:
        out["revenue"] = _fmt(out["revenue"])
    return out
