"""The statement digest's text hashes kept across row groups (models.sales.statement._TextHashes,
on models.sales.key_ids.Vocabulary): the same hash for a text in every row group, also after
the cache starts again past MAX texts."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from models.sales import statement


def test_hashes_kept_across_row_groups_and_after_a_restart_equal_fresh_ones(monkeypatch):
    monkeypatch.setattr(statement._TextHashes, "MAX", 6)
    cache = statement._TextHashes()
    groups = [["a", "b", "c"], ["c", "d", "a"], ["e", "f", "g", "b"], ["b", "Ä"], []]
    for texts in groups:
        distinct = pa.array(texts, pa.string())
        assert np.array_equal(cache.of(distinct), statement._hash_all(distinct)), texts
        assert len(cache.vocab.values) == len(cache.hashes) <= max(6, len(texts))
    assert cache.vocab.values.to_pylist() == ["e", "f", "g", "b", "Ä"]   # restarted at the third group


# characters where lower-casing, casefolding or whitespace differ between Arrow and Python
_TRICKY = ("aZ09 .-'&", "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u2003\u3000\u200b", "ßİıſŉµǰǅǈǋΣσςﬁẞÅÉéÑçØæŒ",
           "\u0301\u0308\xad\x00\x7f", "日本語Ωωабв")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(st.sampled_from("".join(_TRICKY)), max_size=12), min_size=1, max_size=40))
def test_hashes_of_texts_lowered_by_arrow_equal_pythons_normal_form(texts):
    """The fast path (`_plain_pattern`: lower-cased by Arrow, hashed without Python's split and
    casefold) gives every text the hash `_text_hash` gives it, whatever its characters."""
    arr = pa.array(texts, pa.string())
    assert statement._hash_all(arr).tolist() == [statement._text_hash(t) for t in texts]


def test_every_latin_character_hashes_as_python_normalises_it():
    chars = [chr(i) for i in range(0x20, 0x300)]
    texts = [*chars, *(f"Ab{c}cD {c}x" for c in chars), *(f"{c} {c}" for c in chars)]
    arr = pa.array(texts, pa.string())
    assert statement._hash_all(arr).tolist() == [statement._text_hash(t) for t in texts]
    plain = pa.array(["Björk Çelik", "THE SONG", "ß", "a  b", " a"], pa.string())
    taken = pc.match_substring_regex(plain, statement._plain_pattern()).to_pylist()
    assert taken == [True, True, False, False, False]   # the fast path is taken where it can be
