from tests.support.http import Api


async def test_healthz_reports_every_part(stack):
    status, body, _ = await Api(stack.url).get("/healthz")
    assert status == 200, body
    assert set(body["checks"]) == {"broker", "store", "objects", "workers"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["workers"]["ready"] == ["worker-1"]


async def test_a_worker_of_a_lost_broker_log_is_not_counted_ready(stack):
    """After the broker lost its log, a worker of the old log heartbeats `ready` for a moment
    before it leaves: /healthz must not call the stack ok on its word."""
    from pymongo import MongoClient

    from topics.envelope import now_iso

    api = Api(stack.url)
    _, before, _ = await api.get("/healthz")
    current = before["checks"]["broker"]["generation"]
    assert current, before
    mongo = MongoClient(stack.state["mongo_url"], directConnection=True)
    workers = mongo[stack.state["mongo_db"]].workers
    try:
        workers.insert_one({"_id": "worker-old-log", "url": "http://127.0.0.1:9", "ready": True,
                            "ts": now_iso(), "generation": "lost-log@0", "recovering": False})
        status, body, _ = await api.get("/healthz")
        old = body["checks"]["workers"]["processes"]["worker-old-log"]
        assert (old["ready"], old["generation"]) == (False, "lost-log@0"), body
        assert body["checks"]["workers"]["ready"] == ["worker-1"], body
        mine = body["checks"]["workers"]["processes"]["worker-1"]
        assert mine["generation"] == current, body  # the real worker's heartbeat carries it
        assert (status, body["status"]) == (200, "degraded"), body
    finally:
        workers.delete_one({"_id": "worker-old-log"})
        mongo.close()
