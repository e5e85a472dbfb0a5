"""The console's sales pages in headless Chromium at phone width: sign in, drop files, watch them
reach FINALIZED live (server-sent events, no polling), open the charts, reimport, summary and
reports — all through the page, which uses the HTTP API."""
from __future__ import annotations

import asyncio
import re
import secrets
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.http import Api
from tests.support.sales import ingest
from tests.support.stack import cli

expect = pytest.importorskip("playwright.sync_api", reason="pip install playwright").expect

HEADER = "sale_period\tdsp\tterritory\tisrc\tartist\ttrack_title\tquantity\tcurrency\trevenue\n"


def sales_tsv(tag: str, period: str = "202506") -> str:
    """A small generic-layout file whose values are unique to `tag` (no duplicate refusals)."""
    return (HEADER
            + f"{period}01\tSpotify\tUSA\tQZCON2500011\tArtist {tag}\tFirst Song\t10\tUSD\t1.50\n"
            + f"{period}02\tDeezer\tFrance\tQZCON2500012\tArtist {tag}\tSecond Song\t4\tUSD\t0.40\n"
            + f"{period}03\tSpotify\tGermany\tQZCON2500011\tArtist {tag}\tFirst Song\t2\tUSD\t0.30\n")


DROP = """(files) => {
  const dt = new DataTransfer();
  for (const [name, text] of files) dt.items.add(new File([text], name, {type: "text/plain"}));
  const zone = document.getElementById("drop-zone");
  zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: dt, bubbles: true, cancelable: true}));
  zone.dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
}"""


def test_drop_files_watch_them_finalize_live_and_open_charts(console, console_org):
    page = console.page
    console.sign_in("token", console_org["token"])
    console.nav("Files")
    expect(page.locator("#live")).to_have_text("live")
    tag = secrets.token_hex(3)
    page.evaluate(DROP, [[f"june-{tag}.tsv", sales_tsv(tag)], [f"july-{tag}.tsv", sales_tsv(tag, "202507")],
                         [f"broken-{tag}.csv", "\x00\x01\x02\x03 not a sales file \x00\x00"]])
    rows = page.locator("#files-body tr")
    expect(rows.filter(has_text=f"june-{tag}.tsv")).to_have_attribute("data-status", "FINALIZED", timeout=30_000)
    expect(rows.filter(has_text=f"july-{tag}.tsv")).to_have_attribute("data-status", "FINALIZED", timeout=30_000)
    broken = rows.filter(has_text=f"broken-{tag}.csv")
    expect(broken).to_have_attribute("data-status", "FAILED", timeout=30_000)
    expect(broken.locator(".badge")).to_have_text("Failed")                 # plain words, one line
    expect(broken.locator(".problem-line")).to_contain_text(re.compile(r"could not be read|Not a file type|Columns not recognised"))
    expect(broken.get_by_role("button", name=re.compile("Reimport"))).to_be_visible()
    expect(page.locator("#uploads progress").first).to_have_attribute("value", "100")
    expect(page.locator(f'#uploads li[data-file="broken-{tag}.csv"]')).to_have_attribute("data-status", "FAILED")  # the log follows
    console.shot("files")
    # live, not polled: the list was read once per stream connection, the stream was opened
    lists = [r for r in console.requests if re.search(r"GET \S+/api/files/salesfiles/\?", r)]
    assert 1 <= len(lists) <= 2, lists
    assert any("/api/events/files?ticket=" in r for r in console.requests)

    # filter by status and period
    page.get_by_label("Status", exact=True).select_option("FAILED")
    expect(rows).to_have_count(1)
    page.get_by_label("Status", exact=True).select_option("")
    page.get_by_label("Reporting period").fill("2025-07")
    page.get_by_role("button", name="Filter").click()
    expect(rows.filter(has_text=f"july-{tag}.tsv")).to_have_count(1)
    expect(rows.filter(has_text=f"june-{tag}.tsv")).to_have_count(0)

    rows.filter(has_text=f"july-{tag}.tsv").get_by_role("link", name=f"july-{tag}.tsv").click()
    dsp = page.locator('figure[data-chart="Revenue by DSP"]')
    expect(dsp.locator("canvas")).to_be_visible()                       # drawn by Chart.js
    expect(dsp.locator("tbody tr")).to_have_count(2)
    expect(dsp.locator("tbody tr").first).to_contain_text("Spotify")  # 1.80 before Deezer's 0.40
    expect(page.locator('figure[data-chart="Revenue by territory"] tbody tr')).to_have_count(3)
    expect(page.locator('figure[data-chart="Top tracks"]')).to_contain_text("QZCON2500011")
    expect(page.locator('figure[data-chart="Top artists"]')).to_contain_text(f"Artist {tag}")
    expect(page.get_by_role("table", name="Status history")).to_contain_text("Ready")
    # amounts with their currency (2 decimals), the exact figure on hover; data quality counted
    revenue = page.locator("dl.facts .amount").first
    expect(revenue).to_have_attribute("title", "2.2 USD")
    expect(revenue).to_contain_text("2.20")
    quality = page.get_by_role("table", name="Data quality")
    expect(quality.locator("tr", has_text="territory")).to_contain_text(re.compile(r"territory\s*0\s*3"))
    expect(quality).to_contain_text('"France" → FR')
    console.shot("detail")
    # reimport from the detail page: the page follows the new attempt live
    page.get_by_role("button", name="Reimport").click()
    expect(page.locator("dl.facts")).to_contain_text(re.compile(r"Attempt\s*2"), timeout=30_000)
    expect(page.locator("#detail-status")).to_have_attribute("data-status", "FINALIZED", timeout=30_000)


@pytest.fixture(scope="module")
def reporting_org(stack) -> dict:
    org = cli(stack.data_dir, "org", "create", f"Console Reports {secrets.token_hex(3)}")
    coro = ingest(Api(stack.url, org["token"]), "june.tsv", sales_tsv(secrets.token_hex(3)).encode())
    with ThreadPoolExecutor(1) as pool:  # sync Playwright holds this thread's event loop
        record = pool.submit(asyncio.run, coro).result(timeout=120)
    assert record["status"] == "FINALIZED", record
    return org


def test_summary_and_a_report_run_live_and_download(console, reporting_org):
    page = console.page
    console.sign_in("token", reporting_org["token"])
    console.nav("Summary")
    expect(page.locator('[data-figure="Files"] .v')).to_have_text("1")
    expect(page.locator('[data-figure="Total gross"] .v')).to_contain_text("2.20")  # Intl.NumberFormat, USD
    expect(page.locator('figure[data-chart="Revenue by period"]')).to_contain_text("2025-06")
    console.shot("summary")

    console.nav("Reports")
    page.get_by_label("Type", exact=True).select_option("unmatched")
    page.get_by_label("Reporting period").fill("2025-06")
    page.get_by_role("button", name="Request").click()
    row = page.locator("#reports-body tr").first
    expect(row.locator(".status")).to_have_attribute("data-status", "DONE", timeout=30_000)
    expect(row).to_contain_text("unmatched")
    console.shot("reports")
    with page.expect_download() as download:
        row.get_by_role("button", name=re.compile("Download")).click()
    assert download.value.suggested_filename.endswith(".csv.gz")
    assert any("/api/events/reports?ticket=" in r for r in console.requests)
