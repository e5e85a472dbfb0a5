"""The Orchard `revenue_details` CSV: UPPER-CASE headers (matched case-insensitively like all
headers), statement period spelled `November 2025`, amounts in the account currency."""
from __future__ import annotations

from .base import tabular

ORCHARD = tabular(
    "orchard",
    {
        "statement_period": "STATEMENT PERIOD", "sale_period": "TRANSACTION DATE", "dsp": "STORE",
        "usage_type": "TRANSACTION TYPE", "artist": ("TRACK ARTIST", "PRODUCT ARTIST"), "track_title": "TRACK",
        "release_title": ("PRODUCT", "PRODUCT TITLE"), "isrc": "ISRC", "upc": "DISPLAY UPC",
        "territory": ("TERRITORY", "COUNTRY"), "quantity": "QUANTITY", "currency": ("ACCOUNT CURRENCY", "CURRENCY"),
        "revenue": "NET SHARE ACCOUNT CURRENCY",
    },
    required={"STATEMENT PERIOD", "TRANSACTION DATE", "STORE", "TRACK ARTIST", "DISPLAY UPC",
              "NET SHARE ACCOUNT CURRENCY"},
)
