"""Operator tools on the running stack: reimport a period, replay its commands, read status."""
from __future__ import annotations

import json

import pytest

from tests.e2e.contract.conftest import run_cli
from tests.e2e.contract.test_publishers import data_for
from tests.support.http import Api
from tests.support.sales import ingest
from topics.envelope import now_iso

PERIOD = "2025-04"


@pytest.fixture(scope="module")
async def period_files(stack, contract_org) -> tuple[Api, list[dict]]:
    api = Api(stack.url, contract_org["token"])
    files = [await ingest(api, f"period-{n}.tsv", data_for(n)) for n in (1, 2)]
    assert all(f["status"] == "FINALIZED" and f["reporting_period"] == PERIOD for f in files)
    return api, files


def _summary_facts(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "updated_at"}


async def test_reimport_a_period_keeps_the_summary(stack, contract_org, period_files):
    api, files = period_files
    _, before, _ = await api.get("/api/sales/summary/")
    assert before["files"] == 2
    _, lines = run_cli(stack, "reimport", "--organisation", contract_org["name"],
                       "--period", PERIOD, "--timeout", "120")
    result = json.loads(lines[-1])
    assert sorted(result["issued"]) == sorted(f["id"] for f in files)
    assert result["pending"] == [] and set(result["finished"].values()) == {"FINALIZED"}
    assert any("2/2 finished" in line for line in lines)  # progress was shown
    for record in files:
        _, view, _ = await api.get(f"/api/files/salesfiles/{record['id']}/")
        assert view["attempt"] == 2 and view["status"] == "FINALIZED"
        assert [h["status"] for h in view["history"]].count("REIMPORT") == 1
    _, after, _ = await api.get("/api/sales/summary/")
    assert _summary_facts(after) == _summary_facts(before)
    code, lines = run_cli(stack, "reimport", "--organisation", contract_org["id"],
                          "--period", "2025-13", check=False)
    assert code != 0 and "YYYY-MM" in lines[-1]


async def test_replay_reimport_commands_of_one_file(stack, period_files):
    api, files = period_files
    target = files[0]
    started = now_iso()
    where = ["--where", "type=ReimportSalesFile", "--where", f"file_id={target['id']}"]
    _, lines = run_cli(stack, "replay", "--topic", "sales.files.commands", *where, "--dry-run")
    dry = json.loads(lines[-1])
    assert dry["dry_run"] and dry["matched"] >= 1 and dry["sent"] == 0
    assert sum("would send" in line and "ReimportSalesFile" in line for line in lines) \
        == dry["matched"]
    _, before, _ = await api.get("/api/sales/summary/")
    _, view, _ = await api.get(f"/api/files/salesfiles/{target['id']}/")
    attempt = view["attempt"]
    # only the latest reimport command: the ones sent by reimport CLI earlier in time are older
    _, lines = run_cli(stack, "replay", "--topic", "sales.files.commands", *where,
                       "--from-time", started)
    assert json.loads(lines[-1])["matched"] == 0  # nothing newer than `started` yet
    _, lines = run_cli(stack, "replay", "--topic", "sales.files.commands", *where)
    sent = json.loads(lines[-1])
    assert sent["sent"] == dry["matched"] and len(set(sent["message_ids"])) == sent["sent"]
    done = await api.wait_for(
        f"/api/files/salesfiles/{target['id']}/",
        lambda b: b["status"] == "FINALIZED" and b["attempt"] >= attempt + 1)
    assert done["status"] == "FINALIZED"
    _, after, _ = await api.get("/api/sales/summary/")
    assert _summary_facts(after) == _summary_facts(before)
    # the replayed command is on the topic with a new id pointing at its original
    _, lines = run_cli(stack, "replay", "--topic", "sales.files.commands", *where,
                       "--from-time", started, "--dry-run")
    replayed = [line for line in lines if "would send" in line]
    assert replayed and all('"replay_of"' in line for line in replayed)


async def test_replay_refuses_event_topics_and_bad_filters(stack):
    code, lines = run_cli(stack, "replay", "--topic", "sales.files.events", check=False)
    assert code != 0 and "event topic" in "\n".join(lines)
    code, lines = run_cli(stack, "replay", "--topic", "no.such.topic", check=False)
    assert code != 0 and "unknown topic" in "\n".join(lines)
    code, lines = run_cli(stack, "replay", "--topic", "sales.files.commands", "--where", "oops",
                          check=False)
    assert code != 0 and "FIELD=VALUE" in "\n".join(lines)


async def test_status_prints_history_from_the_tables(stack, period_files):
    _, files = period_files
    _, lines = run_cli(stack, "status", str(files[1]["id"]), "--json")
    found = json.loads("\n".join(lines))
    assert found["kind"] == "file" and found["id"] == files[1]["id"]
    assert found["source"] == "table" and found["status"] == "FINALIZED"
    statuses = [h["status"] for h in found["history"]]
    assert statuses[0] == "INITIALIZED" and statuses[-1] == "FINALIZED"
    _, lines = run_cli(stack, "status", str(files[1]["id"]))
    assert lines[0].startswith(f"file {files[1]['id']}: FINALIZED")
    assert any("FINALIZED" in line for line in lines[1:])
    code, lines = run_cli(stack, "status", "nosuchthing", check=False)
    assert code != 0 and "no file or task" in lines[-1]
