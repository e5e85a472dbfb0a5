"""Sources of a GTIN document: who said what, under which conditions. Pure list-in/list-out merges.

A source is {id: participant id, type: participant type or "gs1", conditions: {language, country}
as the client wrote them, data: [widgets in wire form]}. A participant only ever replaces or
removes its own sources; the system participant (GS1 data) replaces all of them.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from models.gtin.conditions import Conditions, check_conditions, included, normalise_conditions
from models.gtin.errors import GtinError, SourceNotFound
from models.gtin.widgets import check_widgets

Source = dict[str, object]
SYSTEM_SOURCE_TYPE = "gs1"


@dataclass(frozen=True)
class Participant:
    id: str
    type: str
    prefixes: tuple[str, ...] = ()  # GS1 Company Prefixes
    product360: bool = False  # has the product360 module (all widget types)
    system: bool = False  # the GS1/system participant
    gtin8: tuple[str, ...] = ()  # individually assigned GTIN-8s and GS1-8 prefixes

    @classmethod
    def from_mapping(cls, doc: Mapping[str, object]) -> Participant:
        modules = doc.get("modules") or ()
        return cls(id=str(doc.get("id") or doc.get("_id")), type=str(doc.get("type", "")),
                   prefixes=tuple(str(p) for p in doc.get("prefixes") or ()),  # type: ignore[union-attr]
                   product360=bool(doc.get("product360")) or "product360" in modules,  # type: ignore[operator]
                   system=bool(doc.get("system")),
                   gtin8=tuple(str(p) for p in doc.get("gtin8") or ()))  # type: ignore[union-attr]


def _key(conditions: object) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Comparable form of stored conditions (lenient: stored data is not re-validated)."""
    c = conditions if isinstance(conditions, Mapping) else {}

    def items(name: str) -> tuple[str, ...]:
        v = c.get(name)
        values = {v} if isinstance(v, str) else set(v or ())
        return tuple(sorted(x.strip().lower() if isinstance(x, str) else x for x in values))

    return items("language"), items("country")


def _owned(source: Mapping[str, object], participant_id: str, participant_type: str | None = None) -> bool:
    return source.get("id") == participant_id and (participant_type is None or source.get("type") == participant_type)


def normalise_source(raw: object, participant: Participant, *, system: bool, field: str = "sources") -> Source:
    """Validate one incoming source and stamp it with its contributor."""
    if not isinstance(raw, Mapping):
        raise GtinError(field, "a source is an object with conditions and data")
    if system:
        sid, stype = raw.get("id") or participant.id, raw.get("type") or SYSTEM_SOURCE_TYPE
    else:
        sid, stype = participant.id, participant.type
        if raw.get("id") not in (None, participant.id) or raw.get("type") not in (None, participant.type):
            raise GtinError(f"{field}.id", "a participant can only write its own sources")
    data = check_widgets(raw.get("data", []), product360=system or participant.product360, field=f"{field}.data")
    return {"id": sid, "type": stype, "conditions": check_conditions(raw.get("conditions")), "data": data}


def merge_sources(doc_sources: Sequence[Source], participant: Participant, new_sources: Sequence[object],
                  *, system: bool = False) -> list[Source]:
    """The document's sources after `participant` submits `new_sources`.

    Own sources with the same conditions are replaced in place, new ones appended, `[]` removes all
    own sources; other contributors' sources are kept as they are. `system=True` replaces everything.
    """
    new = [normalise_source(s, participant, system=system, field=f"sources[{i}]") for i, s in enumerate(new_sources)]
    if system:
        return new
    pending: dict[tuple[tuple[str, ...], tuple[str, ...]], Source] = {}
    for i, source in enumerate(new):
        key = _key(source["conditions"])
        if key in pending:
            raise GtinError(f"sources[{i}].conditions", "two sources with the same conditions")
        pending[key] = source
    out: list[Source] = []
    for source in doc_sources:
        if _owned(source, participant.id, participant.type):
            if not new:
                continue
            replacement = pending.pop(_key(source.get("conditions")), None)
            if replacement is not None:
                out.append(replacement)
                continue
        out.append(dict(source))
    out.extend(pending.values())
    return out


def delete_source(doc_sources: Sequence[Source], participant_id: str, conditions: object) -> list[Source]:
    """Remove the participant's source with exactly these conditions; SourceNotFound if none."""
    key = _key(normalise_conditions(conditions))
    out = [dict(s) for s in doc_sources if not (_owned(s, participant_id) and _key(s.get("conditions")) == key)]
    if len(out) == len(doc_sources):
        raise SourceNotFound("conditions", "no source of this participant has these conditions")
    return out


def replace_included(doc_sources: Sequence[Source], participant_id: str, new_conditions: Conditions) -> list[Source]:
    """Drop the participant's sources whose conditions are included in `new_conditions` (import option)."""
    outer = normalise_conditions(new_conditions)
    out: list[Source] = []
    for source in doc_sources:
        if _owned(source, participant_id):
            lang, country = _key(source.get("conditions"))
            if included({"language": list(lang), "country": list(country)}, outer):
                continue
        out.append(dict(source))
    return out
