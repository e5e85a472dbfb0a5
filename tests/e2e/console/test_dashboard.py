"""The dashboard (the console's home) in headless Chromium at desktop (1440×900) and phone
(390×844) width, over an organisation's real imports through the Analytics API: revenue over
time, top DSPs, a click on a bar opening the files and lines behind it, CSV downloads, the date
range and the currency switch — each page screenshotted and checked for layout."""
from __future__ import annotations

import re

import pytest

from tests.support.browser import PHONE

from .layout import DESKTOP, check_layout, kind

expect = pytest.importorskip("playwright.sync_api", reason="pip install playwright").expect
VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def chart_rows(page, title: str):
    return page.locator(f'figure[data-chart="{title}"] tbody tr')


def click_bar(page, title: str, index: int) -> None:
    """Click the bar itself on the Chart.js canvas (where Chart.js drew it)."""
    canvas = page.locator(f'figure[data-chart="{title}"] canvas')
    canvas.scroll_into_view_if_needed()
    at = canvas.evaluate("(c, i) => { const bar = Chart.getChart(c).getDatasetMeta(0).data[i];"
                         " return { x: (bar.base + bar.x) / 2, y: bar.y }; }", index)
    canvas.click(position=at)


def csv_of(page, button) -> str:
    with page.expect_download() as download:
        button.click()
    return open(download.value.path(), encoding="utf-8").read()


@VIEWPORTS
def test_dashboard_is_home_with_figures_and_drill_down(open_console, label, viewport):
    console = open_console(viewport)
    page = console.page
    console.sign_in("token", label["token"])
    expect(page).to_have_url(re.compile("#/dashboard"))
    expect(page.locator("#live")).to_have_text("live")
    over = chart_rows(page, "Revenue by sale month")
    expect(over).to_have_count(2)
    expect(over.nth(0)).to_have_attribute("data-key", "2025-06")
    expect(over.nth(1).locator(".amount")).to_have_attribute("title", re.compile(r"^3\.30* USD$"))  # exact on hover
    expect(over.nth(1).locator(".amount")).to_have_text(re.compile(r"\$3\.30"))                     # 2 decimals shown
    expect(page.locator('[data-figure="Revenue"] .amount')).to_have_text(re.compile(r"\$5\.50"))     # 2.20 + 3.30, duplicate left out
    dsps = chart_rows(page, "Top DSPs")
    expect(dsps).to_have_count(3)
    assert [dsps.nth(i).get_attribute("data-key") for i in range(3)] == ["Spotify", "Apple Music", "Deezer"]
    expect(dsps.nth(0).locator(".amount")).to_have_attribute("title", re.compile(r"^4(\.0*)? USD$"))
    expect(chart_rows(page, "Top territories")).to_have_count(4)
    expect(chart_rows(page, "Top artists")).to_have_count(1)
    expect(chart_rows(page, "Top tracks")).to_have_count(3)
    expect(page.locator('figure[data-chart="Top DSPs"] canvas')).to_be_visible()
    check_layout(page, viewport, f"dashboard-{kind(viewport)}")

    click_bar(page, "Top DSPs", 0)                                   # Spotify
    drill = page.locator("#drill")
    expect(drill.get_by_role("heading", name="Behind Spotify")).to_be_visible()
    expect(drill.get_by_role("table", name="Files behind the selection").locator("tbody tr")).to_have_count(2)
    lines = drill.get_by_role("table", name="Lines behind the selection").locator("tbody tr")
    expect(lines).to_have_count(3)                                   # June's two, July's one
    expect(drill).to_contain_text("3 line(s)")
    expect(lines.filter(has_text="2025-07").locator(".amount")).to_have_attribute("title", re.compile(r"^2(\.0*)? EUR$"))
    check_layout(page, viewport, f"drill-{kind(viewport)}")
    text = csv_of(page, drill.get_by_role("button", name=re.compile("Download lines")))
    assert len(text.strip().splitlines()) == 4 and text.count("Spotify") == 3, text
    assert "Deezer" not in text
    text = csv_of(page, page.get_by_role("button", name="Download Top DSPs as CSV"))
    assert "Deezer" in text and "Apple Music" in text, text
    assert any("format=csv" in r and "group_by=dsp" in r for r in console.requests)

    # the world map (vendored atlas): a country drills into its lines
    drill.get_by_role("button", name="Close").click()
    world = page.locator('figure[data-chart="Revenue by territory"] canvas')
    world.scroll_into_view_if_needed()
    at = world.evaluate("(c) => { const chart = Chart.getChart(c); const i = chart.data.datasets[0].data"
                        ".findIndex((d) => d.feature.id === '840'); const p = chart.getDatasetMeta(0).data[i].getCenterPoint();"
                        " return { x: p.x, y: p.y, value: chart.data.datasets[0].data[i].value }; }")
    assert at.pop("value") == pytest.approx(1.5 + 2.2)                  # the US: June's 1.50 USD, July's 2.00 EUR × 1.1
    world.click(position=at)
    expect(drill.get_by_role("heading", name=re.compile("Behind United States"))).to_be_visible()
    expect(drill.get_by_role("table", name="Lines behind the selection").locator("tbody tr")).to_have_count(2)

    # a point on the line drills into that month
    drill.get_by_role("button", name="Close").click()
    expect(drill).to_be_hidden()
    page.locator('figure[data-chart="Revenue by sale month"] summary').click()
    page.get_by_role("button", name="Show rows of 2025-07").click()
    expect(drill.get_by_role("heading", name="Behind 2025-07")).to_be_visible()
    expect(drill.get_by_role("table", name="Lines behind the selection").locator("tbody tr")).to_have_count(2)


@VIEWPORTS
def test_date_range_and_currency_switch(open_console, label, viewport):
    console = open_console(viewport)
    page = console.page
    console.sign_in("token", label["token"])
    expect(chart_rows(page, "Revenue by sale month")).to_have_count(2)
    page.get_by_label("From", exact=True).fill("2025-07")
    page.get_by_label("To", exact=True).fill("2025-07")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"from=2025-07&to=2025-07"))
    over = chart_rows(page, "Revenue by sale month")
    expect(over).to_have_count(1)
    expect(over.first).to_have_attribute("data-key", "2025-07")
    dsps = chart_rows(page, "Top DSPs")
    expect(dsps).to_have_count(2)                                    # no Deezer in July
    expect(page.locator('[data-figure="Revenue"] .amount')).to_have_text(re.compile(r"\$3\.30"))

    page.get_by_label("Currency", exact=True).select_option("EUR")               # amounts in EUR, as sold
    expect(page).to_have_url(re.compile(r"currency=EUR"))
    expect(page.locator('[data-figure="Revenue"] .amount')).to_have_text(re.compile(r"€3\.00"))
    expect(dsps.first.locator(".amount")).to_have_attribute("title", re.compile(r"^2(\.0*)? EUR$"))
    check_layout(page, viewport, f"dashboard-eur-{kind(viewport)}")
    page.reload()                                                    # the range and currency live in the URL
    expect(page.get_by_label("From", exact=True)).to_have_value("2025-07")
    expect(page.get_by_label("Currency", exact=True)).to_have_value("EUR")
    expect(page.locator('[data-figure="Revenue"] .amount')).to_have_text(re.compile(r"€3\.00"))
