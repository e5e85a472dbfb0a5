"""The Files table at desktop (1440×900) and phone (390×844) width: statuses in plain words, a
one-line problem that folds out, the link that fixes it (the mapping wizard, the original of a
duplicate, the missing rate), Revenue and Actions on screen, an empty state; an empty report
saying why; and the offline banner with Retry."""
from __future__ import annotations

import contextlib
import re
import secrets

import pytest
from python_calamine import CalamineWorkbook

from tests.support.browser import PHONE
from tests.support.http import Api
from tests.support.sales import ingest
from tests.support.stack import cli

from .label import run, statement
from .layout import DESKTOP, check_layout, kind

playwright = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
expect, PlaywrightTimeout = playwright.expect, playwright.TimeoutError


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_files_table_speaks_plainly_and_links_the_fix(open_console, label, viewport):
    console = open_console(viewport)
    page = console.page
    files = label["files"]
    console.sign_in("token", label["token"])
    console.nav("Files")
    row = lambda name: page.locator(f"#file-{files[name]['id']}")  # noqa: E731
    expect(row("june").locator(".badge")).to_have_text("Ready")
    expect(row("june").locator(".badge")).to_have_attribute("title", "FINALIZED")
    expect(row("june").locator(".amount")).to_have_text(re.compile(r"\$2\.20"))
    expect(row("july").locator(".amount")).to_have_text(re.compile(r"€3\.00"))

    odd = row("odd")
    expect(odd.locator(".badge")).to_have_text("Failed")
    expect(odd.locator(".problem-line")).to_contain_text("Columns not recognised")
    expect(odd.get_by_role("link", name="Map the columns")).to_have_attribute("href", f"#/files/{files['odd']['id']}")
    details = odd.locator(".details-text")
    expect(details).to_be_hidden()                                   # one line until asked
    odd.locator(".problem-line > span").first.click()                 # (the fix link sits beside it)
    expect(details).to_have_text(files["odd"]["error_message"])
    again = row("again")
    expect(again.locator(".problem-line")).to_contain_text("Same statement as another file")
    original = again.get_by_role("link", name=f"Open the original #{files['june']['id']}")
    expect(original).to_have_attribute("href", f"#/files/{files['june']['id']}")
    expect(again.get_by_role("button", name=re.compile("Import .* anyway"))).to_be_visible()

    for name in ("june", "again"):                                   # Revenue and Actions on screen
        for cell in (row(name).locator('td[data-label="Revenue"]'), row(name).locator('td[data-label="Actions"] button').first):
            box = cell.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], (name, box)
    check_layout(page, viewport, f"files-{kind(viewport)}")

    odd.get_by_role("link", name="Map the columns").click()          # the fix: the mapping wizard
    expect(page.locator("#mapping-wizard")).to_be_visible()
    page.go_back()
    row("again").get_by_role("link", name=re.compile("Open the original")).click()
    expect(page.locator("#detail-status")).to_have_attribute("data-status", "FINALIZED")
    expect(page.locator("#detail-status .badge")).to_have_text("Ready")


def test_empty_files_and_dashboard_say_what_to_do(console, stack):
    org = cli(stack.data_dir, "org", "create", f"Empty Records {secrets.token_hex(3)}")
    console.sign_in("token", org["token"])
    expect(console.page.locator('figure[data-chart="Top DSPs"]')).to_contain_text("No data")
    console.nav("Files")
    empty = console.page.locator("#files-empty")
    expect(empty).to_contain_text("No sales files yet")
    expect(console.page.locator("#files-table")).to_be_hidden()
    check_layout(console.page, PHONE, "files-empty-phone")


def test_offline_banner_and_retry(console, label):
    page = console.page
    console.sign_in("token", label["token"])
    page.route("**/api/**", lambda route: route.abort())            # the gateway stops answering
    console.nav("Summary")
    banner = page.locator("#offline")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("cannot be reached")
    expect(page.locator("#summary")).to_contain_text("cannot be reached")   # said, not a blank page
    console.nav("Dashboard")
    expect(page.locator("#dash-notes")).to_contain_text("could not be read")
    check_layout(page, PHONE, "offline-phone")
    banner.get_by_role("button", name="Retry").click()              # still down: drawn again, said again
    expect(banner).to_be_visible()
    expect(page.locator("#dash-notes")).to_contain_text("could not be read")
    page.unroute("**/api/**")                                        # back: Retry (or the stream's own
    with contextlib.suppress(PlaywrightTimeout):                     # reconnection, whichever is first)
        banner.get_by_role("button", name="Retry").click(timeout=3_000)
    expect(page.locator('[data-figure="Revenue"] .amount')).to_have_text(re.compile(r"\$5\.50"), timeout=40_000)
    expect(banner).to_be_hidden()


def test_an_empty_report_says_why_and_statements_per_artist(console, label):
    page = console.page
    console.sign_in("token", label["token"])
    console.nav("Reports")
    rows = page.locator("#reports-body tr")
    for period in ("2024-01", "2025-06"):                              # nothing imported / no catalog
        page.get_by_label("Type", exact=True).select_option("monthly")
        page.get_by_label("Reporting period").fill(period)
        page.get_by_role("button", name="Request").click()
        expect(rows.filter(has_text=period).locator(".status")).to_have_attribute("data-status", "DONE", timeout=60_000)
    empty, june = rows.filter(has_text="2024-01"), rows.filter(has_text="2025-06")
    expect(empty.locator(".status .badge")).to_have_text("Ready")       # plain words, DONE on hover
    expect(empty.locator(".status .badge")).to_have_attribute("title", "DONE")
    expect(empty.locator(".empty-report")).to_contain_text("No file imported for this statement period")
    expect(empty.locator(".empty-report")).to_contain_text("No catalog yet")
    expect(june.locator(".empty-report")).to_contain_text("No catalog yet")
    expect(june.locator(".empty-report")).not_to_contain_text("No file imported")
    expect(june.get_by_role("link", name="Upload a catalog")).to_have_attribute("href", "#/catalog")
    check_layout(page, PHONE, "report-empty-phone")
    with page.expect_download() as download:
        june.get_by_role("button", name="Download statement 2025-06 per artist as CSV").click()
    text = open(download.value.path(), encoding="utf-8").read()
    lines = text.strip().splitlines()                                  # one artist (June's 2.20 USD) and the total
    assert len(lines) == 3 and lines[1].startswith("Artist ") and ",16,2.2," in lines[1], text
    xlsx = june.get_by_role("button", name="Download statement 2025-06 per artist as XLSX")
    expect(xlsx).to_have_text("Per artist (XLSX)")                     # next to the CSV
    with page.expect_download() as download:
        xlsx.click()
    assert download.value.suggested_filename == "statement-2025-06-per-artist.xlsx"
    sheet = CalamineWorkbook.from_path(download.value.path()).get_sheet_by_name("Statement").to_python()
    assert [row[1:4] for row in sheet[1:]] == [[lines[1].split(",")[1], 16, 2.2], ["(total)", 16, 2.2]], sheet

    page.get_by_label("Type", exact=True).select_option("unmatched")      # June's lines, unmatched
    page.get_by_label("Reporting period").fill("2025-06")
    page.get_by_role("button", name="Request").click()
    unmatched = rows.filter(has_text="unmatched").filter(has_text="2025-06")
    expect(unmatched.locator(".status")).to_have_attribute("data-status", "DONE", timeout=60_000)
    expect(unmatched.locator(".amount")).to_have_attribute("title", "2.2 USD")  # with its currency


def test_a_missing_rate_is_fixed_from_the_files_table(console, stack):
    org = cli(stack.data_dir, "org", "create", f"Rate Records {secrets.token_hex(3)}")
    tag = secrets.token_hex(3)
    record = run(ingest(Api(stack.url, org["token"]), f"august-{tag}.tsv",
                        statement(tag, "202508", "EUR", [(1, "Spotify", "USA", 1, 5, "2.00")])))
    assert record["status"] == "FINALIZED" and record["converted_complete"] is False, record
    page = console.page
    console.sign_in("token", org["token"])
    console.nav("Files")
    row = page.locator(f"#file-{record['id']}")
    expect(row.locator(".problem-line")).to_contain_text("No exchange rate for EUR→USD 2025-08")
    row.get_by_role("link", name="Add the missing rate").click()
    page.get_by_label("1 EUR in USD, 2025-08 (1 lines)").fill("1.25")
    page.get_by_role("button", name="Save rate and reimport").click()
    expect(page.locator("dl.facts")).to_contain_text(re.compile(r"Attempt\s*2"), timeout=30_000)
    expect(page.locator("#detail-status")).to_have_attribute("data-status", "FINALIZED", timeout=30_000)
    expect(page.locator("#missing-rates-fix")).to_have_count(0)
    expect(page.locator("dl.facts")).to_contain_text("$2.50")                # 2.00 EUR × 1.25
