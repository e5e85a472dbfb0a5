"""No cell a spreadsheet would run as a formula, through HTTP.

- Reports (CSV): text cells starting with = + - @ TAB or CR get a leading `'`
  (models.reports.neutralise); amounts stay numbers (`-1.5` is a number, not a formula).
- GTIN import previews answer JSON, not CSV: values are returned exactly as in the file (JSON is
  data, never evaluated), with `Content-Type: application/json`. The decision is recorded in
  docs/reliability.md; a client exporting a preview to CSV must neutralise it itself.
"""
from __future__ import annotations

import csv
import io
import re

from tests.e2e.gtin_import.conftest import new_participant, upload
from tests.e2e.reports.conftest import download_csv
from tests.reliability.conftest import ingest, record
from tests.support.http import Api
from tests.support.participants import BASE
from tests.support.stack import cli

RISKY = ["=HYPERLINK(\"http://x\")", "+SUM(A1:A2)", "-2+3", "@cmd", "\tTabbed", "\rReturn"]
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _sales_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["statement_period", "sale_period", "dsp", "territory", "isrc", "artist",
                     "track_title", "release_title", "quantity", "currency", "revenue"])
    for n, value in enumerate(RISKY):
        writer.writerow(["2025-01", "2024-12", "DSP", "US", f"USRC1760{n:04d}", value,
                         f"{value} title", value, 1, "USD", "-1.5" if n == 0 else "2.25"])
    return out.getvalue().encode()


async def test_report_csv_neutralises_formula_cells(stack):
    api = Api(stack.url, cli(stack.data_dir, "org", "create", "Formula Label")["token"])
    final = await ingest(api, "formulas.csv", _sales_csv())
    assert final["status"] == "FINALIZED", final
    status, body, _ = await api.post("/api/reports/", json={"type": "unmatched",
                                                             "period": "2025-01"})
    assert status == 202, body
    report = await api.wait_for(f"/api/reports/{body['id']}", lambda b: b["status"] == "DONE")
    rows = await download_csv(report["download_url"])
    assert len(rows) == final["total_rows"] >= len(RISKY) - 1, final  # a bare CR may split a row
    cells = [v for row in rows for v in row.values() if v]
    risky = [v for v in cells if v[0] in "=+-@\t\r" and not NUMBER.match(v)]
    assert not risky, risky
    artists = sorted(row["artist"] for row in rows)
    assert "'=HYPERLINK(\"http://x\")" in artists and "'@cmd" in artists and "'+SUM(A1:A2)" in artists
    assert any(v == "-1.5" for v in cells), "amounts stay numbers"
    record("formulas", "report_csv", f"{len(cells)} cells checked, every risky text cell "
           "prefixed with '")


async def test_gtin_preview_is_json_with_values_verbatim(stack):
    who = new_participant(stack)
    text = "gtin,name\n" + "".join(f"4000000000017,{v.strip()}\n" for v in RISKY[:4])
    status, body, headers = await who.api.post(f"{BASE}/import/preview", json={
        "link": await upload(who, text), "delimiter": ",", "num_lines": 10})
    assert status == 200, body
    assert headers["Content-Type"].startswith("application/json")
    assert [r["name"] for r in body["records"]] == [v.strip() for v in RISKY[:4]]
    record("formulas", "gtin_preview", "JSON answer, values verbatim (no CSV is emitted)")
