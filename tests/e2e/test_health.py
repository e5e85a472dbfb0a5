from tests.support.http import Api


async def test_healthz_reports_every_part(stack):
    status, body, _ = await Api(stack.url).get("/healthz")
    assert status == 200, body
    assert set(body["checks"]) == {"broker", "store", "objects", "workers"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["workers"]["ready"] == ["worker-1"]
