"""Fault injection for the object store, for reliability tests only.

`open_store` wraps the store in :class:`FaultyStore` only when ``TRIBUTARY_FAULTS`` is set:

    TRIBUTARY_FAULTS="objects.put_file:fail=3"          the first 3 put_file calls raise
    TRIBUTARY_FAULTS="objects.put_file:delay=1.5"       every put_file call waits 1.5 s first
    TRIBUTARY_FAULTS="objects.put:fail=2:key=sales/,objects.download:delay=0.2"

Rules are separated by `,`; each is `objects.<operation>` followed by `:option=value` parts:
`fail=N` (the first N matching calls raise :class:`InjectedFault`, an ObjectStoreError),
`delay=S` (seconds slept before every matching call), `key=PREFIX` (only calls whose key
starts with PREFIX match). Counts are per process, so a restarted worker starts again.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from infra.storage.base import ObjectStoreError

ENV = "TRIBUTARY_FAULTS"
OPERATIONS = ("put", "put_file", "get", "read_range", "download", "head", "delete", "delete_prefix", "list",
              "presign")


class InjectedFault(ObjectStoreError):
    """A failure injected by TRIBUTARY_FAULTS (stands for an outage of the object store)."""


@dataclass
class Rule:
    operation: str
    fail: int = 0
    delay: float = 0.0
    key: str = ""
    calls: int = 0  # matching calls seen so far


def parse(text: str) -> list[Rule]:
    rules = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        target, *options = item.split(":")
        area, _, operation = target.partition(".")
        if area != "objects" or operation not in OPERATIONS:
            raise ValueError(f"{ENV}: unknown target {target!r} (objects.<{'|'.join(OPERATIONS)}>)")
        rule = Rule(operation)
        for option in options:
            name, _, value = option.partition("=")
            if name == "fail":
                rule.fail = int(value)
            elif name == "delay":
                rule.delay = float(value)
            elif name == "key":
                rule.key = value
            else:
                raise ValueError(f"{ENV}: unknown option {name!r} in {item!r}")
        rules.append(rule)
    return rules


class FaultyStore:
    """Delegates everything to the wrapped store, breaking the operations the rules name."""

    def __init__(self, inner: Any, rules: list[Rule]) -> None:
        self._inner, self._rules = inner, rules

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        rules = [r for r in self._rules if r.operation == name]
        if not rules or not callable(attr):
            return attr

        async def call(*args: Any, **kwargs: Any) -> Any:
            key = str(args[0] if args else kwargs.get("key", kwargs.get("prefix", "")))
            for rule in rules:
                if not key.startswith(rule.key):
                    continue
                rule.calls += 1
                if rule.delay:
                    await asyncio.sleep(rule.delay)
                if rule.calls <= rule.fail:
                    raise InjectedFault(f"injected fault: objects.{name}({key!r}) call "
                                        f"{rule.calls} of {rule.fail} fails")
            return await attr(*args, **kwargs)

        return call

    async def __aenter__(self) -> "FaultyStore":
        await self._inner.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._inner.close()


def wrap(store: Any, text: str) -> Any:
    """The store itself, or a FaultyStore around it when `text` (TRIBUTARY_FAULTS) names object
    faults."""
    rules = parse(text) if text.strip() else []
    return FaultyStore(store, rules) if rules else store
