"""DDEX DSR flat file (any profile): recognised by its first record being HEAD."""
from __future__ import annotations

from ..dsr.reader import clean_dsr
from .base import RecordLayout, Score


def _match(lines: list[str]) -> Score | None:
    for text in lines[:20]:
        if not text.strip() or text.startswith("#"):
            continue
        first = text.split("\t", 1)[0].strip().lstrip("\ufeff")
        return (1000,) if first == "HEAD" and "\t" in text else None
    return None


DSR = RecordLayout(name="ddex-dsr", match_lines=_match, run=clean_dsr)
