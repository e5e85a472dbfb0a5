"""The kit's compare-and-set writer (infra/repos/lifecycle.py) against the embedded document
store (nx-27017, a real server on a free port): a lost race is folded again, a stale writer
is dropped, old records without `_version` work, a taken-over owner is fenced off."""
from __future__ import annotations

import pytest

from infra.repos import leases
from infra.repos import lifecycle as repo
from infra.repos.leases import LeaseLost
from models.files import KIND

TS = "2026-12-03T10:00:00.000+00:00"


class Racing:
    """A database whose collection lets a competing writer in between the writer's read and
    its write (`times` times)."""

    def __init__(self, db, compete, times: int = 1) -> None:
        self.db, self.compete, self.times = db, compete, times

    def __getitem__(self, name):
        outer, coll = self, self.db[name]

        class Coll:
            async def find_one(self, *args, **kwargs):
                doc = await coll.find_one(*args, **kwargs)
                if outer.times:
                    outer.times -= 1
                    await outer.compete(coll, doc)
                return doc

            def __getattr__(self, attr):
                return getattr(coll, attr)
        return Coll()


def status(record_id: int, value: str, **fields) -> dict:
    return {"file_id": record_id, "organisation": "org-1", "status": value,
            "status_cause": None, "error_message": None, "attempt": None, "fields": fields}


async def fresh(db, record_id: int, **doc) -> None:
    await db.files.delete_one({"_id": record_id})
    await db.files.insert_one({"_id": record_id, "id": record_id, "organisation": "org-1",
                               "history": [], **doc})


async def test_an_old_record_without_version_is_written_and_versioned(db):
    await fresh(db, 1, status="UPLOADED", _outbox={"m1": {"type": "CleanSalesFile"}})
    written = await repo.write(db, KIND, 1, KIND.status_event, status(1, "CLEANING"), TS)
    assert written.changed and written.record["status"] == "CLEANING"
    doc = await db.files.find_one({"_id": 1})
    assert doc["_version"] == 1 and doc["status"] == "CLEANING"
    assert doc["_outbox"] == {"m1": {"type": "CleanSalesFile"}}, "writes never touch the outbox"
    await repo.write(db, KIND, 1, KIND.status_event, status(1, "CLEANED", rows=3), TS)
    assert (await db.files.find_one({"_id": 1}))["_version"] == 2


async def test_a_lost_race_is_folded_again_and_keeps_the_winners_change(db):
    await fresh(db, 2, status="UPLOADED", _version=4)

    async def compete(coll, doc):  # another writer stores a field meanwhile (version 5)
        await coll.update_one({"_id": 2}, {"$set": {"warnings": ["w"], "_version": 5}})

    written = await repo.write(Racing(db, compete), KIND, 2, KIND.status_event,
                               status(2, "CLEANING", layout="x"), TS)
    assert written.changed
    doc = await db.files.find_one({"_id": 2})
    assert (doc["status"], doc["layout"], doc["warnings"], doc["_version"]) == \
        ("CLEANING", "x", ["w"], 6)


async def test_a_stale_writer_is_dropped(db):
    """Cleaning read CLEANING; meanwhile the file was reimported (attempt 2): the old run's
    CLEANED is refused, the record stays as the newer state left it."""
    await fresh(db, 3, status="CLEANING", attempt=1, _version=2)

    async def compete(coll, doc):
        await coll.update_one({"_id": 3}, {"$set": {"status": "REIMPORT", "attempt": 2,
                                                    "_version": 3}})

    written = await repo.write(Racing(db, compete), KIND, 3, KIND.status_event,
                               status(3, "CLEANED", total_rows=10), TS)
    assert not written.changed and written.record["status"] == "REIMPORT"
    doc = await db.files.find_one({"_id": 3})
    assert (doc["status"], doc["attempt"], doc["_version"]) == ("REIMPORT", 2, 3)
    assert "total_rows" not in doc


async def test_retries_are_bounded(db):
    await fresh(db, 4, status="UPLOADED", _version=1)

    async def compete(coll, doc):
        await coll.update_one({"_id": 4}, {"$inc": {"_version": 1}})

    with pytest.raises(repo.WriteConflict):
        await repo.write(Racing(db, compete, times=repo.TRIES), KIND, 4, KIND.status_event,
                         status(4, "CLEANING"), TS)
    assert (await db.files.find_one({"_id": 4}))["status"] == "UPLOADED"


async def test_a_taken_over_owner_cannot_write(db):
    await fresh(db, 5, status="UPLOADED", updated_at=TS)
    mine = await leases.take(db.files, 5, "w1", 30)
    held = leases.fence(mine)
    await repo.write(db, KIND, 5, KIND.status_event, status(5, "CLEANING"), TS, fence=held)
    await db.files.update_one({"_id": 5}, {"$set": {"lease_expires": leases.at(-1)}})
    theirs = await leases.take(db.files, 5, "w2", 30)
    assert theirs["lease_token"] == held["lease_token"] + 1
    with pytest.raises(LeaseLost):
        await repo.write(db, KIND, 5, KIND.status_event, status(5, "CLEANED"), TS, fence=held)
    doc = await db.files.find_one({"_id": 5})
    assert (doc["status"], doc["lease"]) == ("CLEANING", "w2")
    assert "lease" not in await repo.get(db, KIND, 5), "reads show the record alone"


async def test_only_work_whose_lease_expired_is_stale(db):
    await db.files.delete_many({"_id": {"$in": [6, 7, 8, 9, 10]}})
    old = leases.at(-120)
    await db.files.insert_many([
        {"_id": 6, "status": "CLEANING", "updated_at": old, "lease": "w", "lease_expires": leases.at(60)},
        {"_id": 7, "status": "CLEANING", "updated_at": old, "lease": "w", "lease_expires": leases.at(-60)},
        {"_id": 8, "status": "CLEANED", "updated_at": old},
        {"_id": 9, "status": "CLEANED", "updated_at": old, "reissued_at": leases.at(0)},
        {"_id": 10, "status": "CLEANED", "updated_at": old, "lease": None,  # released
         "lease_expires": leases.at(60)},
    ])
    found = await repo.stale(db, KIND, leases.at(-30), leases.at(0))
    assert sorted(d["_id"] for d in found if d["_id"] in (6, 7, 8, 9, 10)) == [7, 8, 10]
