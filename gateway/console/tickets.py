"""Short-lived signed stream tickets.

`EventSource` cannot send an Authorization header, so a page first trades its Bearer token for a
ticket (POST /api/events/ticket) and opens the stream with `?ticket=`. A ticket names one
organisation, expires after `TTL` seconds (checked only when a stream opens), is good for the
event streams only, and never reveals the token — so a URL that leaks into a log is worth little.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import time

TTL = 60


def _sign(secret: str, body: str) -> str:
    return hmac.new(secret.encode(), f"stream-ticket:{body}".encode(), hashlib.sha256).hexdigest()


def issue(secret: str, organisation: str, now: float | None = None, ttl: int = TTL) -> tuple[str, int]:
    """(ticket, expiry as unix seconds) for `organisation`."""
    expires = int((now if now is not None else time.time()) + ttl)
    body = base64.urlsafe_b64encode(f"{organisation}|{expires}".encode()).decode().rstrip("=")
    return f"{body}.{_sign(secret, body)}", expires


def verify(secret: str, ticket: str, now: float | None = None) -> str | None:
    """The organisation a valid, unexpired ticket names; None otherwise."""
    body, _, signature = (ticket or "").partition(".")
    if not body or not hmac.compare_digest(signature, _sign(secret, body)):
        return None
    try:
        organisation, _, expires = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)) \
            .decode().rpartition("|")
        if int(expires) < (now if now is not None else time.time()):
            return None
    except (ValueError, UnicodeDecodeError):
        return None
    return organisation or None
