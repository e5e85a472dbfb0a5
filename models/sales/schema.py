"""The canonical Arrow schema every layout is normalised into (documented in docs/canonical-schema.md)."""
from __future__ import annotations

from decimal import Decimal

import pyarrow as pa

# 38 digits, 18 after the point: 20 integer digits (1e20 in any currency) and exact to 1e-18,
# far below the 1e-6 line amounts seen in distributor statements. Sums stay decimal128(38, 18).
AMOUNT = pa.decimal128(38, 18)
AMOUNT_SCALE = 18
AMOUNT_LIMIT = Decimal(10) ** (38 - AMOUNT_SCALE)  # |amount| below this fits AMOUNT exactly

CANONICAL_SCHEMA = pa.schema([
    pa.field("statement_period", pa.string()),   # YYYY-MM the statement/report is for (pay on it)
    pa.field("sale_period", pa.string()),        # YYYY-MM the sale/usage happened (analyse on it)
    pa.field("dsp", pa.string()),
    pa.field("territory", pa.string()),          # ISO 3166-1 alpha-2, or WW for worldwide
    pa.field("isrc", pa.string()),               # 12 chars, validated, upper-case, no separators
    pa.field("upc", pa.string()),                # digits, GTIN check digit validated
    pa.field("artist", pa.string()),
    pa.field("track_title", pa.string()),
    pa.field("release_title", pa.string()),
    pa.field("usage_type", pa.string()),
    pa.field("quantity", pa.int64()),
    pa.field("currency", pa.string()),           # ISO 4217 of `revenue`
    pa.field("revenue", AMOUNT),                 # exact, in `currency`
    pa.field("revenue_converted", AMOUNT),       # revenue * CleanOptions.exchange_rate
    pa.field("line", pa.int64()),                # 1-based line number in the source file
])

FIELDS: tuple[str, ...] = tuple(CANONICAL_SCHEMA.names)
STRING_FIELDS = tuple(f.name for f in CANONICAL_SCHEMA if pa.types.is_string(f.type))
