"""Browser fixtures: one headless Chromium (Playwright, system Chromium) for the console tests,
a phone-width page per test, and organisations/participants of their own on the shared stack."""
from __future__ import annotations

import os
import random
import secrets
from pathlib import Path

import pytest

from tests.support.browser import PHONE, chromium_or_skip, launch
from tests.support.gs1 import company_prefix_for
from tests.support.stack import cli

from .label import seed_label


@pytest.fixture(scope="module")
def browser():
    """Module-scoped: sync Playwright keeps its event loop marked running in this thread while
    open, so it must be closed before async tests (test_streams.py) run."""
    chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = launch(pw)
        yield chromium
        chromium.close()


class Console:
    """A phone-width console page: errors in the page fail the test; screenshots on request."""

    def __init__(self, page, base: str) -> None:
        self.page, self.base = page, base
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("request", lambda r: self.requests.append(f"{r.method} {r.url}"))
        page.set_default_timeout(20_000)

    def open(self, route: str = "") -> None:
        self.page.goto(f"{self.base}/console/#{route}")

    def sign_in(self, kind: str, secret: str) -> None:
        self.open("/signin")
        self.page.get_by_label("Organisation token" if kind == "token" else "Session ticket").fill(secret)
        self.page.locator(f"#{kind}-form button[type=submit]").click()
        # checked on the Python side: the page's CSP forbids the eval a string predicate needs
        self.page.wait_for_url(lambda url: "#/signin" not in url)

    def nav(self, name: str) -> None:
        """Go to a page by its link in the header, unfolding the menu first on a phone."""
        toggle = self.page.locator("#menu-toggle")
        if toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false":
            toggle.click()
        self.page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()

    def shot(self, name: str) -> None:
        """Phone-width screenshot into $TRIBUTARY_SCREENSHOTS (to look at by eye) when set."""
        folder = os.environ.get("TRIBUTARY_SCREENSHOTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(folder) / f"console-{name}.png"), full_page=True)


@pytest.fixture
def console(browser, stack):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  accept_downloads=True)
    page = context.new_page()
    view = Console(page, stack.url)
    yield view
    context.close()
    # only errors of the page itself (a 4xx answer the page shows is logged by Chromium too)
    assert [e for e in view.errors if "Failed to load resource" not in e] == []


@pytest.fixture(scope="package")
def console_org(stack) -> dict:
    return cli(stack.data_dir, "org", "create", f"Console Records {secrets.token_hex(3)}")


@pytest.fixture(scope="package")
def participant(stack) -> dict:
    """A brand participant with a GS1 Germany prefix and a session: {urn, prefix, ticket}."""
    urn = f"urn:test:console:brand:{secrets.token_hex(4)}"
    prefix = company_prefix_for(random.Random(), "40")
    cli(stack.data_dir, "participant", "create", "--id", urn, "--type", "brand", "--prefix", prefix)
    session = cli(stack.data_dir, "session", "create", "--participant", urn, "--user", "console")
    return {"urn": urn, "prefix": prefix, "ticket": session["ticket"]}


@pytest.fixture(scope="package")
def label(stack) -> dict:
    """A label with June (USD), July (EUR) statements and two failed files (label.py)."""
    return seed_label(stack)


@pytest.fixture
def open_console(browser, stack):
    """Consoles at the sizes asked for, each closed after the test; page errors fail it."""
    contexts, consoles = [], []

    def make(viewport: dict) -> Console:
        context = browser.new_context(viewport=viewport, is_mobile=viewport is PHONE, has_touch=viewport is PHONE,
                                      accept_downloads=True)
        contexts.append(context)
        consoles.append(Console(context.new_page(), stack.url))
        return consoles[-1]
    yield make
    for c in contexts:
        c.close()
    for view in consoles:
        assert [e for e in view.errors if "Failed to load resource" not in e] == []


