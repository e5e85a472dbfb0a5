"""Images of a GTIN import copied into the service (`copy_to_cdn`), once per URL; the gateway
serves them from the object store at /description-service/cdn/{name}."""
from __future__ import annotations

import asyncio
import hashlib
import os
from urllib.parse import urlsplit

from agents.deps import Deps
from infra.fetch import FetchError, fetch_bytes, own_key, sniff
from models.gtin import BadLine, Ok, pending_cdn_copies
from models.gtin_tasks import MAX_IMAGE_BYTES

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".avif")


def cdn_name(url: str) -> str:
    ext = os.path.splitext(urlsplit(url).path)[1].lower()
    return hashlib.sha256(url.encode()).hexdigest()[:40] + (ext if ext in IMAGE_EXTENSIONS else "")


class CdnCopier:
    """Copies images into the object store once per URL; the service serves them itself.

    Links the service issued are never fetched over the network: a CDN link is kept as it is,
    the participant's own upload link is read from the store (no allow-list needed)."""

    def __init__(self, deps: Deps, participant_id: str = "") -> None:
        self.deps, self.done, self.sem = deps, {}, asyncio.Semaphore(8)
        self.participant_id = participant_id

    async def _image(self, url: str, own: str | None) -> tuple[bytes, str | None]:
        """The image's bytes and content type: an own upload from the store, else fetched."""
        if own is None:
            async with self.sem:
                return await fetch_bytes(url, self.deps.settings.fetch, max_bytes=MAX_IMAGE_BYTES)
        store = await self.deps.store()
        info = await store.head(own)
        if info is None:
            raise FetchError(422, "upload_missing", "nothing was uploaded to this link yet")
        if info.size > MAX_IMAGE_BYTES:
            raise FetchError(413, "file_too_large", f"larger than {MAX_IMAGE_BYTES} bytes")
        return await store.get(own), None

    async def copy(self, url: str) -> str:
        own = None
        if url not in self.done:
            own = own_key(url, self.participant_id, self.deps.settings.public_url)
            if own is not None and own.startswith("cdn/"):  # already one of ours
                self.done[url] = url
        if url not in self.done:
            if len(self.done) > 10_000:
                self.done.clear()
            name = cdn_name(url)
            store = await self.deps.store()
            if await store.head(f"cdn/{name}") is None:
                data, ctype = await self._image(url, own)
                if not (ctype or "").lower().startswith("image/"):
                    try:
                        sniff(data, ctype, what="an image")
                    except FetchError:
                        pass  # binary: looks like an image
                    else:
                        raise FetchError(415, "not_image", f"not an image ({ctype or 'text'})")
                await store.put(f"cdn/{name}", data, ctype)
            base = self.deps.settings.public_url.rstrip("/")
            self.done[url] = f"{base}/description-service/cdn/{name}"
        return self.done[url]

    async def apply(self, outcomes: list) -> list:
        """Point copied images at the service; a line whose image cannot be copied is bad."""
        wanted = [(i, w) for i, o in enumerate(outcomes) if isinstance(o, Ok)
                  for w in pending_cdn_copies(o)]
        urls = list(dict.fromkeys(w["url"] for _, w in wanted))
        results = await asyncio.gather(*(self.copy(u) for u in urls), return_exceptions=True)
        by_url = dict(zip(urls, results))
        for i, widget in wanted:
            result = by_url[widget["url"]]
            if isinstance(result, BaseException):
                reason = result.message if isinstance(result, FetchError) else repr(result)
                outcomes[i] = BadLine(outcomes[i].line, f"image {widget['url']}: {reason}")
            elif isinstance(outcomes[i], Ok):
                widget.pop("copy_to_cdn", None)
                widget.update(url=result, source_url=widget["url"])
        return outcomes
