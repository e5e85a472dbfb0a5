"""Bounded retries with exponential backoff for writes to the object store and MongoDB.

    await retry(lambda: store.put_file(key, path), "write the cleaned rows")

Only transient failures are retried (the store or the database unreachable, timeouts,
injected faults); a missing object, an invalid key or a refused document fail at once.
After the last attempt :class:`RetryError` says what could not be done and why, so the caller
can fail the entity with a cause (``STORAGE_ERROR``). Attempts and the first delay come from
``TRIBUTARY_RETRY_ATTEMPTS`` (default 4) and ``TRIBUTARY_RETRY_BACKOFF`` (seconds, default 0.5,
doubled each time, at most 8 s between two attempts).
"""
from __future__ import annotations

import asyncio
import logging
import random
from typing import Awaitable, Callable, TypeVar

from infra.config import Retry

log = logging.getLogger("tributary.retry")

T = TypeVar("T")
MAX_DELAY = 8.0


class RetryError(Exception):
    """Every attempt failed; `last` is the last failure."""

    def __init__(self, what: str, attempts: int, last: BaseException) -> None:
        super().__init__(f"could not {what} after {attempts} attempts: "
                         f"{type(last).__name__}: {last}")
        self.what, self.attempts, self.last = what, attempts, last


def transient(exc: BaseException) -> bool:
    """A failure worth another try: an outage rather than a wrong request."""
    from pymongo import errors as mongo_errors

    from infra.storage.base import InvalidKey, ObjectNotFound, ObjectStoreError

    if isinstance(exc, (ObjectNotFound, InvalidKey)):
        return False
    if isinstance(exc, mongo_errors.PyMongoError):
        return isinstance(exc, (mongo_errors.ConnectionFailure, mongo_errors.ServerSelectionTimeoutError,
                                mongo_errors.NetworkTimeout, mongo_errors.AutoReconnect)) \
            or getattr(exc, "has_error_label", lambda _: False)("RetryableWriteError")
    if isinstance(exc, (ObjectStoreError, OSError, asyncio.TimeoutError)):
        return True  # outages, timeouts, disk errors of a local store
    module = type(exc).__module__
    if module.startswith(("botocore", "aiobotocore")):  # no response: could not connect
        return not isinstance(getattr(exc, "response", None), dict) or _s3_server_error(exc)
    return module.startswith("aiohttp")


def outage(exc: BaseException) -> bool:
    """A failure of a service rather than of the value: a transient one, retries that ran out,
    or the broker refusing a publish (aiokafka's errors; after a broker restart a producer can
    answer `UnknownError` for a while)."""
    return isinstance(exc, RetryError) or transient(exc) or \
        type(exc).__module__.startswith(("aiokafka", "kafka"))


def _s3_server_error(exc: BaseException) -> bool:
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return False
    status = (response.get("ResponseMetadata") or {}).get("HTTPStatusCode") or 0
    return status >= 500 or status == 429


# this process's policy: settings.retry (TRIBUTARY_RETRY_ATTEMPTS, _BACKOFF), installed once at
# its start by configure() (tributary/boot.py), so the many call sites need not carry it
_POLICY = Retry.model_construct()


def configure(policy: Retry) -> None:
    global _POLICY
    _POLICY = policy


def _settings() -> tuple[int, float]:
    return max(1, _POLICY.attempts), max(0.0, _POLICY.backoff)


async def retry(op: Callable[[], Awaitable[T]], what: str, *, attempts: int | None = None,
                backoff: float | None = None,
                retry_if: Callable[[BaseException], bool] = transient) -> T:
    """Run `op` until it succeeds, at most `attempts` times; RetryError after the last one.
    Failures that are not transient are raised as they are, at once."""
    default_attempts, default_backoff = _settings()
    attempts = attempts or default_attempts
    backoff = default_backoff if backoff is None else backoff
    for attempt in range(1, attempts + 1):
        try:
            return await op()
        except Exception as exc:  # noqa: BLE001 - classified by retry_if
            if not retry_if(exc):
                raise
            if attempt == attempts:
                raise RetryError(what, attempts, exc) from exc
            delay = min(MAX_DELAY, backoff * 2 ** (attempt - 1)) * random.uniform(0.8, 1.2)
            log.warning("could not %s (attempt %s of %s, retrying in %.2fs): %s", what, attempt,
                        attempts, delay, exc)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")
