"""Secretly Distribution digital statement (CSV). It has gross (`Total Gross Income`) and net
(`Label Net Total` = gross − `Distribution Fee Total`) columns; revenue is the **net** amount, what
the label is paid. The sale month is the `YYYY.MM` prefix of `invoice_description`
(`2019.08 Streams`); the statement month is `dateProcessedlast`. Amounts are USD."""
from __future__ import annotations

import pyarrow as pa

from .base import tabular
from .derive import extract


def _prepare(raw: dict[str, pa.Array]) -> dict[str, pa.Array]:
    if "invoice_description" in raw:
        raw["sd_month"] = extract(raw["invoice_description"], r"^\s*(?P<v>\d{4}[.\-/]\d{1,2})\b")
    return raw


SECRETLY = tabular(
    "secretly-digital",
    {
        "sale_period": ("sd_month", "dateProcessedlast"), "statement_period": "dateProcessedlast",
        "release_title": "Title_Description", "upc": "UPC", "isrc": "Product ID", "artist": "Artist",
        "track_title": "Product Title", "dsp": "Digital Service Provider_Subdescription",
        "territory": "Country Code", "usage_type": "Transaction Type", "quantity": "Quantity",
        "revenue": "Label Net Total",
    },
    required={"Internal Invoice Number", "Digital Service Provider_Subdescription", "Total Gross Income",
              "Label Net Total"},
    default_currency="USD",
    prepare=_prepare,
)
