"""Every layout fixture is recognised as its own layout and no other; a non-report is refused;
the real-layout reference samples (when ../shared is beside the repository) are recognised too."""
from __future__ import annotations

from pathlib import Path

import pytest

from models.sales.clean import CleanOptions, clean_file
from models.sales.errors import SalesFileError
from models.sales.layouts import registered
from models.sales.layouts.detect import rank_file
from tests.support.paths import SHARED

LAYOUTS = Path(__file__).resolve().parents[2] / "fixtures" / "sales" / "layouts"
SAMPLES = SHARED / "samples" / "sales" / "distributor"

OWN = {
    "apple-financial_85012345_0126_US.txt": "apple-financial",
    "youtube-music-assets.csv": "youtube-reporting",
    "distrokid-excruciating.tsv": "distrokid",
    "tunecore-sales.csv": "tunecore",
    "cdbaby-sales.txt": "cdbaby",
    "fuga-royalty_extended.csv": "fuga-royalty",
    "orchard-revenue_details.csv": "orchard",
    "believe-statement.csv": "believe",
    "symphonic-report.csv": "symphonic",
    "bandcamp-sales.csv": "bandcamp",
    "bandcamp-sales-utf16.csv": "bandcamp",
    "secretly-digital.csv": "secretly-digital",
    "onerpm-2025-07-01-statement.xlsx": "onerpm",
    "soundon-my-royalty.csv": "soundon",
    "soundon-summary.csv": "soundon-summary",
}


def test_every_fixture_is_listed_and_every_layout_has_a_fixture():
    data = {p.name for p in LAYOUTS.iterdir() if p.suffix not in (".py", ".md")}
    assert data == set(OWN) | {"not-a-report.txt"}
    builtin = {lay.name for lay in registered()} - {"ddex-dsr", "tributary-generic"}   # fixtures of issue 3
    assert builtin == set(OWN.values())


@pytest.mark.parametrize("name", sorted(OWN))
def test_fixture_recognised_as_its_own_layout_only(name):
    ranked = rank_file(str(LAYOUTS / name), name)
    assert ranked, f"{name}: no layout matches"
    assert ranked[0][1] == OWN[name]
    if len(ranked) > 1:                                   # a runner-up must score strictly lower
        assert ranked[1][0] < ranked[0][0], ranked
    assert [n for _, n in ranked].count(OWN[name]) == 1


@pytest.mark.parametrize("name", sorted(set(OWN) - {"soundon-summary.csv"}))
def test_clean_file_uses_the_same_layout(name):
    result = clean_file(str(LAYOUTS / name), name, CleanOptions(), lambda batch: None)
    assert result.layout == OWN[name] and result.rows > 0 and result.bad_rows == 0


def test_non_report_text_is_unknown_layout():
    with pytest.raises(SalesFileError) as err:
        clean_file(str(LAYOUTS / "not-a-report.txt"), "not-a-report.txt", CleanOptions(), lambda b: None)
    assert err.value.cause == "UNKNOWN_LAYOUT"
    assert "header found" in err.value.message and "closest layouts tried" in err.value.message
    assert rank_file(str(LAYOUTS / "not-a-report.txt"), "not-a-report.txt") == []


def test_soundon_summary_is_refused_as_not_sales_with_its_totals():
    with pytest.raises(SalesFileError) as err:
        clean_file(str(LAYOUTS / "soundon-summary.csv"), "soundon-summary.csv", CleanOptions(), lambda b: None)
    assert err.value.cause == "NOT_SALES"
    assert "SoundOn Summary" in err.value.message and "My Royalty 0.5123534 USD" in err.value.message


REAL = {
    "trackshift__DistroKid_Test.tsv": "distrokid", "trackshift__DistroKid_NonAscii.tsv": "distrokid",
    "trackshift__Tunecore_Test.csv": "tunecore", "trackshift__CdBaby_Test.txt": "cdbaby",
    "trackshift__cargo-simple-3-songs.csv": "fuga-royalty", "trackshift__bandcamp-simple-3-songs.csv": "bandcamp",
    "trackshift__bandcamp-non-ascii.csv": "bandcamp", "trackshift__bandcamp-simple-multiple-artist.csv": "bandcamp",
    "royaltyappv4__bandcamp_utf16.csv": "bandcamp", "royaltyappv4__sddigital.csv": "secretly-digital",
    "royalties-dashboard__symphonic_example_report.csv": "symphonic",
}


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_sample_recognised(name):
    path = SAMPLES / name
    if not path.exists():
        pytest.skip("reference samples (../shared beside the repository) not available")
    ranked = rank_file(str(path), name)
    assert ranked and ranked[0][1] == REAL[name]
    assert len(ranked) == 1 or ranked[1][0] < ranked[0][0]


def test_real_samples_published_totals():
    """Totals the sample's source repository publishes (Symphonic sum, Bandcamp 3-songs total)."""
    if not SAMPLES.exists():
        pytest.skip("reference samples (../shared beside the repository) not available")
    from decimal import Decimal
    for name, total in (("royalties-dashboard__symphonic_example_report.csv", "4.357276"),
                        ("trackshift__bandcamp-simple-3-songs.csv", "17.68")):
        result = clean_file(str(SAMPLES / name), name, CleanOptions(), lambda b: None)
        assert Decimal(result.imported_totals["revenue"]) == Decimal(total)
    with pytest.raises(SalesFileError) as err:
        clean_file(str(SAMPLES / "trackshift__gubbins.txt"), "gubbins.txt", CleanOptions(), lambda b: None)
    assert err.value.cause == "UNKNOWN_LAYOUT"
