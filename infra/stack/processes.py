"""Child processes of the embedded stack: started so they die with their parent, stopped in
order, replaced when their heartbeat stops (infra/liveness.py), restarted with a growing delay
when they keep exiting soon after a start (a crash loop must not spin)."""
from __future__ import annotations

import ctypes
import os
import random
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from infra import liveness
from infra.config import Liveness

_PR_SET_PDEATHSIG = 1
STABLE_AFTER = 30.0  # a child that ran this long before exiting is restarted at once
MAX_BACKOFF = 30.0  # longest wait between starts of a child that keeps exiting


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass
    os.setsid()


LOWEST_PORT = 10_000


def _ephemeral_low() -> int:
    """First port of the kernel's ephemeral range (what outgoing connections are given)."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as handle:
            return int(handle.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on, for a child to bind a moment later. It is chosen below the
    ephemeral range: a port from that range can be given to any outgoing connection (a worker's
    to the broker) between this choice and the child's bind, and the child, restarted on the
    same port, could then never listen again."""
    low = _ephemeral_low()
    for _ in range(200 if low > LOWEST_PORT + 1000 else 0):
        port = random.randrange(LOWEST_PORT, low)
        with socket.socket() as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
            return port
    with socket.socket() as sock:  # no room below the range: the kernel's choice
        sock.bind((host, 0))
        return sock.getsockname()[1]


def wait_port(port: int, host: str = "127.0.0.1", timeout: float = 30.0,
              proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before opening {port}")
        try:
            socket.create_connection((host, port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout}s")


@dataclass
class Child:
    name: str
    argv: list[str]
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen | None = None
    restarts: int = 0  # after an exit
    hung: int = 0  # killed and restarted because its heartbeat stopped or it was stuck
    recycled: int = 0  # killed and restarted because its memory passed max_rss_mb
    max_rss_mb: float = 0.0  # 0: no bound
    heartbeat: Path | None = None  # written by the child when set (workers, gateways)
    started: float = 0.0
    backoff: float = 0.0
    _due: float | None = None
    reasons: list = field(default_factory=list)

    def start(self) -> "Child":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        if self.heartbeat is not None:
            self.heartbeat.parent.mkdir(parents=True, exist_ok=True)
            self.env[liveness.ENV_FILE] = str(self.heartbeat)
        self.started, self._due = time.time(), None
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env={**os.environ, **self.env},
                                     preexec_fn=_die_with_parent)
        log.close()
        return self

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def hang_reason(self, limits: Liveness) -> str | None:
        """Why this running child counts as hung (infra/liveness.verdict), or None."""
        if self.heartbeat is None or not self.alive():
            return None
        return liveness.verdict(liveness.read(self.heartbeat), self.pid, self.started, limits)

    def rss_mb(self) -> float | None:
        """Resident memory of the running child in MiB (Linux /proc), or None."""
        try:
            with open(f"/proc/{self.pid}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) / 1024
        except (OSError, ValueError):
            return None
        return None

    def memory_reason(self) -> str | None:
        """Why this running child must be recycled for its memory, or None."""
        if not self.max_rss_mb or not self.alive():
            return None
        rss = self.rss_mb()
        if rss is None or rss <= self.max_rss_mb:
            return None
        return f"resident memory {rss:.0f} MiB past the bound of {self.max_rss_mb:.0f} MiB"

    def due(self) -> bool:
        """An exited child may start again: at once after a stable run, else after a delay that
        doubles with each quick failing exit (0.5 s … MAX_BACKOFF). A quick clean exit (0: it
        was asked to stop, SIGTERM) is no crash loop: 0.5 s, and the delay does not grow."""
        now = time.time()
        if self._due is None:
            if now - self.started >= STABLE_AFTER:
                self.backoff = 0.0
            elif self.proc is not None and self.proc.returncode == 0:
                self.backoff = 0.5
            else:
                self.backoff = min(max(self.backoff * 2, 0.5), MAX_BACKOFF)
            self._due = now + self.backoff
        return now >= self._due

    def kill(self) -> bool:
        """SIGKILL: a hung process may not answer SIGTERM (a stopped one cannot). False while
        it has not died yet (e.g. in uninterruptible sleep): the supervisor tries again."""
        if self.alive():
            assert self.proc is not None
            self.proc.kill()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                return False
        return True

    def stop(self, timeout: float = 10.0) -> None:
        if not self.alive():
            return
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


def python_argv(*args: str) -> list[str]:
    """A child of the stack: this interpreter running the `tributary` command (the composition
    root above infra, named here by module only, never imported)."""
    return [sys.executable, "-m", "tributary", *args]
