"""Bandcamp sales export (CSV; UTF-8 from one export, UTF-16 LE with BOM from another: the encoding
is sniffed). Dates `11/25/22 5:45pm`; `item name` is a track or a release depending on `item type`;
revenue is `net amount` (after Bandcamp's share and payment fees) in `currency`."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from .base import tabular
from .derive import lower, where


def _prepare(raw: dict[str, pa.Array]) -> dict[str, pa.Array]:
    if "item_name" in raw and "item_type" in raw:
        track = pc.equal(lower(raw["item_type"]), "track")
        raw["bc_track"] = where(track, raw["item_name"])
        raw["bc_release"] = where(pc.invert(track), raw["item_name"])
    return raw


BANDCAMP = tabular(
    "bandcamp",
    {
        "sale_period": "date", "usage_type": "item type", "track_title": "bc_track", "release_title": "bc_release",
        "artist": "artist", "currency": "currency", "quantity": "quantity", "revenue": "net amount",
        "isrc": "isrc", "upc": "upc", "territory": ("country code", "ship to country code"),
    },
    required={"paid to", "item type", "item name", "net amount", "bandcamp transaction id"},
    constants={"dsp": "Bandcamp"},
    prepare=_prepare,
    date_order="MDY",
)
