"""The console header on a phone (390×844) keeps to one line: brand, live status and a Menu
button that folds the links out (and in again once a page is chosen); at 1440 px the links
show in the header itself. Checked with the layout checks (nothing outside the viewport
width, no text overlapping) in both states."""
from __future__ import annotations

import pytest

from tests.support.browser import PHONE

from .layout import DESKTOP, check_layout

playwright = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
expect = playwright.expect

ONE_LINE = 56   # px: one line of controls (a 2.25 rem button) and the header's padding


def header_height(page) -> float:
    return page.evaluate("document.querySelector('header.top').getBoundingClientRect().height")


def test_phone_header_is_one_line_with_a_menu(console, label):
    page = console.page
    console.sign_in("token", label["token"])
    expect(page.locator("#view h1").first).to_be_visible()
    toggle = page.get_by_role("button", name="Menu")
    nav = page.get_by_role("navigation", name="Main")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()
    assert header_height(page) <= ONE_LINE, header_height(page)
    # the badge is empty (no height, so centred lower) until the page's event stream answers
    expect(page.locator("#live")).not_to_be_empty()
    tops = page.evaluate("""[...document.querySelectorAll('header.top > *')].filter((e) => e.checkVisibility())
        .map((e) => Math.round(e.getBoundingClientRect().top))""")
    assert len(tops) == 3 and max(tops) - min(tops) < 12, tops   # brand, live, Menu: one row
    check_layout(page, PHONE, "header-phone")

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Reports", exact=True)).to_be_visible()
    check_layout(page, PHONE, "header-menu-phone")
    nav.get_by_role("link", name="Reports", exact=True).click()
    page.wait_for_url("**/#/reports")
    expect(toggle).to_have_attribute("aria-expanded", "false")      # folded again
    expect(nav).to_be_hidden()
    assert header_height(page) <= ONE_LINE


def test_desktop_header_shows_the_links(open_console, label):
    console = open_console(DESKTOP)
    page = console.page
    console.sign_in("token", label["token"])
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    nav = page.get_by_role("navigation", name="Main")
    for name in ("Dashboard", "Files", "Summary", "Reports", "Catalog", "GTIN imports"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    assert header_height(page) <= ONE_LINE
    check_layout(page, DESKTOP, "header-desktop")
