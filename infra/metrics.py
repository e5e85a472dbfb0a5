"""Prometheus metrics shared by the gateway and the workers (one registry per process).

Agents increment these directly, e.g. `ROWS_PROCESSED.labels(stage="cleaning").inc(n)` or
`record_rows("gtin_import", rows, seconds)`; `rate(tributary_rows_processed_total[1m])` is rows
per second, and `tributary_rows_per_second` holds the throughput of the last finished run.
"""
from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram, generate_latest

# the gateway's request counter and latency histogram: gateway/metrics.py (a custom collector)
MESSAGES_CONSUMED = Counter("tributary_messages_consumed", "messages read by agents",
                            ["topic", "type"])
MESSAGES_PRODUCED = Counter("tributary_messages_produced", "messages published", ["topic", "type"])
DEAD_LETTERED = Counter("tributary_messages_dead_lettered",
                        "unreadable messages sent to tributary.deadletter", ["topic"])
DUPLICATES = Counter("tributary_commands_duplicate",
                     "commands skipped because their message id was already handled", ["topic"])
HANDLER_ERRORS = Counter("tributary_handler_errors", "handlers that raised", ["topic", "type"])
HANDLER_SECONDS = Histogram("tributary_handler_seconds", "time spent handling one message",
                            ["topic", "type"])
ROWS_PROCESSED = Counter("tributary_rows_processed", "rows processed by stage", ["stage"])
ROWS_PER_SECOND = Gauge("tributary_rows_per_second", "throughput of the last run by stage",
                        ["stage"])
FAILURES = Counter("tributary_failures", "work that ended FAILED, by stage and cause",
                   ["stage", "cause"])
SWEPT = Counter("tributary_swept", "what the sweeper removed: expired records, rejected "
                "objects, partial uploads (agents/sweeper.py)", ["kind"])
CONSUMER_LAG = Gauge("tributary_consumer_lag",
                     "messages not yet processed per topic-partition (highwater - position)",
                     ["topic", "partition"])


def record_rows(stage: str, rows: int, seconds: float) -> None:
    """Count rows done by a stage and remember the throughput of this run."""
    ROWS_PROCESSED.labels(stage=stage).inc(max(rows, 0))
    if seconds > 0:
        ROWS_PER_SECOND.labels(stage=stage).set(rows / seconds)


def exposition() -> tuple[bytes, str]:
    """(body, content type) of the Prometheus text format for this process."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
