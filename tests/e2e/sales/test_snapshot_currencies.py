"""A multi-currency file's snapshot over HTTP (issue 21): lists longer than the document keeps
page exactly from the Arrow page documents, to the last decimal, each track counted once in the
summary however many currencies it was paid in."""
from __future__ import annotations

from decimal import Decimal as D

from tests.e2e.sales.test_money import HEADER, add_rates, fresh_org
from tests.support.sales import ingest

TRACKS = 700
CURRENCIES = {"EUR": D("2"), "GBP": D("3"), "JPY": None}     # JPY: no rate
TINY = D("0.000000000000000001")


def amount(track: int, currency: int) -> D:
    return D(track * 3 + currency + 1) / 10**8


def sales_file() -> tuple[bytes, dict]:
    """Each track sold in three currencies (2,100 byTrack entries); every fifth track twice in
    each, the second line 1e-18 more. Returns the file and {(isrc, currency): revenue}."""
    lines, want = [], {}
    for t in range(TRACKS):
        isrc = f"GBXYZ24{t:05d}"
        for c, cur in enumerate(CURRENCIES):
            revenue = amount(t, c)
            lines.append(f"2025-06,2025-06,Spotify,GB,{isrc},Artist {t % 50},Track {t},LP {t % 90},1,{cur},{revenue:f}\n")
            total = revenue
            if t % 5 == 0:
                lines.append(f"2025-06,2025-06,Deezer,FR,{isrc},Artist {t % 50},Track {t},LP {t % 90},2,{cur},"
                             f"{revenue + TINY:f}\n")
                total = revenue * 2 + TINY
            want[(isrc, cur)] = total
    return (HEADER + "".join(lines)).encode(), want


def text(d: D) -> str:
    s = format(d, "f")
    return s.rstrip("0").rstrip(".") if "." in s else s


async def test_multi_currency_lists_page_past_the_document_cap_exactly(stack):
    api = fresh_org(stack)
    await add_rates(api, ("2025-06", "EUR", "USD", "2"), ("2025-06", "GBP", "USD", "3"))
    data, want = sales_file()
    final = await ingest(api, "currencies.csv", data)
    assert final["status"] == "FINALIZED", final
    fid, n = final["id"], TRACKS * len(CURRENCIES)
    status, whole, _ = await api.get(f"/api/files/salesfiles/{fid}/snapshot/")
    assert status == 200 and whole["counts"]["byTrack"] == n and whole["truncated"]["byTrack"] == n
    assert len(whole["byTrack"]) == 1000 and "pages" not in whole
    seen, page = [], 1
    while True:
        status, body, _ = await api.get(
            f"/api/files/salesfiles/{fid}/snapshot/?group=byTrack&page={page}&page_size=1000")
        assert status == 200 and (body["count"], body["pages"], body["page_size"]) == (n, 3, 1000)
        if not body["results"]:
            break
        seen += body["results"]
        page += 1
    assert seen[:1000] == whole["byTrack"]                    # the document's list is the first page
    assert len(seen) == n and {(e["isrc"], e["currency"]) for e in seen} == set(want)
    for e in seen:
        revenue = want[(e["isrc"], e["currency"])]
        assert e["revenue"] == text(revenue), e                # exact, to the 18th decimal
        rate = CURRENCIES[e["currency"]]
        if rate is None:
            assert e["revenue_converted"] is None and e["unconverted_rows"] == e["rows"], e
        else:
            assert e["revenue_converted"] == text(revenue * rate), e
    revenues = [D(e["revenue"]) for e in seen]
    assert revenues == sorted(revenues, reverse=True)         # one order across the pages
    status, body, _ = await api.get(f"/api/files/salesfiles/{fid}/snapshot/?group=byTrack&page=2&page_size=333")
    assert body["results"] == seen[333:666]
    _, summary, _ = await api.get("/api/sales/summary/")
    assert summary["tracks"] == TRACKS and summary["artists"] == 50       # each once, not per currency
    assert summary["releases"] == len({(t % 50, t % 90) for t in range(TRACKS)})   # no UPC: artist + title
    jpy = {c["currency"]: c for c in final["totals_by_currency"]}["JPY"]
    assert jpy["revenue"] == text(sum((v for (_, cur), v in want.items() if cur == "JPY"), D(0)))
    # the pages object lost from storage: a clear error naming the file, the document still served
    pages = list(stack.data_dir.glob(f"objects/snapshots/*/file={fid}/*.pages"))
    assert len(pages) == 1
    pages[0].unlink()
    status, body, _ = await api.get(f"/api/files/salesfiles/{fid}/snapshot/?group=byTrack&page=2")
    assert status == 500 and body["code"] == "snapshot_pages_missing" and body["file_id"] == fid, body
    assert "reimport" in body["detail"]
    status, whole_again, _ = await api.get(f"/api/files/salesfiles/{fid}/snapshot/")
    assert status == 200 and whole_again["byTrack"] == whole["byTrack"]
