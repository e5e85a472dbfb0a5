"""The bench's Markdown table reads a shape's context runs in both shapes they were written in."""
from __future__ import annotations

import pytest

from bench.printing import context_baselines, markdown

FIGURES = {"median_s": 0.95, "rows_per_s": 1_051_967, "peak_rss_mb": 397.9}


@pytest.mark.parametrize("context", [
    {"baselines": {"polars_by_currency": FIGURES}, "ratio": 2.34},   # since run37
    {"polars_by_currency": FIGURES, "ratio": 2.34},                  # runs 29-36
])
def test_context_runs_are_shown_beside_the_target_ratio(context):
    assert context_baselines(context) == {"polars_by_currency": FIGURES}
    shape = {"tributary": {"median_s": 2.22}, "baselines": {"polars": {"median_s": 0.79}},
             "ratio": 2.8, "target": "<= 2.0x", "target_met": False, "context": context}
    table = markdown({"scenarios": {"ingest": {"shapes": {"currencies": shape}}}})
    (row,) = [line for line in table.splitlines() if "(context)" in line]
    assert "polars_by_currency (context) | 0.950 s" in row and "2.340 (not the target)" in row, row
    assert context_baselines(None) == {}
