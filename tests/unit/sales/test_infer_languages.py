"""Layout inference end to end through `clean_file` on files written here in seven languages:
localised headers, decimal commas, month names, a currency in a header, a localised total line.
Each must import as layout `inferred` with exact totals and the expected mapping."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from models.sales.errors import SalesFileError

# language: (delimiter, header cells, month cells, total word, decimal comma?)
LANGS = {
    "en": (",", ["Sales Month", "Store", "Country", "Artist", "Track Title", "ISRC", "Units", "Net Revenue (USD)"],
           ["June 2025", "June 2025", "July 2025"], "Total", False),
    "de": (";", ["Verkaufsmonat", "Shop", "Land", "Künstler", "Titel", "ISRC", "Menge", "Umsatz (EUR)"],
           ["Juni 2025", "Juni 2025", "Juli 2025"], "Summe", True),
    "fr": (";", ["Période", "Plateforme", "Pays", "Artiste", "Titre", "ISRC", "Quantité", "Montant net (EUR)"],
           ["juin 2025", "juin 2025", "juillet 2025"], "Total", True),
    "es": (";", ["Mes de venta", "Tienda", "País", "Artista", "Título de la canción", "ISRC", "Cantidad",
                 "Ingresos (EUR)"], ["junio 2025", "junio 2025", "julio 2025"], "Total", True),
    "pt": (";", ["Mês de venda", "Loja", "País", "Artista", "Faixa", "ISRC", "Quantidade", "Receita líquida (BRL)"],
           ["junho 2025", "junho 2025", "julho 2025"], "Total", True),
    "it": (";", ["Periodo", "Negozio", "Paese", "Artista", "Titolo del brano", "ISRC", "Quantità", "Importo (EUR)"],
           ["giugno 2025", "giugno 2025", "luglio 2025"], "Totale", True),
    "nl": (";", ["Verkoopmaand", "Winkel", "Land", "Artiest", "Nummer", "ISRC", "Aantal", "Bedrag (EUR)"],
           ["juni 2025", "juni 2025", "juli 2025"], "Totaal", True),
}
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
