"""A kept analytics answer is named by all it depends on: another import attempt, a rewritten
Parquet, another file set, rate, base currency or view names another; what is kept is a copy."""
from __future__ import annotations

import os
from decimal import Decimal

from infra.analytics import answers
from models.analytics.filters import Filters, View


def test_the_key_follows_every_input(tmp_path):
    path = tmp_path / "a.parquet"
    path.write_bytes(b"one")
    record = {"id": 1, "parquet_key": "sales/a.parquet", "filename": "a.csv", "attempt": 1,
              "conversion": {"currency": "EUR"}}
    late = [{"currency": "USD", "month": "2025-05", "rate": Decimal("0.9")}]
    view = View("dsp", Filters(), 10)

    def key(files=None, late=late, base="EUR", view=view, top=10) -> str:
        return answers.key("file:///s", "org", base, files or {str(path): record}, late, view, top)

    first = key()
    assert key() == first
    others = [key(files={str(path): {**record, "attempt": 2}}),
              key(files={str(path): record, "/x/b.parquet": {**record, "id": 2}}),
              key(late=[{**late[0], "rate": Decimal("0.8")}]), key(late=[]), key(base="USD"),
              key(view=View("dsp", Filters(currency="USD"), 10)), key(top=11)]
    assert first not in others and len(set(others)) == len(others)
    path.write_bytes(b"other bytes")                     # the same key written again
    os.utime(path, ns=(1, 1))
    assert key() != first


def test_kept_answers_are_copies_and_bounded(monkeypatch):
    monkeypatch.setattr(answers, "SIZE", 2)
    answer = {"rows": [{"key": "Spotify"}]}
    answers.put("a", answer)
    answer["rows"].clear()
    got = answers.get("a")
    assert got == {"rows": [{"key": "Spotify"}]}
    got["rows"].clear()
    assert answers.get("a") == {"rows": [{"key": "Spotify"}]}
    answers.put("b", {})
    answers.put("c", {})
    assert answers.get("a") is None and answers.get("c") == {}
