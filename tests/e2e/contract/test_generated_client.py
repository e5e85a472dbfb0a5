"""An integrator's path: generate a Python client from /api/openapi.json with
openapi-python-client and drive a whole sales file with it (create → presigned upload →
process → FINALIZED → snapshot), every answer parsed into the generated models."""
from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
import time
import urllib.request

import pytest

PACKAGE = "tributary_http_client"
REPORT = (
    "statement_period\tsale_period\tdsp\tterritory\tisrc\tupc\tartist\ttrack_title\t"
    "release_title\tusage_type\tquantity\tcurrency\trevenue\n"
    "2025-06\t2025-05\tSpotify\tUS\tUSRC17607839\t0602537174937\tAurora Vale\tNorth Light\t"
    "Northern Lights\tstream\t1200\tUSD\t3.60\n"
    "2025-06\t2025-05\tDeezer\tFR\tFRZ031200001\t0602537174937\tAurora Vale\tSouth Wind\t"
    "Northern Lights\tstream\t300\tUSD\t0.90\n").encode()


@pytest.fixture(scope="module")
def client_module(stack, tmp_path_factory):
    pytest.importorskip("openapi_python_client")
    out = tmp_path_factory.mktemp("client")
    spec = out / "openapi.json"
    with urllib.request.urlopen(stack.url + "/api/openapi.json", timeout=30) as resp:
        spec.write_bytes(resp.read())
    exe = shutil.which("openapi-python-client", path=str(_bin())) or "openapi-python-client"
    done = subprocess.run([exe, "generate", "--path", str(spec), "--output-path",
                           str(out / PACKAGE), "--meta", "none"], capture_output=True,
                          text=True, timeout=240, env={"PATH": f"{_bin()}:/usr/bin:/bin"})
    assert done.returncode == 0, done.stdout + done.stderr
    # every operation and schema understood (an image answer is left out, as it may be)
    assert "will not be generated" not in done.stdout, done.stdout
    assert "Unable to process schema" not in done.stdout, done.stdout
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m.startswith(PACKAGE)]:
            del sys.modules[name]


def _bin():
    from pathlib import Path

    return Path(sys.executable).parent


def _api(pkg, area: str, op: str):
    return importlib.import_module(f"{PACKAGE}.api.{area}.{op}")


def test_generated_client_drives_a_sales_file(client_module, stack, org):
    pkg = client_module
    models = importlib.import_module(f"{PACKAGE}.models")
    client = pkg.AuthenticatedClient(base_url=stack.url, token=org["token"], timeout=60)
    created = _api(pkg, "files", "files_create").sync_detailed(
        client=client, body=models.SalesFileCreate(
            filename="client.tsv", filetype=models.SalesFileCreateFiletype.TSV, filesize=len(REPORT), mongo_db_id="client"))
    assert created.status_code == 201, created.content
    record = created.parsed
    assert isinstance(record, models.SalesFile)
    assert record.status == models.SalesFileStatus.INITIALIZED
    action = _api(pkg, "files", "files_action")
    link = action.sync_detailed(file_id=str(record.id), client=client,
                                body=models.SalesFileAction(
                                    action=models.SalesFileActionAction.UPLOAD))
    assert link.status_code == 200 and isinstance(link.parsed, models.UploadLink), link.content
    import httpx

    assert httpx.put(link.parsed.presigned_url, content=REPORT).status_code in (200, 201, 204)
    started = action.sync_detailed(file_id=str(record.id), client=client,
                                   body=models.SalesFileAction(
                                       action=models.SalesFileActionAction.PROCESS))
    assert started.status_code == 202 and isinstance(started.parsed, models.StatusAnswer)
    read = _api(pkg, "files", "files_read")
    deadline = time.monotonic() + 120
    while True:
        view = read.sync_detailed(file_id=str(record.id), client=client)
        assert view.status_code == 200 and isinstance(view.parsed, models.SalesFile)
        if view.parsed.status.value in ("FINALIZED", "FAILED") or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert view.parsed.status == models.SalesFileStatus.FINALIZED, json.loads(view.content)
    snap = _api(pkg, "files", "files_snapshot").sync_detailed(file_id=str(record.id),
                                                             client=client)
    assert snap.status_code == 200 and isinstance(snap.parsed, models.Snapshot), snap.content
    assert {e.name for e in snap.parsed.by_artist} == {"Aurora Vale"}
    assert {e.name for e in snap.parsed.by_dsp} == {"Spotify", "Deezer"}
    missing = read.sync_detailed(file_id="999999999", client=client)
    assert missing.status_code == 404 and isinstance(missing.parsed, models.Problem)
    assert missing.parsed.code == "not_found" and missing.parsed.status == 404
    bad = _api(pkg, "reports", "reports_create").sync_detailed(
        client=client, body=models.ReportRequest(type_=models.ReportRequestType.MONTHLY,
                                                 period="2025-13"))
    assert bad.status_code == 400 and isinstance(bad.parsed, models.Problem)
    assert [e.field for e in bad.parsed.errors] == ["period"]


def test_generated_client_runs_a_gtin_import(client_module, stack):
    """Upload link → PUT the CSV → import task → done, with a bad GTIN reported by line."""
    import random

    from stdnum import ean

    from tests.support.gs1 import company_prefix_for
    from tests.support.stack import cli

    prefix = company_prefix_for(random.Random(), "7", range(9, 10))
    urn = f"urn:test:participant:client:{prefix}"
    cli(stack.data_dir, "participant", "create", "--id", urn, "--type", "brand",
        "--prefix", prefix)
    ticket = cli(stack.data_dir, "session", "create", "--participant", urn,
                 "--user", "u-client")["ticket"]
    pkg = client_module
    models = importlib.import_module(f"{PACKAGE}.models")
    client = pkg.Client(base_url=stack.url, timeout=60,
                        headers={"authenticateit_identity_ticket": ticket})
    gtins = [prefix + f"{n:03d}" for n in (1, 2)]
    gtins = [g + ean.calc_check_digit(g) for g in gtins]
    csv = (f"gtin,name,description\n{gtins[0]},Oat drink,Creamy\n{gtins[1]},Oat bar,Chewy\n"
           "4006381333932x,Broken,Not a GTIN\n").encode()
    upload = _api(pkg, "uploads", "gtin_import_create_upload")
    created = upload.sync_detailed(client=client)
    assert created.status_code == 201 and isinstance(created.parsed, models.UploadCreated), \
        created.content
    import httpx

    assert httpx.put(created.parsed.upload_url, content=csv).status_code in (200, 201, 204)
    area = "import_"  # the tag `import`, a Python keyword
    start = _api(pkg, area, "gtin_import_start_task")
    body = models.ImportBody.from_dict({"link": created.parsed.link, "gtin_field": "gtin",
                                        "name": "name", "delimiter": ",", "has_header": True,
                                        "fields": [{"field": "description",
                                                    "title": "Description"}]})
    started = start.sync_detailed(client=client, body=body)
    assert started.status_code == 200 and isinstance(started.parsed, models.TaskStarted), \
        started.content
    read = _api(pkg, area, "gtin_import_read_task")
    deadline = time.monotonic() + 120
    while True:
        task = read.sync_detailed(task_id=started.parsed.id, client=client)
        assert task.status_code == 200 and isinstance(task.parsed, models.TaskStatus)
        if task.parsed.status.value in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert task.parsed.status.value == "done", json.loads(task.content)
    assert task.parsed.processed_lines == 3
    assert [b.line for b in task.parsed.bad_gtins] == [4]

