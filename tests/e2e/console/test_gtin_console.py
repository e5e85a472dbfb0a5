"""The console's GTIN pages in headless Chromium at phone width: upload a CSV through the page,
preview it, map its columns, start the import and watch its counters and error lists; then look
up an imported GTIN and see its sources by language and country."""
from __future__ import annotations

import re

import pytest
from stdnum import ean

expect = pytest.importorskip("playwright.sync_api", reason="pip install playwright").expect


def gtin13(prefix: str, number: int) -> str:
    body = prefix + str(number).zfill(12 - len(prefix))
    return body + ean.calc_check_digit(body)


def test_gtin_import_through_the_page_shows_counters_and_errors(console, participant):
    page = console.page
    prefix = participant["prefix"]
    good = [gtin13(prefix, n) for n in (11, 12, 13)]
    foreign = gtin13("5012345", 77)  # valid, but not this participant's prefix
    csv = ("gtin,name,brand,description\n"
           + "".join(f"{g},Oat drink {i},Acme Oats,Creamy {i}\n" for i, g in enumerate(good))
           + "4012345678902,Bad check digit,Acme Oats,Nope\n"
           + f"{foreign},Not ours,Other,Nope\n")
    console.sign_in("ticket", participant["ticket"])
    expect(page).to_have_url(re.compile(r"#/gtin/imports$"))
    page.get_by_label("CSV file to upload").set_input_files(
        files=[{"name": "catalogue.csv", "mimeType": "text/csv", "buffer": csv.encode()}])
    preview = page.get_by_role("table", name="Preview of the file")
    expect(preview).to_contain_text("Oat drink 0")
    expect(preview.locator("tbody tr")).to_have_count(5)
    # the guesses: gtin → GTIN, name → name, brand → brand, description → text widget
    expect(page.get_by_label("Use of column gtin")).to_have_value("gtin")
    expect(page.get_by_label("Use of column description")).to_have_value("text")
    page.get_by_label("Widget title for description").fill("Description")
    page.get_by_label("Add the country of registration from gtin").check()
    page.get_by_label("Countries").fill("276")
    page.get_by_role("button", name="Start import").click()
    expect(page.locator("#task-status")).to_have_attribute("data-status", "done", timeout=30_000)
    expect(page.locator('[data-counter="processed"] .v')).to_have_text("5")
    expect(page.locator('[data-counter="imported"] .v')).to_have_text("3")
    expect(page.locator('[data-counter="bad_gtins"] .v')).to_have_text("1")
    expect(page.locator('[data-counter="bad_prefixes"] .v')).to_have_text("1")
    expect(page.locator("#bad-gtins")).to_contain_text("4012345678902")
    expect(page.locator("#bad-prefixes")).to_contain_text(foreign)
    console.shot("gtin-imports")

    console.nav("GTIN document")
    page.get_by_label(re.compile("GTIN")).fill(good[0])
    page.get_by_role("button", name="Look up").click()
    sources = page.get_by_role("table", name="Sources by language and country")
    expect(sources).to_contain_text(participant["urn"])
    expect(sources.locator("tbody tr")).to_have_count(1)  # en × 276
    expect(sources).to_contain_text("Creamy 0")
    expect(sources).to_contain_text("276")
    expect(page.locator("#gtin-doc")).to_contain_text("Oat drink 0")
    console.shot("gtin-document")
