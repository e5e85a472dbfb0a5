"""The one settings tree: every `TRIBUTARY_*` variable, declared once with its type, default and
meaning (pydantic-settings), read once at process start (`load_settings`, called by the
composition root, tributary/) and passed down: the gateway holds it as `app[SETTINGS]`, the
agents as `deps.settings`, the embedded stack hands it to its children as environment
(`settings_env`). No other module reads a `TRIBUTARY_*` variable (tests/unit/test_settings.py),
and docs/settings.md is this file's table (`tributary settings --write`).

The core (addresses, identity, topics) sits at the top (`settings.kafka_url`); the rest in
groups (`settings.outbox.delay`). A variable left empty counts as unset.
"""
from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, EnvSettingsSource, SettingsConfigDict

from infra.identity import default_worker_id, host_address
from topics.registry import DEFAULT_PARTITIONS, configure_partitions

MB = 1024 * 1024
_ENVIRON: ContextVar[Mapping[str, str] | None] = ContextVar("tributary_environ", default=None)


def var(default: Any, name: str, doc: str, shown: str | None = None) -> Any:
    """A field read from `TRIBUTARY_<name>`; `shown`: the default as the docs state it."""
    extra = {"shown": shown} if shown is not None else None
    return Field(default, validation_alias=f"TRIBUTARY_{name}", description=doc,
                 json_schema_extra=extra)


class _Environment(EnvSettingsSource):
    """The process environment, or the mapping load_settings was given (tests)."""

    def _load_env_vars(self) -> Mapping[str, str | None]:
        env = _ENVIRON.get()
        return {name.lower(): value for name, value in (os.environ if env is None else env).items()
                if name.startswith("TRIBUTARY_") and value != ""}


class Group(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, extra="ignore", populate_by_name=True,
                                      env_ignore_empty=True)

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings):
        return init_settings, _Environment(settings_cls)


class Broker(Group):
    """Kafka topics and consumers."""
    retention_ms: int = var(7 * 86_400_000, "TOPIC_RETENTION_MS",
                            "retention of created topics, milliseconds", "7 days")
    retention_bytes: int | None = var(None, "TOPIC_RETENTION_BYTES",
                                      "retention of created topics per partition, bytes", "none")
    fetch_wait_ms: int = var(50, "FETCH_WAIT_MS", "longest wait of a consumer fetch (gateway and workers)")
    busy_fetch_wait_ms: int = var(200, "BUSY_FETCH_WAIT_MS",
                                  "the same for a worker while it reads a sales file (agents/busy_fetches.py)")


class Work(Group):
    """Work left in flight and finished GTIN import tasks (agents/housekeeping.py)."""
    stale_after: float = var(30.0, "STALE_AFTER", "seconds without progress before work is re-issued")
    auto_upload_stale_after: float = var(120.0, "AUTO_UPLOAD_STALE_AFTER",
                                         "the same for automatic-upload jobs")
    task_retention_hours: float = var(12.0, "TASK_RETENTION_HOURS",
                                      "hours a finished GTIN import task is kept")
    task_purge_interval: float = var(60.0, "TASK_PURGE_INTERVAL",
                                     "seconds between purges of expired GTIN import tasks")
    clean_ahead: int = var(4, "CLEAN_AHEAD", "byte ranges (8-24 MiB) of a large sales file cleaned ahead of the one "
                         "written (memory vs. speed)")


class Outbox(Group):
    """Commands acknowledged before they were published (infra/outbox.py)."""
    delay: float = var(5.0, "OUTBOX_DELAY", "seconds before the relay first republishes an entry "
                       "(doubling, at most 60 s apart)")
    tries: int = var(10, "OUTBOX_TRIES", "republishes before the entity fails as UNDELIVERED")


class Sweeper(Group):
    """Storage and records stay bounded (agents/sweeper.py)."""
    every: float = var(300.0, "SWEEP_EVERY", "seconds between sweeps (leader worker)")
    upload_ttl: float = var(24 * 3600.0, "UPLOAD_TTL",
                            "seconds a sales file may stay INITIALIZED or UPLOADING", "1 day")
    partial_ttl: float = var(3600.0, "PARTIAL_UPLOAD_TTL", "seconds before a partial upload is removed")
    rejected_ttl: float = var(7 * 24 * 3600.0, "REJECTED_TTL",
                              "seconds before the object of a FAILED file is deleted", "7 days")


class Gateway(Group):
    """The HTTP gateway."""
    token_cache_seconds: float = var(3.0, "TOKEN_CACHE_SECONDS",
                                     "seconds a resolved API token is cached (0 = off)")
    ticket_cache_seconds: float = var(3.0, "TICKET_CACHE_SECONDS",
                                      "seconds a resolved description-service ticket is cached (0 = off)")
    auto_upload_wait: float = var(20.0, "AUTO_UPLOAD_WAIT",
                                  "seconds an automatic-upload request waits for its job's answer")
    s3_direct_uploads: bool = var(False, "S3_DIRECT_UPLOADS",
                                  "hand out presigned S3 upload URLs instead of gateway ones", "off")
    catalog_max_mb: float = var(1024.0, "CATALOG_MAX_MB",
                                "most bytes (MB) the upload URL of a catalog import declared "
                                "without a filesize accepts")


class Fetch(Group):
    """Downloads from public addresses, Google Drive folders and archives (infra/fetch_public.py)."""
    allow: str = var("", "FETCH_ALLOW", "addresses let through although not public (IPs, CIDRs, "
                     "`loopback`, `private`; comma-separated)", "none")
    max_file_mb: float = var(512.0, "FETCH_MAX_FILE_MB", "largest file fetched, MB")
    max_link_mb: float = var(4096.0, "FETCH_MAX_LINK_MB", "largest file behind an automatic-upload link, MB")
    timeout: float = var(60.0, "FETCH_TIMEOUT", "read timeout of a fetch, seconds")
    retries: int = var(3, "FETCH_RETRIES", "retries of a failed fetch")
    backoff: float = var(0.5, "FETCH_BACKOFF", "first wait between retries, seconds (doubling)")
    import_max_mb: float = var(1024.0, "IMPORT_MAX_MB", "largest GTIN import file, MB")
    auto_upload_max_files: int = var(2000, "AUTO_UPLOAD_MAX_FILES", "files one automatic upload may take")
    zip_max_members: int = var(1000, "ZIP_MAX_MEMBERS", "members an archive may hold")
    zip_max_mb: float = var(2048.0, "ZIP_MAX_MB", "uncompressed size of an archive, MB")
    zip_max_ratio: float = var(200.0, "ZIP_MAX_RATIO", "compression ratio of an archive")


class Drive(Group):
    """Google Drive folders as automatic-upload sources (infra/drive.py)."""
    api_key: str = var("", "GOOGLE_API_KEY", "Google API key for Drive folder listings", "none")
    api_url: str = var("https://www.googleapis.com/drive/v3", "DRIVE_API_URL",
                       "Drive API base URL (tests point it at a local double)")
    page_size: int = var(100, "DRIVE_PAGE_SIZE", "entries per Drive listing page")


class Liveness(Group):
    """Heartbeats of workers and gateways, read by `tributary up` (infra/liveness.py)."""
    heartbeat_file: str = var("", "HEARTBEAT_FILE", "file this process writes its heartbeat to "
                              "(set by `tributary up`)", "none")
    heartbeat_interval: float = var(2.0, "HEARTBEAT_INTERVAL", "seconds between heartbeats")
    heartbeat_misses: float = var(3.0, "HEARTBEAT_MISSES",
                                  "heartbeats missed before the supervisor restarts the process")
    recovery_limit: float = var(120.0, "RECOVERY_LIMIT", "seconds a process may be stuck (recovery, "
                                "stalled reader) or start without a first heartbeat")
    broker_max_rss_mb: float = var(1536.0, "BROKER_MAX_RSS_MB",
                                   "resident memory (MiB) past which `tributary up` restarts the "
                                   "embedded broker, whose memory engine ignores retention; work "
                                   "comes back from MongoDB (0 = never)", "1536")

    @property
    def deadline(self) -> float:
        """Seconds without a heartbeat after which a process counts as hung."""
        return self.heartbeat_interval * self.heartbeat_misses


class Retry(Group):
    """Retries of MongoDB and object-store calls during an outage (infra/retry.py)."""
    attempts: int = var(4, "RETRY_ATTEMPTS", "attempts of a store call before a file fails "
                        "with STORAGE_ERROR")
    backoff: float = var(0.5, "RETRY_BACKOFF", "first wait between attempts, seconds (doubling)")


class Money(Group):
    """Declared totals (models/sales/totals.py)."""
    max_total_gap: str = var("0.005", "MAX_TOTAL_GAP", "revenue gap (share of the declared revenue, "
                             "`0.005` or `0.5%`) above which strict_totals fails a file")


class Faults(Group):
    """Injected faults, for tests (infra/storage/faults.py, gateway/bus.py)."""
    objects: str = var("", "FAULTS", "object-store faults, e.g. `objects.put_file:fail=3`", "none")
    publishes: int = var(0, "PUBLISH_FAULTS", "the gateway's first N publishes raise")
    worker_publishes: str = var("", "WORKER_PUBLISH_FAULTS", "a worker's first N publishes of a message "
                                "type raise: `Type:N,…` (agents/deps.py)", "none")


class Logs(Group):
    """Logging (infra/logs.py)."""
    format: str = var("json", "LOG_FORMAT", "`json` lines, or `text`")


GROUPS = {"broker": Broker, "work": Work, "outbox": Outbox, "sweeper": Sweeper, "gateway": Gateway,
          "fetch": Fetch, "drive": Drive, "liveness": Liveness, "retry": Retry, "money": Money,
          "faults": Faults, "logs": Logs}


class Settings(Group):
    """Where the stack's parts are, who this process is, how topics are made."""
    data_dir: Path = var(Path("./var"), "DATA_DIR", "data directory of the embedded stack", "./var")
    kafka_url: str = var("", "KAFKA_URL", "Kafka bootstrap servers (`host:port[,host:port]`)",
                         "embedded Tansu")
    mongo_url: str = var("", "MONGO_URL", "MongoDB URL", "embedded nx-27017")
    mongo_db: str = var("tributary", "MONGO_DB", "database name")
    storage_url: str = var("", "STORAGE_URL", "`file:///dir` or `s3://bucket?endpoint=…&region=…`",
                           "file://DATA_DIR/objects")
    public_url: str = var("", "PUBLIC_URL", "base URL clients use to reach the gateway "
                          "(presigned local URLs)", "http://127.0.0.1:PORT")
    secret: str = var("", "SECRET", "signing secret for local presigned URLs", "generated into DATA_DIR")
    worker_port: int = var(6066, "WORKER_PORT", "web port of a worker (table queries, /metrics)")
    worker_host: str = var("", "WORKER_HOST", "a worker's advertised address (infra/identity.py)",
                           "host's IP")
    worker_id: str = var("", "WORKER_ID", "a worker's id (infra/identity.py)", "hostname-port")
    worker_bind: str = var("", "WORKER_BIND", "address a worker's web server binds", "WORKER_HOST")
    partitions: int = var(DEFAULT_PARTITIONS, "PARTITIONS",
                          "partitions of each topic created (docs/scaling.md); on "
                          "`tributary up`'s embedded broker one per worker, at least 2")
    topic_partitions: dict[str, int] = Field(  # read by _topic_partitions
        default_factory=dict, json_schema_extra={"shown": "TRIBUTARY_PARTITIONS"},
        description="one topic's count, e.g. `TRIBUTARY_PARTITIONS_SALES_FILES_COMMANDS=24`")
    consistent_reads: bool = var(False, "CONSISTENT_READS", "gateways prove their views current "
                                 "before answering (several behind a balancer; gateway/freshness.py)",
                                 "off")
    replication: int = var(1, "TOPIC_REPLICATION", "replication factor of created topics")
    session_timeout: float = var(2.0, "SESSION_TIMEOUT", "Kafka consumer session timeout, seconds "
                                 "(2 suits the embedded broker, ≥ 6 real Kafka)")
    max_bad_share: float = var(0.5, "MAX_BAD_SHARE", "share of unusable rows above which a sales "
                               "file fails")
    broker: Broker = Field(default_factory=Broker)
    work: Work = Field(default_factory=Work)
    outbox: Outbox = Field(default_factory=Outbox)
    sweeper: Sweeper = Field(default_factory=Sweeper)
    gateway: Gateway = Field(default_factory=Gateway)
    fetch: Fetch = Field(default_factory=Fetch)
    drive: Drive = Field(default_factory=Drive)
    liveness: Liveness = Field(default_factory=Liveness)
    retry: Retry = Field(default_factory=Retry)
    money: Money = Field(default_factory=Money)
    faults: Faults = Field(default_factory=Faults)
    logs: Logs = Field(default_factory=Logs)

    def with_(self, **changes) -> Settings:
        return self.model_copy(update=changes)

    @property
    def state_file(self) -> Path:
        return self.data_dir / "stack.json"


def _secret(data_dir: Path) -> str:
    path = data_dir / "secret"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32)
    path.write_text(value)
    path.chmod(0o600)
    return value


def load_settings(data_dir: str | os.PathLike | None = None, env: Mapping[str, str] | None = None,
                  use_state: bool = True) -> Settings:
    """The tree from the environment (or `env`), then, for addresses it leaves unset (unless
    use_state is off), the state file of a running embedded stack in data_dir (and, with its
    broker's address, that broker's partition count)."""
    token = _ENVIRON.set(dict(os.environ if env is None else env))
    try:
        read = Settings(**({"data_dir": data_dir} if data_dir else {}),
                        topic_partitions=_topic_partitions(_ENVIRON.get()))
    finally:
        _ENVIRON.reset(token)
    root = read.data_dir.resolve()
    state = {}
    if use_state and (root / "stack.json").exists():
        try:
            state = json.loads((root / "stack.json").read_text())
        except ValueError:
            state = {}
    worker_host = read.worker_host or host_address()
    settings = read.with_(
        data_dir=root,
        kafka_url=read.kafka_url or state.get("kafka_url", ""),
        mongo_url=read.mongo_url or state.get("mongo_url", ""),
        mongo_db=read.mongo_db if "mongo_db" in read.model_fields_set else state.get("mongo_db", read.mongo_db),
        storage_url=read.storage_url or state.get("storage_url") or f"file://{root / 'objects'}",
        public_url=read.public_url or state.get("gateway_url", ""),
        secret=read.secret or _secret(root),
        worker_host=worker_host,
        worker_id=read.worker_id or default_worker_id(read.worker_port),
        worker_bind=read.worker_bind or worker_host,
    )
    if "partitions" in state and not read.kafka_url and "partitions" not in read.model_fields_set:
        # the embedded broker's count (`tributary up`) goes with its address
        settings = settings.with_(partitions=state["partitions"])
    # every process that loads settings creates/consumes topics with the same counts
    configure_partitions(settings.partitions, settings.topic_partitions)
    return settings


def _topic_partitions(env: Mapping[str, str]) -> dict[str, int]:
    """TRIBUTARY_PARTITIONS_SALES_FILES_COMMANDS=24 → {"SALES_FILES_COMMANDS": 24}."""
    prefix = "TRIBUTARY_PARTITIONS_"
    return {name[len(prefix):].upper(): int(value)
            for name, value in env.items() if name.startswith(prefix) and value}


def unset_in_environment(wanted: Mapping[str, str]) -> dict[str, str]:
    """The entries of `wanted` whose variable this process's environment does not set: what a
    process must add before it starts itself again (infra.memory.ensure_worker_environment).
    Here because this module is the only one that reads the environment."""
    return {name: value for name, value in wanted.items() if name not in os.environ}


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment that hands these settings to a child process."""
    return {
        "TRIBUTARY_DATA_DIR": str(settings.data_dir),
        "TRIBUTARY_KAFKA_URL": settings.kafka_url,
        "TRIBUTARY_MONGO_URL": settings.mongo_url,
        "TRIBUTARY_MONGO_DB": settings.mongo_db,
        "TRIBUTARY_STORAGE_URL": settings.storage_url,
        "TRIBUTARY_PUBLIC_URL": settings.public_url,
        "TRIBUTARY_SECRET": settings.secret,
        "TRIBUTARY_TOPIC_REPLICATION": str(settings.replication),
        "TRIBUTARY_SESSION_TIMEOUT": str(settings.session_timeout),
        "TRIBUTARY_PARTITIONS": str(settings.partitions),
        **{f"TRIBUTARY_PARTITIONS_{name}": str(count)
           for name, count in settings.topic_partitions.items()},
    }


def variables() -> list[dict[str, str]]:
    """Every variable of the tree: name, setting (its path), type, default, meaning."""
    rows = []
    for group, cls in [("", Settings), *GROUPS.items()]:
        for name, info in cls.model_fields.items():
            if name in GROUPS:
                continue
            shown = (info.json_schema_extra or {}).get("shown")
            default = info.get_default(call_default_factory=False)
            rows.append({
                "variable": info.validation_alias or "TRIBUTARY_PARTITIONS_<TOPIC>",
                "setting": f"{group}.{name}" if group else name,
                "type": getattr(info.annotation, "__name__", str(info.annotation)).replace("typing.", ""),
                "default": shown if shown is not None else str(default),
                "meaning": info.description or ""})
    return rows


def markdown() -> str:
    """docs/settings.md: the table of every variable (tests/unit/test_settings.py keeps it current)."""
    lines = ["# Settings", "",
             "Every `TRIBUTARY_*` variable, read once at process start into one tree",
             "(`infra/config.py`, pydantic-settings) and passed down. An empty value counts as unset.",
             "Generated by `tributary settings --write`; do not edit by hand.", "",
             "| variable | setting | type | default | meaning |", "|---|---|---|---|---|"]
    for row in variables():
        cells = [f"`{row['variable']}`", f"`{row['setting']}`", row["type"], row["default"],
                 row["meaning"]]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"
