"""Faust's aiokafka driver hard-codes `fetch_max_wait_ms=1500`. Tansu answers a fetch only when
that wait is over, so every hop between agents cost ~0.5–1.5 s. The worker swaps in a consumer
class with a short wait (TRIBUTARY_FETCH_WAIT_MS, default 50 ms)."""
from __future__ import annotations

import os
import types

import aiokafka
import faust.transport.drivers.aiokafka as driver

FETCH_WAIT_MS = int(os.environ.get("TRIBUTARY_FETCH_WAIT_MS", "50"))


class _ShortWaitConsumer(aiokafka.AIOKafkaConsumer):
    def __init__(self, *args, **kwargs) -> None:
        kwargs["fetch_max_wait_ms"] = FETCH_WAIT_MS
        super().__init__(*args, **kwargs)


def apply() -> None:
    if getattr(driver.aiokafka, "_tributary_patched", False):
        return
    proxy = types.ModuleType("aiokafka")
    proxy.__dict__.update(aiokafka.__dict__)
    proxy.AIOKafkaConsumer = _ShortWaitConsumer
    proxy._tributary_patched = True
    driver.aiokafka = proxy
