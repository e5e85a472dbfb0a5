"""ONErpm (and OFFstep) XLSX statement. The workbook has sheets `Masters` (sales lines), `Shares In
& Out`, `Youtube Channels` and `Summary`; only the sheet whose header matches is imported (the
Excel reader picks it). ISRC and UPC hide in `ID` / `Parent ID`; revenue is `Net` in `Currency`
(`RUR` is normalised to `RUB`). `Exchange Rate` states 1 `Original Currency` = rate `Currency`
(Gross = Gross (Original Currency) × rate): a rate stated in the file for the conversion."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from .base import tabular
from .derive import first_nonblank, where

_ISRC = r"^\s*[A-Za-z]{2}-?[A-Za-z0-9]{3}-?\d{2}-?\d{5}\s*$"
_DIGITS = r"^\s*\d{8,14}\s*$"


def _prepare(raw: dict[str, pa.Array]) -> dict[str, pa.Array]:
    if "id" in raw:
        ident = raw["id"]
        parent = raw.get("parent_id", pa.repeat(pa.scalar("", pa.string()), len(ident)))
        raw["orpm_isrc"] = where(pc.match_substring_regex(ident, _ISRC), ident)
        raw["orpm_upc"] = first_nonblank(where(pc.match_substring_regex(parent, _DIGITS), parent),
                                         where(pc.match_substring_regex(ident, _DIGITS), ident))
    return raw


ONERPM = tabular(
    "onerpm",
    {
        "release_title": "Album Title", "track_title": "Track Title", "artist": "Artists", "dsp": "Store",
        "territory": "Territory", "usage_type": "Sales type", "sale_period": "Transaction Month",
        "statement_period": "Accounted Date", "currency": "Currency", "quantity": "Quantity",
        "revenue": "Net", "isrc": "orpm_isrc", "upc": "orpm_upc",
    },
    required={"Transaction Month", "Accounted Date", "Original Currency", "Gross (Original Currency)", "Fees", "Net"},
    prepare=_prepare,
    stated_rate=("Original Currency", "Exchange Rate"),
)
