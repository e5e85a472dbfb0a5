"""tests/support/browser.py: without Chromium and without root, the browser tests skip and say why."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import browser


def test_missing_chromium_without_root_skips_with_the_reason(monkeypatch, tmp_path):
    monkeypatch.setattr(browser, "CHROMIUM", Path(tmp_path / "no-chromium"))
    monkeypatch.setattr(browser, "_attempt", None)
    monkeypatch.setattr(browser.os, "geteuid", lambda: 1000)
    with pytest.raises(pytest.skip.Exception, match="not root to apt-get install chromium"):
        browser.chromium_or_skip()
    assert browser._attempt  # tried once; the next test skips without trying again


def test_present_chromium_is_used_as_is(monkeypatch, tmp_path):
    exe = tmp_path / "chromium"
    exe.write_text("#!/bin/sh\n")
    monkeypatch.setattr(browser, "CHROMIUM", exe)
    monkeypatch.setattr(browser, "_install", lambda: pytest.fail("must not install"))
    assert browser.chromium_or_skip() == str(exe)
