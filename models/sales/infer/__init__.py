"""Layout inference: a mapping proposed from a file's header names and values when no known
layout claims it; sure proposals import as layout `inferred`, the others fail UNKNOWN_LAYOUT
carrying the proposal for the organisation to confirm (docs/formats.md, "Inference")."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..layouts.base import TabularLayout, norm_header
from ..layouts.mapping import layout_from_mapping
from .propose import THRESHOLD, infer

INFERRED = "inferred"


@dataclass(frozen=True)
class InferredLayout(TabularLayout):
    """A layout built from a sure proposal; `proposal` is recorded in the file's status."""
    proposal: dict = field(default_factory=dict)


def inferred_layout(proposal: dict) -> InferredLayout:
    """The layout a proposal describes, named `inferred`. Several columns mapped to one field are
    coalesced row by row (a release title, else its catalogue number)."""
    base = layout_from_mapping(proposal["mapping"])
    return InferredLayout(name=INFERRED, required=base.required, columns=base.columns,
                          decimal_sep=base.decimal_sep, default_currency=base.default_currency,
                          coalesce=True, proposal=proposal)


__all__ = ["INFERRED", "InferredLayout", "THRESHOLD", "infer", "inferred_layout", "norm_header"]
