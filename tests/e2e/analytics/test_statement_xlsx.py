"""The aggregated statement as XLSX over HTTP, read back with python-calamine: every figure the
same as the CSV of the same view, exactly (a number a double holds as written, else the exact
decimal as text, named in `exact_as_text`), with its currency; documented in OpenAPI."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

from python_calamine import CalamineWorkbook

from tests.support.http import Api

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATEMENT = "/api/sales/analytics/?group_by=artist&period=2025-05&date=period&top=1000"


def cell_decimal(value) -> Decimal:
    """A cell as the decimal it holds: a float by its shortest repr, text as written."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))


async def test_statement_xlsx_matches_the_csv_exactly(label):
    api = label["api"]
    status, text, _ = await api.get(STATEMENT + "&format=csv")
    assert status == 200
    expected = list(csv.reader(io.StringIO(text.decode())))
    status, body, headers = await api.get(STATEMENT + "&format=xlsx")
    assert status == 200 and headers["Content-Type"] == XLSX, body
    assert 'filename="analytics-artist.xlsx"' in headers["Content-Disposition"]
    book = CalamineWorkbook.from_filelike(io.BytesIO(body))
    assert book.sheet_names == ["Statement", "By currency", "Rates"]
    sheet = book.get_sheet_by_name("Statement").to_python()
    assert sheet[0] == expected[0] + ["exact_as_text"]
    assert [r[1] for r in sheet[1:]] == ["Beta", "Alpha", "(total)"]
    assert len(sheet) == len(expected) == 4
    money = [i for i, name in enumerate(expected[0]) if name.startswith("revenue_")]
    for got, want in zip(sheet[1:], expected[1:]):
        assert got[0] == want[0] and got[1] == want[1] and got[-2] == want[-1], (got, want)
        assert got[2] == int(want[2])
        for i in money:
            assert cell_decimal(got[i]) == Decimal(want[i]), (expected[0][i], got[i], want[i])
    beta, alpha, total = sheet[1], sheet[2], sheet[3]   # 20.000000000000000001 USD: no double holds it
    usd = expected[0].index("revenue_USD")
    assert beta[usd] == "20.000000000000000001" and "revenue_USD" in beta[-1].split()
    assert isinstance(alpha[expected[0].index("revenue_EUR")], float) and alpha[-1] == ""
    assert total[usd] == "20.000000000000000001"
    by_currency = book.get_sheet_by_name("By currency").to_python()
    assert by_currency[0] == ["key", "label", "currency", "revenue", "exact_as_text"]
    assert [(r[1], r[2], cell_decimal(r[3])) for r in by_currency[1:]] == [
        ("Beta", "USD", Decimal("20.000000000000000001")), ("Alpha", "EUR", Decimal("13.75")),
        ("(total)", "EUR", Decimal("13.75")), ("(total)", "USD", Decimal("20.000000000000000001"))]
    rates = book.get_sheet_by_name("Rates").to_python()
    assert rates == [["from", "to", "month", "rate", "source", "missing_rows"],
                     ["USD", "EUR", "2025-05", "0.9", "organisation", ""]]   # the rate, as text


async def test_xlsx_only_for_grouped_views_and_documented(stack, label):
    status, body, _ = await label["api"].get("/api/sales/analytics/rows/?format=xlsx")
    assert status == 400 and "format" in [e["field"] for e in body["errors"]], body
    status, doc, _ = await Api(stack.url).get("/api/openapi.json")
    content = doc["paths"]["/api/sales/analytics/"]["get"]["responses"]["200"]["content"]
    assert content[XLSX] == {"schema": {"type": "string", "format": "binary"}}
    assert "text/csv" in content and "application/json" in content
