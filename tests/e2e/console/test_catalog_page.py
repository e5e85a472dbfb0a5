"""The Catalog page at desktop (1440×900) and phone (390×844) width: upload a catalog file through
the page (presigned PUT), see it become the current version with the unreadable row counted,
search it by artist, title and ISRC, and a second upload replacing it; layout checked."""
from __future__ import annotations

import re
import secrets

import pytest

from tests.support.browser import PHONE
from tests.support.stack import cli

from .layout import DESKTOP, check_layout, kind

expect = pytest.importorskip("playwright.sync_api", reason="pip install playwright").expect
CATALOG = ("ISRC,UPC,Release Title,Track Title,Artist,Label,Genre\n"
           "US-RC1-76-07839,012345678905,Lanterns,North Light,Aurora Vale,Vale Records,Pop\n"
           "not-an-isrc,,Broken,Broken,Nobody,,\n"
           "GBAYE0601498,012345678905,Lanterns,South Wind,Aurora Vale,Vale Records,Pop\n").encode()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_catalog_upload_versions_and_search(open_console, stack, viewport):
    org = cli(stack.data_dir, "org", "create", f"Catalog Records {secrets.token_hex(3)}")
    console = open_console(viewport)
    page = console.page
    console.sign_in("token", org["token"])
    console.nav("Catalog")
    expect(page.locator("#catalog-versions")).to_contain_text("No catalog yet")
    page.get_by_label("Catalog file").set_input_files({"name": "catalog.csv", "mimeType": "text/csv", "buffer": CATALOG})
    expect(page.locator("#catalog-msg")).to_contain_text("version 1 with 2 rows (1 unreadable rows left out)", timeout=60_000)
    versions = page.get_by_role("table", name="Catalog versions").locator("tbody tr")
    expect(versions).to_have_count(1)
    expect(versions.first.locator(".badge")).to_have_text("Current version")
    expect(page.locator("#catalog-current")).to_contain_text("Current version 1: 2 rows")

    page.get_by_label("Artist").fill("aurora")
    page.get_by_label("Title").fill("south")
    page.get_by_role("button", name="Search").click()
    found = page.get_by_role("table", name="Catalog entries").locator("tbody tr")
    expect(found).to_have_count(1)
    expect(found.first).to_contain_text("GBAYE0601498")
    expect(found.first).to_contain_text("Genre: Pop")
    page.get_by_label("Artist").fill("")
    page.get_by_label("Title").fill("")
    page.get_by_label("ISRC").fill("usrc17607839")                  # normalised like the API does
    page.get_by_role("button", name="Search").click()
    expect(found).to_have_count(1)
    expect(found.first).to_contain_text("North Light")
    check_layout(page, viewport, f"catalog-{kind(viewport)}")

    page.get_by_label("Catalog file").set_input_files({"name": "catalog-2.csv", "mimeType": "text/csv", "buffer": CATALOG.replace(b"Pop", b"Rock")})
    expect(page.locator("#catalog-msg")).to_contain_text(re.compile(r"catalog-2\.csv: version 2"), timeout=60_000)
    expect(versions).to_have_count(2)
    expect(versions.filter(has_text="catalog.csv").locator(".badge")).to_have_text("Earlier version")
    expect(found.first).to_contain_text("Genre: Rock")
