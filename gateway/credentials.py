"""A short-lived in-process cache of resolved credentials (Bearer tokens in gateway/auth.py,
GTIN session tickets in gateway/gtin_auth.py), so a status GET does not cost a document-store
round trip per request.

- An entry lives `ttl` seconds from the moment its lookup began: a credential revoked (or
  changed) in the store is refused (or seen changed) at most `ttl` seconds later.
- Only resolved credentials are kept: a lookup answering None or raising keeps nothing (and
  drops what was kept), so a credential issued a moment ago works at once.
- Concurrent requests with the same credential that is not kept share one lookup.
- Keys are what the caller names a credential by (gateway/auth.py: the database's id and the
  credential's digest, `digest`, so the process never keeps a token or ticket itself; only
  resolved credentials are kept, and an expired entry is dropped when it is next read).
- A credential in use during the last third of its entry's life is looked up again in the
  background, so a busy client does not wait for the store every `ttl` seconds (and its 32
  connections do not all look it up at once); the refreshed entry again lives `ttl` from the
  start of its lookup.
"""
from __future__ import annotations

import asyncio
import hashlib
import time
from typing import Any, Awaitable, Callable, Hashable

Resolve = Callable[..., Awaitable[Any]]  # called with the `args` given to `kept`/`get`


def digest(secret: str) -> bytes:
    """What a kept credential is keyed by: its SHA-256, not the secret (~1 µs a request)."""
    return hashlib.sha256(secret.encode()).digest()


class CredentialCache:
    def __init__(self, ttl: float, max_entries: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.max_entries, self.clock = ttl, max_entries, clock
        self._entries: dict[Hashable, tuple[float, Any]] = {}  # key → (expires, value)
        self._lookups: dict[Hashable, asyncio.Future] = {}
        self._generation = 0  # bumped by forget(): lookups begun before it keep nothing

    def forget(self) -> None:
        """Drop every entry (e.g. after revoking a credential in this process)."""
        self._entries.clear()
        self._generation += 1

    def kept(self, key: Hashable, resolve: Resolve, *args: Any) -> Any:
        """The value kept for `key`, or None without a lookup (then await `get`): a kept
        credential costs no coroutine, as on every status GET. `resolve(*args)` is the lookup
        a refresh ahead runs."""
        hit = self._entries.get(key)
        if hit is None:
            return None
        left = hit[0] - self.clock()
        if left <= 0:
            del self._entries[key]  # expired: never answered again
            return None
        if left < self.ttl / 3 and key not in self._lookups:
            self._start(key, resolve, args).add_done_callback(_retrieve)  # refresh ahead
        return hit[1]

    async def get(self, key: Hashable, resolve: Resolve, *args: Any) -> Any:
        """The value kept for `key`, else what `resolve(*args)` answers (None: unknown)."""
        value = self.kept(key, resolve, *args)
        if value is not None:
            return value
        lookup = self._lookups.get(key) or self._start(key, resolve, args)
        return await asyncio.shield(lookup)

    def _start(self, key: Hashable, resolve: Resolve, args: tuple) -> asyncio.Future:
        task = asyncio.ensure_future(self._lookup(key, resolve, args, self.clock(),
                                                  self._generation))
        self._lookups[key] = task

        def done(_: asyncio.Future) -> None:
            if self._lookups.get(key) is task:
                del self._lookups[key]

        task.add_done_callback(done)
        return task

    async def _lookup(self, key: Hashable, resolve: Resolve, args: tuple, started: float,
                      generation: int) -> Any:
        try:
            value = await resolve(*args)
        except BaseException:
            self._entries.pop(key, None)
            raise
        if value is None or self.ttl <= 0:
            self._entries.pop(key, None)
        elif generation == self._generation:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key] = (started + self.ttl, value)
        return value


def _retrieve(task: asyncio.Future) -> None:
    """A background refresh that failed: its error was for no request in particular."""
    if not task.cancelled():
        task.exception()
