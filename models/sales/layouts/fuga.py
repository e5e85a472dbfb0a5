"""FUGA royalty export (`royalty_extended` / `royalty_product_and_asset`; also Cargo Digital).

One row per sale at track level (`Asset/Product` = Asset, with ISRC) or release level (Product:
no ISRC, no asset title). Revenue is `Reported Royalty` (the label's share after the deal term).
`Currency` is the currency the store paid in; the amounts are already converted to the statement
currency, which the calculation text ends with (`… × 0.7957 £/$ = £`), so that symbol wins."""
from __future__ import annotations

import pyarrow as pa

from .base import tabular
from .derive import extract, first_nonblank


def _prepare(raw: dict[str, pa.Array]) -> dict[str, pa.Array]:
    if "sale_net_receipts_calculation" in raw:
        symbol = extract(raw["sale_net_receipts_calculation"], r"=\s*(?P<v>[^\s=]+)\s*$")
        raw["fuga_currency"] = first_nonblank(symbol, raw["currency"]) if "currency" in raw else symbol
    if "asset_artist" in raw and "product_artist" in raw:
        raw["fuga_artist"] = first_nonblank(raw["asset_artist"], raw["product_artist"])
    return raw


FUGA = tabular(
    "fuga-royalty",
    {
        "isrc": "Asset ISRC", "track_title": "Asset Title", "artist": ("fuga_artist", "Asset Artist"),
        "revenue": "Reported Royalty", "territory": "Territory", "quantity": "Quantity",
        "usage_type": "Sale Type", "sale_period": "Sale Start date", "dsp": ("Sale Store Name", "DSP"),
        "currency": ("fuga_currency", "Currency"), "release_title": "Product Title", "upc": "Product UPC",
    },
    required={"Royalty ID", "Asset/Product", "Reported Royalty", "Sale Store Name", "Product UPC"},
    prepare=_prepare,
)
