"""Believe distribution statement (CSV, often `;`-separated). Revenue is `Net Revenue` (after the
client share rate) in `Client Payment Currency`."""
from __future__ import annotations

from .base import tabular

BELIEVE = tabular(
    "believe",
    {
        "statement_period": "Reporting month", "sale_period": "Sales Month", "dsp": "Platform",
        "territory": "Country/Region", "artist": "Artist Name", "release_title": "Release title",
        "track_title": "Track title", "upc": "UPC", "isrc": "ISRC", "usage_type": "Sales Type",
        "quantity": "Quantity", "currency": "Client Payment Currency", "revenue": "Net Revenue",
    },
    required={"Reporting month", "Sales Month", "Platform", "Client Payment Currency", "Net Revenue"},
)
