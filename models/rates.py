"""Organisation exchange rates: one rate per month and currency pair (1 `from` = `rate` `to`).

Pure validation and CSV reading; `infra/repos/rates.py` stores them, the cleaning agent hands
them to `models.sales.money.Converter`."""
from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable

from models.periods import parse_period_strict

CSV_COLUMNS = ("month", "from", "to", "rate")
DEFAULT_BASE = "USD"


def currency_code(value: Any) -> str | None:
    """An ISO 4217 code (`rur` → RUB), or None."""
    from models.sales.normalise import norm_currency

    return norm_currency(str(value)) if value not in (None, "") else None


def check_rate(item: Any, where: str = "") -> tuple[dict | None, list[dict]]:
    """One rate {month, from, to, rate} → (clean rate, problems [{field, problem}])."""
    if not isinstance(item, dict):
        return None, [{"field": where or "body", "problem": "must be an object {month, from, to, rate}"}]
    problems, out = [], {}
    month = parse_period_strict(str(item.get("month") or ""))
    if month is None:
        problems.append({"field": f"{where}month", "problem": "must be YYYY-MM"})
    out["month"] = month
    for key in ("from", "to"):
        code = currency_code(item.get(key))
        if code is None:
            problems.append({"field": f"{where}{key}", "problem": "must be an ISO 4217 currency code"})
        out[key] = code
    if out.get("from") and out["from"] == out.get("to"):
        problems.append({"field": f"{where}to", "problem": "must differ from `from`"})
    try:
        rate = Decimal(str(item.get("rate")).strip())
        if not rate.is_finite() or rate <= 0:
            raise InvalidOperation
        out["rate"] = format(rate.normalize(), "f")
    except (InvalidOperation, ValueError):
        problems.append({"field": f"{where}rate", "problem": "must be a positive decimal number"})
    return (None if problems else out), problems


def check_rates(items: Iterable[Any], prefix: str = "rates") -> tuple[list[dict], list[dict]]:
    """Many rates; each problem names its item (`rates[2].rate`)."""
    good, problems = [], []
    for i, item in enumerate(items):
        rate, found = check_rate(item, f"{prefix}[{i}].")
        problems += found
        if rate:
            good.append(rate)
    return good, problems


def read_csv(text: str) -> tuple[list[dict], list[dict]]:
    """A CSV with the header `month,from,to,rate` (any order, `;` or `,`) → (rates, problems);
    each problem names its line."""
    dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t") if text.strip() else csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        return [], [{"field": "header", "problem": f"missing column(s) {', '.join(missing)}; "
                     f"expected {','.join(CSV_COLUMNS)}"}]
    good, problems = [], []
    for row in reader:
        item = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        if not any(item.values()):
            continue
        rate, found = check_rate(item, f"line {reader.line_num}: ")
        problems += found
        if rate:
            good.append(rate)
    return good, problems


def rate_table(docs: Iterable[dict]) -> dict[tuple[str, str, str], Decimal]:
    """Stored rates → {(from, to, month): rate} for the converter."""
    return {(d["from"], d["to"], d["month"]): Decimal(str(d["rate"])) for d in docs}
