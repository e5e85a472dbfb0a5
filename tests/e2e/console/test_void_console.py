"""Voiding from the console: the file page's Void button asks first (dismissed: nothing
happens), then voids; the file reads VOIDED and its revenue leaves the organisation summary."""
from __future__ import annotations

import secrets
from decimal import Decimal

from playwright.sync_api import expect

from tests.e2e.console.label import june, run
from tests.support.http import Api
from tests.support.sales import ingest
from tests.support.stack import cli


def test_void_asks_then_voids_and_the_summary_follows(console, stack):
    org = cli(stack.data_dir, "org", "create", f"Void Records {secrets.token_hex(3)}")
    api = Api(stack.url, org["token"])
    record = run(ingest(api, f"june-{secrets.token_hex(3)}.tsv", june(secrets.token_hex(3))))
    assert record["status"] == "FINALIZED", record
    before = run(api.get("/api/sales/summary/"))[1]
    assert Decimal(before["total_gross"]) == Decimal("2.20")

    page = console.page
    console.sign_in("token", org["token"])
    console.open(f"/files/{record['id']}")
    void = page.get_by_role("button", name=f"Void {record['filename']}")
    page.once("dialog", lambda d: d.dismiss())                    # asked first: No
    void.click()
    expect(page.locator("#detail-status")).to_have_attribute("data-status", "FINALIZED")
    assert run(api.get(f"/api/files/salesfiles/{record['id']}/"))[1]["status"] == "FINALIZED"

    messages = []
    page.once("dialog", lambda d: (messages.append(d.message), d.accept()))
    void.click()
    expect(page.locator("#detail-status")).to_have_attribute("data-status", "VOIDED", timeout=60_000)
    assert "leave the summary" in messages[0]
    after = run(api.wait_for("/api/sales/summary/", lambda b: Decimal(b["total_gross"]) == 0, timeout=60))
    assert after["files"] == 0, after
    assert [e for e in console.errors if "Failed to load resource" not in e] == []
