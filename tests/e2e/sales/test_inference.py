"""Layouts that import themselves, end to end (HTTP → Kafka → agents → store): an unseen layout
imports as `inferred` with exact totals and its guess shown; an unsure one fails UNKNOWN_LAYOUT
with a proposal, one call confirms it, and the next file of that layout imports by itself.
Expected amounts are the files' own figures summed by hand."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from tests.support.http import Api
from tests.support.paths import SHARED
from tests.support.sales import ingest, wait_terminal
from tests.support.stack import cli

SAMPLES = SHARED / "samples" / "sales" / "distributor"

GENERIC = ("reporting_period,dsp,territory,isrc,upc,artist,track_title,release_title,quantity,unit_price,"
           "net_revenue,currency\n"
           "2025-06,Spotify,GB,GBXYZ2400001,012345678905,The Examples,First Song,Example EP,1200,0.0028,3.456789,GBP\n"
           "2025-06,Deezer,FR,GBXYZ2400002,012345678905,The Examples,Second Song,Example EP,10,0.004,0.04,EUR\n"
           "2025-06,Apple Music,US,GBXYZ2400001,012345678905,The Examples,First Song,Example EP,-1,0.69,-0.69,GBP\n")


def odd(amounts: tuple[str, str]) -> bytes:
    """Headers the vocabulary does not know: the values alone cannot make revenue sure."""
    return ("Mon;Shp;Lnd;Wer;Was;Stk;Saldo\n"
            f"2025-06;Spotify;DE;Aurora Vale;Nordlicht;3;{amounts[0]}\n"
            f"2025-06;Deezer;FR;Aurora Vale;Südwind;4;{amounts[1]}\n").encode()


@pytest.fixture(scope="module")
def label(stack) -> Api:
    """An organisation of its own: the layouts it confirms cannot change other tests' detection."""
    return Api(stack.url, cli(stack.data_dir, "org", "create", "Inference Label")["token"])


async def _release_totals(api: Api, file_id: int) -> dict:
    _, snap, _ = await api.get(f"/api/files/salesfiles/{file_id}/snapshot/")
    return snap, {e["name"]: D(e["revenue"]) for e in snap["byRelease"]}


async def test_generic_export_imports_as_inferred(label):
    done = await ingest(label, "label-export-2025-06.csv", GENERIC.encode())
    assert done["status"] == "FINALIZED", done
    assert done["layout"] == "inferred"
    inference = done["inference"]
    assert inference["mapping"]["columns"]["net_revenue"] == "revenue"
    assert inference["mapping"]["columns"]["reporting_period"] == "statement_period"
    assert "unit_price" not in inference["mapping"]["columns"]
    assert inference["confidence"]["revenue"] >= inference["threshold"] == 0.75
    assert any("layout inferred" in w.get("warning", "") for w in done["warnings"])   # the guess is shown
    snap, _ = await _release_totals(label, done["id"])
    # GBP and EUR lines: exact per currency, never added together
    assert snap["totals"]["revenue"] is None
    assert {c["currency"]: D(c["revenue"]) for c in snap["totals"]["by_currency"]} == \
        {"GBP": D("3.456789") - D("0.69"), "EUR": D("0.04")}
    assert snap["totals"]["quantity"] == str(1200 + 10 - 1) and snap["totals"]["rows"] == 3


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples not present beside the repository")
async def test_public_samples_import_with_exact_totals(label):
    physical = (SAMPLES / "royaltyappv4__sdphysical.csv").read_bytes()
    done = await ingest(label, "sdphysical.csv", physical)
    assert done["status"] == "FINALIZED" and done["layout"] == "inferred", done
    snap, _ = await _release_totals(label, done["id"])
    # Label Net Total: two logistics charges and three label credits
    assert D(snap["totals"]["revenue"]) == 2 * D("-0.65877759408") + 3 * D("123")
    assert snap["totals"]["rows"] == 5 and done["bad_rows"] == 0

    cargo = (SAMPLES / "trackshift__Cargo_Physical_Test.xlsx").read_bytes()
    done = await ingest(label, "Cargo_Physical_Test.xlsx", cargo)
    assert done["status"] == "FINALIZED" and done["layout"] == "inferred", done
    _, releases = await _release_totals(label, done["id"])
    assert releases == {"ALBUM 1": D("7.28") - D("7.6"), "ALBUM 100": D("5.192")}   # −0.32 and 5.19 per its figures
    assert any("default_currency" in n for n in done["inference"]["notes"])          # no currency anywhere: said

    # one call gives it its currency (GBP: Cargo UK) and reimports it
    proposal = dict(done["inference"], mapping={**done["inference"]["mapping"], "default_currency": "GBP"})
    status, body, _ = await label.post(f"/api/files/salesfiles/{done['id']}/layout/", json=proposal)
    assert status == 201, body
    redone = await label.wait_for(f"/api/files/salesfiles/{done['id']}/",
                                  lambda b: b["status"] in ("FINALIZED", "FAILED") and b.get("layout", "").startswith("org:"),
                                  timeout=90)
    assert redone["status"] == "FINALIZED" and redone["currency"] == "GBP", redone
    _, releases = await _release_totals(label, done["id"])
    assert releases == {"ALBUM 1": D("-0.32"), "ALBUM 100": D("5.192")}


async def test_unsure_layout_is_proposed_confirmed_once_then_recognised(label, other_api):
    failed = await ingest(label, "odd-june.csv", odd(("1,5", "2,25")))
    assert failed["status"] == "FAILED" and failed["status_cause"] == "UNKNOWN_LAYOUT", failed
    proposal = failed["layout_proposal"]
    assert proposal["sure"] is False and "revenue" in proposal["missing"]
    assert proposal["mapping"]["columns"]["Saldo"] == "revenue"            # proposed, below the threshold
    assert proposal["sample_rows"][0][:2] == ["2025-06", "Spotify"]
    assert "POST /api/files/salesfiles/{id}/layout/" in failed["error_message"]

    path = f"/api/files/salesfiles/{failed['id']}/layout/"
    status, body, _ = await label.post(path, json={"mapping": {"name": "x", "columns": {"Saldo": "money"}}})
    assert status == 400 and body["errors"]
    status, _, _ = await other_api.post(path, json=proposal)
    assert status == 404                                                     # another organisation's file

    edited = {**proposal["mapping"], "name": "odd-monthly", "default_currency": "EUR",
              "columns": {**proposal["mapping"]["columns"], "Wer": "artist", "Was": "track_title"}}
    edited["required_headers"] = list(edited["columns"])
    status, body, _ = await label.post(path, json={"mapping": edited})
    assert status == 201, body
    assert body["layout"]["name"] == "odd-monthly" and body["file"]["status"] == "REIMPORT"
    redone = await wait_terminal(label, failed["id"])
    assert redone["status"] == "FINALIZED" and redone["layout"] == "org:odd-monthly", redone
    assert D(redone["total_local"]) == D("1.5") + D("2.25") and redone["currency"] == "EUR"
    assert redone["layout_proposal"] is None

    nxt = await ingest(label, "odd-july.csv", odd(("0,000001", "-0,5")))
    assert nxt["status"] == "FINALIZED" and nxt["layout"] == "org:odd-monthly", nxt
    assert D(nxt["total_local"]) == D("0.000001") - D("0.5")
    _, listed, _ = await label.get("/api/layouts/")
    assert [x["name"] for x in listed["results"]].count("odd-monthly") == 1
