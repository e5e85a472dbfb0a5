"""Apple financial report (Apple Music / iTunes, current layout): TSV, MM/DD/YYYY dates on Apple's
fiscal calendar, and trailer rows `Total_Rows`, `Total_Amount`, `Total_Units` after a blank line."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

import pyarrow as pa

from .base import norm_header, tabular
from .derive import months_midpoint


def _prepare(raw: dict[str, pa.Array]) -> dict[str, pa.Array]:
    """Apple fiscal months start and end mid-week: the calendar month is the one holding the midpoint."""
    if "start_date" in raw and "end_date" in raw:
        raw["apple_month"] = months_midpoint(raw["start_date"], raw["end_date"], "%m/%d/%Y")
    return raw


def trailer_totals(rows: list[list[str]]) -> dict | None:
    """`Total_Amount` → revenue, `Total_Units` → quantity, `Total_Rows` → rows (as declared)."""
    keys = {"total_amount": "revenue", "total_units": "quantity", "total_rows": "rows"}
    out: dict[str, str] = {}
    for cells in rows:
        values = [c.strip() for c in cells if c.strip()]
        if len(values) < 2 or norm_header(values[0]) not in keys:
            continue
        try:
            number = Decimal(values[1].replace(",", ""))
        except InvalidOperation:
            continue
        out[keys[norm_header(values[0])]] = format(number.normalize(), "f") if number else "0"
    return out if "revenue" in out else None


APPLE = tabular(
    "apple-financial",
    {
        "statement_period": "apple_month", "sale_period": "apple_month",
        "upc": "UPC", "isrc": "ISRC/ISBN", "quantity": "Quantity",
        "revenue": "Extended Partner Share", "currency": "Partner Share Currency",
        "artist": "Artist/Show/Developer/Author", "track_title": "Title",
        "usage_type": "Product Type Identifier", "territory": "Country Of Sale",
    },
    required={"Start Date", "End Date", "Extended Partner Share", "Partner Share Currency", "Apple Identifier"},
    constants={"dsp": "Apple"},
    prepare=_prepare,
    footer_totals=trailer_totals,
)
