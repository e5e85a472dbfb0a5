"""GS1 Company Prefixes for test participants: drawn at random but as GS1 lists them (the
length GS1's table gives for that range, no longer listed prefix beneath it), so every GTIN made
under one is owned through it."""
from __future__ import annotations

import random

from models.gtin.gs1 import _lengths, company_prefix, key_range


def _uniform(prefix: str) -> bool:
    """No listed prefix longer than `prefix` starts with it: every key under it has this GCP."""
    return not any(len(k) > len(prefix) and k.startswith(prefix) for k in _lengths())


def company_prefix_for(rng: random.Random, lead: str, lengths: range = range(7, 10)) -> str:
    """A random GS1 Company Prefix starting with `lead`, of a length in `lengths`."""
    for _ in range(10_000):
        key = lead + "".join(str(rng.randint(0, 9)) for _ in range(13 - len(lead)))
        prefix = company_prefix(key)
        if prefix and len(prefix) in lengths and key_range(key[:7]).kind == "trade" \
                and _uniform(prefix):
            return prefix
    raise LookupError(f"no GS1 Company Prefix of {lengths} digits under {lead}")
