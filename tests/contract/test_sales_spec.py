"""The sales specification's tables, replayed against the running stack: file create (form
data, every field of its table), detail and list, the process actions (upload, process,
reimport), the snapshot, the all-time summary, the statuses and the 24-hour report links
(the automatic upload's record, `module_response: "upload_automatically"`, is checked in
tests/e2e/auto_upload/, which runs a stack with a Drive server of its own). The specification prints field tables, not JSON: an answer must hold
every field of its table with the table's type."""
from __future__ import annotations

import secrets
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.contract.examples import load
from tests.support.http import Api, put_bytes
from tests.support.sales import wait_terminal
from tests.support.stack import cli

FILES = "/api/files/salesfiles/"
HEADER = ("statement_period\tsale_period\tdsp\tterritory\tisrc\tupc\tartist\ttrack_title\t"
          "release_title\tusage_type\tquantity\tcurrency\trevenue\n")
# JSON has no decimal: exact amounts are strings (`"12.50"`); "float" rates likewise
TYPES = {"string": (str,), "integer": (int,), "decimal": (str,), "float": (str,),
         "list": (list,)}
STATUSES = set(load("statuses.json", "sales")["statuses"])


def sales_file(tag: str) -> bytes:
    rows = [f"2024-03\t2024-03\tSpotify\tGB\tUSRC17607839\t0602537174937\tAurora Vale\t"
            f"Song {tag}\tLanterns\tstream\t1200\tEUR\t3.60",
            f"2024-03\t2024-03\tDeezer\tFR\tGBAYE0601498\t0602537174937\tAurora Vale\t"
            f"Other {tag}\tLanterns\tstream\t7\tEUR\t0.25"]
    return (HEADER + "\n".join(rows) + "\n").encode()


def check_fields(answer: dict, table: dict, *, nullable: bool = True) -> None:
    for name, field in table.items():
        assert name in answer, f"{name} missing from {answer}"
        value = answer[name]
        if value is None and nullable and not field.get("required"):
            continue
        assert isinstance(value, TYPES[field["type"]]) and not isinstance(value, bool), \
            (name, field["type"], value)


@pytest.fixture(scope="module")
def sales_org(stack):
    org = cli(stack.data_dir, "org", "create", f"Contract Sales {secrets.token_hex(3)}")
    return org, Api(stack.url, org["token"])


async def test_file_create_detail_list_and_actions(sales_org):
    org, api = sales_org
    spec = load("salesfiles_create.json", "sales")
    number = int(org["id"].removeprefix("org-"))
    data = sales_file(secrets.token_hex(4))
    form = {"filename": "royalties.tsv", "filetype": "TSV", "filesize": str(len(data)),
            "mongo_db_id": "665f00aa", "status": "INITIALIZED", "upload_mode": "MANUALLY",
            "reporting_period": "2024-03", "response_module": "PENDING",
            "organisation": str(number), "exchange_rate": "1.0"}
    status, record, _ = await api.post(FILES, data=form)  # the specification's form data
    assert status == 201, record
    check_fields(record, spec["request"])
    check_fields(record, spec["response_adds"], nullable=False)
    assert record["organisation"] == number and len(record["uuid"]) == 8
    assert record["module_response"] == "upload" and record["status"] == "INITIALIZED"
    status, err, _ = await api.post(FILES, data={**form, "organisation": str(number + 1000)})
    assert status == 400 and "organisation" in str(err), err

    status, detail, _ = await api.get(f"{FILES}{record['id']}/")
    assert status == 200 and detail["organisation"] == number
    check_fields(detail, {**spec["request"], **spec["response_adds"]})
    status, listing, _ = await api.get(FILES)
    assert status == 200 and record["id"] in [r["id"] for r in listing["results"]]
    assert all(r["organisation"] == number for r in listing["results"])

    process = load("salesfiles_process.json", "sales")
    status, upload, _ = await api.post(f"{FILES}{record['id']}/process/",
                                       data={"id": str(record["id"]), "action": "upload"})
    assert status == 200, upload
    check_fields(upload, process["response_fields"], nullable=False)
    assert await put_bytes(upload["presigned_url"], data) in (200, 201, 204)
    status, started, _ = await api.post(f"{FILES}{record['id']}/process/",
                                        data={"action": "process"})
    assert status == 202, started
    check_fields(started, load("salesfiles_import.json", "sales")["response_fields"], nullable=False)
    assert started["status"] in STATUSES
    final = await wait_terminal(api, record["id"])
    assert final["status"] == "FINALIZED", final
    assert {h["status"] for h in final["history"]} <= STATUSES

    status, snapshot, _ = await api.get(f"{FILES}{record['id']}/snapshot/")
    assert status == 200, snapshot
    check_fields(snapshot, load("snapshot.json", "sales")["response_fields"], nullable=False)
    assert [a["name"] for a in snapshot["byArtist"]] == ["Aurora Vale"]
    assert sorted(d["name"] for d in snapshot["byDSP"]) == ["Deezer", "Spotify"]

    number = record["organisation"]
    status, summary, _ = await api.get("/api/sales/summary/")
    assert status == 200, summary
    table = load("summary.json", "sales")["response_fields"]
    # every field of the table; total_gross is exact (a string), not the table's integer
    check_fields(summary, {k: v for k, v in table.items() if k != "total_gross"}, nullable=False)
    assert summary["files"] == 1 and summary["artists"] == 1 and summary["tracks"] == 2, summary
    assert "total_gross" in summary  # the table says integer; amounts stay exact (docs/money.md)
    assert summary.get("organisation", number) == number

    status, again, _ = await api.post(f"{FILES}{record['id']}/process/",
                                      data={"action": "reimport"})
    assert status == 202, again
    check_fields(again, load("salesfiles_reimport.json", "sales")["response_fields"],
                 nullable=False)
    assert again["status"] in STATUSES


async def test_reports_have_24_hour_links(sales_org):
    _, api = sales_org
    spec = load("reports.json", "sales")
    for kind in spec["kinds"]:
        status, body, _ = await api.post("/api/reports/", json={"type": kind, "period": "2024-03"})
        assert status == 202, body
        report = await api.wait_for(f"/api/reports/{body['id']}",
                                    lambda b: b["status"] in ("DONE", "FAILED"), timeout=60)
        assert report["status"] == "DONE", report
        url = report["download_url"]
        assert urlsplit(url).path.endswith(".csv.gz") or "csv.gz" in url
        expires = int(parse_qs(urlsplit(url).query)["expires"][0])
        assert abs(expires - time.time() - spec["link_expiry_hours"] * 3600) < 120
