"""One settings object, built once from the environment (and the running stack's state file).

| variable | meaning | default |
|---|---|---|
| TRIBUTARY_DATA_DIR | data directory of the embedded stack | ./var |
| TRIBUTARY_KAFKA_URL | Kafka bootstrap servers (`host:port[,host:port]`) | embedded Tansu |
| TRIBUTARY_MONGO_URL | MongoDB URL | embedded nx-27017 |
| TRIBUTARY_MONGO_DB | database name | tributary |
| TRIBUTARY_STORAGE_URL | `file:///dir` or `s3://bucket?endpoint=…&region=…` | file://DATA_DIR/objects |
| TRIBUTARY_PUBLIC_URL | base URL clients use to reach the gateway (presigned local URLs) | http://127.0.0.1:PORT |
| TRIBUTARY_SECRET | signing secret for local presigned URLs | generated into DATA_DIR |
| TRIBUTARY_WORKER_PORT | web port of a worker (table queries, /metrics) | 6066 |
| TRIBUTARY_WORKER_ID / _HOST | a worker's id / advertised address (infra/identity.py) | hostname-port / host's IP |
| TRIBUTARY_PARTITIONS | partitions of each topic created (docs/scaling.md) | 12 |
| TRIBUTARY_CONSISTENT_READS | gateways prove their views current before answering (several behind a balancer; gateway/freshness.py) | off |
| TRIBUTARY_PARTITIONS_<TOPIC> | one topic's count, e.g. `_SALES_FILES_COMMANDS=24` | TRIBUTARY_PARTITIONS |
| TRIBUTARY_TOPIC_REPLICATION | replication factor of created topics | 1 |
| TRIBUTARY_SESSION_TIMEOUT | Kafka consumer session timeout, seconds | 2.0 |
"""
from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

from infra.identity import default_worker_id, host_address
from topics.registry import DEFAULT_PARTITIONS, configure_partitions


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    kafka_url: str = ""
    mongo_url: str = ""
    mongo_db: str = "tributary"
    storage_url: str = ""
    public_url: str = ""
    secret: str = ""
    worker_port: int = 6066
    worker_host: str = "127.0.0.1"
    worker_id: str = "worker-1"
    partitions: int = DEFAULT_PARTITIONS
    topic_partitions: dict = field(default_factory=dict)  # SALES_FILES_COMMANDS → count
    consistent_reads: bool = False
    replication: int = 1
    session_timeout: float = 2.0
    max_bad_share: float = 0.5
    extra: dict = field(default_factory=dict)

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)

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


def load_settings(data_dir: str | os.PathLike | None = None, env: dict | None = None,
                  use_state: bool = True) -> Settings:
    """Environment first, then (unless use_state is off) the state file of a running
    embedded stack in data_dir."""
    env = dict(os.environ if env is None else env)
    root = Path(data_dir or env.get("TRIBUTARY_DATA_DIR") or "./var").resolve()
    state = {}
    state_path = root / "stack.json"
    if use_state and state_path.exists():
        try:
            state = json.loads(state_path.read_text())
        except ValueError:
            state = {}
    worker_port = int(env.get("TRIBUTARY_WORKER_PORT") or 6066)
    settings = Settings(
        data_dir=root,
        kafka_url=env.get("TRIBUTARY_KAFKA_URL") or state.get("kafka_url", ""),
        mongo_url=env.get("TRIBUTARY_MONGO_URL") or state.get("mongo_url", ""),
        mongo_db=env.get("TRIBUTARY_MONGO_DB") or state.get("mongo_db", "tributary"),
        storage_url=env.get("TRIBUTARY_STORAGE_URL") or state.get("storage_url")
        or f"file://{root / 'objects'}",
        public_url=env.get("TRIBUTARY_PUBLIC_URL") or state.get("gateway_url", ""),
        secret=env.get("TRIBUTARY_SECRET") or _secret(root),
        worker_port=worker_port,
        worker_host=env.get("TRIBUTARY_WORKER_HOST") or host_address(),
        worker_id=env.get("TRIBUTARY_WORKER_ID") or default_worker_id(worker_port),
        partitions=int(env.get("TRIBUTARY_PARTITIONS") or DEFAULT_PARTITIONS),
        topic_partitions=_topic_partitions(env),
        consistent_reads=env.get("TRIBUTARY_CONSISTENT_READS", "").lower() in ("1", "true", "on"),

        replication=int(env.get("TRIBUTARY_TOPIC_REPLICATION") or 1),
        session_timeout=float(env.get("TRIBUTARY_SESSION_TIMEOUT") or 2.0),
        max_bad_share=float(env.get("TRIBUTARY_MAX_BAD_SHARE") or 0.5),
    )
    # every process that loads settings creates/consumes topics with the same counts
    configure_partitions(settings.partitions, settings.topic_partitions)
    return settings


def _topic_partitions(env: dict) -> dict[str, int]:
    """TRIBUTARY_PARTITIONS_SALES_FILES_COMMANDS=24 → {"SALES_FILES_COMMANDS": 24}."""
    prefix = "TRIBUTARY_PARTITIONS_"
    return {name[len(prefix):].upper(): int(value)
            for name, value in env.items() if name.startswith(prefix) and value}


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
