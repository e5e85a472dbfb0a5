"""Safe download of a user-given link: http(s) only, a size limit, timeouts, and a check that
what comes back looks like delimited text (not a web page, an image, an archive or a PDF).

Links the service issued itself (`POST /description-service/uploads`, the CDN route serving
copied images) never go over HTTP: `own_key` maps them to their object-store key and callers
read the store directly, on every storage backend, without any allow-list.
Every problem is a `FetchError` carrying the HTTP status the gateway answers with.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp

from infra.config import Fetch

CHUNK = 1 << 16
UPLOAD_PATH = "/description-service/uploads/"
CDN_PATH = "/description-service/cdn/"
_CDN_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$")
_UPLOAD_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_NOT_TEXT_TYPES = ("image/", "audio/", "video/", "font/", "application/pdf", "application/zip",
                   "application/gzip", "application/x-gzip", "application/x-tar", "text/html",
                   "application/xhtml", "application/json", "application/javascript")
_MAGIC = {b"%PDF": "a PDF document", b"PK\x03\x04": "a ZIP archive (XLSX?)", b"\x89PNG": "a PNG image",
          b"GIF8": "a GIF image", b"\xff\xd8\xff": "a JPEG image", b"\x1f\x8b": "a gzip archive",
          b"\xd0\xcf\x11\xe0": "an old Office document (XLS?)", b"RIFF": "a RIFF media file"}


def max_file_bytes(fetch: Fetch) -> int:
    """TRIBUTARY_IMPORT_MAX_MB, from the settings tree's `fetch` group."""
    return int(fetch.import_max_mb * 1024 * 1024)


class FetchError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Timeouts:
    connect: float = 10.0
    read: float = 30.0  # between two chunks
    total: float = 3600.0


def upload_prefix(participant_id: str) -> str:
    return f"gtin-uploads/{hashlib.sha256(participant_id.encode()).hexdigest()[:20]}"


def upload_key(link: str, participant_id: str, public_url: str) -> str | None:
    """The object key of a link issued by POST /description-service/uploads, or None.

    The key embeds the participant, so one participant's link never opens another's upload."""
    parts, base = urlsplit(link), urlsplit(public_url or "")
    if not parts.path.startswith(UPLOAD_PATH):
        return None
    if base.netloc and parts.netloc != base.netloc and parts.scheme != "upload":
        return None
    upload_id = parts.path[len(UPLOAD_PATH):]
    if not _UPLOAD_ID.match(upload_id):
        raise FetchError(400, "bad_link", f"malformed upload link {link!r}")
    return f"{upload_prefix(participant_id)}/{upload_id}"


def own_key(link: str, participant_id: str, public_url: str) -> str | None:
    """The object key of a link the service issued (an upload, a CDN copy), or None.

    Upload links open only the participant's own uploads; CDN objects are public anyway."""
    key = upload_key(link, participant_id, public_url)
    if key is not None:
        return key
    parts, base = urlsplit(link), urlsplit(public_url or "")
    if not parts.path.startswith(CDN_PATH) or (base.netloc and parts.netloc != base.netloc):
        return None
    name = parts.path[len(CDN_PATH):]
    if not _CDN_NAME.match(name):
        raise FetchError(400, "bad_link", f"malformed CDN link {link!r}")
    return f"cdn/{name}"


async def read_head(store, key: str, n_bytes: int) -> bytes:
    """The first `n_bytes` of an own object (whole lines where it was cut), checked to be text."""
    head = await store.read_head(key, n_bytes)
    sniff(head)
    if len(head) >= n_bytes and b"\n" in head:
        head = head[:head.rindex(b"\n") + 1]
    return head


def check_link(link: str) -> str:
    parts = urlsplit(link)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FetchError(400, "bad_link", "link must be an http(s) URL or a link from "
                         "POST /description-service/uploads")
    return link


def sniff(head: bytes, content_type: str | None = None, what: str = "delimited text") -> None:
    """Refuse content that is clearly not CSV/TSV text (415)."""
    ctype = (content_type or "").split(";")[0].strip().lower()
    if ctype.startswith(_NOT_TEXT_TYPES):
        raise FetchError(415, "not_csv", f"the link serves {ctype}, not {what}")
    for magic, name in _MAGIC.items():
        if head.startswith(magic):
            raise FetchError(415, "not_csv", f"the file is {name}, not {what}")
    text = head[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<?xml", b"<svg")):
        raise FetchError(415, "not_csv", f"the link serves markup (HTML/XML), not {what}")
    if b"\x00" in head[:CHUNK] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FetchError(415, "not_csv", f"the file is binary data, not {what}")


@asynccontextmanager
async def _open(link: str, max_bytes: int, timeouts: Timeouts,
                fetch: Fetch) -> AsyncIterator[aiohttp.ClientResponse]:
    """GET a link from a public address only: every redirect hop is checked and the
    connector's resolver refuses loopback, private, link-local and metadata addresses
    (TRIBUTARY_FETCH_ALLOW lets named addresses through, e.g. loopback in tests)."""
    from infra.fetch_public import AllowList, FetchLimits, FetchRefused, public_session
    from infra.fetch_public import _open as open_public

    check_link(link)
    allow = AllowList.parse(fetch.allow)
    limits = FetchLimits(max_bytes=max_bytes, read_timeout=timeouts.read,
                         connect_timeout=timeouts.connect, total_timeout=timeouts.total,
                         retries=0, backoff=0.0)
    try:
        async with public_session(allow, limits) as session:
            resp = await open_public(session, link, allow, limits, None, None)
            async with resp:
                if resp.status >= 400:
                    raise FetchError(422, "link_failed", f"the link answered HTTP {resp.status}")
                if resp.content_length is not None and resp.content_length > max_bytes:
                    raise FetchError(413, "file_too_large", f"the file has {resp.content_length} "
                                     f"bytes; the limit is {max_bytes}")
                yield resp
    except FetchError:
        raise
    except FetchRefused as exc:
        raise FetchError(400, "refused_address", str(exc)) from None
    except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as exc:
        raise FetchError(422, "link_unreachable",
                         f"could not download the link: {type(exc).__name__} {exc}".strip()) from None
    except Exception as exc:  # the public fetcher's own errors (too many redirects, DNS)
        if type(exc).__module__ == "infra.fetch_public":
            raise FetchError(422, "link_unreachable", f"could not download the link: {exc}") from None
        raise


async def fetch_head(link: str, n_bytes: int, fetch: Fetch, *, max_bytes: int | None = None,
                     timeouts: Timeouts = Timeouts(total=60.0)) -> bytes:
    """The first `n_bytes` of the link (whole lines where it was cut), checked to be text."""
    max_bytes = max_file_bytes(fetch) if max_bytes is None else max_bytes
    data = bytearray()
    async with _open(link, max_bytes, timeouts, fetch) as resp:
        async for chunk in resp.content.iter_chunked(CHUNK):
            data += chunk
            if len(data) >= n_bytes:
                break
        truncated = len(data) >= n_bytes
        content_type = resp.headers.get("Content-Type")
    head = bytes(data[:n_bytes])
    sniff(head, content_type)
    if truncated and b"\n" in head:
        head = head[:head.rindex(b"\n") + 1]
    return head


async def fetch_to_file(link: str, path: str, fetch: Fetch, *, max_bytes: int | None = None,
                        timeouts: Timeouts = Timeouts()) -> int:
    """Stream the link into `path`; FetchError past `max_bytes` or on non-text content."""
    max_bytes = max_file_bytes(fetch) if max_bytes is None else max_bytes
    size = 0
    async with _open(link, max_bytes, timeouts, fetch) as resp:
        with open(path, "wb") as out:
            async for chunk in resp.content.iter_chunked(CHUNK):
                if size == 0:
                    sniff(chunk, resp.headers.get("Content-Type"))
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(413, "file_too_large", f"the file is larger than the "
                                     f"limit of {max_bytes} bytes")
                out.write(chunk)
    return size


async def fetch_bytes(link: str, fetch: Fetch, *, max_bytes: int,
                      timeouts: Timeouts = Timeouts(total=60.0)
                      ) -> tuple[bytes, str | None]:
    """A small whole resource (an image to copy) and its content type."""
    data = bytearray()
    async with _open(link, max_bytes, timeouts, fetch) as resp:
        async for chunk in resp.content.iter_chunked(CHUNK):
            data += chunk
            if len(data) > max_bytes:
                raise FetchError(413, "file_too_large", f"larger than {max_bytes} bytes")
        return bytes(data), resp.headers.get("Content-Type")
