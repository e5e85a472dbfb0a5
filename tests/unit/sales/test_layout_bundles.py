"""FUGA/Cargo-style ZIP bundles: only the line-level royalty CSV is sales; summaries and the
statement workbook are skipped with a reason. A SoundOn summary supplies the detail's declared total."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from models.sales.bundles import classify_member, declared_totals, select_sales_members

LAYOUTS = Path(__file__).resolve().parents[2] / "fixtures" / "sales" / "layouts"


def _bundle() -> list[tuple[str, bytes]]:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("Example_2025Q1-royalty_extended.csv", (LAYOUTS / "fuga-royalty_extended.csv").read_bytes())
        z.writestr("Example_2025Q1-artists.csv", "Product Artist,Currency,Sale Net Receipts,Reported Royalty\n"
                                                 "Aurora Vale,GBP,7.998,6.3984\n")
        z.writestr("Example_2025Q1-stores.csv", "\ufeffSale Store Name,DSP,Currency,Sale Net Receipts,Reported Royalty\n"
                                                "Spotify,Spotify,GBP,0.008,0.0064\n")
        z.writestr("Example_2025Q1-statement.xlsx", (LAYOUTS / "onerpm-2025-07-01-statement.xlsx").read_bytes())
        z.writestr("readme.pdf", b"%PDF-1.4 not a report")
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        return [(n, z.read(n)[:4096]) for n in z.namelist()]


def test_only_the_line_level_csv_is_sales():
    sales, skipped = select_sales_members(_bundle())
    assert sales == ["Example_2025Q1-royalty_extended.csv"]
    assert set(skipped) == {"Example_2025Q1-artists.csv", "Example_2025Q1-stores.csv",
                            "Example_2025Q1-statement.xlsx", "readme.pdf"}
    assert "summary" in skipped["Example_2025Q1-artists.csv"] and "product artist" in skipped["Example_2025Q1-artists.csv"]
    assert "workbook" in skipped["Example_2025Q1-statement.xlsx"]
    assert ".pdf" in skipped["readme.pdf"]


def test_workbook_kept_when_no_text_sales_member():
    members = [(n, b) for n, b in _bundle() if not n.endswith("royalty_extended.csv")]
    sales, skipped = select_sales_members(members)
    assert sales == ["Example_2025Q1-statement.xlsx"] and "Example_2025Q1-artists.csv" in skipped


def test_soundon_summary_reconciles_the_detail():
    members = [(n, (LAYOUTS / n).read_bytes()) for n in ("soundon-my-royalty.csv", "soundon-summary.csv")]
    sales, skipped = select_sales_members(members)
    assert sales == ["soundon-my-royalty.csv"] and "reconcile" in skipped["soundon-summary.csv"]
    assert declared_totals(members) == {"soundon-my-royalty.csv": {"revenue": "0.5123534",
                                                                   "source": "soundon-summary.csv"}}


def test_classify_utf16_member_and_unknown():
    assert classify_member("b.csv", (LAYOUTS / "bandcamp-sales-utf16.csv").read_bytes()) == ("sales", "bandcamp")
    assert classify_member("n.txt", (LAYOUTS / "not-a-report.txt").read_bytes())[0] == "other"
