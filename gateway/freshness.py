"""Consistent reads when several gateways serve behind a load balancer.

Each gateway folds the event topics into its own views (gateway/views.py), each at its own
pace. A client whose command was answered by gateway A (after A saw the resulting event) may
send its next request to gateway B, whose follower can be a fetch behind: B's view would show
the state before the command. With TRIBUTARY_CONSISTENT_READS on, a read from a view first
asks the broker for the topic's end offsets (one ListOffsets request shared by every read that
arrived before it was sent) and waits until this gateway's follower has folded up to them.
Any event a client has been told about is below those offsets, so the view then has it.
When the barrier cannot be passed in time (broker gone, follower stuck) the read falls back
to the store, which the workers write before they emit.

One gateway alone needs none of this (its waiters resolve after its own fold), so it is off
by default; `tributary up --gateways N` and docker-compose.yml turn it on.
"""
from __future__ import annotations

import asyncio
import logging

from aiokafka import AIOKafkaConsumer, TopicPartition

log = logging.getLogger("tributary.gateway.freshness")
TIMEOUT = 2.0  # seconds a read waits for the follower before it reads the store instead


class ReadBarrier:
    def __init__(self, timeout: float = TIMEOUT) -> None:
        self.timeout = timeout
        self.consumer: AIOKafkaConsumer | None = None
        self.positions: dict[TopicPartition, int] = {}
        self._parts: list[TopicPartition] = []
        self._moved = asyncio.Event()
        self._pending: asyncio.Future | None = None
        self._lock = asyncio.Lock()

    # -- fed by the bus's follower ------------------------------------------------------
    async def attach(self, consumer: AIOKafkaConsumer, parts: list[TopicPartition]) -> None:
        """The follower (re)connected and sought to the end of `parts`."""
        self.positions = {tp: await consumer.position(tp) for tp in parts}
        self._parts, self.consumer = list(parts), consumer
        self._wake()

    def detach(self) -> None:
        self.consumer = None
        self._wake()

    def advanced(self, tp: TopicPartition, position: int) -> None:
        """Records below `position` of `tp` are folded into the views."""
        self.positions[tp] = position
        self._wake()

    def _wake(self) -> None:
        moved, self._moved = self._moved, asyncio.Event()
        moved.set()

    # -- used by the views --------------------------------------------------------------
    async def caught_up(self, topic_name: str) -> bool:
        """True once every event of `topic_name` written before this call is folded."""
        consumer = self.consumer
        if consumer is None:
            return False
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        try:
            ends = await asyncio.wait_for(self._end_offsets(consumer), self.timeout)
        except Exception as exc:  # noqa: BLE001 - broker unreachable: the store answers
            log.warning("no end offsets for a consistent read: %s", exc)
            return False
        wanted = {tp: end for tp, end in ends.items() if tp.topic == topic_name}
        while True:
            if self.consumer is not consumer:
                return False  # reconnected meanwhile: the views were emptied
            if all(self.positions.get(tp, -1) >= end for tp, end in wanted.items()):
                return True
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            try:
                await asyncio.wait_for(self._moved.wait(), remaining)
            except asyncio.TimeoutError:
                return False

    async def _end_offsets(self, consumer: AIOKafkaConsumer) -> dict[TopicPartition, int]:
        """End offsets from a ListOffsets request sent after this call began; concurrent
        callers share one request (those arriving while one is in flight share the next)."""
        fut = self._pending
        if fut is None:
            fut = self._pending = asyncio.get_running_loop().create_future()
            asyncio.ensure_future(self._query(fut, consumer))
        return await asyncio.shield(fut)

    async def _query(self, fut: asyncio.Future, consumer: AIOKafkaConsumer) -> None:
        async with self._lock:
            if self._pending is fut:
                self._pending = None  # later callers need a request sent after them
            try:
                fut.set_result(await consumer.end_offsets(self._parts))
            except Exception as exc:  # noqa: BLE001 - handed to every caller
                fut.set_exception(exc)
                fut.exception()  # retrieved: callers that timed out must not warn
