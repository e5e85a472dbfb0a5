"""What every long-running process does first with its settings tree: logging, and the two
process-wide policies deep helpers use from many call sites (retry, outbox timing)."""
from __future__ import annotations

import logging

from infra import logs, outbox, retry
from infra.config import Settings


def boot(settings: Settings, service: str, level: int = logging.WARNING) -> None:
    logs.configure(service, level=level, fmt=settings.logs.format)
    retry.configure(settings.retry)
    outbox.configure(settings.outbox)
