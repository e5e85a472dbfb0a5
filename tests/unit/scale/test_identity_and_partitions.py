"""Worker identity comes from the host (so replicas of one service differ), environment
overrides it; partition counts come from the settings, per topic where given."""
from __future__ import annotations

import json

import pytest

from infra.config import load_settings, settings_env
from infra.identity import default_worker_id, host_address
from infra.kafka import PartitionCountMismatch, _check_counts
from topics.registry import DEFAULT_PARTITIONS, all_topics, configure_partitions, topic


@pytest.fixture(autouse=True)
def _default_counts():
    yield
    configure_partitions(DEFAULT_PARTITIONS)


def test_replicas_get_their_own_identity_from_the_host(tmp_path, monkeypatch):
    monkeypatch.setattr("socket.gethostname", lambda: "3f2a9c1d7b04")
    settings = load_settings(tmp_path, env={})
    assert settings.worker_id == "3f2a9c1d7b04-6066"
    assert settings.worker_host == host_address()
    assert default_worker_id(6067, "3f2a9c1d7b04") != settings.worker_id  # 2nd worker, same host
    assert default_worker_id(6066, "a81c0e55d2f9") != settings.worker_id  # another replica


def test_environment_overrides_the_host_identity(tmp_path):
    settings = load_settings(tmp_path, env={"TRIBUTARY_WORKER_ID": "w-7",
                                            "TRIBUTARY_WORKER_HOST": "10.0.0.7",
                                            "TRIBUTARY_WORKER_PORT": "7000"})
    assert (settings.worker_id, settings.worker_host, settings.worker_port) == ("w-7", "10.0.0.7", 7000)


def test_an_unresolvable_hostname_advertises_loopback():
    assert host_address("no-such-host.invalid") == "127.0.0.1"


def test_partition_counts_default_to_twelve_and_follow_the_settings(tmp_path):
    load_settings(tmp_path, env={})
    assert {t.partitions for t in all_topics()} == {12}
    settings = load_settings(tmp_path, env={"TRIBUTARY_PARTITIONS": "6",
                                            "TRIBUTARY_PARTITIONS_AUTO_UPLOAD_FETCH_COMMANDS": "24"})
    assert topic("auto_upload.fetch.commands").partitions == 24
    assert topic("auto_upload.commands").partitions == 6
    assert topic("sales.files.commands").partitions == 6
    env = settings_env(settings)  # children get the same counts
    assert env["TRIBUTARY_PARTITIONS"] == "6"
    assert env["TRIBUTARY_PARTITIONS_AUTO_UPLOAD_FETCH_COMMANDS"] == "24"


def test_a_topic_the_broker_holds_with_another_count_is_refused():
    configure_partitions(12)
    _check_counts([{"topic": "sales.files.commands", "partitions": [{}] * 12}])
    with pytest.raises(PartitionCountMismatch, match="sales.files.commands has 4, settings say 12"):
        _check_counts([{"topic": "sales.files.commands", "partitions": [{}] * 4}])


def test_the_embedded_broker_is_sized_to_the_workers_and_its_state_says_so(tmp_path):
    from infra.stack.up import embedded_partitions

    assert [embedded_partitions(n) for n in (1, 2, 3, 8)] == [2, 2, 3, 8]
    (tmp_path / "stack.json").write_text(json.dumps({"kafka_url": "127.0.0.1:9", "partitions": 3}))
    assert load_settings(tmp_path, env={}).partitions == 3
    assert topic("sales.files.events").partitions == 3
    # a count of one's own, or a broker of one's own, is not the embedded stack's
    assert load_settings(tmp_path, env={"TRIBUTARY_PARTITIONS": "6"}).partitions == 6
    assert load_settings(tmp_path, env={"TRIBUTARY_KAFKA_URL": "k:9092"}).partitions == 12
    assert topic("sales.files.events").partitions == 12
