"""The two halves of inference on their own: header normalisation/vocabulary and the value tests."""
from __future__ import annotations

from decimal import Decimal as D

import pyarrow as pa
import pytest

from models.sales.infer import infer
from models.sales.infer.values import profile
from models.sales.infer.vocabulary import name_scores, split_label


@pytest.mark.parametrize("header,field,currency", [
    ("Net Revenue (USD)", "revenue", "USD"), ("Royalty ($US)", "revenue", "USD"), ("Betrag in EUR", "revenue", "EUR"),
    ("Montant net (€)", "revenue", "EUR"), ("Receita líquida", "revenue", None), ("Importo", "revenue", None),
    ("Umsatz", "revenue", None), ("Ingresos [MXN]", "revenue", "MXN"), ("Payable", "revenue", None),
    ("Verkaufsmonat", "sale_period", None), ("Période", "sale_period", None), ("Sales Month", "sale_period", None),
    ("Reporting Period", "statement_period", None), ("signedQuantity", "quantity", None),
    ("Nom de l'artiste", "artist", None), ("Titolo del brano", "track_title", None), ("Código ISRC", "isrc", None),
    ("Strichcode", "upc", None), ("Währung", "currency", None), ("Land", "territory", None),
])
def test_header_names(header, field, currency):
    scores, ccy = name_scores(header)
    assert max(scores, key=scores.get) == field, scores
    assert ccy == currency


def test_prices_fees_and_ambiguous_composites_are_not_revenue():
    for header in ("Unit Price", "Distribution Fee Total", "Exchange Rate", "Gross Unit Price", "Royalty Type"):
        assert name_scores(header)[0].get("revenue", 0) < 0.5, header
    assert name_scores("Gross Revenue")[0]["revenue"] < name_scores("Net Revenue")[0]["revenue"]
    assert "track_title" not in name_scores("Song/Album")[0]            # names two fields: neither
    assert name_scores("Artist / Invoice Ref")[0]["artist"] == 0.9
    assert split_label("dateProcessedlast")[0] == ["date", "processedlast"]


def test_value_tests_are_columnar_shares():
    p = profile(pa.array(["GBXYZ2400001", "us-abc-23-12345", "", "nope"]), ".")
    assert p.filled == 3 and p.isrc == pytest.approx(2 / 3)
    p = profile(pa.array(["012345678905", "012345678906", "5012345678900"]), ".")   # one bad check digit
    assert p.upc == pytest.approx(2 / 3)
    assert profile(pa.array(["Germany", "FR", "USA", "UK"]), ".").territory == 1.0
    assert profile(pa.array(["EUR", "GBP", "RUR"]), ".").currency == 1.0
    assert profile(pa.array(["Juni 2025", "2025-07", "07/31/2025"]), ".").period == 1.0
    assert profile(pa.array(["12", "2025"]), ".").period == 0.0                         # counts, not months
    amounts = profile(pa.array(["1.234,5", "-0,000001", "(2,5)"]), ",")
    assert amounts.decimal == 1.0 and amounts.total == D("1234.5") - D("0.000001") - D("2.5")


def test_stated_total_picks_the_revenue_column_among_unnamed_amounts():
    rows = [["Mon", "Kanal", "Nr", "A", "B"],
            ["2025-06", "Spotify", "GBXYZ2400001", "0.50", "1.25"],
            ["2025-06", "Deezer", "GBXYZ2400002", "0.75", "2.00"],
            ["Total", "", "", "1.25", ""]]
    proposal = infer(rows)
    assert proposal["mapping"]["columns"]["A"] == "revenue"
    assert any("stated total" in n for n in proposal["notes"])
    assert proposal["mapping"]["columns"]["Nr"] == "isrc"                 # by its values alone
    assert not infer(rows[:-1])["sure"]                                    # without it: two unnamed amounts, unsure


def test_one_header_name_for_two_fields_is_not_sure():
    """A mangled export repeating a header name cannot be mapped by name: the proposal says so
    instead of building a layout that lost its revenue column."""
    rows = [["Month", "Artist", "Amount", "Amount"],
            ["2025-06", "Aurora", "GBXYZ2400001", "1.25"],
            ["2025-06", "Nordlicht", "GBXYZ2400002", "2.00"]]
    proposal = infer(rows)
    assert not proposal["sure"]
    assert "header 'Amount' names several columns" in proposal["ambiguous"]
