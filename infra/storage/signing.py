"""HMAC-SHA256 signatures for LocalStore presigned URLs (checked by local_http)."""

from __future__ import annotations

import hashlib
import hmac
import time
from enum import Enum


class Verdict(Enum):
    OK = "ok"
    BAD_SIGNATURE = "bad_signature"
    EXPIRED = "expired"


def sign(secret: bytes, method: str, key: str, expires: int) -> str:
    """Hex HMAC over method, key and absolute expiry (unix seconds)."""
    message = f"{method.upper()}\n{key}\n{expires}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def verify(
    secret: bytes, method: str, key: str, expires: str | None, signature: str | None,
    now: float | None = None,
) -> Verdict:
    """Signature first (so a tampered expiry is 'bad signature'), then expiry."""
    if not expires or not signature or not expires.isdigit():
        return Verdict.BAD_SIGNATURE
    expected = sign(secret, method, key, int(expires))
    if not hmac.compare_digest(expected, signature):
        return Verdict.BAD_SIGNATURE
    if int(expires) <= (time.time() if now is None else now):
        return Verdict.EXPIRED
    return Verdict.OK
