"""Pure rules of issue 18: date order, conversion to a base currency, country names, rates CSV."""
from __future__ import annotations

from decimal import Decimal as D

import pyarrow as pa
import pytest

from models.rates import read_csv
from models.sales.dates import DMY, MDY, DateOrder, DateOrderRestart, order_from_locale, provisional
from models.sales.money import Converter
from models.sales.normalise import norm_period, norm_territory


def test_rows_decide_and_contradicting_a_provisional_reading_restarts():
    order = DateOrder()                               # month-first by default
    assert norm_period("01/06/2025", order=order) == "2025-01"
    with pytest.raises(DateOrderRestart) as exc:
        norm_period("15/06/2025", order=order)
    assert exc.value.order == DMY
    settled = DateOrder(order=DMY, source="rows", evidence={DMY: "15/06/2025"})
    assert norm_period("01/06/2025", order=settled) == "2025-06"
    assert norm_period("06/30/2025", order=settled) == "2025-06"   # only one reading fits: no restart
    assert settled.report()["conflicting_examples"] == {DMY: "15/06/2025", MDY: "06/30/2025"}
    assert "both ways" in settled.warning()


def test_provisional_sources_and_warning():
    assert provisional(None, None, "dmy", None, None).source == "request"
    assert provisional("%d.%m.%Y", None, None, "MDY", None).order == DMY
    assert provisional(None, None, None, None, "de_DE").order == DMY
    assert order_from_locale("en_US") == MDY and order_from_locale("xx_nowhere") is None
    order = DateOrder()
    norm_period("02/03/2025", order=order)
    assert "date_order" in order.warning() and "'02/03/2025'" in order.warning()


def test_converter_uses_rates_in_order_and_names_what_is_missing():
    conv = Converter("USD", D("1.3"), {("EUR", "USD", "2025-06"): D("1.1")})
    rev = pa.array([D("10"), D("10"), D("10"), D("10")], pa.decimal128(38, 18))
    cur = pa.array(["USD", "GBP", "EUR", "JPY"])
    out = conv.convert(rev, cur, pa.array(["2025-06"] * 4))
    assert out.to_pylist() == [D("10"), D("13"), D("11"), None]
    report = conv.report()
    assert {(r["from"], r["source"]) for r in report["rates"]} == {("GBP", "exchange_rate"), ("EUR", "organisation")}
    assert report["missing"] == [{"from": "JPY", "to": "USD", "month": "2025-06", "rows": 1}]
    assert "JPY→USD" in conv.warnings()[0]


def test_country_names_in_many_languages_and_codes():
    assert [norm_territory(v) for v in ("Deutschland", "Allemagne", "Alemania", "Österreich", "276", "40", "AUT",
                                        "ROM", "N/A")] == ["DE", "DE", "DE", "AT", "DE", "AT", "AT", "RO", None]


def test_rates_csv_names_bad_lines():
    good, problems = read_csv("month,from,to,rate\n2025-06,GBP,USD,1.27\n2025-13,GBP,USD,-1\n")
    assert good == [{"month": "2025-06", "from": "GBP", "to": "USD", "rate": "1.27"}]
    assert {p["field"] for p in problems} == {"line 3: month", "line 3: rate"}


def test_amounts_that_needed_cleaning_are_counted_as_repaired(tmp_path):
    from models.sales.clean import CleanOptions, clean_file

    path = tmp_path / "r.csv"
    path.write_text("sale_period,dsp,territory,isrc,artist,track_title,quantity,currency,revenue\n"
                    '2025-06,S,FR,GBXYZ2400001,A,T,"1,200",USD,"$1,234.50"\n'
                    "2025-06,S,FR,GBXYZ2400001,A,T,3,USD,(1.5)\n"
                    "2025-06,S,FR,GBXYZ2400001,A,T,3,USD,1.5\n")
    dq = clean_file(str(path), "r.csv", CleanOptions(base_currency="USD"), lambda b: None).data_quality
    assert [(s["line"], s["value"], s["result"]) for s in dq["revenue"]["samples"]] == \
        [(2, "$1,234.50", "1234.5"), (3, "(1.5)", "-1.5")]
    assert dq["quantity"]["repaired"] == 1 and dq["quantity"]["samples"][0]["result"] == 1200
