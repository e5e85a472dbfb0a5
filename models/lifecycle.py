"""The one entity lifecycle: an entity kind (sales files, reports, catalog imports, GTIN import
tasks, automatic-upload jobs) is declared once, beside its model, as an `EntityKind` — its
statuses and allowed transitions, its events and fold, its store collection and the command
that moves work left in flight on. The kit (infra/repos/lifecycle.py, agents/lifecycle.py,
gateway/views.py) builds the compare-and-set store writer, the status writer, the table, the
worker page, the re-issuer and the gateway view from it. Pure: no I/O here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

Fold = Callable[[dict | None, str, dict, str], dict | None]  # (view, event type, payload, ts)
NEW = None  # the "status" of an entity not stored yet
# fields of a stored entity the folds never see nor write: the store's, the lease's and the
# analytics rollups' own (agents/rollups.py: written after FINALIZED, no status change)
INTERNAL = ("_id", "_outbox", "_version", "lease", "lease_expires", "lease_token", "reissued_at",
            "rollups", "unannounced")


def status_change(key_field: str) -> Callable[..., dict]:
    """The `…StatusChanged` payload builder of a kind whose events name the entity by
    `key_field` and carry `progress` (reports, catalog imports)."""
    def payload(record: dict, status: str, cause: str | None, error: str | None, fields: dict,
                progress: dict | None = None) -> dict:
        return {key_field: record["id"], "organisation": record["organisation"],
                "status": status, "status_cause": cause, "error_message": error,
                "progress": progress, "fields": fields}
    return payload


def opened(view: dict | None, payload: dict, first: str) -> dict | None:
    """Where a status fold starts: None for an entity not seen yet unless the event is its first
    status (a late event never creates a record), else a copy with the event's `fields`."""
    if view is None and payload.get("status") != first:
        return None
    out = dict(view or {})
    out.update(payload.get("fields") or {})
    return out


def restated(payload: dict) -> bool:
    """Is this status event a recorded status announced again (`agents.lifecycle.
    announce_settled`)? Its fields then carry the record's history and time, which a fold
    takes as they are instead of adding an entry: announced twice is once."""
    return "history" in (payload.get("fields") or {})


def outdated(view: dict | None, payload: dict) -> bool:
    """Is this a restated status older than what `view` holds? One announced late (the sweep of
    statuses whose event failed, `agents.tables.announce_unannounced`) may arrive after newer
    events; folded, it would take the view back, so a fold keeps the view as it is."""
    if view is None or not restated(payload):
        return False
    then, now = (payload.get("fields") or {}).get("updated_at"), view.get("updated_at")
    return bool(then and now and then < now)


def stamped(out: dict, payload: dict, key_field: str, ts: str, entry: bool) -> dict:
    """The status fields of a status fold (`out`: `opened`); a history entry when `entry`."""
    status, again = payload["status"], restated(payload)
    if entry and not again:
        out["history"] = [*(out.get("history") or []), {"status": status, "ts": ts}]
    out.update(id=payload[key_field], organisation=payload.get("organisation",
               out.get("organisation")), status=status,
               status_cause=payload.get("status_cause"), error_message=payload.get("error_message"),
               updated_at=(out.get("updated_at") or ts) if again else ts)
    return out


def _keeping_newer(fold: Fold) -> Fold:
    """`fold`, keeping the view as it is for a restated status older than it (`outdated`):
    every kind's fold gets the guard by being declared, none has to remember it."""
    if getattr(fold, "keeps_newer", False):
        return fold

    def guarded(view: dict | None, event_type: str, payload: dict, ts: str) -> dict | None:
        return view if outdated(view, payload) else fold(view, event_type, payload, ts)

    guarded.keeps_newer = True
    return guarded


class IllegalTransition(ValueError):
    """A status change the kind does not allow (the writer logs and drops it)."""


@dataclass(frozen=True)
class EntityKind:
    name: str                       # what logs and pages call one ("file", "report", …)
    collection: str                 # MongoDB collection (`_id` = the entity id)
    events: str                     # event topic
    key_field: str                  # the id's field in every event payload
    status_event: str               # the event type that changes the status
    statuses: tuple[str, ...]
    terminal: tuple[str, ...]
    # status → the statuses it may move to; NEW → the first ones; a status may always stay
    transitions: Mapping[str | None, tuple[str, ...]]
    fold: Fold
    status_of: Callable[[dict], str] = lambda payload: payload["status"]
    creates: tuple[str, ...] = ()   # events that carry a whole new entity (views start there)
    deletes: tuple[str, ...] = ()   # events that remove the entity from tables and views
    table: str | None = None        # the Faust table folded from `events`
    page: str | None = None         # worker page path, e.g. "/reports/{report_id}/"
    numeric: bool = True            # ids are integers (a page key is ASCII digits)
    public: tuple[str, ...] | None = None  # the stored fields the view holds (None: all)
    # status → (command topic, command) that moves work left there on (re-issuer)
    reissue: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    command: Callable[[dict], dict] | None = None  # the re-issued command's payload
    status_payload: Callable[..., dict] | None = None  # (record, status, cause, error, fields, **extra)
    progress_event: str | None = None

    def __post_init__(self) -> None:
        for source, targets in self.transitions.items():
            unknown = {source, *targets} - {*self.statuses, NEW}
            if unknown:
                raise ValueError(f"{self.name}: transition names unknown statuses {unknown}")
        object.__setattr__(self, "fold", _keeping_newer(self.fold))

    def allowed(self, old: str | None, new: str) -> bool:
        """May an entity in `old` (None: not stored yet) move to `new`?"""
        if new not in self.statuses:
            return False
        return (old is not None and old == new) or new in self.transitions.get(old, ())

    def key(self, raw: Any) -> Any:
        return int(raw) if self.numeric else str(raw)


def step(kind: EntityKind, record: dict | None, event_type: str, payload: dict,
         ts: str) -> dict | None:
    """The record after one event, refusing an illegal status change (IllegalTransition);
    None when the event changes nothing (a newer state made it obsolete)."""
    if event_type == kind.status_event:
        old = record.get("status") if record else NEW
        new = kind.status_of(payload)
        if not kind.allowed(old, new):
            raise IllegalTransition(f"{kind.name} {payload.get(kind.key_field)}: {old} → {new}")
    return kind.fold(record, event_type, payload, ts)


# a record's own bookkeeping, which every fold writes from the event itself
_BOOKKEEPING = frozenset(INTERNAL) | {"id", "organisation", "status", "status_cause",
                                      "error_message", "history", "updated_at", "progress",
                                      "attempt"}


def settled(kind: EntityKind, event_type: str, payload: dict, record: dict | None) -> dict:
    """The event to emit for a write whose result is `record`: a terminal status change carries
    the record's every field in its `fields`, not only the changed ones, so a view that missed
    an earlier event (a table rebuilt from a changelog that lost its last write when a worker
    was killed) is whole again at the end. Other events go out as written."""
    if event_type != kind.status_event or record is None or "fields" not in payload or \
            kind.status_of(payload) not in kind.terminal:
        return payload
    whole = {k: v for k, v in record.items() if k not in _BOOKKEEPING}
    return {**payload, "fields": {**whole, **(payload.get("fields") or {})}}
