"""Start a real embedded stack (`tributary up`) for tests, and stop it afterwards."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.processes import terminate


class RunningStack:
    def __init__(self, data_dir: Path, workers: int = 1, env: dict | None = None,
                 gateways: int = 1) -> None:
        self.data_dir = Path(data_dir)
        self.workers = workers
        self.gateways = gateways
        # No fetch allow-list: the default configuration a new user has. Tests about fetching
        # links from loopback servers pass TRIBUTARY_FETCH_ALLOW in `env` on a stack of their own.
        self.env = {**os.environ, "TRIBUTARY_STALE_AFTER": "6", **(env or {})}
        for name in ("TRIBUTARY_KAFKA_URL", "TRIBUTARY_MONGO_URL", "TRIBUTARY_STORAGE_URL",
                     "TRIBUTARY_PUBLIC_URL", "TRIBUTARY_FETCH_ALLOW"):
            if env is None or name not in env:
                self.env.pop(name, None)
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 120.0) -> "RunningStack":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.data_dir / "up.log", "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tributary", "--data-dir", str(self.data_dir), "up",
             "--port", "0", "--workers", str(self.workers), "--gateways", str(self.gateways)],
            stdout=log, stderr=subprocess.STDOUT, env=self.env, start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"tributary up exited: {self.log()}")
            if self.healthy() and self._started():
                return self
            time.sleep(0.05)
        raise TimeoutError(f"stack not healthy after {timeout}s: {self.log()}")

    def _started(self) -> bool:
        """`tributary up` has every worker ready (the gateway is healthy with the first)."""
        try:
            return bool(self.state.get("started"))
        except (OSError, ValueError):
            return False

    def log(self) -> str:
        parts = []
        for path in [self.data_dir / "up.log", *sorted((self.data_dir / "logs").glob("*.log"))]:
            if path.exists():
                parts.append(f"--- {path.name}\n" + path.read_text(errors="replace")[-3000:])
        return "\n".join(parts)

    @property
    def state(self) -> dict:
        return json.loads((self.data_dir / "stack.json").read_text())

    @property
    def partitions(self) -> int:
        """Partitions of each topic on this stack's broker (`tributary up` sizes them to its
        workers), not this process's settings."""
        return self.state["partitions"]

    @property
    def url(self) -> str:
        return self.state["gateway_url"]

    @property
    def urls(self) -> list[str]:
        """Every gateway's URL (`tributary up --gateways N`)."""
        return self.state.get("gateway_urls") or [self.url]

    def healthy(self) -> bool:
        try:
            for url in self.urls:
                with urllib.request.urlopen(url + "/healthz", timeout=2) as resp:
                    if resp.status != 200:
                        return False
            return True
        except (OSError, ValueError, KeyError):
            return False

    def kill_child(self, name: str, sig: int = signal.SIGKILL) -> int:
        pid = self.state["children"][name]
        os.kill(pid, sig)
        return pid

    def kill(self) -> None:
        """SIGKILL the supervisor; its children die with it (PR_SET_PDEATHSIG)."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        time.sleep(0.5)

    def stop(self) -> None:
        """The graceful stop (SIGTERM; test_faults.py checks it exits 0 and finishes work)."""
        terminate(self.proc, 40)

    def discard(self) -> None:
        """End a test's stack at once, for fixture teardown: SIGKILL the supervisor (its children
        die with it, PR_SET_PDEATHSIG) and wait until they are gone, so the next stack starts on
        an idle machine. Nothing is checked after a teardown, and the graceful stop costs 3-5 s
        per stack (workers leave their consumer groups, the stores flush)."""
        if not self.proc or self.proc.poll() is not None:
            return
        try:
            children = list(self.state.get("children", {}).values())
        except (OSError, ValueError):
            children = []
        self.proc.kill()
        self.proc.wait(10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_running(pid) for pid in children):
            time.sleep(0.05)


def _running(pid: int) -> bool:
    """Whether `pid` still runs (a zombie waiting for its reaper counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def cli(data_dir: Path, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "tributary", "--data-dir", str(data_dir), *args],
                         check=True, capture_output=True, text=True, timeout=60)
    return json.loads(out.stdout)
