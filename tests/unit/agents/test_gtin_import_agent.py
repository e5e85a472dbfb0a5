"""agents/gtin_import.py: GTIN import tasks on the participant's own
uploads, without a broker."""
from __future__ import annotations

from infra.repos import import_tasks
from tests.unit.agents.gtin_helpers import COMMANDS, URN, brand, gtin, start, upload, wrong


async def test_an_import_writes_the_gtins_and_reports_done(h):
    await brand(h)
    csv = ("gtin,name,notes\n" + f"{gtin(1)},First,note one\n{gtin(2)},Second,note two\n"
           + f"{wrong(gtin(3))},Bad check digit,x\n")
    await h.send(COMMANDS, "t1", "StartGtinImport", start("t1", await upload(h, csv)))
    changes = [p["task"]["status"] for p in h.events_of("GtinImportTaskChanged")]
    assert changes[0] == "in_progress" and changes[-1] == "done"
    task = h.events_of("GtinImportTaskChanged")[-1]["task"]
    assert (task["total_lines"], task["processed_lines"]) == (3, 3)
    assert task["counts"]["created"] == 2 and task["counts"]["bad_gtins"] == 1
    assert [b["line"] for b in task["bad_gtins"]] == [4]
    doc = await h.db.gtins.find_one({"_id": "0" + gtin(1)})
    assert doc["owner"] == URN and doc["name"] == "First"
    texts = [w for s in doc["sources"] for w in s["data"]]
    assert {"text": {"title": "Notes", "text": "note one"}} in texts
    stored = await import_tasks.get(h.db, "t1")
    assert stored["status"] == "done" and stored["checkpoint"]["records"] == 3


async def test_the_task_table_folds_the_events(h):
    await brand(h)
    await h.send(COMMANDS, "t2", "StartGtinImport",
                 start("t2", await upload(h, f"gtin,name,notes\n{gtin(4)},Fourth,n\n")))
    await h.settle()
    view = h.table("gtin_import_tasks")["t2"]
    assert (view["status"], view["processed_lines"]) == ("done", 1)


async def test_a_link_nothing_was_uploaded_to_fails_the_task(h):
    await brand(h)
    link = f"{h.deps.settings.public_url}/description-service/uploads/{'x' * 24}"
    await h.send(COMMANDS, "t3", "StartGtinImport", start("t3", link))
    task = h.events_of("GtinImportTaskChanged")[-1]["task"]
    assert task["status"] == "failed" and "nothing was uploaded" in task["message"]


async def test_an_unknown_participant_fails_the_task(h):
    link = await upload(h, "gtin,name,notes\n", participant="urn:test:nobody")
    await h.send(COMMANDS, "t4", "StartGtinImport", start("t4", link, participant="urn:test:nobody"))
    task = h.events_of("GtinImportTaskChanged")[-1]["task"]
    assert task["status"] == "failed" and "urn:test:nobody" in task["message"]
    assert (await import_tasks.get(h.db, "t4"))["status"] == "failed"


async def test_a_column_missing_from_the_file_fails_the_task(h):
    await brand(h)
    await h.send(COMMANDS, "t5", "StartGtinImport",
                 start("t5", await upload(h, f"gtin,name\n{gtin(5)},Fifth\n")))
    task = h.events_of("GtinImportTaskChanged")[-1]["task"]
    assert task["status"] == "failed" and "notes" in task["message"]
    assert await h.db.gtins.count_documents({}) == 0


async def test_a_finished_task_is_not_run_again(h):
    await brand(h)
    payload = start("t6", await upload(h, f"gtin,name,notes\n{gtin(6)},Sixth,n\n"))
    await h.send(COMMANDS, "t6", "StartGtinImport", payload)
    assert await h.send(COMMANDS, "t6", "StartGtinImport", payload) == []


async def test_expired_tasks_are_purged(h):
    await brand(h)
    await h.send(COMMANDS, "t7", "StartGtinImport",
                 start("t7", await upload(h, f"gtin,name,notes\n{gtin(7)},Seventh,n\n")))
    await h.tick("gtin_import.purge")
    assert not h.events_of("GtinImportTaskPurged")  # finished just now
    await h.db.gtin_import_tasks.update_one({"_id": "t7"},
                                            {"$set": {"finished_at": "2020-01-01T00:00:00"}})
    await h.tick("gtin_import.purge")
    assert h.last("GtinImportTaskPurged") == {"task_id": "t7"}
    assert await import_tasks.get(h.db, "t7") is None


async def test_a_task_left_without_progress_is_started_again_and_resumes(h):
    await brand(h)
    payload = start("t8", await upload(h, f"gtin,name,notes\n{gtin(8)},Eighth,n\n"))
    await h.send(COMMANDS, "t8", "StartGtinImport", payload)
    await h.db.gtin_import_tasks.update_one({"_id": "t8"}, {"$set": {
        "status": "in_progress", "updated_at": "2020-01-01T00:00:00"}})
    h.clear()
    await h.tick("gtin_import.reissue_stale_gtin_import_tasks")
    [again] = h.sent
    assert (again.topic, again.key, again.type) == (COMMANDS, "t8", "StartGtinImport")
    assert again.payload["spec"]["link"] == payload["spec"]["link"]
    h.clear()
    await h.tick("gtin_import.reissue_stale_gtin_import_tasks")  # re-issued once, not at every tick
    assert h.sent == []


async def test_a_purged_task_leaves_the_table(h):
    await brand(h)
    await h.send(COMMANDS, "t9", "StartGtinImport",
                 start("t9", await upload(h, f"gtin,name,notes\n{gtin(9)},Ninth,n\n")))
    await h.settle()
    assert h.table("gtin_import_tasks")["t9"]["status"] == "done"
    await h.db.gtin_import_tasks.update_one({"_id": "t9"},
                                            {"$set": {"finished_at": "2020-01-01T00:00:00"}})
    await h.tick("gtin_import.purge")
    await h.settle()
    assert "t9" not in h.table("gtin_import_tasks")


async def test_a_start_without_a_participant_is_dead_lettered(h):
    await h.send(COMMANDS, "t10", "StartGtinImport", {"task_id": "t10", "spec": {}}, check=False)
    [letter] = h.dead_letters
    assert [e["field"] for e in letter["errors"]] == ["participant"]
    assert await import_tasks.get(h.db, "t10") is None
