"""docker-compose.yml, checked without a Docker engine: `docker compose up --scale worker=3
--scale gateway=2` must be able to start (no fixed names, host ports or identities on scaled
services), a load balancer must front every gateway replica, and MongoDB must run as a replica
set. The real run is `tests/docker/` (skipped, with the reason, where no engine answers)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from infra.config import load_settings

ROOT = Path(__file__).resolve().parents[3]
SCALED = ("worker", "gateway")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _env(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def test_every_part_of_the_deployment_is_a_service(compose):
    assert {"kafka", "mongo", "minio", "worker", "gateway", "balancer"} <= set(compose["services"])


@pytest.mark.parametrize("name", SCALED)
def test_scaled_services_hold_nothing_that_two_replicas_could_not_share(compose, name):
    service = compose["services"][name]
    assert "container_name" not in service
    assert not service.get("ports"), "a host port can be bound by one replica only"
    env = _env(service)
    assert "TRIBUTARY_WORKER_ID" not in env and "TRIBUTARY_WORKER_HOST" not in env
    assert env["TRIBUTARY_KAFKA_URL"] == "kafka:9092"
    assert env["TRIBUTARY_SECRET"], "gateways must sign and check URLs with one secret"
    assert service["build"] == "."


def test_replicas_with_the_compose_environment_get_distinct_worker_ids(compose, tmp_path,
                                                                       monkeypatch):
    env = _env(compose["services"]["worker"])
    ids = set()
    for container in ("5b1e0c2f9a11", "9d40a7e3c2b8", "e02f6b5d1c77"):
        monkeypatch.setattr("socket.gethostname", lambda c=container: c)
        ids.add(load_settings(tmp_path, env=env).worker_id)
    assert len(ids) == 3


def test_a_load_balancer_fronts_every_gateway_replica(compose):
    balancer = compose["services"]["balancer"]
    assert re.match(r"(nginx|caddy)(:|$)", balancer["image"])
    assert balancer["ports"] == ["8080:8080"]
    mount = next(v for v in balancer["volumes"] if v.endswith(":/etc/nginx/nginx.conf:ro"))
    conf = (ROOT / mount.split(":")[0]).read_text()
    upstream = re.search(r"upstream gateways \{(.*?)\}", conf, re.S).group(1)
    assert "zone " in upstream and re.search(r"server gateway:8080 resolve", upstream)
    assert "resolver 127.0.0.11" in conf  # Docker's DNS answers with every replica
    assert "proxy_pass http://gateways;" in conf
    assert balancer["depends_on"]["gateway"]["condition"] == "service_healthy"
    assert _env(compose["services"]["gateway"])["TRIBUTARY_PUBLIC_URL"] == "http://localhost:8080"


def test_mongodb_runs_as_a_one_node_replica_set(compose):
    mongo = compose["services"]["mongo"]
    command = mongo["command"]
    name = command[command.index("--replSet") + 1]
    assert f"replicaSet={name}" in _env(compose["services"]["worker"])["TRIBUTARY_MONGO_URL"]
    check = " ".join(mongo["healthcheck"]["test"])
    assert "rs.initiate" in check and f"_id: '{name}'" in check and "mongo:27017" in check
    for name in SCALED:
        assert compose["services"][name]["depends_on"]["mongo"]["condition"] == "service_healthy"


def test_every_setting_the_file_gives_is_read_by_the_code(compose):
    from infra.config import variables

    declared = {row["variable"] for row in variables()}  # the settings tree reads each of them
    for name in SCALED:
        for key in _env(compose["services"][name]):
            if key.startswith("TRIBUTARY_"):
                assert key in declared, f"{key} is set in docker-compose.yml but read nowhere"


def test_compose_workers_start_with_arrow_on_one_pool(compose, monkeypatch):
    """The worker's environment (infra.memory.worker_environment) in the compose service too."""
    from infra.memory import worker_environment

    for name in worker_environment():
        monkeypatch.delenv(name, raising=False)
    env = _env(compose["services"]["worker"])
    assert {name: env.get(name) for name in worker_environment()} == worker_environment()
