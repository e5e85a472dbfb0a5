"""DistroKid "excruciating detail" TSV. Album rows (`Song/Album` = Album) carry no ISRC and their
`Title` is the album title, so it goes to release_title instead of track_title."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from .base import tabular
from .derive import lower, where


def _prepare(raw: dict[str, pa.Array]) -> dict[str, pa.Array]:
    if "title" in raw and "song_album" in raw:
        album = pc.equal(lower(raw["song_album"]), "album")
        raw["dk_track"] = where(pc.invert(album), raw["title"])
        raw["dk_release"] = where(album, raw["title"])
    return raw


DISTROKID = tabular(
    "distrokid",
    {
        "statement_period": "Reporting Date", "sale_period": "Sale Month", "dsp": "Store",
        "artist": "Artist", "track_title": ("dk_track", "Title"), "release_title": "dk_release",
        "isrc": "ISRC", "upc": "UPC", "quantity": "Quantity", "usage_type": "Song/Album",
        "territory": "Country of Sale", "revenue": "Earnings (USD)",
    },
    required={"Sale Month", "Store", "Earnings (USD)", "Team Percentage", "Song/Album"},
    default_currency="USD",
    prepare=_prepare,
)
