"""Display names of group keys: a territory code as its English country name."""
from __future__ import annotations

import functools


@functools.lru_cache(maxsize=512)
def territory_name(code: str) -> str:
    """`FR` → `France`; `WW` → `Worldwide`; an unknown code stays as it is."""
    if code == "WW":
        return "Worldwide"
    import pycountry

    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    return getattr(country, "common_name", None) or getattr(country, "name", None) or code
