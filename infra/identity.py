"""Who a worker is and where others reach it, from the host it runs on.

Replicas of one service (`docker compose up --scale worker=3`, a Kubernetes Deployment) share
their environment, so identity cannot come from it: each replica has its own hostname
(the container id or pod name) and its own address, and those are the defaults.
TRIBUTARY_WORKER_ID / TRIBUTARY_WORKER_HOST still override them; the embedded stack sets
both (`worker-N`, 127.0.0.1), since its workers share one host.
"""
from __future__ import annotations

import socket


def host_address(hostname: str | None = None) -> str:
    """The address this host's name resolves to (a container's own IP), else loopback."""
    try:
        address = socket.gethostbyname(hostname or socket.gethostname())
    except OSError:
        return "127.0.0.1"
    return address or "127.0.0.1"


def default_worker_id(port: int, hostname: str | None = None) -> str:
    """`<hostname>-<web port>`: unique per replica (hostnames differ) and per worker on one
    host (two workers cannot share a web port), and stable across a restart of the same
    replica, so its data and work directories are reused rather than piling up."""
    return f"{hostname or socket.gethostname()}-{port}"
