"""Country names in any language CLDR knows (`Deutschland`, `Allemagne`, `Alemania`, `Österreich`)
→ ISO 3166-1 alpha-2, from babel's locale data; built once, on the first name codes do not explain."""
from __future__ import annotations

import re
import threading
import unicodedata

_INDEX: dict[str, str] | None = None
_LOCK = threading.Lock()


def fold(name: str) -> str:
    """Case, accents, punctuation and spacing folded: `Côte d’Ivoire` → `cote d ivoire`."""
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[\W_]+", " ", text).strip()


def _build() -> dict[str, str]:
    from babel import Locale, localedata

    index: dict[str, str] = {}
    clashes: set[str] = set()
    for ident in localedata.locale_identifiers():
        if "_" in ident:                     # regional variants repeat their language's names
            continue
        try:
            names = Locale.parse(ident).territories
        except Exception:  # noqa: BLE001 - a locale babel cannot load has no names for us
            continue
        for code, name in names.items():
            if len(code) != 2 or not code.isalpha() or code in ("EU", "EZ", "UN", "ZZ", "QO"):
                continue
            key = fold(name)
            if key in clashes:
                continue
            if index.setdefault(key, code) != code:   # one name, two countries: trust neither
                clashes.add(key)
                del index[key]
    return index


def country_by_name(name: str) -> str | None:
    """Alpha-2 of a localised country name, or None."""
    global _INDEX
    if _INDEX is None:
        with _LOCK:
            if _INDEX is None:
                _INDEX = _build()
    return _INDEX.get(fold(name))
