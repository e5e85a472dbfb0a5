"""A run saves its task document (and tells its progress) less often when the save is costly,
within bounds (agents/gtin_import.progress_interval)."""
from __future__ import annotations

import pytest

from agents.gtin_import import PROGRESS_AT_MOST, PROGRESS_EVERY, SAVE_SHARE, progress_interval


@pytest.mark.parametrize("save_s, expected", [
    (0.0, PROGRESS_EVERY),            # a small document: every PROGRESS_EVERY s
    (0.005, PROGRESS_EVERY),
    (0.03, 0.03 / SAVE_SHARE),        # one with full error lists: saves stay SAVE_SHARE of time
    (1.0, PROGRESS_AT_MOST),          # a slow store: progress is still told regularly
])
def test_the_interval_follows_the_cost_of_a_save(save_s, expected):
    assert progress_interval(save_s) == pytest.approx(expected)
    assert PROGRESS_EVERY <= progress_interval(save_s) <= PROGRESS_AT_MOST
