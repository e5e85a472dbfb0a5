"""`tributary up`: start, supervise and stop the whole system on the embedded default.

Order: broker → document store → topics → workers (one after another) → gateway. Parts given
through TRIBUTARY_*_URL are used instead of being embedded. The addresses go to
DATA_DIR/stack.json so every other command with the same --data-dir reaches this stack; an
embedded broker's topics get `embedded_partitions` unless TRIBUTARY_PARTITIONS says otherwise.
A child that dies is started again (with a growing delay if it keeps dying: processes.Child.due);
a worker or gateway whose heartbeat stops, or that stays stuck in table recovery past
TRIBUTARY_RECOVERY_LIMIT, is SIGKILLed and started again (infra/liveness.py). The embedded
broker keeps every message in memory whatever the topics' retention, so past
TRIBUTARY_BROKER_MAX_RSS_MB it is restarted empty: the broker-generation recovery and the outbox
bring the work back from MongoDB, as after a broker crash.
SIGINT/SIGTERM stops every child in reverse order.
"""
from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
import urllib.request
from pathlib import Path

from infra.config import Settings, settings_env
from infra.generation import ensure as ensure_topics  # topics and the log's generation stamp
from infra.memory import worker_environment
from infra.stack.processes import Child, free_port, python_argv, wait_port
from infra.stack.servers import nx27017, tansu
from topics.registry import configure_partitions


def embedded_partitions(workers: int) -> int:
    """Partitions of each topic on the embedded broker: one per worker, at least two (so a
    key's partition still matters in every test). Its log is in memory and lives exactly as long
    as this stack, whose worker count is fixed: more partitions could never be used, and each
    costs the idle broker CPU (every consumer fetch reads every partition, 20 times a second: 12
    partitions kept ~18 % of a core busy, 2 about 7 %; docs/scaling.md)."""
    return max(2, workers)


class Stack:
    def __init__(self, settings: Settings, port: int, workers: int, gateways: int = 1) -> None:
        self.settings = settings
        self.port = port or free_port()
        self.workers = workers
        # gateway 1 listens on `port`; more (as behind a load balancer) on free ports
        self.gateway_ports = [self.port] + [free_port() for _ in range(gateways - 1)]
        self.servers: list[Child] = []
        self.apps: list[Child] = []
        self.stopping = False
        self.started = False   # every child up and every worker ready (stack.json says so)

    # -- start -------------------------------------------------------------------------
    def start(self) -> None:
        data = self.settings.data_dir
        data.mkdir(parents=True, exist_ok=True)
        self._refuse_second_stack()
        changes: dict = {}
        if not self.settings.kafka_url:
            child, url = tansu(data)
            child.max_rss_mb = self.settings.liveness.broker_max_rss_mb
            self.servers.append(child.start())
            wait_port(int(url.rsplit(":", 1)[1]), proc=child.proc)
            changes["kafka_url"] = url
            if "partitions" not in self.settings.model_fields_set:
                changes["partitions"] = embedded_partitions(self.workers)
        if not self.settings.mongo_url:
            child, url = nx27017(data)
            self.servers.append(child.start())
            wait_port(int(url.rstrip("/").rsplit(":", 1)[1]), proc=child.proc)
            changes["mongo_url"] = url
        changes["public_url"] = self.settings.public_url or f"http://127.0.0.1:{self.port}"
        self.settings = self.settings.with_(**changes)
        configure_partitions(self.settings.partitions, self.settings.topic_partitions)
        asyncio.run(ensure_topics(self.settings))
        self._write_state()
        # the workers start together and join their group as one (one after the other, each
        # waited for its own join and the next one's rebalance: ~4 s a worker); the gateways
        # boot meanwhile (/healthz answers 200 only once a worker is ready)
        workers = [self._worker(number).start() for number in range(1, self.workers + 1)]
        gateways = [self._gateway(number, port).start()
                    for number, port in enumerate(self.gateway_ports, 1)]
        self.apps.extend(workers + gateways)
        self._wait_ready(workers)
        for child, port in zip(gateways, self.gateway_ports):
            wait_port(port, proc=child.proc, timeout=60)
        self.started = True
        self._write_state()

    def _refuse_second_stack(self) -> None:
        state = self.settings.state_file
        if state.exists():
            try:
                pid = json.loads(state.read_text()).get("pid")
                if pid and pid != os.getpid():
                    os.kill(pid, 0)
                    sys.exit(f"a stack is already running in {self.settings.data_dir} (pid {pid})")
            except (ProcessLookupError, ValueError, PermissionError):
                pass

    def _worker(self, number: int) -> Child:
        port = free_port()
        env = {**settings_env(self.settings), **worker_environment(),
               "TRIBUTARY_WORKER_ID": f"worker-{number}",
               "TRIBUTARY_WORKER_HOST": "127.0.0.1", "TRIBUTARY_WORKER_PORT": str(port)}
        child = Child(f"worker-{number}", python_argv("worker"),
                      self.settings.data_dir / "logs" / f"worker-{number}.log", env=env,
                      heartbeat=self._beat_file(f"worker-{number}"))
        child.env["_PORT"] = str(port)
        return child

    def _gateway(self, number: int, port: int) -> Child:
        name = "gateway" if number == 1 else f"gateway-{number}"
        env = settings_env(self.settings)
        if len(self.gateway_ports) > 1:  # a client's next request may reach another gateway
            chosen = "consistent_reads" in self.settings.model_fields_set
            env["TRIBUTARY_CONSISTENT_READS"] = "1" if self.settings.consistent_reads or not chosen else "0"
        return Child(name, python_argv("gateway", "--port", str(port)),
                     self.settings.data_dir / "logs" / f"{name}.log", env=env,
                     heartbeat=self._beat_file(name))

    def _beat_file(self, name: str) -> Path:
        return self.settings.data_dir / "heartbeats" / f"{name}.json"

    def _wait_ready(self, workers: list[Child], timeout: float = 90.0) -> None:
        """Until every worker answers ready in one pass: a later one's join makes the group
        rebalance, so an earlier ready is not enough."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(self._ready(child) for child in workers):
                return
            time.sleep(0.1)
        late = [c.name for c in workers if not self._ready(c)]
        raise TimeoutError(f"{', '.join(late)} not ready after {timeout}s; see {self.settings.data_dir / 'logs'}")

    @staticmethod
    def _ready(child: Child) -> bool:
        if not child.alive():
            raise RuntimeError(f"{child.name} exited; see {child.log_path}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{child.env['_PORT']}/ready/", timeout=1) as resp:
                return resp.status == 200
        except OSError:
            return False

    def _write_state(self) -> None:
        s = self.settings
        state = {"pid": os.getpid(), "started": self.started, "kafka_url": s.kafka_url, "mongo_url": s.mongo_url,
                 "mongo_db": s.mongo_db, "storage_url": s.storage_url, "partitions": s.partitions,
                 "gateway_url": f"http://127.0.0.1:{self.port}",
                 "gateway_urls": [f"http://127.0.0.1:{p}" for p in self.gateway_ports],
                 "children": {c.name: c.pid for c in self.servers + self.apps},
                 "restarts": {c.name: {"exited": c.restarts, "hung": c.hung,
                                       "recycled": c.recycled, "reasons": c.reasons[-5:]}
                              for c in self.servers + self.apps
                              if c.restarts or c.hung or c.recycled},
                 "worker_ports": {c.name: int(c.env["_PORT"]) for c in self.apps if "_PORT" in c.env}}
        tmp = s.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2))
        tmp.replace(s.state_file)

    # -- supervise / stop ---------------------------------------------------------------
    def supervise(self) -> None:
        while not self.stopping:
            for child in self.servers + self.apps:
                if self.stopping:
                    break
                reason = child.hang_reason(self.settings.liveness)
                memory = None if reason else child.memory_reason()
                if reason or memory:
                    print(f"[tributary] {child.name} (pid {child.pid}) "
                          f"{'is hung: ' + reason if reason else 'has ' + memory}; "
                          "SIGKILL and start again", flush=True)
                    if not child.kill():
                        continue
                    if reason:
                        child.hung += 1
                    else:
                        child.recycled += 1
                    child.reasons.append(reason or memory)
                    child.start()
                    self._broker_back(child)
                    self._write_state()
                    continue
                if not child.alive() and child.due():
                    code = child.proc.returncode if child.proc else None
                    print(f"[tributary] {child.name} exited ({code}); starting it again"
                          + (f" after {child.backoff:.1f}s" if child.backoff else ""), flush=True)
                    child.restarts += 1
                    child.reasons.append(f"exited ({code})")
                    child.start()
                    self._broker_back(child)
                    self._write_state()
            time.sleep(0.2)

    def _broker_back(self, child: Child) -> None:
        """A restarted embedded broker comes back empty: create the topics again. If that fails
        (the broker died again, or answers too slowly) the supervisor must not die with it: the
        broker is killed and the next round starts it again (with its backoff)."""
        if child.name != "broker":
            return
        try:
            wait_port(int(self.settings.kafka_url.rsplit(":", 1)[1]), proc=child.proc)
            asyncio.run(ensure_topics(self.settings, fresh=True))
        except Exception as exc:  # noqa: BLE001 - any failure means: try the broker again
            print(f"[tributary] broker restarted but its topics could not be created ({exc!r}); "
                  "starting it again", flush=True)
            child.kill()

    def stop(self) -> None:
        self.stopping = True
        for child in reversed(self.apps):
            child.stop(timeout=15)
        for child in reversed(self.servers):
            child.stop(timeout=10)
        state = self.settings.state_file
        if state.exists():
            state.unlink()


def run_up(settings: Settings, port: int, workers: int, gateways: int = 1) -> int:
    stack = Stack(settings, port, workers, gateways)

    def _terminate(signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    try:
        stack.start()
        print(f"Tributary gateway: http://127.0.0.1:{stack.port}", flush=True)
        print(f"data directory: {settings.data_dir}  (Ctrl-C stops everything)", flush=True)
        stack.supervise()
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()
    return 0


__all__ = ["Stack", "run_up", "Path"]
