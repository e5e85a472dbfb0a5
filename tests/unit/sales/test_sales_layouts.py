"""Layout registry: recognition, deterministic choice, ambiguity refusal, organisation mappings."""
from __future__ import annotations

from decimal import Decimal

import pytest

from models.sales.layouts import candidates, layout_from_mapping, match_header, norm_header, register, tabular

ORG = {"name": "acme-monthly", "columns": {"Month": "sale_period", "Shop": "dsp", "Country": "territory",
                                           "Units": "quantity", "Payout (EUR)": "revenue", "Song": "track_title"},
       "date_format": "%m.%Y", "decimal_separator": ",", "thousands_separator": ".", "default_currency": "EUR",
       "constants": {"usage_type": "stream"}, "skip_bottom": 1}


def test_norm_header():
    assert norm_header(" Country Of Sale ") == "country_of_sale"
    assert norm_header("# Units Sold") == "units_sold"
    assert norm_header("Royalty ($US)") == "royalty_us"
    assert norm_header("Pays d'écoute") == "pays_d_ecoute"


def test_registry_refuses_same_required_headers():
    clash = tabular("clash", {"sale_period": "sale_period", "dsp": "dsp", "territory": "territory",
                              "quantity": "quantity", "currency": "currency", "revenue": "revenue"})
    with pytest.raises(ValueError, match="require the same headers"):
        register(clash)


def test_more_specific_layout_wins_then_name():
    a = tabular("a", {"revenue": "money", "dsp": "shop"})
    b = tabular("b", {"revenue": "money", "dsp": "shop", "territory": "country"})
    c = tabular("c", {"revenue": "money", "dsp": "store"})
    rows = [["junk"], ["Money", "Shop", "Country", "Store"]]
    assert match_header(rows, [1, 2], [a, b, c]).layout.name == "b"
    assert match_header(rows, [1, 2], [c, a]).layout.name == "c"          # equal scores: name decides
    assert match_header(rows, [1, 2], [a, c]).layout.name == "c"          # ...whatever the order
    assert match_header(rows, [1, 2], [a]).row == 1


def test_layout_needs_revenue():
    with pytest.raises(ValueError):
        tabular("x", {"dsp": "shop"})


def test_org_mapping_turns_into_layout_and_cleans(tmp_path, run):
    layout = layout_from_mapping(ORG)
    assert layout.name == "org:acme-monthly" and layout.priority == 100
    assert layout.required == {"month", "shop", "country", "units", "payout_eur", "song"}
    assert candidates([ORG])[0].name == "org:acme-monthly"
    p = tmp_path / "acme.csv"
    p.write_text("Acme statement\nMonth;Shop;Country;Units;Payout (EUR);Song\n"
                 "06.2025;Spotify;Deutschland;1.200;1.234,5678;Lied\n06.2025;Deezer;FRA;3;0,000001;Chanson\n"
                 "Total;;;;1.234,567801;\n")
    r = run(p, mappings=[ORG])
    assert r.result.layout == "org:acme-monthly"
    rows = r.rows
    assert [x["revenue"] for x in rows] == [Decimal("1234.5678"), Decimal("0.000001")]
    assert [x["quantity"] for x in rows] == [1200, 3]
    assert [x["sale_period"] for x in rows] == ["2025-06", "2025-06"]
    assert [x["currency"] for x in rows] == ["EUR", "EUR"] and {x["usage_type"] for x in rows} == {"stream"}
    assert rows[1]["territory"] == "FR"
    assert r.result.footer_lines == 1 and r.result.totals_check["ok"] is True


def test_org_mapping_fixed_header_row(tmp_path, run):
    mapping = dict(ORG, header_row=3, skip_bottom=0)
    p = tmp_path / "acme.csv"
    p.write_text("Month;Shop;Country;Units;Payout (EUR);Song\nx\n"
                 "Month;Shop;Country;Units;Payout (EUR);Song\n06.2025;Spotify;DE;1;2,5;Lied\n")
    r = run(p, mappings=[mapping])
    assert r.result.header_line == 3 and r.result.rows == 1
