"""Symphonic Distribution statement (CSV): `JUN-25` reporting periods, `June 2025` activity periods,
ISO alpha-3 territories (USA, GBR), `Void` rows with negative amounts (kept: they reverse earlier
sales), amounts in USD with many decimals."""
from __future__ import annotations

from .base import tabular

SYMPHONIC = tabular(
    "symphonic",
    {
        "statement_period": "Reporting Period", "sale_period": "Activity Period", "dsp": "Digital Service Provider",
        "release_title": "Release Name", "artist": ("Track Artists", "Release Artists"), "upc": "UPC Code",
        "track_title": "Track Title", "isrc": "ISRC Code", "territory": "Territory", "usage_type": "Delivery",
        "quantity": "Count", "revenue": "Royalty ($US)",
    },
    required={"Reporting Period", "Digital Service Provider", "Activity Period", "Sale or Void", "Royalty ($US)"},
    default_currency="USD",
)
