"""The gateway's credential cache (gateway/credentials.py): what is kept, for how long, and how
many store lookups concurrent and busy clients cost."""
from __future__ import annotations

import asyncio

import pytest

from gateway.credentials import CredentialCache


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Store:
    """Answers lookups with `value` (an exception is raised), counting them."""

    def __init__(self, value) -> None:
        self.value, self.calls, self.gate = value, 0, None

    async def resolve(self):
        self.calls += 1
        if self.gate is not None:
            await self.gate.wait()
        await asyncio.sleep(0)
        if isinstance(self.value, BaseException):
            raise self.value
        return self.value


async def settle():
    for _ in range(5):
        await asyncio.sleep(0)


async def test_a_resolved_credential_is_kept_for_ttl_seconds():
    clock, store = Clock(), Store("org-1")
    cache = CredentialCache(3.0, clock=clock)
    assert await cache.get("k", store.resolve) == "org-1"
    clock.now += 1.0
    assert await cache.get("k", store.resolve) == "org-1"
    assert store.calls == 1
    store.value = None  # revoked in the store
    clock.now += 2.1  # past the entry's life: looked up again, and refused
    assert await cache.get("k", store.resolve) is None
    assert store.calls == 2


async def test_unknown_or_failing_credentials_are_never_kept():
    clock, store = Clock(), Store(None)
    cache = CredentialCache(3.0, clock=clock)
    assert await cache.get("k", store.resolve) is None
    store.value = "org-1"  # issued a moment later: works at once
    assert await cache.get("k", store.resolve) == "org-1"
    clock.now += 5
    store.value = PermissionError("refused")
    with pytest.raises(PermissionError):
        await cache.get("k", store.resolve)
    with pytest.raises(PermissionError):
        await cache.get("k", store.resolve)
    assert store.calls == 4


async def test_concurrent_requests_share_one_lookup():
    store = Store("org-1")
    store.gate = asyncio.Event()
    cache = CredentialCache(3.0)
    waiting = [asyncio.ensure_future(cache.get("k", store.resolve)) for _ in range(32)]
    await settle()
    store.gate.set()
    assert await asyncio.gather(*waiting) == ["org-1"] * 32
    assert store.calls == 1


async def test_a_busy_credential_is_refreshed_ahead_without_waiting():
    clock, store = Clock(), Store("org-1")
    cache = CredentialCache(3.0, clock=clock)
    await cache.get("k", store.resolve)
    clock.now += 2.5  # last third of the entry's life
    store.gate = asyncio.Event()
    assert await cache.get("k", store.resolve) == "org-1"  # answered at once
    assert await cache.get("k", store.resolve) == "org-1"
    await settle()
    assert store.calls == 2  # one background lookup
    store.gate.set()
    await settle()
    clock.now += 1.0  # the first entry has expired; the refreshed one lives until +5.5 s
    store.gate = None
    assert await cache.get("k", store.resolve) == "org-1"
    assert store.calls == 2


async def test_a_refresh_that_finds_the_credential_revoked_drops_it():
    clock, store = Clock(), Store("org-1")
    cache = CredentialCache(3.0, clock=clock)
    await cache.get("k", store.resolve)
    clock.now += 2.5
    store.value = None
    assert await cache.get("k", store.resolve) == "org-1"  # still within its 3 s
    await settle()
    assert await cache.get("k", store.resolve) is None


async def test_forget_drops_entries_and_lookups_in_flight():
    store = Store("org-1")
    cache = CredentialCache(3.0)
    await cache.get("k", store.resolve)
    cache.forget()
    store.gate = asyncio.Event()
    pending = asyncio.ensure_future(cache.get("k", store.resolve))
    await settle()
    cache.forget()  # a lookup begun before this keeps nothing
    store.gate.set()
    assert await pending == "org-1"
    store.gate = None
    await cache.get("k", store.resolve)
    assert store.calls == 3


async def test_ttl_zero_keeps_nothing():
    store = Store("org-1")
    cache = CredentialCache(0)
    await cache.get("k", store.resolve)
    await cache.get("k", store.resolve)
    assert store.calls == 2
