"""YouTube Reporting API, content-owner music asset report (CSV, snake_case field names, USD)."""
from __future__ import annotations

from .base import tabular

YOUTUBE = tabular(
    "youtube-reporting",
    {
        "sale_period": ("date", "day"), "territory": "country", "isrc": "isrc", "upc": "upc",
        "artist": "artist", "track_title": "asset_title", "release_title": "album",
        "usage_type": "adjustment_type", "quantity": ("owned_views", "views", "partner_playbacks"),
        "revenue": "partner_revenue",
    },
    required={"asset_id", "asset_title", "isrc", "partner_revenue"},
    constants={"dsp": "YouTube"},
    default_currency="USD",
)
