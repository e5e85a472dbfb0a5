"""A SoundOn Summary is never imported, but its stated totals are reconciled with the detail
file of the same period, whichever arrives first; a mismatch is a warning on the detail file."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.http import Api
from tests.support.sales import ingest
from tests.support.stack import cli

LAYOUTS = Path(__file__).parents[2] / "fixtures" / "sales" / "layouts"


@pytest.fixture
def fresh_api(stack):
    return Api(stack.url, cli(stack.data_dir, "org", "create", "Reconcile")["token"])


async def _detail(api, name="soundon-my-royalty.csv"):
    final = await ingest(api, name, (LAYOUTS / "soundon-my-royalty.csv").read_bytes(), "CSV")
    assert final["status"] == "FINALIZED", final
    return final


async def _summary(api, data: bytes):
    final = await ingest(api, "soundon-summary.csv", data, "CSV")
    assert final["status"] == "FAILED" and final["status_cause"] == "NOT_SALES"


async def test_summary_after_detail_reconciles(fresh_api):
    detail = await _detail(fresh_api)
    await _summary(fresh_api, (LAYOUTS / "soundon-summary.csv").read_bytes())
    view = await fresh_api.wait_for(f"/api/files/salesfiles/{detail['id']}/",
                                    lambda b: b.get("reconciliation") is not None, timeout=30)
    assert view["reconciliation"]["ok"] is True
    assert not [w for w in view["warnings"] if w.get("source") == "SoundOn Summary"]


async def test_mismatching_summary_first_warns_on_the_detail(fresh_api):
    stated = (LAYOUTS / "soundon-summary.csv").read_bytes().replace(b"0.5123534", b"0.6000000")
    await _summary(fresh_api, stated)
    detail = await _detail(fresh_api)
    view = await fresh_api.wait_for(f"/api/files/salesfiles/{detail['id']}/",
                                    lambda b: b.get("reconciliation") is not None, timeout=30)
    assert view["status"] == "FINALIZED" and view["reconciliation"]["ok"] is False
    warning = next(w for w in view["warnings"] if w.get("source") == "SoundOn Summary")
    assert "0.6000000" in warning["warning"] and "0.5123534" in warning["warning"]
