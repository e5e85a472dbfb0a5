"""Layout inference on header sets of real exports, collected from public documentation of
distributors, DSPs and label software (tests/fixtures/sales/header_sets.json, sources named per
set; column names only, values are made up here by the kind of each column). Each set states the
mapping expected of it."""
from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from models.sales.infer import infer

ISRCS = ["GBXYZ2400001", "USABC2312345", "FRZ012400077", "DEAB12500010", "NLC1E2400003"]
UPCS = ["012345678905", "5012345678900", "0724384960650", "4006381333931", "036000291452"]


def _value(kind: str, r: int) -> str:
    return {
        "isrc": ISRCS[r % 5], "upc": UPCS[r % 5], "territory": ["GB", "US", "DE", "FR", "BR"][r % 5],
        "currency": ["USD", "EUR", "GBP", "USD", "EUR"][r % 5], "quantity": str([12, 3, 1500, 7, 40][r % 5]),
        "revenue": ["1.234567", "0.000812", "12.50", "-0.3", "7.125"][r % 5],
        "money": ["2.5", "0.11", "13.99", "0.5", "9.1"][r % 5], "rate": ["0.79", "0.79", "1.08", "0.79", "0.91"][r % 5],
        "sale_period": "2025-06", "statement_period": "2025-07", "date": "2025-06-30",
        "dsp": ["Spotify", "Apple Music", "Deezer", "Amazon", "YouTube"][r % 5],
        "artist": ["Aurora Vale", "The Examples", "Mira K", "Los Ejemplos", "Nord"][r % 5],
        "track_title": ["First Song", "Second Song", "Nordlicht", "Canción", "Zuid"][r % 5],
        "release_title": ["Example EP", "Example EP", "Polar LP", "Álbum", "Zuid EP"][r % 5],
        "usage_type": ["stream", "download", "stream", "ugc", "stream"][r % 5],
        "int": str(1000 + r), "unit": "0.5", "pct": "100", "text": ["a", "b", "c", "d", "e"][r % 5],
    }[kind]


def _kind(header: str, field: str | None) -> str:
    if field:
        return field
    h = header.lower()
    if re.search(r"rate|exchange", h):
        return "rate"
    if re.search(r"percent|share %|%", h):
        return "pct"
    if re.search(r"price|gross|fee|amount|tax|cost|withh|total|revenue|royalt|earn|paid|value|receipts|net", h):
        return "money"
    if re.search(r"date|period|month", h):
        return "date"
    if re.search(r"\bid\b|number|count|serial|sku|no\b", h):
        return "int"
    return "text"


def _rows(headers: list[str], expected: dict[str, str], extra: dict[str, str]) -> list[list[str]]:
    """Header + 8 rows; a `unit` column holds the unit amount of which revenue = unit × quantity."""
    kinds = [extra.get(h) or _kind(h, expected.get(h)) for h in headers]
    rows = [[_value(k, r) for k in kinds] for r in range(8)]
    if "unit" in kinds:
        u, q, v = kinds.index("unit"), kinds.index("quantity"), kinds.index("revenue")
        for r, row in enumerate(rows):
            row[u] = ["0.0071", "0.69", "0.004", "0.99", "0.0062"][r % 5]
            row[v] = str(Decimal(row[u]) * int(row[q]))
    return [headers] + rows


# each set: source, headers, {header: field expected}, {header: value kind when not the default},
# and `unsure_because` where the proposal must not be sure
SETS = json.loads((Path(__file__).resolve().parents[2] / "fixtures" / "sales" / "header_sets.json").read_text())


def test_at_least_thirty_sets():
    assert len(SETS) >= 30 and len({s["source"] for s in SETS}) == len(SETS)


@pytest.mark.parametrize("case", SETS, ids=[s["source"][:40] for s in SETS])
def test_header_set(case):
    source, names, expected = case["source"], case["headers"], case["expected"]
    proposal = infer(_rows(names, expected, case["kinds"]), "export.csv")
    got = proposal["mapping"]["columns"]
    wrong = {h: (got.get(h), f) for h, f in expected.items() if got.get(h) != f}
    assert not wrong, f"{source}: (got, expected) {wrong}; proposal {got}"
    if "unsure_because" in case:
        assert not proposal["sure"] and proposal["missing"], case["unsure_because"]
        return
    assert proposal["sure"], (proposal["missing"], proposal["ambiguous"])
    assert proposal["confidence"]["revenue"] >= proposal["threshold"]
