"""A batch prepared while the previous one is still being written sees that batch's documents
(not the store's older copies), and never changes them."""
from __future__ import annotations

import copy

from infra.repos.gtin_bulk import prepare_batch
from models.gtin import ImportSpec, Participant, map_line

OWNER = Participant(id="p1", type="brand", prefixes=("301234000001",))  # as GS1 lists it
SPEC = {"link": "x", "gtin_field": "gtin", "name": "name", "fields": [{"field": "name", "title": "Name"}],
        "conditions": {"language": ["en"], "country": ["276"]}}


class _NewStore:
    """A store that holds no GTIN yet and counts the reads it gets."""

    def __init__(self) -> None:
        self.reads: list[list[str]] = []
        self.gtins = self

    def find(self, query):
        self.reads.append(list(query["_id"]["$in"]))

        async def nothing():
            return
            yield

        return nothing()


def _oks(rows: list[tuple[str, str]], spec: ImportSpec, first_line: int):
    return [map_line(spec, {"gtin": g, "name": n}, OWNER, line=first_line + i) for i, (g, n) in enumerate(rows)]


async def test_a_gtin_of_the_batch_in_flight_is_merged_from_its_pending_document():
    spec = ImportSpec.parse(SPEC)
    gtin = "3012340000012"  # a valid GS1 check digit
    first = _oks([(gtin, "First")], spec, 2)
    store = _NewStore()
    ops, pending, tally = await prepare_batch(store, first, OWNER, spec, set(), {})
    assert tally == {"created": 1, "updated": 0, "unchanged": 0}
    assert store.reads == [["0" + gtin]]
    assert [op._doc["sources"][0]["data"][0]["text"]["text"] for op in ops] == ["First"]  # created
    frozen = copy.deepcopy(pending)
    other = dict(SPEC, conditions={"language": ["fr"], "country": ["250"]})
    second = _oks([(gtin, "Deuxième")], ImportSpec.parse(other), 1002)
    ops, after, tally = await prepare_batch(store, second, OWNER, ImportSpec.parse(other), set(),
                                            pending)
    assert tally == {"created": 0, "updated": 1, "unchanged": 0}
    assert store.reads == [["0" + gtin]]  # not read again: the pending document stands in
    (update,) = ops
    sources = update._doc["$set"]["sources"]
    assert sorted(s["conditions"]["language"][0] for s in sources) == ["en", "fr"]
    assert pending == frozen  # the batch in flight keeps the documents it is writing
    assert after["0" + gtin]["sources"] == sources
    assert update._doc["$set"]["name"] == "Deuxième"  # the owner's re-import renames the item
    ops, _, tally = await prepare_batch(store, second, OWNER, ImportSpec.parse(other), set(), after)
    assert ops == [] and tally == {"created": 0, "updated": 0, "unchanged": 1}
