"""The Faust application: settings suited to the broker, tables, and agent registration.

Agents live one per module (`agents/<name>.py`), each with a `register(app, deps)` function,
so the app is built from settings at start-up rather than at import time.
"""
from __future__ import annotations

import faust

from agents.deps import Deps
from infra.config import Settings


def build_app(settings: Settings, generation: str | None = None) -> tuple[faust.App, Deps]:
    """`generation`: the broker log's stamp (infra/generation.py). It names the consumer group
    (and changelogs), so offsets a worker of a lost log committed into the new one, from its
    old positions, are never read by the workers of the new log."""
    from agents import faust_tuning

    faust_tuning.apply(settings.broker.fetch_wait_ms, settings.broker.busy_fetch_wait_ms)
    session = settings.session_timeout
    (settings.data_dir / "faust").mkdir(parents=True, exist_ok=True)
    app = faust.App(
        "tributary-worker" + (f"-{generation.split('@')[0][:12]}" if generation else ""),
        broker=[f"kafka://{h}" for h in settings.kafka_url.split(",")],
        store="memory://",
        datadir=str(settings.data_dir / "faust" / settings.worker_id),
        web_host=settings.worker_host,
        web_port=settings.worker_port,
        web_bind=settings.worker_bind,
        canonical_url=f"http://{settings.worker_host}:{settings.worker_port}",
        web_tables_enabled=False,
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication,
        topic_allow_declare=True,
        processing_guarantee="at_least_once",
        broker_session_timeout=session,
        broker_heartbeat_interval=max(session / 4, 0.25),
        broker_rebalance_timeout=max(session * 2, 4.0),
        broker_request_timeout=max(15.0, session * 2),
        broker_commit_interval=0.5,
        producer_acks=-1,
        stream_wait_empty=False,
        table_standby_replicas=0,
        consumer_auto_offset_reset="earliest",
        # a changelog behind the offsets a table remembers is not fatal: that partition is
        # rebuilt from its changelog start (agents/faust_tuning.py), reads fall back to MongoDB
        recovery_consistency_check=False,
    )
    deps = Deps(app, settings)
    deps.generation = generation
    for module in _agent_modules():
        module.register(app, deps)
    return app, deps


# one module per agent under agents/, each with register(app, deps); tables first, web last
AGENT_MODULES = ["status_table", "registration", "cleaning", "importing",
                 "gtin_import", "catalog", "reports", "auto_upload", "web", "housekeeping", "sweeper",
                 "generation", "outbox"]


def _agent_modules() -> list:
    """The listed modules; a missing one is an error, never silently skipped."""
    import importlib

    return [importlib.import_module(f"agents.{name}") for name in AGENT_MODULES]
