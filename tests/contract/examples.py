"""The specifications' examples (tests/contract/spec_examples/, copied with attribution) and the
shape comparison the contract suite applies to every answer.

A shape is compared, not a value: an object has the example's keys (and at most the documented
extensions besides), each value of the example's JSON type, `null` where the example has `null`
(unless the example's own list shows both), lists are lists; a list's items each match one of
the example list's items (widgets of several kinds, a GTIN error with and without a GTIN).
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).parent / "spec_examples"
# Defects of the specification's printed text, repaired when read (see spec_examples/README.md).
_REPAIRS = {"gtins_update.response.json": [(re.compile(r'("gpc_segment":"50000000")\n'), r"\1,\n")]}


def raw(name: str, service: str = "gtin") -> bytes:
    """An example exactly as the specification prints it."""
    return (EXAMPLES / service / name).read_bytes()


def load(name: str, service: str = "gtin") -> Any:
    text = raw(name, service).decode("utf-8")
    for pattern, replacement in _REPAIRS.get(name, []):
        text = pattern.sub(replacement, text)
    return json.loads(text)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number" if isinstance(value, float) else "integer"
    return {str: "string", list: "list", dict: "object"}[type(value)]


def shape_problems(actual: Any, example: Any, extensions: frozenset[str] = frozenset(),
                   path: str = "$", loose: frozenset[str] = frozenset()) -> list[str]:
    """Where `actual` departs from the example's shape (empty: it fits).

    `extensions` names documented extra keys by path, `[]` standing for any list item, e.g.
    `$.attachments` or `$.bad_gtins[].reason`; below a path in `loose` only the JSON kind is
    compared (conditions: a code or a list of codes, echoed as sent, checked by value)."""
    if _kind(actual) != _kind(example):
        return [f"{path}: {_kind(actual)} where the specification has {_kind(example)}"]
    if path in loose:
        return []
    if isinstance(example, dict):
        problems = [f"{path}.{k}: missing" for k in example if k not in actual]
        extra = [k for k in actual if k not in example and f"{path}.{k}" not in extensions]
        problems += [f"{path}.{k}: not in the specification nor a documented extension"
                     for k in extra]
        for key in example:
            if key in actual:
                problems += shape_problems(actual[key], example[key], extensions,
                                           f"{path}.{key}", loose)
        return problems
    if isinstance(example, list) and example:
        problems = []
        for i, item in enumerate(actual):
            tries = [shape_problems(item, ex, extensions, f"{path}[]", loose) for ex in example]
            if all(tries):
                problems += [p.replace(f"{path}[]", f"{path}[{i}]", 1)
                             for p in min(tries, key=len)]
        return problems
    return []


def assert_shape(actual: Any, example: Any, extensions: frozenset[str] | set[str] = frozenset(),
                 loose: frozenset[str] | set[str] = frozenset()) -> None:
    problems = shape_problems(actual, example, frozenset(extensions), "$", frozenset(loose))
    assert not problems, "answer departs from the specification's example:\n  " + \
        "\n  ".join(problems) + f"\nanswer: {json.dumps(actual)[:2000]}"
