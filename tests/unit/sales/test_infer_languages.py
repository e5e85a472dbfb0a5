"""Layout inference end to end through `clean_file` on files written here in seven languages:
localised headers, decimal commas, month names, a currency in a header, a localised total line.
Each must import as layout `inferred` with exact totals and the expected mapping. The seven
header sets are data: tests/fixtures/sales/languages.json."""
from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest

from models.sales.errors import SalesFileError

# language: {delimiter, headers, months (of three lines), total word, decimal_comma}
LANGS = {lang: (v["delimiter"], v["headers"], v["months"], v["total"], v["decimal_comma"])
         for lang, v in json.loads((Path(__file__).resolve().parents[2] / "fixtures" / "sales" /
                                    "languages.json").read_text(encoding="utf-8")).items()}
AMOUNTS = ["1234.567891", "0.000001", "-8.91"]
EXPECTED = ["sale_period", "dsp", "territory", "artist", "track_title", "isrc", "quantity", "revenue"]


def _file(lang: str) -> str:
    sep, headers, months, total, comma = LANGS[lang]
    def money(a: str) -> str:
        if not comma:
            return a
        whole, _, frac = a.partition(".")
        sign, whole = ("-", whole[1:]) if whole.startswith("-") else ("", whole)
        grouped = f"{int(whole):,}".replace(",", ".")
        return f"{sign}{grouped},{frac}"
    lines = [sep.join(headers)]
    data = [("Spotify", "DE", "Aurora Vale", "Nordlicht", "DEAB12500010", "1200"),
            ("Deezer", "FR", "Aurora Vale", "Südwind", "DEAB12500011", "3"),
            ("Apple Music", "GB", "Mira K", "Zuid", "GBXYZ2400001", "12")]
    for month, row, amount in zip(months, data, AMOUNTS):
        lines.append(sep.join([month, *row, money(amount)]))
    lines.append(sep.join([total, "", "", "", "", "", "1215", money(str(sum(D(a) for a in AMOUNTS)))]))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("lang", sorted(LANGS))
def test_localised_export_imports_as_inferred(tmp_path, run, lang):
    path = tmp_path / f"statement-{lang}.csv"
    path.write_text(_file(lang), encoding="utf-8")
    run = run(path)
    result = run.result
    assert result.layout == "inferred", result
    mapping = result.inference["mapping"]["columns"]
    assert list(mapping.values()) == EXPECTED, mapping
    assert all(c >= 0.75 for c in result.inference["confidence"].values()), result.inference["confidence"]
    assert D(result.imported_totals["revenue"]) == sum(D(a) for a in AMOUNTS)
    assert result.imported_totals["quantity"] == "1215" and result.rows == 3 and result.bad_rows == 0
    assert result.currency == LANGS[lang][1][-1][-4:-1]                 # the header's currency is the default
    assert [r["sale_period"] for r in run.rows] == ["2025-06", "2025-06", "2025-07"]
    assert result.totals_check and result.totals_check["ok"], result.totals_check    # the total line is checked


def test_unsure_file_fails_with_a_proposal(tmp_path, run):
    """Headers the vocabulary does not know: values alone are not enough for revenue."""
    path = tmp_path / "odd.csv"
    path.write_text("Mon;Shp;Lnd;Wer;Was;Stk;Saldo\n2025-06;Spotify;DE;Aurora;Nordlicht;3;1,5\n"
                    "2025-06;Deezer;FR;Aurora;Südwind;4;2,25\n", encoding="utf-8")
    with pytest.raises(SalesFileError) as err:
        run(path)
    assert err.value.cause == "UNKNOWN_LAYOUT"
    proposal = err.value.details["layout_proposal"]
    assert not proposal["sure"] and "revenue" in proposal["missing"]
    assert proposal["mapping"]["columns"].get("Saldo") == "revenue"       # still proposed, below the threshold
    assert proposal["sample_rows"][0][0] == "2025-06" and "POST /api/files/salesfiles/" in err.value.message


def test_inference_can_be_switched_off(tmp_path, run):
    path = tmp_path / "generic.csv"
    path.write_text("reporting_period,dsp,territory,isrc,artist,track_title,quantity,net_revenue,currency\n"
                    "2025-06,Spotify,GB,GBXYZ2400001,Nord,Zuid,3,0.5,GBP\n", encoding="utf-8")
    with pytest.raises(SalesFileError) as err:
        run(path, infer=False)
    assert err.value.cause == "UNKNOWN_LAYOUT" and not err.value.details
    assert run(path).result.layout == "inferred"
