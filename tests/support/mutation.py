"""Byte-level mutations of real files (hypothesis): flipped bytes, cut, duplicated and dropped
spans and lines, truncation, injected delimiters, quotes, line ends and extreme numbers."""
from __future__ import annotations

from hypothesis import strategies as st


@st.composite
def mutated(draw, paths):
    path = draw(st.sampled_from(paths))
    data = bytearray(path.read_bytes())
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(["flip", "cut", "dup", "truncate", "inject", "drop_line"]))
        if kind == "flip":
            data[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[at:at + draw(st.integers(1, 200))]
        elif kind == "dup":
            data[at:at] = data[at:at + draw(st.integers(1, 400))]
        elif kind == "truncate":
            del data[at:]
        elif kind == "inject":
            data[at:at] = draw(st.sampled_from([b",", b"\t", b";", b'"', b"\n", b"\r\n", b"\x00",
                                                b"\xff\xfe", b"-1e999", b"NaN", b"99999999999999999999"]))
        else:
            end = data.find(b"\n", at)
            del data[at:end if end >= 0 else len(data)]
    return path.name, bytes(data)
