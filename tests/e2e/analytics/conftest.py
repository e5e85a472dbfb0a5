"""An organisation of its own (base EUR) with two imported statements in EUR and USD, over two
DSPs and sale months 2025-04..06, a voided file and a rejected duplicate, both not counted."""
from __future__ import annotations

import pytest

from tests.support.http import Api
from tests.support.sales import ingest
from tests.support.stack import cli

HEADER = ("statement_period,sale_period,dsp,territory,isrc,artist,track_title,release_title,upc,"
          "quantity,currency,revenue\n")
MAY = (HEADER  # lines 2..4 of statement 2025-05
       + "2025-05,2025-05,Spotify,FR,FRAAA2500001,Alpha,Song One,Record A,036000291452,100,EUR,10.50\n"
       + "2025-05,2025-04,Spotify,US,FRAAA2500002,Beta,Song Two,Record B,012345678905,50,USD,"
         "20.000000000000000001\n"
       + "2025-05,2025-05,Deezer,FR,FRAAA2500001,Alpha,Song One,Record A,036000291452,30,EUR,3.25\n").encode()
JUNE = (HEADER  # lines 2..4 of statement 2025-06
        + "2025-06,2025-06,Deezer,DE,FRAAA2500003,Gamma,Song Three,Record B,012345678905,7,EUR,0.125\n"
        + "2025-06,2025-06,Spotify,US,FRAAA2500002,Beta,Song Two,Record B,012345678905,40,USD,8\n"
        + "2025-06,2025-05,Deezer,US,FRAAA2500001,Alpha,Song One,Record A,036000291452,5,USD,1.5\n").encode()
VOIDED = (HEADER
          + "2025-06,2025-06,Spotify,FR,FRAAA2500001,Alpha,Song One,Record A,036000291452,999,EUR,1000\n").encode()


async def add_rate(api: Api, month: str, src: str, dst: str, rate: str) -> None:
    status, body, _ = await api.post("/api/exchange-rates/",
                                     json={"month": month, "from": src, "to": dst, "rate": rate})
    assert status == 201, body


def new_label(stack, name: str) -> Api:
    org = cli(stack.data_dir, "org", "create", name, "--base-currency", "EUR")
    return Api(stack.url, org["token"])


@pytest.fixture(scope="module")
async def label(stack) -> dict:
    """USD→EUR 2025-05 is known at import (stored conversion); 2025-06 only afterwards (the
    organisation's rate applied at query time)."""
    api = new_label(stack, "Analytics Label")
    await add_rate(api, "2025-05", "USD", "EUR", "0.9")
    may = await ingest(api, "spotify-deezer-2025-05.csv", MAY)
    june = await ingest(api, "spotify-deezer-2025-06.csv", JUNE)
    voided = await ingest(api, "voided-2025-06.csv", VOIDED)
    assert may["status"] == june["status"] == voided["status"] == "FINALIZED", (may, june, voided)
    status, body, _ = await api.call("DELETE", f"/api/files/salesfiles/{voided['id']}/")
    assert status == 200 and body["status"] == "VOIDED", body
    duplicate = await ingest(api, "again-2025-05.csv", MAY)
    assert duplicate["status"] == "FAILED", duplicate
    await add_rate(api, "2025-06", "USD", "EUR", "0.8")
    return {"api": api, "may": may, "june": june}
