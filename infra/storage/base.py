"""The object-store contract shared by every backend (local directory, S3-compatible)."""

from __future__ import annotations

import abc
import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

PRESIGN_METHODS = frozenset({"GET", "PUT"})
MAX_PRESIGN_SECONDS = 7 * 24 * 3600  # SigV4 ceiling; applied to every backend alike
MAX_KEY_BYTES = 1024
CHUNK_SIZE = 1024 * 1024


class ObjectStoreError(Exception):
    """Base class for storage errors raised by any backend."""


class ObjectNotFound(ObjectStoreError, KeyError):
    """The key does not exist."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key

    def __str__(self) -> str:
        return f"object not found: {self.key!r}"


class BodyTooLarge(ObjectStoreError):
    """A streamed body went past the bytes its URL allows."""


class InvalidKey(ObjectStoreError, ValueError):
    """The key is not portable between backends (or would escape a local root)."""


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    key: str
    size: int
    etag: str  # opaque version tag: changes whenever the content is rewritten
    last_modified: datetime  # timezone-aware (UTC)


def validate_key(key: str) -> str:
    """Reject keys that are unsafe as paths or behave differently across backends.

    The same rules apply to S3 so a key that works in development works in production.
    """
    if not isinstance(key, str) or not key:
        raise InvalidKey("key must be a non-empty string")
    if "\x00" in key or "\\" in key:
        raise InvalidKey(f"key contains NUL or backslash: {key!r}")
    if key.startswith("/") or key.endswith("/"):
        raise InvalidKey(f"key must not start or end with '/': {key!r}")
    if len(key.encode("utf-8")) > MAX_KEY_BYTES:
        raise InvalidKey("key longer than 1024 bytes")
    for part in key.split("/"):
        if part in ("", ".", ".."):
            raise InvalidKey(f"key has an empty, '.' or '..' segment: {key!r}")
    return key


def validate_presign(key: str, method: str, expires_in: int) -> str:
    """Check presign arguments; return the normalised (upper-case) method."""
    validate_key(key)
    method = method.upper()
    if method not in PRESIGN_METHODS:
        raise ValueError(f"presign method must be GET or PUT, not {method!r}")
    if not 1 <= expires_in <= MAX_PRESIGN_SECONDS:
        raise ValueError(f"expires_in must be within 1..{MAX_PRESIGN_SECONDS} seconds")
    return method


class ObjectStore(abc.ABC):
    """Async object storage. Use as ``async with store:`` or call start()/close()."""

    @abc.abstractmethod
    async def start(self) -> None: ...

    @abc.abstractmethod
    async def close(self) -> None: ...

    async def __aenter__(self) -> ObjectStore:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @abc.abstractmethod
    async def put(self, key: str, data: bytes, content_type: str | None = None) -> None:
        """Store ``data`` under ``key``, replacing any previous object."""

    @abc.abstractmethod
    async def put_file(self, key: str, path: str) -> None:
        """Upload a local file with bounded memory (multipart on S3 for big files). The file
        must not be changed in place afterwards (LocalStore may share it by hard link)."""

    @abc.abstractmethod
    async def get(self, key: str) -> bytes:
        """Return the whole object; raise ObjectNotFound."""

    async def read_head(self, key: str, n_bytes: int) -> bytes:
        """The first ``n_bytes`` of the object (a preview); raise ObjectNotFound. Backends
        override it to read no more than that."""
        return (await self.get(key))[:n_bytes]

    async def read_range(self, key: str, start: int, length: int) -> bytes:
        """``length`` bytes from offset ``start`` (fewer at the object's end): one page of a
        snapshot's pages object; raise ObjectNotFound. Backends override it to read no more."""
        return (await self.get(key))[start:start + max(length, 0)]

    @abc.abstractmethod
    async def download(self, key: str, path: str) -> None:
        """Stream the object to ``path`` (written atomically); raise ObjectNotFound. Treat
        ``path`` as read-only (LocalStore may hand out a hard link to the object)."""

    @abc.abstractmethod
    async def head(self, key: str) -> ObjectInfo | None:
        """Metadata of ``key``, or None when absent."""

    @abc.abstractmethod
    async def delete(self, key: str) -> None:
        """Remove ``key``; deleting a missing key is not an error."""

    @abc.abstractmethod
    async def delete_prefix(self, prefix: str) -> int:
        """Remove every key starting with ``prefix`` (non-empty); return how many."""

    @abc.abstractmethod
    async def list(self, prefix: str = "") -> list[ObjectInfo]:
        """Every object whose key starts with ``prefix`` (plain string prefix), sorted by key."""

    @abc.abstractmethod
    async def presign(self, key: str, method: str = "PUT", expires_in: int = 3600,
                      max_bytes: int | None = None) -> str:
        """Absolute URL a plain HTTP client can GET or PUT (body only, no extra headers).
        `max_bytes` (PUT): the body size the URL is for, signed into it — LocalStore refuses a
        larger body (413); S3 signs it as the exact Content-Length (a real S3 answers 403 to
        any other length; moto does not check)."""

    async def sweep_partials(self, older_than: datetime) -> int:
        """Remove uploads begun before `older_than` and never completed (LocalStore's staged
        temp files, S3's incomplete multipart uploads); return how many."""
        return 0

    @abc.abstractmethod
    async def ping(self) -> bool:
        """True when the backend is reachable and usable."""

    async def sha256(self, key: str) -> str | None:
        """SHA-256 (hex) of the object's bytes when the store took it while they streamed in,
        else None (the caller hashes the bytes itself)."""
        return None


def file_sha256(path: str) -> str:
    """SHA-256 (hex) of a local file, read in 1 MiB chunks (a download's checksum when the
    store did not record one)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_delete_prefix(prefix: str) -> str:
    if not prefix:
        raise ValueError("delete_prefix needs a non-empty prefix (refusing to empty the store)")
    if "\x00" in prefix:
        raise InvalidKey("prefix contains NUL")
    return prefix


@contextlib.contextmanager
def atomic_output(path: str) -> Iterator[BinaryIO]:
    """Write to a temp file beside ``path``; rename over it only if the block succeeds."""
    dest = Path(path)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
