from decimal import Decimal
from pathlib import Path

from models.sales.reconcile import compare, read_summary, royalty_type

SUMMARY = Path(__file__).parents[2] / "fixtures" / "sales" / "layouts" / "soundon-summary.csv"


def test_summary_totals_and_period_are_read():
    stated = read_summary(str(SUMMARY))
    assert stated["period"] == "2025-07"
    assert stated["totals"]["My Royalty"] == "0.5123534"


def test_royalty_type_from_file_name():
    assert royalty_type("SoundOn_Share_in_2025-07.csv") == "Share in"
    assert royalty_type("soundon-share-out.csv") == "Share out"
    assert royalty_type("My Royalty July.csv") == "My Royalty"


def test_compare_exact_and_mismatch():
    ok = compare({"My Royalty": "0.5123534"}, {"My Royalty": Decimal("0.5123534")})
    assert ok["ok"] and "warning" not in ok
    bad = compare({"My Royalty": "0.5"}, {"My Royalty": Decimal("0.5123534"),
                                          "Share in": Decimal("1")})
    assert not bad["ok"] and "Share in: summary states nothing" in bad["warning"]


def test_not_a_summary_gives_none(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n")
    assert read_summary(str(path)) is None
