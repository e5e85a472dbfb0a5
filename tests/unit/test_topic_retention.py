"""Contract topics are created with delete retention (infra/kafka.py): 7 days unless
TRIBUTARY_TOPIC_RETENTION_MS says otherwise, a byte bound only when asked for."""
from __future__ import annotations

from infra.config import Broker
from infra.kafka import retention_configs


def test_default_retention_is_seven_days_by_time_only():
    assert retention_configs(Broker.model_construct()) == {"cleanup.policy": "delete", "retention.ms": "604800000"}


def test_retention_is_configurable():
    configs = retention_configs(Broker(TRIBUTARY_TOPIC_RETENTION_MS="3600000",
                                        TRIBUTARY_TOPIC_RETENTION_BYTES="1073741824"))
    assert configs == {"cleanup.policy": "delete", "retention.ms": "3600000",
                       "retention.bytes": "1073741824"}
