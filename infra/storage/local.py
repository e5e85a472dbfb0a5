"""LocalStore: objects as files under one directory; presigned URLs served by local_http.

Objects are never written in place: every put goes to a temp file that replaces the object
(a new inode). So `download` and `put_file` hard-link instead of copying when both sides are on
one filesystem (a 660 MB upload costs no copy); callers treat those files as read-only.
A streamed upload's SHA-256 is taken as it is written and kept in an extended attribute of the
file (`user.tributary.sha256`), so it belongs to that inode: a replaced object has none until
it is hashed again, and filesystems without user attributes simply answer None.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import AsyncIterable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from infra.storage import signing
from infra.storage.base import (
    CHUNK_SIZE,
    BodyTooLarge,
    InvalidKey,
    ObjectInfo,
    ObjectNotFound,
    ObjectStore,
    atomic_output,
    check_delete_prefix,
    validate_key,
    validate_presign,
)

TMP_DIR = ".tmp"  # staging area inside the root, so rename into place stays on one filesystem
ROUTE_PREFIX = signing.ROUTE_PREFIX
SHA256_ATTR = "user.tributary.sha256"


class LocalStore(ObjectStore):
    def __init__(self, root: str | os.PathLike[str], *, secret: str,
                 public_base_url: str | None = None) -> None:
        if not secret:
            raise ValueError("LocalStore needs a non-empty secret to sign URLs")
        self.root = Path(root).resolve()
        self.secret = secret.encode()
        self.public_base_url = public_base_url  # may be set after start (gateway port known late)

    # -- paths -------------------------------------------------------------------------------
    def path_for(self, key: str) -> Path:
        validate_key(key)
        if key.split("/", 1)[0] == TMP_DIR:
            raise InvalidKey(f"{TMP_DIR!r} is reserved in LocalStore")
        return self.root.joinpath(*key.split("/"))

    def _info(self, key: str, st: os.stat_result) -> ObjectInfo:
        modified = datetime.fromtimestamp(st.st_mtime, tz=UTC)
        etag = f"{st.st_ino:x}-{st.st_mtime_ns:x}-{st.st_size:x}"  # new inode on every replace
        return ObjectInfo(key, st.st_size, etag, modified)

    def _temp(self) -> tuple[int, str]:
        return tempfile.mkstemp(dir=self.root / TMP_DIR, prefix="put-")

    def _commit(self, tmp: str, key: str) -> None:
        dest = self.path_for(key)
        for _ in range(3):  # a concurrent delete may prune the parent between mkdir and replace
            try:
                dest.parent.mkdir(parents=True, exist_ok=True)
                if dest.is_dir():
                    raise InvalidKey(f"{key!r} is a prefix of other keys in LocalStore")
                os.replace(tmp, dest)
                return
            except FileNotFoundError:
                continue
            except (NotADirectoryError, FileExistsError) as exc:
                raise InvalidKey(f"{key!r} conflicts with an existing key in LocalStore") from exc
        raise OSError(f"could not create parent directory for {key!r}")

    def _prune(self, directory: Path) -> None:
        while directory != self.root and self.root in directory.parents:
            try:
                directory.rmdir()
            except OSError:
                return
            directory = directory.parent

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        await asyncio.to_thread((self.root / TMP_DIR).mkdir, parents=True, exist_ok=True)

    async def close(self) -> None:
        return None

    async def ping(self) -> bool:
        return self.root.is_dir() and os.access(self.root / TMP_DIR, os.W_OK)

    # -- writes ------------------------------------------------------------------------------
    def _write_from(self, key: str, write: Callable[[BinaryIO], object]) -> None:
        self.path_for(key)
        fd, tmp = self._temp()
        try:
            with os.fdopen(fd, "wb") as out:
                write(out)
            self._commit(tmp, key)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    async def put(self, key: str, data: bytes, content_type: str | None = None) -> None:
        """content_type is not kept by LocalStore; GETs guess it from the extension."""
        await asyncio.to_thread(self._write_from, key, lambda out: out.write(data))

    async def put_file(self, key: str, path: str) -> None:
        def copy(out: BinaryIO) -> None:
            with open(path, "rb") as src:
                shutil.copyfileobj(src, out, CHUNK_SIZE)

        def link_or_copy() -> None:
            self.path_for(key)
            tmp = self._link_name(self.root / TMP_DIR, "put-")
            try:
                os.link(path, tmp)
            except OSError:  # another filesystem, or links not allowed: copy
                self._write_from(key, copy)
                return
            try:
                self._commit(str(tmp), key)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
        await asyncio.to_thread(link_or_copy)

    @staticmethod
    def _link_name(directory: Path, prefix: str) -> Path:
        return directory / f"{prefix}{secrets.token_hex(8)}"

    async def write_stream(self, key: str, chunks: AsyncIterable[bytes],
                           max_bytes: int | None = None) -> ObjectInfo:
        """Write an async stream of chunks atomically (used by the presigned PUT route)."""
        self.path_for(key)
        fd, tmp = await asyncio.to_thread(self._temp)
        out = os.fdopen(fd, "wb")
        digest = hashlib.sha256()

        def write(chunk: bytes) -> None:
            out.write(chunk)
            digest.update(chunk)

        try:
            written = 0
            async for chunk in chunks:
                written += len(chunk)
                if max_bytes is not None and written > max_bytes:
                    raise BodyTooLarge(f"body larger than {max_bytes} bytes")
                await asyncio.to_thread(write, chunk)
            await asyncio.to_thread(out.close)
            with contextlib.suppress(OSError):  # no user attributes here: hashed on demand
                os.setxattr(tmp, SHA256_ATTR, digest.hexdigest().encode())
            await asyncio.to_thread(self._commit, tmp, key)
        except BaseException:
            out.close()
            Path(tmp).unlink(missing_ok=True)
            raise
        info = await self.head(key)
        assert info is not None
        return info

    # -- reads -------------------------------------------------------------------------------
    async def sha256(self, key: str) -> str | None:
        try:
            return os.getxattr(self.path_for(key), SHA256_ATTR).decode()
        except OSError:
            return None

    async def get(self, key: str) -> bytes:
        try:
            return await asyncio.to_thread(self.path_for(key).read_bytes)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise ObjectNotFound(key) from None

    async def read_head(self, key: str, n_bytes: int) -> bytes:
        def read() -> bytes:
            with open(self.path_for(key), "rb") as f:
                return f.read(n_bytes)
        try:
            return await asyncio.to_thread(read)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise ObjectNotFound(key) from None

    async def read_range(self, key: str, start: int, length: int) -> bytes:
        def read() -> bytes:
            with open(self.path_for(key), "rb") as f:
                f.seek(start)
                return f.read(max(length, 0))
        try:
            return await asyncio.to_thread(read)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise ObjectNotFound(key) from None

    async def download(self, key: str, path: str) -> None:
        src_path = self.path_for(key)

        def copy() -> None:
            dest = Path(path)
            tmp = self._link_name(dest.parent, f".{dest.name}.")
            try:
                os.link(src_path, tmp)
                os.replace(tmp, dest)
                return
            except OSError:  # missing object (reported below), another filesystem: copy
                tmp.unlink(missing_ok=True)
            try:
                inp = open(src_path, "rb")  # noqa: SIM115 - opened before the temp file exists
            except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
                raise ObjectNotFound(key) from None
            with inp, atomic_output(path) as out:
                shutil.copyfileobj(inp, out, CHUNK_SIZE)
        await asyncio.to_thread(copy)

    async def head(self, key: str) -> ObjectInfo | None:
        try:
            st = await asyncio.to_thread(os.stat, self.path_for(key))
        except (FileNotFoundError, NotADirectoryError):
            return None
        return self._info(key, st) if stat.S_ISREG(st.st_mode) else None

    def _list(self, prefix: str) -> list[ObjectInfo]:
        directories = prefix.split("/")[:-1]
        if "\x00" in prefix or any(part in ("", ".", "..") for part in directories):
            return []  # no valid key can start like this; never walk outside the root
        base = self.root.joinpath(*directories)
        found: list[ObjectInfo] = []
        for dirpath, dirnames, filenames in os.walk(base):
            if Path(dirpath) == self.root and TMP_DIR in dirnames:
                dirnames.remove(TMP_DIR)
            rel = Path(dirpath).relative_to(self.root).as_posix()
            for name in filenames:
                key = name if rel == "." else f"{rel}/{name}"
                if key.startswith(prefix):
                    try:
                        found.append(self._info(key, os.stat(os.path.join(dirpath, name))))
                    except FileNotFoundError:
                        continue  # deleted while walking
        return sorted(found, key=lambda info: info.key)

    async def list(self, prefix: str = "") -> list[ObjectInfo]:
        return await asyncio.to_thread(self._list, prefix)

    # -- deletes -----------------------------------------------------------------------------
    def _delete(self, key: str) -> None:
        path = self.path_for(key)
        try:
            path.unlink()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return
        self._prune(path.parent)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._delete, key)

    async def delete_prefix(self, prefix: str) -> int:
        check_delete_prefix(prefix)

        def run() -> int:
            infos = self._list(prefix)
            for info in infos:
                self._delete(info.key)
            return len(infos)
        return await asyncio.to_thread(run)

    async def sweep_partials(self, older_than: datetime) -> int:
        """Staged writes (`.tmp/`) untouched since `older_than`: a PUT cut off half-way or a
        process killed mid-write. A live write touches its file with every chunk."""
        cutoff = older_than.timestamp()

        def run() -> int:
            removed = 0
            with os.scandir(self.root / TMP_DIR) as entries:
                for entry in entries:
                    try:
                        if entry.is_file(follow_symlinks=False) and \
                                entry.stat(follow_symlinks=False).st_mtime < cutoff:
                            os.unlink(entry.path)
                            removed += 1
                    except FileNotFoundError:
                        continue  # finished (renamed into place) meanwhile
            return removed
        return await asyncio.to_thread(run)

    # -- presign -----------------------------------------------------------------------------
    async def presign(self, key: str, method: str = "PUT", expires_in: int = 3600,
                      max_bytes: int | None = None) -> str:
        method = validate_presign(key, method, expires_in)
        self.path_for(key)
        if not self.public_base_url:
            raise RuntimeError("LocalStore.public_base_url is not set (the gateway base URL)")
        size = max_bytes if method == "PUT" else None
        return signing.url(self.public_base_url, self.secret, method, key, expires_in, size)
