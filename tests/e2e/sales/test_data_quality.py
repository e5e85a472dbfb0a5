"""Data quality made visible, country names in any language, EMPTY files, summary counting rules,
snapshot paging and list order — end to end over HTTP."""
from __future__ import annotations

from decimal import Decimal as D

from tests.e2e.sales.test_money import fresh_org
from tests.support.http import Api
from tests.support.sales import ingest, register

HEADER = "sale_period,dsp,territory,isrc,upc,artist,track_title,release_title,quantity,currency,revenue\n"
COUNTRIES = (HEADER
             + "2025-06,Spotify,Deutschland,GBXYZ2400001,012345678905,A,One,EP,1,EUR,1\n"        # line 2
             + "2025-06,Spotify,Allemagne,GBXYZ2400001,012345678905,A,One,EP,1,EUR,1\n"          # 3
             + "2025-06,Spotify,Alemania,GBXYZ2400001,012345678905,A,One,EP,1,EUR,1\n"           # 4
             + "2025-06,Spotify,Österreich,GBXYZ2400001,012345678905,A,One,EP,1,EUR,1\n"         # 5
             + "2025-06,Spotify,276,GBXYZ2400001,012345678905,A,One,EP,1,EUR,1\n"                # 6
             + "2025-06,Spotify,AUT,GBXYZ2400001,012345678905,A,One,EP,1,EUR,1\n"                # 7
             + "2025-06,Spotify,N/A,gb-xyz-24-00002,12345678905,A,Two,EP,1,EUR,1\n"              # 8
             + "2025-06,Spotify,Atlantis,NOTANISRC,99999,A,Three,EP,1,EUR,1\n"                   # 9
             + "2025-06,Spotify,FR,GBXYZ2400003,,A,Four,EP,many,EUR,1\n"                          # 10
             + "2025-06,Spotify,FR,GBXYZ2400004,,A,Five,EP,1,EUR,lots\n"                          # 11
             + "2025-06,Spotify,FR,GBXYZ2400005,,A,Six,EP,1,Euro-ish,1\n").encode()              # 12


async def test_country_names_and_quality_counts_with_line_numbers(api: Api):
    final = await ingest(api, "quality.csv", COUNTRIES)
    assert final["status"] == "FINALIZED", final
    _, snap, _ = await api.get(f"/api/files/salesfiles/{final['id']}/snapshot/")
    territories = {e["name"]: e["rows"] for e in snap["byTerritory"]}
    assert territories["DE"] == 3 + 1 and territories["AT"] == 2      # names in 3 languages + numeric 276
    dq = final["data_quality"]
    assert dq == snap["data_quality"]
    terr = dq["territory"]
    assert terr["nulled"] == 2
    nulled = [(s["line"], s["value"]) for s in terr["samples"] if s["kind"] == "nulled"]
    assert nulled == [(8, "N/A"), (9, "Atlantis")]
    assert terr["repaired"] == 6 and len(terr["samples"]) == 5           # at most five samples
    assert dq["isrc"]["nulled"] == 1 and dq["isrc"]["repaired"] == 1
    assert {(s["line"], s["value"], s["result"]) for s in dq["isrc"]["samples"]} == \
        {(9, "NOTANISRC", None), (8, "gb-xyz-24-00002", "GBXYZ2400002")}
    assert dq["upc"]["nulled"] == 1 and dq["upc"]["repaired"] == 1      # 99999; 12345678905 → 0 restored
    assert [(s["line"], s["value"]) for s in dq["quantity"]["samples"]] == [(10, "many")]
    assert [(s["line"], s["value"]) for s in dq["revenue"]["samples"]] == [(11, "lots")]
    assert dq["currency"]["nulled"] == 1 and dq["currency"]["samples"][0]["line"] == 12
    assert dq["sale_date"] == {"nulled": 0, "repaired": 0, "samples": []}
    assert final["bad_rows"] == 2 and final["total_rows"] == 9


async def test_header_without_rows_fails_as_empty(api: Api):
    final = await ingest(api, "header-only.csv", HEADER.encode())
    assert final["status"] == "FAILED" and final["status_cause"] == "EMPTY", final
    assert "no data rows" in final["error_message"]


async def test_summary_counts_tracks_and_releases_by_code_else_names_and_files_with_rows(stack):
    api = fresh_org(stack)
    data = (HEADER
            + "2025-06,Spotify,FR,GBXYZ2400001,012345678905,Aurora,One,EP,1,EUR,1\n"
            + "2025-06,Spotify,FR,GBXYZ2400001,,Aurora,One (edit),EP,1,EUR,1\n"      # same ISRC: one track
            + "2025-06,Spotify,FR,,,Aurora,Two,EP,1,EUR,1\n"                          # (Aurora, Two)
            + "2025-06,Spotify,FR,,,Borealis,Two,Other LP,1,EUR,1\n").encode()        # (Borealis, Two)
    assert (await ingest(api, "count.csv", data))["status"] == "FINALIZED"
    failed = await ingest(api, "count-empty.csv", HEADER.encode())
    assert failed["status"] == "FAILED"
    await register(api, "never-uploaded.csv", data)                            # no rows: not counted
    _, summary, _ = await api.get("/api/sales/summary/")
    assert summary["files"] == 1 and summary["artists"] == 2
    assert summary["tracks"] == 3
    # releases: UPC 012345678905; (Aurora, EP) without UPC; (Borealis, Other LP)
    assert summary["releases"] == 3
    assert D(summary["by_currency"][0]["revenue"]) == 4 and summary["by_currency"][0]["currency"] == "EUR"


async def test_snapshot_lists_page_with_exact_counts(api: Api):
    n = 1234
    rows = "".join(f"2025-06,Spotify,FR,,,Artist {i},Track {i},,1,EUR,0.{i:04d}\n" for i in range(n))
    final = await ingest(api, "many-tracks.csv", (HEADER + rows).encode())
    assert final["status"] == "FINALIZED", final
    fid = final["id"]
    _, whole, _ = await api.get(f"/api/files/salesfiles/{fid}/snapshot/")
    assert whole["counts"]["byTrack"] == n and whole["truncated"]["byTrack"] == n   # cut, and said so
    seen = []
    page = 1
    while True:
        status, body, _ = await api.get(f"/api/files/salesfiles/{fid}/snapshot/?group=byTrack&page={page}&page_size=500")
        assert status == 200 and body["count"] == n and body["pages"] == 3
        if not body["results"]:
            break
        seen += body["results"]
        page += 1
    assert len(seen) == n and len({e["name"] for e in seen}) == n
    assert seen[0]["name"] == "Track 1233"                    # highest revenue (0.1233) first, as the full list
    status, body, _ = await api.get(f"/api/files/salesfiles/{fid}/snapshot/?group=byNothing")
    assert status == 400


async def test_file_list_is_ordered_by_numeric_id(stack):
    api = fresh_org(stack)
    ids = [(await register(api, f"order-{i}.csv", b"x,y\n1,2\n"))["id"] for i in range(12)]
    status, body, _ = await api.get("/api/files/salesfiles/?page_size=100")
    assert status == 200 and body["count"] == 12
    assert [r["id"] for r in body["results"]] == sorted(ids, reverse=True)
