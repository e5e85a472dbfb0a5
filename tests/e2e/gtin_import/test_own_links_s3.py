"""Own links on the S3 backend: a stack whose objects live in S3 (moto's server on loopback),
started without TRIBUTARY_FETCH_ALLOW, runs upload → preview → task. The upload link is the
gateway's; preview and import read the object from S3 through the store (a ranged GET for the
preview), never by fetching a link."""
from __future__ import annotations

import pytest

from tests.e2e.gtin_import.conftest import new_participant, upload, wait_task
from tests.support.participants import BASE, gtin_for
from tests.support.stack import RunningStack


@pytest.fixture(scope="module")
def s3_stack(tmp_path_factory):
    from moto.server import ThreadedMotoServer

    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    url = (f"s3://tributary-own-links?endpoint=http://{host}:{port}&region=us-east-1"
           "&access_key=test&secret_key=test")
    running = RunningStack(tmp_path_factory.mktemp("s3_stack"),
                           env={"TRIBUTARY_STORAGE_URL": url}).start()
    try:
        yield running
    finally:
        running.discard()
        moto.stop()


async def test_upload_preview_task_on_s3_without_an_allow_list(s3_stack):
    assert "TRIBUTARY_FETCH_ALLOW" not in s3_stack.env
    who = new_participant(s3_stack)
    g = [gtin_for(who.prefix) for _ in range(2)]
    link = await upload(who, f"gtin,name\n{g[0]},Oat drink\n{g[1]},Rye bread\n")
    status, body, _ = await who.api.post(f"{BASE}/import/preview",
                                         json={"link": link, "num_lines": 1})
    assert status == 200, body
    assert body["records"] == [{"gtin": g[0], "name": "Oat drink"}]
    status, answer, _ = await who.api.post(f"{BASE}/import/tasks", json={
        "link": link, "delimiter": ",", "gtin_field": "gtin", "name": ["name"]})
    assert status == 200, answer
    task = await wait_task(who.api, answer["id"])
    assert task["status"] == "done" and task["counts"]["imported"] == 2, task
