"""CD Baby sales report: tab-separated `.txt`, CRLF, barcodes in double quotes (leading zeros kept:
every cell is read as text), dates `MM/DD/YYYY hh:mm:ss AM`, amounts in USD."""
from __future__ import annotations

from .base import tabular

CDBABY = tabular(
    "cdbaby",
    {
        "statement_period": "Report Date", "sale_period": "Sales Date", "quantity": "Quantity",
        "revenue": "Subtotal", "isrc": "Isrc", "upc": "Barcode", "release_title": "Album Name",
        "artist": "Artist Name", "track_title": "Track Name", "dsp": "Partner Name",
        "usage_type": "Transaction Type", "territory": "Delivery Country",
    },
    required={"Report Date", "Sales Date", "Subtotal", "CDBabySku", "Partner Name"},
    default_currency="USD",
    date_order="MDY",
)
