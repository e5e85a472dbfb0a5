"""The same end-to-end path on real servers (Apache Kafka, MongoDB, MinIO) via testcontainers.

Skipped, with the reason, where no Docker engine answers (our machines and CI have none)."""
from __future__ import annotations

import pytest

from tests.e2e.sales.test_pipeline import GENERIC
from tests.support.http import Api
from tests.support.sales import ingest
from tests.support.stack import RunningStack, cli


def _docker_reason() -> str | None:
    try:
        import docker

        docker.from_env(timeout=3).ping()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means: no engine here
        return f"no Docker engine answers ({type(exc).__name__}: {exc})"


REASON = _docker_reason()
pytestmark = [pytest.mark.docker,
              pytest.mark.skipif(REASON is not None, reason=REASON or "")]


@pytest.fixture(scope="module")
def real_stack(tmp_path_factory):
    from testcontainers.kafka import KafkaContainer
    from testcontainers.minio import MinioContainer
    from testcontainers.mongodb import MongoDbContainer

    with KafkaContainer().with_kraft() as kafka, MongoDbContainer("mongo:7") as mongo, \
            MinioContainer() as minio:
        cfg = minio.get_config()
        env = {
            "TRIBUTARY_KAFKA_URL": kafka.get_bootstrap_server(),
            "TRIBUTARY_MONGO_URL": mongo.get_connection_url(),
            "TRIBUTARY_STORAGE_URL": f"s3://tributary?endpoint=http://{cfg['endpoint']}"
                                     f"&region=us-east-1&access_key={cfg['access_key']}"
                                     f"&secret_key={cfg['secret_key']}",
            "TRIBUTARY_SESSION_TIMEOUT": "6",
        }
        stack = RunningStack(tmp_path_factory.mktemp("real"), env=env).start(timeout=240)
        yield stack
        stack.stop()


async def test_sales_file_end_to_end_on_real_servers(real_stack):
    org = cli(real_stack.data_dir, "org", "create", "Real Servers")
    api = Api(real_stack.url, org["token"])
    final = await ingest(api, "real.tsv", GENERIC)
    assert final["status"] == "FINALIZED", final
    status, snap, _ = await api.get(f"/api/files/salesfiles/{final['id']}/snapshot/")
    assert status == 200 and snap["totals"]["rows"] == 4
