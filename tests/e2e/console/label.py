"""A label's statements for the dashboard and Files tests: June in USD, July in EUR (with a
rate), a file of an unknown layout and a duplicate of June, imported through the HTTP API."""
from __future__ import annotations

import asyncio
import secrets
from concurrent.futures import ThreadPoolExecutor

from tests.support.http import Api
from tests.support.sales import ingest
from tests.support.stack import cli

HEADER = "sale_period\tdsp\tterritory\tisrc\tupc\tartist\ttrack_title\trelease_title\tquantity\tcurrency\trevenue\n"


def statement(tag: str, period: str, currency: str, lines: list[tuple]) -> bytes:
    body = "".join(f"{period}{day:02d}\t{dsp}\t{terr}\tQZDSH25{isrc:05d}\t4006381333931\tArtist {tag}\tSong {isrc}\t"
                   f"Album {tag}\t{qty}\t{currency}\t{rev}\n" for day, dsp, terr, isrc, qty, rev in lines)
    return (HEADER + body).encode()


def june(tag: str) -> bytes:   # USD: Spotify 1.80 (US 1.50, DE 0.30), Deezer 0.40
    return statement(tag, "202506", "USD", [(1, "Spotify", "USA", 1, 10, "1.50"), (2, "Deezer", "France", 2, 4, "0.40"),
                                            (3, "Spotify", "Germany", 1, 2, "0.30")])


def july(tag: str) -> bytes:   # EUR at 1.1 USD: Spotify 2.00 (2.20 USD), Apple Music 1.00 (1.10 USD)
    return statement(tag, "202507", "EUR", [(4, "Spotify", "USA", 1, 5, "2.00"), (5, "Apple Music", "Japan", 3, 3, "1.00")])


def run(coro):
    with ThreadPoolExecutor(1) as pool:  # sync Playwright holds this thread's event loop
        return pool.submit(asyncio.run, coro).result(timeout=240)


def seed_label(stack) -> dict:
    """A label with June (USD) and July (EUR, rate 1.1) statements, a file of an unknown layout and
    a duplicate of June: {token, files: {name: record}}."""
    org = cli(stack.data_dir, "org", "create", f"Dashboard Records {secrets.token_hex(3)}")
    api = Api(stack.url, org["token"])
    tag = secrets.token_hex(3)

    async def seed():
        status, body, _ = await api.post("/api/exchange-rates/", json={"month": "2025-07", "from": "EUR", "to": "USD", "rate": "1.1"})
        assert status in (200, 201), body
        odd = b"Mon;Shp;Lnd;Wer;Was;Stk;Saldo\n2025-06;Spotify;DE;Aurora;Nordlicht;3;1,5\n"
        return {"june": await ingest(api, f"june-{tag}.tsv", june(tag)), "july": await ingest(api, f"july-{tag}.tsv", july(tag)),
                "odd": await ingest(api, f"odd-{tag}.csv", odd), "again": await ingest(api, f"june-again-{tag}.tsv", june(tag))}
    files = run(seed())
    assert [files[k]["status"] for k in ("june", "july")] == ["FINALIZED"] * 2, files
    assert files["odd"]["status_cause"] == "UNKNOWN_LAYOUT" and files["again"]["status_cause"] == "DUPLICATE", files
    return {"token": org["token"], "files": files}


