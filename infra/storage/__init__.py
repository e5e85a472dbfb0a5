"""Object storage: one async interface (ObjectStore), a local-directory and an S3 backend.

    store = open_store("file:///var/lib/tributary/objects", public_base_url=None, secret=...)
    store = open_store("s3://tributary?endpoint=http://127.0.0.1:9000&region=us-east-1", secret="")

URL format: see infra/storage/README.md.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs, unquote, urlsplit

from infra.storage.base import (
    InvalidKey,
    ObjectInfo,
    ObjectNotFound,
    ObjectStore,
    ObjectStoreError,
)
from infra.storage.local import LocalStore
from infra.storage.s3 import S3Store

__all__ = [
    "InvalidKey", "LocalStore", "ObjectInfo", "ObjectNotFound", "ObjectStore",
    "ObjectStoreError", "S3Store", "open_store",
]

_S3_PARAMS = {"endpoint", "region", "public_endpoint", "access_key", "secret_key",
              "create_bucket", "part_size_mb"}


def open_store(url: str, *, public_base_url: str | None = None, secret: str,
               faults: str = "") -> ObjectStore:
    """Build (but do not start) the store a URL names.

    ``public_base_url`` is the gateway base for LocalStore presigned URLs (S3 ignores it: use
    ``public_endpoint`` in the URL). ``secret`` signs LocalStore URLs (S3 ignores it).
    With ``faults`` (TRIBUTARY_FAULTS, tests), the store comes wrapped in infra.storage.faults.
    """
    store = _open_store(url, public_base_url=public_base_url, secret=secret)
    if faults.strip():
        from infra.storage.faults import wrap

        store = wrap(store, faults)
    return store


def _open_store(url: str, *, public_base_url: str | None, secret: str) -> ObjectStore:
    parts = urlsplit(url)
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            raise ValueError(f"file URL must be file:///absolute/path, got {url!r}")
        if query:
            raise ValueError(f"file URL takes no query parameters, got {sorted(query)}")
        return LocalStore(unquote(parts.path), secret=secret, public_base_url=public_base_url)
    if parts.scheme == "s3":
        if not parts.netloc or parts.path not in ("", "/"):
            raise ValueError(f"S3 URL must be s3://bucket?..., got {url!r}")
        if unknown := set(query) - _S3_PARAMS:
            raise ValueError(f"unknown S3 URL parameters: {sorted(unknown)}")
        extra = {}
        if "part_size_mb" in query:
            extra["part_size"] = int(query["part_size_mb"]) * 1024 * 1024
        return S3Store(
            parts.netloc,
            endpoint_url=query.get("endpoint"),
            region=query.get("region", "us-east-1"),
            access_key=query.get("access_key") or os.environ.get("AWS_ACCESS_KEY_ID"),
            secret_key=query.get("secret_key") or os.environ.get("AWS_SECRET_ACCESS_KEY"),
            public_endpoint_url=query.get("public_endpoint"),
            create_bucket=query.get("create_bucket", "true").lower() not in ("false", "0", "no"),
            **extra,
        )
    raise ValueError(f"unsupported object store URL scheme {parts.scheme!r} (use file:// or s3://)")
