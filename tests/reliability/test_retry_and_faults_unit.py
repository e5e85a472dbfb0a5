"""infra/retry.py and infra/storage/faults.py without a stack."""
from __future__ import annotations

import pytest
from pymongo.errors import AutoReconnect, DuplicateKeyError

from infra.retry import RetryError, retry, transient
from infra.storage import LocalStore, ObjectNotFound
from infra.storage.faults import FaultyStore, InjectedFault, parse, wrap


async def test_retry_succeeds_after_transient_failures_and_gives_up_bounded():
    calls = []

    async def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise AutoReconnect("down")
        return "ok"

    assert await retry(flaky, "do it", attempts=4, backoff=0) == "ok" and len(calls) == 3
    calls.clear()

    async def down():
        calls.append(1)
        raise InjectedFault("still down")

    with pytest.raises(RetryError, match="could not do it after 4 attempts: InjectedFault"):
        await retry(down, "do it", attempts=4, backoff=0)
    assert len(calls) == 4


async def test_permanent_errors_are_not_retried():
    calls = []

    async def missing():
        calls.append(1)
        raise ObjectNotFound("k")

    with pytest.raises(ObjectNotFound):
        await retry(missing, "read", attempts=5, backoff=0)
    assert len(calls) == 1
    assert not transient(DuplicateKeyError("dup")) and not transient(ValueError("bad"))
    assert transient(AutoReconnect("x")) and transient(ConnectionResetError())


def test_fault_rules_parse_and_refuse_nonsense():
    rules = parse("objects.put_file:fail=3, objects.put:delay=0.5:key=a/")
    assert [(r.operation, r.fail, r.delay, r.key) for r in rules] == [
        ("put_file", 3, 0.0, ""), ("put", 0, 0.5, "a/")]
    for bad in ("db.insert:fail=1", "objects.put_file:explode=1"):
        with pytest.raises(ValueError):
            parse(bad)
    store = object()
    assert wrap(store, "") is store and isinstance(wrap(store, "objects.put:fail=1"), FaultyStore)


async def test_faulty_store_fails_the_first_n_matching_calls(tmp_path):
    store = wrap(LocalStore(str(tmp_path), secret="s"),
                 "objects.put:fail=2:key=x/")
    async with store:
        await store.put("y/1", b"other keys are untouched")
        for _ in range(2):
            with pytest.raises(InjectedFault):
                await store.put("x/1", b"data")
        await store.put("x/1", b"data")
        assert await store.get("x/1") == b"data" and store.secret == b"s"  # delegated
