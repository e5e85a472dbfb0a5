"""The mapping wizard in headless Chromium: a file whose layout Tributary could not recognise opens
with its first rows, one dropdown per column preset from the proposal with its confidence, and a
live preview of totals by currency; Save & import saves the layout and the file imports — checked
at desktop (1440×900) and phone (390×844) width, screenshots taken and nothing wider than the
viewport."""
from __future__ import annotations

import asyncio
import secrets
import struct
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.browser import PHONE
from tests.support.http import Api
from tests.support.sales import ingest
from tests.support.stack import cli

from .conftest import Console

expect = pytest.importorskip("playwright.sync_api", reason="pip install playwright").expect
DESKTOP = {"width": 1440, "height": 900}

OUTSIDE = """() => [...document.querySelectorAll('body *')].filter((e) => {
  const r = e.getBoundingClientRect();
  if (!r.width || !r.height || getComputedStyle(e).position === 'fixed' || e.closest('.skip')) return false;
  return r.right > window.innerWidth + 0.5 || r.left < -0.5;
}).map((e) => `${e.tagName}#${e.id} ${(e.textContent || '').slice(0, 40)}`)"""


def odd_file(tag: str) -> bytes:
    return ("Mon;Shp;Lnd;Wer;Was;Stk;Saldo\n"
            f"2025-06;Spotify;DE;Aurora {tag};Nordlicht;3;1,5\n"
            f"2025-06;Deezer;FR;Aurora {tag};Südwind;4;2,25\n"
            f"2025-06;Spotify;GB;Aurora {tag};Nordlicht;1;0,000001\n").encode()


@pytest.fixture(scope="module")
def unknown_files(stack) -> tuple[dict, list[dict]]:
    """An organisation with two files of an unknown layout (one per viewport)."""
    org = cli(stack.data_dir, "org", "create", f"Wizard Records {secrets.token_hex(3)}")
    api = Api(stack.url, org["token"])

    async def both():
        return [await ingest(api, f"odd-{i}-{secrets.token_hex(2)}.csv", odd_file(f"{i}")) for i in range(2)]
    with ThreadPoolExecutor(1) as pool:  # sync Playwright holds this thread's event loop
        files = pool.submit(asyncio.run, both()).result(timeout=180)
    assert all(f["status_cause"] == "UNKNOWN_LAYOUT" for f in files), files
    return org, files


def _png_size(data: bytes) -> tuple[int, int]:
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("viewport,index", [(DESKTOP, 0), (PHONE, 1)], ids=["desktop", "phone"])
def test_wizard_maps_previews_and_imports(browser, stack, unknown_files, viewport, index):
    org, files = unknown_files
    record = files[index]
    context = browser.new_context(viewport=viewport, is_mobile=viewport is PHONE, has_touch=viewport is PHONE)
    page = context.new_page()
    console = Console(page, stack.url)
    try:
        console.sign_in("token", org["token"])
        console.open(f"/files/{record['id']}")
        wiz = page.locator("#mapping-wizard")
        expect(wiz).to_be_visible()
        expect(wiz.get_by_role("table", name="Columns and their fields")).to_contain_text("Nordlicht")
        saldo = wiz.get_by_label("Field for column Saldo")
        expect(saldo).to_have_value("revenue")                                  # preset from the proposal
        expect(saldo.locator("option:checked")).to_contain_text("%")             # with its confidence
        expect(wiz.get_by_label("Field for column Mon")).to_have_value("sale_period")
        preview = page.locator("#map-preview")
        expect(preview.locator('li[data-currency="no currency"]')).to_contain_text("3.750001")
        wiz.get_by_label("Default currency").fill("EUR")                       # live preview follows
        expect(preview.locator('li[data-currency="EUR"]')).to_contain_text("3.750001")
        wiz.get_by_label("Decimal separator").select_option(".")
        expect(preview.locator('li[data-currency="EUR"]')).to_have_text("241 EUR")  # "1,5" read as 15 (thousands)
        wiz.get_by_label("Decimal separator").select_option(",")
        wiz.get_by_label("Field for column Wer").select_option("artist")
        wiz.get_by_label("Field for column Was").select_option("track_title")
        saldo.select_option("")
        expect(page.locator("#map-save")).to_be_disabled()                       # revenue is required
        expect(page.locator("#map-problems")).to_contain_text("revenue")
        saldo.select_option("revenue")
        expect(page.locator("#map-save")).to_be_enabled()

        shot = page.screenshot(full_page=True)
        assert _png_size(shot)[0] == viewport["width"]
        assert page.evaluate(OUTSIDE) == []                                       # nothing wider than the viewport
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        widths = page.evaluate("[...document.querySelectorAll('#mapping-wizard select[data-header]')]"
                               ".map((e) => e.getBoundingClientRect().width)")
        assert len(widths) == 7 and min(widths) >= 150, widths                  # field names readable
        console.shot(f"wizard-{'desktop' if viewport is DESKTOP else 'phone'}")

        wiz.get_by_label("Layout name").fill(f"wizard-{index}-{secrets.token_hex(2)}")
        page.locator("#map-save").click()
        expect(page.locator("#detail-status")).to_have_attribute("data-status", "FINALIZED", timeout=60_000)
        expect(page.locator("dl.facts")).to_contain_text("org:wizard-")
        revenue = page.locator("dl.facts .amount[data-exact]").first                # 2 decimals shown,
        expect(revenue).to_have_attribute("title", "3.750001 EUR")               # the exact figure on hover
        expect(page.locator("#mapping-wizard")).to_have_count(0)
    finally:
        context.close()
    assert [e for e in console.errors if "Failed to load resource" not in e] == []
