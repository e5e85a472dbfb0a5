"""The documented Tributary generic layout: header names are the canonical field names
(docs/canonical-schema.md). Comma, tab or semicolon separated; `revenue_converted` and `line` are
computed, never read."""
from __future__ import annotations

from .base import tabular

REQUIRED = {"sale_period", "dsp", "territory", "quantity", "currency", "revenue"}
OPTIONAL = ["statement_period", "isrc", "upc", "artist", "track_title", "release_title", "usage_type"]

GENERIC = tabular(
    "tributary-generic",
    {f: f for f in sorted(REQUIRED) + OPTIONAL},
    required=REQUIRED,
)
