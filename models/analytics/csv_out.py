"""CSV of an analytics view, the figures exactly as the JSON answer gives them."""
from __future__ import annotations

import csv
import io

from models.analytics.query import ROW_COLUMNS


def _text(rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()


def grouped_table(answer: dict) -> tuple[list[str], list[list], list]:
    """Header, lines and currencies of a view: one line per row, then `others` and `total`; a
    revenue column per currency of the view (amounts of two currencies are never added), the
    converted figure in the base currency."""
    currencies = [a["currency"] for a in answer["totals"]["revenue"]]
    base = answer["base_currency"]
    head = ["key", "label", "quantity", *[f"revenue_{c or 'none'}" for c in currencies],
            f"revenue_converted_{base}", "converted_complete"]

    def line(key, label, fig: dict) -> list:
        amounts = {a["currency"]: a["amount"] for a in fig["revenue"]}
        return [key, label, fig["quantity"], *[amounts.get(c, "0") for c in currencies],
                fig["revenue_converted"], "true" if fig["converted_complete"] else "false"]

    out = [head] + [line(r["key"], r["label"], r) for r in answer["rows"]]
    if answer["others"] is not None:
        out.append(line("", "(others)", answer["others"]))
    out.append(line("", "(total)", answer["totals"]))
    return head, out[1:], currencies


def grouped_csv(answer: dict) -> str:
    head, lines, _ = grouped_table(answer)
    return _text([head] + lines)


def rows_csv(page: dict) -> str:
    return _text([list(ROW_COLUMNS)] + [[r.get(c) for c in ROW_COLUMNS] for r in page["results"]])
