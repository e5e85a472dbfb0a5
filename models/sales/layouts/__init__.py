"""Layout registry. Layouts are recognised from the file itself, scored, and the best wins
deterministically; see README.md in this folder for how to add one."""
from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Iterable

from .base import Layout, RecordLayout, Score, TabularLayout, norm_header, tabular
from .mapping import layout_from_mapping

_REGISTRY: dict[str, Layout] = {}


def register(layout: Layout) -> Layout:
    """Add a built-in layout. Refuses duplicate names and two tabular layouts with the same required
    header set (they could never be told apart)."""
    if layout.name in _REGISTRY:
        raise ValueError(f"layout {layout.name!r} already registered")
    if isinstance(layout, TabularLayout):
        for other in _REGISTRY.values():
            if isinstance(other, TabularLayout) and other.required == layout.required:
                raise ValueError(f"layouts {other.name!r} and {layout.name!r} require the same headers")
    _REGISTRY[layout.name] = layout
    return layout


def registered() -> list[Layout]:
    return list(_REGISTRY.values())


def candidates(mappings: Iterable[object] = ()) -> list[Layout]:
    """Built-ins plus organisation mappings (dicts or ready Layouts)."""
    extra = [m if isinstance(m, (TabularLayout, RecordLayout)) else layout_from_mapping(m) for m in mappings]
    return extra + registered()


@dataclass
class HeaderMatch:
    layout: TabularLayout
    row: int              # index into the candidate rows
    headers: list[str]    # normalised header cells
    score: Score


def match_header(rows: list[list[str]], line_numbers: list[int], layouts: Iterable[Layout],
                 max_rows: int = 40) -> HeaderMatch | None:
    """Best (layout, header row) over the first rows. Key: layout score, then earlier row, then name."""
    normed = [[norm_header(c) for c in r] for r in rows[:max_rows]]
    best: tuple | None = None
    for layout in layouts:
        if not isinstance(layout, TabularLayout):
            continue
        for i, headers in enumerate(normed):
            line_no = line_numbers[i]
            if line_no <= layout.skip_top or (layout.header_row is not None and line_no != layout.header_row):
                continue
            score = layout.match(set(headers))
            if score is not None:
                key = (score, -i, layout.name)
                if best is None or key > best[0]:
                    best = (key, HeaderMatch(layout, i, headers, score))
    return best[1] if best else None


def closest(rows: list[list[str]], layouts: Iterable[Layout], max_rows: int = 40) -> tuple[list[str], list[str]]:
    """For UNKNOWN_LAYOUT: the row that looks most like a header and the nearest layouts with what they miss.
    Nearness = share of required headers present, then how alike the header names are (difflib); the
    generic layout is always offered last, since renaming headers to canonical names always works."""
    normed = [[norm_header(c) for c in r] for r in rows[:max_rows]]
    header_i = max(range(len(normed)), key=lambda i: (sum(1 for c in normed[i] if c and not c.replace("_", "").isdigit()), -i),
                   default=None)
    found = rows[header_i] if header_i is not None else []
    hdrs = {h for h in (normed[header_i] if header_i is not None else []) if h}
    ranked = []
    for layout in layouts:
        if isinstance(layout, TabularLayout) and layout.refuse is None:
            cov = max((layout.coverage(set(h)) for h in normed), default=0.0)
            alike = sum(max((SequenceMatcher(None, r, h).ratio() for h in hdrs), default=0.0)
                        for r in layout.required) / len(layout.required)
            ranked.append((cov, alike, layout.name, sorted(layout.required - hdrs)))
    ranked.sort(key=lambda t: (-t[0], -t[1], t[2]))
    top = ranked[:3] + [r for r in ranked[3:] if r[2] == "tributary-generic"]
    return found, [f"{name} ({cov:.0%} of required headers; missing {', '.join(miss[:6]) or 'none'})"
                   for cov, _, name, miss in top]


def _register_builtins() -> None:
    from .apple import APPLE
    from .bandcamp import BANDCAMP
    from .believe import BELIEVE
    from .cdbaby import CDBABY
    from .distrokid import DISTROKID
    from .dsr import DSR
    from .fuga import FUGA
    from .generic import GENERIC
    from .onerpm import ONERPM
    from .orchard import ORCHARD
    from .secretly import SECRETLY
    from .soundon import SOUNDON, SOUNDON_SUMMARY
    from .symphonic import SYMPHONIC
    from .tunecore import TUNECORE
    from .youtube import YOUTUBE
    for layout in (DSR, GENERIC, APPLE, YOUTUBE, DISTROKID, TUNECORE, CDBABY, FUGA, ORCHARD, BELIEVE,
                   SYMPHONIC, BANDCAMP, SECRETLY, ONERPM, SOUNDON, SOUNDON_SUMMARY):
        register(layout)


_register_builtins()

__all__ = ["HeaderMatch", "Layout", "RecordLayout", "TabularLayout", "candidates", "closest",
           "layout_from_mapping", "match_header", "norm_header", "register", "registered", "tabular"]
