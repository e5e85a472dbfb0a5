"""Organisation settings: strict_totals is a switch (JSON booleans, the CLI's on/off); anything
else is a problem naming the field."""
from __future__ import annotations

import pytest

from models.org_settings import check_settings, effective


@pytest.mark.parametrize("given, wanted", [(True, True), (False, False), ("on", True), ("off", False),
                                           ("TRUE", True), ("0", False)])
def test_strict_totals_switch(given, wanted):
    assert check_settings({"strict_totals": given}) == ({"strict_totals": wanted}, [])


def test_strict_totals_must_be_a_switch():
    clean, problems = check_settings({"strict_totals": "maybe"})
    assert problems == [{"field": "strict_totals", "problem": "must be true or false (on/off)"}]


def test_strict_totals_is_off_by_default():
    assert effective({})["strict_totals"] is False
    assert effective({"strict_totals": True})["strict_totals"] is True
