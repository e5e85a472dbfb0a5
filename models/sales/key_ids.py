"""Key columns as small integer ids, one vocabulary per column kept across batches.

The snapshot groups a file by string keys whose *combinations* are many (track × currency: 1.2 M
groups in a 5 M-row file of 45 currencies) while each column alone has few distinct values (50 k
titles, 45 currencies). Hashing int32 ids instead of strings makes each group-by several times
cheaper and its partial groups a fraction of the memory; the strings come back by `take` once,
when the lists are formatted. Nulls stay null ids, so they group as before."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc


def dictionary_chunks(values: pa.ChunkedArray | pa.Array) -> tuple[pa.Array, list[pa.Array]] | None:
    """One hash pass over a (chunked) column: its distinct non-null values and each chunk's
    indices into them (null for a null value); None when there is no chunk. A coded column
    (`coded`) is not hashed again: its dictionaries are unified."""
    if pa.types.is_dictionary(values.type):
        from .coded import unified

        return unified(values if isinstance(values, pa.ChunkedArray) else pa.chunked_array([values]))
    enc = pc.dictionary_encode(values)
    chunks = enc.chunks if isinstance(enc, pa.ChunkedArray) else [enc]
    if not chunks:
        return None
    dictionary = max((c.dictionary for c in chunks), key=len)   # the others are its prefixes
    return dictionary, [c.indices for c in chunks]


Codes = dict[str, "tuple[pa.Array, list[pa.Array]] | None"]


class Encoded(dict):
    """`encode_columns`' answer: per column its `dictionary_chunks`, and (`ids`, when the sink
    keeps the file's vocabularies) each distinct value's id in the file's vocabulary."""
    ids: "FileIds | None" = None


class FileIds:
    """Where each value of a row group's dictionaries is in the file's vocabulary of its column
    (`positions`), and that vocabulary as it was then (`values`: later groups only append). The
    snapshot's builders and the statement digest take these ids instead of each looking the
    same values up in vocabularies of their own (three lookups of each distinct value)."""

    def __init__(self, vocab: dict[str, "Vocabulary"], codes: Codes) -> None:
        self.vocab = vocab
        self.positions = {name: vocab.setdefault(name, Vocabulary()).positions(found[0])
                          for name, found in codes.items() if found is not None}
        self.values = {name: vocab[name].values for name in self.positions}


def encode_columns(table: pa.Table, names, vocab: dict[str, "Vocabulary"] | None = None) -> Encoded:
    """`dictionary_chunks` of each of `names`, once per row group, for every consumer of it
    (the snapshot's ids, the statement digest, the Parquet writer), so each string is hashed
    once instead of once per consumer; with `vocab` (the file's, kept by the caller across row
    groups) their file ids too (`FileIds`)."""
    out = Encoded({name: dictionary_chunks(table.column(name)) for name in names})
    if vocab is not None:
        out.ids = FileIds(vocab, out)
    return out


def encoded(codes: Codes | None, name: str, values: pa.ChunkedArray | pa.Array
            ) -> tuple[pa.Array, list[pa.Array]] | None:
    """`dictionary_chunks` of column `name`: the sink's (`encode_columns`) when it has them,
    else computed from `values` now."""
    return codes[name] if codes and name in codes else dictionary_chunks(values)


def as_dictionary(found: tuple[pa.Array, list[pa.Array]] | None, type_=pa.string()) -> pa.ChunkedArray:
    """The column back as dictionary arrays sharing one dictionary (a Parquet writer keeps its
    dictionary page across the chunks of a row group only while the dictionary is the same)."""
    if found is None:
        return pa.chunked_array([], pa.dictionary(pa.int32(), type_))
    dictionary, indices = found
    return pa.chunked_array([pa.DictionaryArray.from_arrays(i, dictionary) for i in indices])


class Vocabulary:
    """Distinct values in the order first seen, kept across row groups."""

    def __init__(self) -> None:
        self.values: pa.Array | None = None

    def positions(self, distinct: pa.Array) -> pa.Array:
        """Where each of `distinct` (distinct, non-null values) is in the vocabulary; the unseen
        ones are appended first. Only `distinct` is hashed and looked up, never the rows."""
        if self.values is None:
            self.values = pa.array([], distinct.type)
        known = pc.index_in(distinct, value_set=self.values)
        if known.null_count:
            unseen = pc.is_null(known)
            # the unseen take the next positions in their order: no second lookup of the
            # whole (grown) vocabulary
            after = pc.add(pc.cumulative_sum(pc.cast(unseen, pa.int32())),
                           pa.scalar(len(self.values) - 1, pa.int32()))
            self.values = pa.concat_arrays([self.values, distinct.filter(unseen)])
            known = pc.coalesce(known, after)
        return known


class KeyIds:
    """`ids(column, values)` → int32 ids stable for the builder's life; `strings(column, ids)`
    → the values back."""

    def __init__(self) -> None:
        self.vocab: dict[str, Vocabulary] = {}

    def ids(self, column: str, values: pa.ChunkedArray | pa.Array, codes: Codes | None = None) -> pa.ChunkedArray:
        """The column's ids: the file's (`FileIds`, when `codes` carry them: the vocabulary is
        then the sink's, shared) or this builder's own vocabulary's."""
        found = encoded(codes, column, values)
        if found is None:
            return pa.chunked_array([], pa.int32())
        dictionary, indices = found
        shared = getattr(codes, "ids", None)
        if shared is not None and column in shared.positions:
            self.vocab[column] = shared.vocab[column]
            known = shared.positions[column]
        else:
            known = self.vocab.setdefault(column, Vocabulary()).positions(dictionary)
        return pa.chunked_array([pc.take(known, i) for i in indices], pa.int32())

    def strings(self, column: str, ids: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
        return pc.take(self.vocab[column].values, ids)

    def ranks(self, column: str, ids: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
        """Per id, the rank of its string in ascending order (null for null): sorting by it
        orders as sorting by the strings, without comparing them."""
        values = self.vocab[column].values
        return pc.take(pc.rank(values, sort_keys="ascending", tiebreaker="first"), ids)
