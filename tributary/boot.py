"""What every process does first with its settings tree: install the two process-wide policies
deep helpers use from many call sites (retry, outbox timing) and, for the long-running gateway
and workers, logging."""
from __future__ import annotations

import logging

from infra import logs, outbox, retry
from infra.config import Settings


def policies(settings: Settings) -> None:
    retry.configure(settings.retry)
    outbox.configure(settings.outbox)


def boot(settings: Settings, service: str, level: int = logging.WARNING) -> None:
    logs.configure(service, level=level, fmt=settings.logs.format)
    policies(settings)
