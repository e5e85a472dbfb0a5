"""Headless Chromium for the console's browser tests: Debian's `chromium` driven by Playwright
for Python (the PyPI wheel bundles its driver; no browser download, never `playwright install`).

When /usr/bin/chromium is missing and we are root, `apt-get install chromium chromium-driver`
runs once (bounded by a timeout); otherwise the tests skip with the reason.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
PACKAGES = ("chromium", "chromium-driver")
INSTALL_TIMEOUT = 900
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage"]
PHONE = {"width": 390, "height": 844}
_attempt: str | None = None  # None: not tried; "" installed; else why not


def _apt(*args: str, timeout: float) -> subprocess.CompletedProcess:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    return subprocess.run(["apt-get", *args], capture_output=True, text=True, timeout=timeout,
                          env=env)


def _install() -> str:
    """Install Chromium with apt-get; '' on success, else the reason."""
    if os.geteuid() != 0:
        return f"{CHROMIUM} is missing and we are not root to apt-get install {' '.join(PACKAGES)}"
    if shutil.which("apt-get") is None:
        return f"{CHROMIUM} is missing and there is no apt-get to install it"
    try:
        done = _apt("install", "-y", "--no-install-recommends", *PACKAGES, timeout=INSTALL_TIMEOUT)
        if done.returncode != 0:  # stale or empty package lists: refresh once, try again
            _apt("update", timeout=INSTALL_TIMEOUT / 3)
            done = _apt("install", "-y", "--no-install-recommends", *PACKAGES,
                        timeout=INSTALL_TIMEOUT)
    except subprocess.TimeoutExpired:
        return f"apt-get install {' '.join(PACKAGES)} took longer than {INSTALL_TIMEOUT}s"
    if done.returncode != 0 or not CHROMIUM.exists():
        return f"apt-get install {' '.join(PACKAGES)} failed: {done.stderr.strip()[-500:]}"
    return ""


def chromium_or_skip() -> str:
    """The Chromium executable, installing it once if needed; skips the test when impossible."""
    global _attempt
    try:
        import playwright  # noqa: F401
    except ImportError:
        pytest.skip("Playwright for Python is not installed (pip install playwright)")
    if not CHROMIUM.exists():
        if _attempt is None:
            _attempt = _install()
        if _attempt:
            pytest.skip(_attempt)
    return str(CHROMIUM)


def launch(playwright):
    """A headless Chromium browser (Playwright `Browser`) on the system's Chromium."""
    return playwright.chromium.launch(executable_path=chromium_or_skip(), args=ARGS,
                                      headless=True, timeout=30_000)
