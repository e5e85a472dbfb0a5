"""HMAC-SHA256 signatures for the presigned URLs the gateway serves (checked by local_http).

A PUT URL may carry `size`, the most bytes it accepts (a sales file's declared `filesize`):
it is signed with the rest, so a client cannot raise it."""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from enum import Enum
from urllib.parse import quote, urlencode

ROUTE_PREFIX = "/_objects"


class Verdict(Enum):
    OK = "ok"
    BAD_SIGNATURE = "bad_signature"
    EXPIRED = "expired"


def sign(secret: bytes, method: str, key: str, expires: int, size: int | None = None) -> str:
    """Hex HMAC over method, key, absolute expiry (unix seconds) and the size bound if any."""
    message = f"{method.upper()}\n{key}\n{expires}" + ("" if size is None else f"\n{size}")
    return hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()


def url(base: str, secret: bytes, method: str, key: str, expires_in: int,
        size: int | None = None) -> str:
    """`{base}/_objects/{key}?expires=…[&size=…]&signature=…`, valid for at least
    `expires_in` seconds (the route is infra.storage.local_http's)."""
    expires = math.ceil(time.time() + expires_in)
    query = {"expires": expires, **({} if size is None else {"size": size}),
             "signature": sign(secret, method, key, expires, size)}
    return f"{base.rstrip('/')}{ROUTE_PREFIX}/{quote(key, safe='/')}?{urlencode(query)}"


def verify(
    secret: bytes, method: str, key: str, expires: str | None, signature: str | None,
    now: float | None = None, size: str | None = None,
) -> Verdict:
    """Signature first (so a tampered expiry or size is 'bad signature'), then expiry."""
    if not expires or not signature or not expires.isdigit():
        return Verdict.BAD_SIGNATURE
    if size is not None and not size.isdigit():
        return Verdict.BAD_SIGNATURE
    expected = sign(secret, method, key, int(expires), None if size is None else int(size))
    if not hmac.compare_digest(expected, signature):
        return Verdict.BAD_SIGNATURE
    if int(expires) <= (time.time() if now is None else now):
        return Verdict.EXPIRED
    return Verdict.OK
