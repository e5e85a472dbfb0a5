"""The columnar DSR reader against the per-line reader it replaced on the common path (still the
reader of the rare files: `columnar.sales` answering None forces it): the very same batches,
rows, bad rows with their lines and messages, declared totals and checks, warnings, invalid
values and data-quality samples — on the fixtures, the shared reference samples, edited
fixtures, generated DSR files and byte-mutated ones."""
from __future__ import annotations

import dataclasses
import os
import tempfile
from collections import Counter
from pathlib import Path
from unittest import mock

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.sales.clean import CleanOptions, clean_file
from models.sales.dsr import columnar, reader
from tests.support.mutation import mutated
from tests.support.paths import SHARED

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sales"
DSR = sorted(FIXTURES.glob("DSR_*.tsv"))
SAMPLES = sorted((SHARED / "samples" / "sales" / "dsr").glob("*DSR_*.tsv"))
SINGLE = FIXTURES / "DSR_PADPIDA0000000002B_PADPIDA0000000001A_ExamplePremium_2025-06_NO_1of1_20250702T100000.tsv"
NAME = "DSR_A_B_ExamplePremium_2025-06_NO_1of1_20250702T100000.tsv"
PATHS: Counter = Counter()   # which reader the generated/mutated examples went through


def _clean(path: Path, name: str, per_line: bool, **opts):
    batches: list[pa.RecordBatch] = []
    used: list[bool] = []                            # one entry per DSR read: columnar or not
    real = columnar.sales, reader.read_blocks

    def sales(*args):
        out = None if per_line else real[0](*args)
        used[-1] = out is not None
        return out

    def read_blocks(*args):
        used.append(False)
        return real[1](*args)
    with mock.patch.object(columnar, "sales", sales), mock.patch.object(reader, "read_blocks", read_blocks):
        try:
            result = clean_file(str(path), name, CleanOptions(**opts), batches.append)
        except Exception as exc:  # noqa: BLE001 — compared below: both readers must fail alike
            return ("error", type(exc).__name__, str(exc)), used
    return (dataclasses.asdict(result), [b.num_rows for b in batches],
            pa.Table.from_batches(batches).to_pylist() if batches else []), used


def same(path: Path, name: str | None = None, **opts) -> bool | None:
    """Asserts both readers give the same outcome; returns whether the columnar one ran (None:
    the file never reached the DSR reader, e.g. rejected by the sniffer)."""
    name = name or path.name
    reference, _ = _clean(path, name, True, **opts)
    got, used = _clean(path, name, False, **opts)
    assert got == reference
    return any(used) if used else None


@pytest.mark.parametrize("path", DSR + SAMPLES, ids=lambda p: p.name[:60])
def test_fixtures_and_samples(path):
    used = same(path)
    same(path, batch_rows=2)                       # batches cut alike
    same(path, base_currency="GBP")                # conversion with the file's stated rates
    assert used                                    # the columnar reader read it


EDITS = {   # SINGLE (CRLF, headings, escapes, pro-rata lines), one change each
    "as_is": [],
    "foot_mismatch": [("FOOT\t16\t16\t2\t2\t2", "FOOT\t17\t17\t2\t5\t9")],
    "unknown_summary": [("SU02.02\t2\tS2\t", "SU02.02\t2\tS9\t")],
    "out_of_range": [("SEK\t10\t0", "SEK\t1" + "0" * 24 + "\t0")],
    "own_revenue": [("SU02.02\t2\tS2\tT4\tR1\tA1\tTRUE\t3\t\t\tOnDemandStream", "SU03\t2\tT4\tS2\tDSPRES2\t3\t 1E1 \t2025-05-01")],
    "invalid_usages": [("TRUE\t2\t\t\tProgrammed", "TRUE\tx2\t\t\tProgrammed")],
    "digits_id": [("SU02.02\t2\tS2\t", "SU02.02\t2\tSY2\t")],
    "no_crlf": [("\r\n", "\n")],
    "bom_no_final_newline": [("HEAD", "\ufeffHEAD", 1), ("\r\nFOOT\t16\t16\t2\t2\t2\r\n", "\r\nFOOT\t16\t16\t2\t2\t2")],
    "bad_codes": [("012345678905", "012345678900"), ("GBXYZ2400001|GBXYZ2400099", "XX1234567890|bad"),
                  ("\tNO\t", "\tNowhere\t")],
    "interrupted_block": [("RE01.02\t2", "SY01.02\tS3\tX\t\tSubscriptionModel\tOnDemandStream\tDK\tPremium\t1\t1\tDKK\t5\t0\nRE01.02\t2")],
    "summary_without_usages": [("\tNO\tPremium\t7\t", "\tNO\tPremium\t\t")],
}


@pytest.mark.parametrize("edit", EDITS, ids=str)
def test_edited_fixture(tmp_path, edit):
    text = SINGLE.read_bytes().decode()
    for old, new, *count in EDITS[edit]:
        assert old in text
        text = text.replace(old, new, *count)
    path = tmp_path / SINGLE.name
    path.write_bytes(text.encode())
    assert same(path, max_bad_share=1.0)


def test_amount_beyond_any_precision_is_a_bad_row(tmp_path):
    """`1e999` as a line's NetRevenue or a summary's: bad rows with the value (Decimal's quantize
    raised InvalidOperation out of clean_file before), in both readers."""
    text = SINGLE.read_bytes().decode().replace(
        "SU02.02\t2\tS2\tT4\tR1\tA1\tTRUE\t3\t\t\tOnDemandStream", "SU03\t2\tT4\tS2\tDSPRES2\t3\t1e999")
    path = tmp_path / SINGLE.name
    path.write_bytes(text.encode())
    assert same(path)
    result = clean_file(str(path), path.name, CleanOptions(), lambda batch: None)
    assert (result.rows, result.bad_rows) == (3, 1)
    assert result.bad_samples == [{"line": 14, "reason": "NetRevenue 1E+999 is out of range"}]
    path.write_bytes(text.replace("NOK\t100.00\t0", "NOK\t1e999\t0").encode())
    assert same(path, max_bad_share=1.0) is False      # a share beyond any precision: read per line
    result = clean_file(str(path), path.name, CleanOptions(max_bad_share=1.0), lambda batch: None)
    assert result.bad_rows == 4 and all(s["reason"].endswith("is out of range") for s in result.bad_samples)


# -- generated DSR files -----------------------------------------------------------------------
HEAD = ("HEAD\tdsrf/1.1/1.4.1/1.3\tBasicAudioProfile\t1.3\tMSG-9\t2025-07-02T10:00:00Z\t1\t1\t2025-06-01\t"
        "2025-06-30\tPADPIDA0000000001A\tExample Streams\tExamplePremium")
TEXT = st.sampled_from(["", "A", "B\\|C", "Ünï ço", "  spaced ", "T\\\tab", "end\\\\"])  # escapes: | tab \\
DSP_IDS = st.sampled_from(["D1", "D2", "D1", ""])
REFERENCES = ["A1", "A2", "D1", "D2", "", "X", "A1"]


@st.composite
def dsr_files(draw) -> str:
    """HEAD, summaries (repeated ids, odd currencies, territories, usages and amounts), blocks
    of RE/AS/SU lines of the three sale types with own or pro-rata revenue, none to several
    releases and resources per block named by the lines' references (or not), comments, blank
    lines, interrupted and merged blocks, CRLF, FOOT or none."""
    ids = [f"S{i}" for i in range(1, draw(st.integers(1, 4)) + 1)]
    if draw(st.booleans()):
        ids.append(ids[0])                          # a repeated SummaryRecordId
    lines = [HEAD]
    for sid in ids:
        usages = draw(st.sampled_from(["7", "3", "0", "", "x", "12"]))
        net = draw(st.sampled_from(["100.00", "10", "0", "", "abc", "1" + "0" * 24, "1e3", "-5.5",
                                    "0.1234567890123456789", "33.333333333333333333"]))
        lines.append(f"SY01.02\t{sid}\tX\t\tSubscriptionModel\tOnDemandStream\t"
                     f"{draw(st.sampled_from(['NO', 'SE', 'ZZ', '', 'Worldwide']))}\tPremium\t{usages}\t1000\t"
                     f"{draw(st.sampled_from(['NOK', 'SEK', 'EUR', 'XYZ', '']))}\t{net}")
    sids = st.sampled_from([*ids, "S9", "SY1", "1", ""])
    odd = draw(st.integers(0, 9)) == 0              # a reference spelt as the reader's `dsp:` keys
    resources = st.sampled_from(REFERENCES + ["dsp:D1"] * odd)
    block = 0
    for _ in range(draw(st.integers(0, 6))):
        block += draw(st.sampled_from([1, 1, 1, 0]))          # 0: the same BlockId again (merged)
        for _ in range(draw(st.sampled_from([0, 1, 1, 2]))):
            lines.append(f"RE01.02\t{block}\t{draw(st.sampled_from(['R1', 'R2', '']))}\tD{block}\t\t\t"
                         f"{draw(st.sampled_from(['012345678905', '198765432102', '123', '', '12345678905']))}"
                         f"\t{draw(TEXT)}\t\t{draw(TEXT)}")
        for _ in range(draw(st.sampled_from([0, 1, 1, 2, 3]))):
            isrc = draw(st.sampled_from(["GBXYZ2400001", "GBXYZ2400001|QZABC2500012", "XX1234567890",
                                         "ISRC12345678", "gb-xyz-24-00001", "", "bad|GBXYZ2400099"]))
            lines.append(f"AS02.03\t{block}\t{draw(st.sampled_from(['A1', 'A2', 'A1', ''] + ['dsp:D1'] * odd))}\t"
                         f"{draw(DSP_IDS)}\t{isrc}\t{draw(TEXT)}\t\t{draw(TEXT)}")
        for _ in range(draw(st.integers(0, 4))):
            usages = draw(st.sampled_from(["1", "2", "5", "0", "x", "", "3.0"]))
            kind = draw(st.sampled_from(["SU03", "SU02.02", "SU01"]))
            release, resource = draw(st.sampled_from(["R1", "R2", "", "X"])), draw(resources)
            if kind == "SU03":
                net = draw(st.sampled_from(["0.5", "", " ", "1.25", "abc", "1E2", " 2 ", "1" + "0" * 22]))
                lines.append(f"SU03\t{block}\tT\t{draw(sids)}\t{resource}\t{usages}\t{net}\t"
                             f"{draw(st.sampled_from(['', '2025-05-03', 'junk']))}")
            elif kind == "SU02.02":
                lines.append(f"SU02.02\t{block}\t{draw(sids)}\tT\t{release}\t{resource}\tTRUE\t{usages}\t\t\t"
                             f"{draw(st.sampled_from(['', 'OnDemandStream']))}")
            else:
                lines.append(f"SU01\t{block}\t{draw(sids)}\tT\t{release}\t{resource}\tTRUE\t\t{usages}\t"
                             f"{draw(st.sampled_from(['', '1', 'x']))}")
        extra = draw(st.sampled_from(["", "", "", "#comment", "   ", "MW01\tx", "ZZ01\ty"]))
        if extra:
            lines.append(extra)
    if draw(st.booleans()):
        lines.append(f"FOOT\t{len(lines) + 1}\t{len(lines) + 1}\t{len(ids)}\t{block}\t{block}")
    end = draw(st.sampled_from(["\n", "\r\n"]))
    return end.join(lines) + draw(st.sampled_from([end, ""]))


def _same_bytes(name: str, data: bytes, kind: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(os.path.join(tmp, name))
        path.write_bytes(data)
        used = same(path, max_bad_share=1.0)
        if used is not None:
            PATHS[kind, used] += 1


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=dsr_files())
def test_generated_files(text):
    _same_bytes(NAME, text.encode(), "generated")


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(sample=mutated(DSR + SAMPLES))
def test_mutated_fixtures(sample):
    _same_bytes(*sample, kind="mutated")


def test_the_columnar_reader_read_most_examples():
    """The comparisons above compare something: most examples went through the columnar reader."""
    for kind in ("generated", "mutated"):
        assert PATHS[kind, True] > PATHS[kind, False], PATHS


def test_bench_shape(tmp_path):
    """The benchmark's DSR shape (bench.shapes.dsr_file), small."""
    from bench.generate import universe
    from bench.shapes import DSR_NAME, dsr_file

    path = tmp_path / DSR_NAME
    figures = dsr_file(path, 2_000, universe(tracks=300, releases=60, artists=40))
    assert same(path, batch_rows=500)
    assert clean_file(str(path), DSR_NAME, CleanOptions(), lambda b: None).rows == figures["rows"]


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=200).map(lambda b: bytes(c % 4 + 8 for c in b)),  # tabs, newlines and others
       st.integers(1, 9), st.integers(0, 3))
def test_separators_found_chunk_by_chunk_are_every_tab_and_newline(data, chunk, start):
    """`lines._separators` over chunks of any size (each thread's masks reused from chunk to
    chunk, a last chunk shorter): the offsets after every tab and newline, in file order."""
    import numpy as np

    from models.sales.dsr import lines

    raw = np.frombuffer(data, np.uint8)
    start = min(start, len(raw))
    with mock.patch.object(lines, "_CHUNK", chunk):
        offsets, newline = lines._separators(raw, start)
    found = [i for i in range(start, len(raw)) if raw[i] in (9, 10)]
    assert offsets.tolist() == [start, *(i + 1 for i in found)]
    assert newline.tolist() == [raw[i] == 10 for i in found]
