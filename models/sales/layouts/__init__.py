"""Layout registry. Layouts are recognised from the file itself, scored, and the best wins
deterministically; see README.md in this folder for how to add one."""
from __future__ import annotations

from dataclasses import dataclass
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
    """For UNKNOWN_LAYOUT: the row that looks most like a header and the nearest layouts with what they miss."""
    normed = [[norm_header(c) for c in r] for r in rows[:max_rows]]
    header_i = max(range(len(normed)), key=lambda i: (sum(1 for c in normed[i] if c and not c.replace("_", "").isdigit()), -i),
                   default=None)
    found = rows[header_i] if header_i is not None else []
    ranked = []
    for layout in layouts:
        if isinstance(layout, TabularLayout):
            cov = max((layout.coverage(set(h)) for h in normed), default=0.0)
            hdrs = set(normed[header_i]) if header_i is not None else set()
            missing = sorted(layout.required - hdrs)
            ranked.append((cov, layout.name, missing))
    ranked.sort(key=lambda t: (-t[0], t[1]))
    return found, [f"{name} ({cov:.0%} of required headers; missing {', '.join(miss[:6]) or 'none'})"
                   for cov, name, miss in ranked[:3]]


def _register_builtins() -> None:
    from .dsr import DSR
    from .generic import GENERIC
    register(DSR)
    register(GENERIC)


_register_builtins()

__all__ = ["HeaderMatch", "Layout", "RecordLayout", "TabularLayout", "candidates", "closest",
           "layout_from_mapping", "match_header", "norm_header", "register", "registered", "tabular"]
